"""Sanity checks for explanations (lesson 07), after Adebayo et al. (2018).

If a map hardly changes when the model's learned weights are destroyed, it was never explaining
the model. ``randomize_layers`` destroys them layer by layer from the top; ``rank_correlation``
measures how similar the maps stay.
"""
import numpy as np

from ..validate import check_same_shape


def randomize_layers(model, cascade=True, seed=0):
    """Yield ``(layer_name, randomized_model)``, re-initialising layers from the output backwards.

    The model itself is never changed: a clone is re-initialised with each layer's own initialisers
    (batch-norm statistics back to their defaults). With ``cascade`` every step keeps the layers
    randomised before it (the "cascading" test); without it only one layer at a time is random.
    The same clone object is yielded each time, so use it before asking for the next step.
    """
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    rng = np.random.default_rng(seed)
    layers = [layer for layer in _leaf_layers(clone) if layer.weights][::-1]
    originals = {layer.name: [w.numpy() for w in layer.weights] for layer in layers}
    for previous, layer in zip([None] + layers[:-1], layers):
        if previous is not None and not cascade:
            for variable, value in zip(previous.weights, originals[previous.name]):
                variable.assign(value)
        for variable in layer.weights:
            variable.assign(_fresh_value(layer, variable, rng))
        yield layer.name, clone


def rank_correlation(maps_a, maps_b):
    """Spearman rank correlation between paired heatmaps ``(N, H, W)``: one number per pair.

    1 means the same ranking of pixels, 0 no relation. Ties (e.g. Grad-CAM's zeros) share their
    average rank. A constant map has no ranking: its correlation is NaN.
    """
    a, b = np.asarray(maps_a, "float64"), np.asarray(maps_b, "float64")
    check_same_shape("maps_a and maps_b", a, b, "NHW")
    out = np.empty(len(a))
    for i, (x, y) in enumerate(zip(a.reshape(len(a), -1), b.reshape(len(b), -1))):
        rx, ry = _average_ranks(x), _average_ranks(y)
        rx, ry = rx - rx.mean(), ry - ry.mean()
        norm = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
        out[i] = (rx * ry).sum() / norm if norm > 0 else np.nan
    return out


def _average_ranks(values):
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + ends - 1) / 2)[inverse]


def _leaf_layers(model):
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


def _fresh_value(layer, variable, rng):
    """A new value from the layer's own initialiser for this weight (e.g. ``kernel_initializer``)."""
    import keras

    name = variable.name.split("/")[-1]
    initializer = getattr(layer, f"{name}_initializer", None) or getattr(layer, name.replace("_kernel", "_initializer"), None)
    if initializer is None:  # unknown weight: shuffle it, which keeps its values but not their places
        return rng.permutation(variable.numpy().ravel()).reshape(variable.shape)
    initializer = keras.initializers.get(initializer)
    if hasattr(initializer, "seed"):
        initializer = initializer.__class__.from_config({**initializer.get_config(), "seed": int(rng.integers(2**31))})
    return initializer(variable.shape, dtype=variable.dtype)
