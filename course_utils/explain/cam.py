"""Class activation maps (lesson 06): CAM, Grad-CAM and Grad-CAM++.

Same call shape as the gradient explainers; ``layer`` names the feature-map layer to explain
(default: the layer named ``last_conv``, else the last layer with a spatial feature map). All three
keep the positive evidence (ReLU) and are stretched to the input size, so they compare directly:
on a model whose last feature maps feed global average pooling and one linear layer, Grad-CAM
equals CAM.
"""
import numpy as np

from ._core import (
    as_batch,
    class_indices,
    class_scores,
    compiled,
    feature_model,
    in_batches,
    pick_layer,
    resize_maps,
    scale_to_unit,
)

PASS_THROUGH = ("Dropout", "Reshape", "Flatten", "Identity")


def cam(model, images, class_index=None, layer=None, batch_size=32):
    """Zhou et al. (2016): weight the last feature maps by the class's weights in the final layer.

    Needs ``layer -> GlobalAveragePooling2D -> one Dense (or 1x1 Conv2D)``: then the class score is a
    weighted sum of the averaged maps, and the same weighted sum of the maps themselves shows where
    the evidence lies. Any other head raises an error that explains this.
    """
    x = as_batch(model, images)
    layer = pick_layer(model, layer)
    weights = _cam_weights(model, layer)
    ids = class_indices(model, x, class_index)
    maps = in_batches(lambda a, b: np.einsum("nhwc,cn->nhw", maps_and_gradients(model, layer, x[a:b], ids[a:b])[0],
                                             weights[:, ids[a:b]]), len(ids), batch_size)
    return scale_to_unit(resize_maps(np.maximum(maps, 0), x.shape[1:3]))


def grad_cam(model, images, class_index=None, layer=None, batch_size=32):
    """Selvaraju et al. (2017): weight each feature map by the average gradient of the class score."""
    return _gradient_weighted_maps(model, images, class_index, layer, batch_size, grad_cam_weights)


def grad_cam_plus_plus(model, images, class_index=None, layer=None, batch_size=32):
    """Chattopadhay et al. (2018): like Grad-CAM, but each location's positive gradient is weighted,
    so several objects of the same class all light up (the usual closed form from first derivatives)."""
    return _gradient_weighted_maps(model, images, class_index, layer, batch_size, grad_cam_pp_weights)


def maps_and_gradients(model, layer, images, class_ids):
    """The feature maps of ``layer`` and the gradient of each image's class score with respect to them."""
    import tensorflow as tf

    def build():
        run = feature_model(model, layer)

        def both(x, ids):
            with tf.GradientTape() as tape:
                maps, outputs = run(x)
                score = class_scores(outputs, ids)
            return maps, tape.gradient(score, maps)
        return tf.function(both, reduce_retracing=True)

    maps, grads = compiled(model, ("maps_and_gradients", layer), build)(
        tf.convert_to_tensor(images, tf.float32), tf.convert_to_tensor(class_ids, tf.int64))
    return maps.numpy(), grads.numpy()


def _gradient_weighted_maps(model, images, class_index, layer, batch_size, channel_weights):
    x = as_batch(model, images)
    layer = pick_layer(model, layer)
    ids = class_indices(model, x, class_index)

    def explain(a, b):
        maps, grads = maps_and_gradients(model, layer, x[a:b], ids[a:b])
        return np.maximum(np.einsum("nhwc,nc->nhw", maps, channel_weights(maps, grads)), 0)

    return scale_to_unit(resize_maps(in_batches(explain, len(ids), batch_size), x.shape[1:3]))


def grad_cam_weights(maps, grads):
    """Grad-CAM's channel weights: each channel's gradient averaged over the positions (lesson 06)."""
    return grads.mean(axis=(1, 2))


def grad_cam_pp_weights(maps, grads):
    """Grad-CAM++'s channel weights: positive gradients weighted by the closed-form alphas (lesson 06)."""
    g2, g3 = grads ** 2, grads ** 3
    denominator = 2 * g2 + maps.sum(axis=(1, 2), keepdims=True) * g3
    alpha = np.divide(g2, denominator, out=np.zeros_like(g2), where=denominator != 0)
    return (alpha * np.maximum(grads, 0)).sum(axis=(1, 2))


def _cam_weights(model, layer):
    """The ``(channels, classes)`` weights of the linear layer after global average pooling."""
    import keras

    chain = _layers_after(model, layer)
    kinds = [type(l).__name__ for l in chain]
    weighted = [l for l in chain[1:] if l.weights]
    others = [l for l in chain[1:] if not l.weights]
    if (kinds[:1] == ["GlobalAveragePooling2D"] and len(weighted) == 1
            and isinstance(weighted[0], (keras.layers.Dense, keras.layers.Conv2D))
            and _is_softmax_or_linear(weighted[0]) and tuple(weighted[0].kernel.shape[:-2]) in ((), (1, 1))
            and all(type(l).__name__ in PASS_THROUGH or _is_softmax_or_linear(l) for l in others)):
        kernel = np.asarray(weighted[0].kernel)
        return kernel.reshape(kernel.shape[-2], kernel.shape[-1])
    raise ValueError(
        f"CAM needs the maps of {layer!r} to go straight into GlobalAveragePooling2D and then one linear "
        "layer (Dense, or a 1x1 Conv2D), as in Zhou et al. 2016: only then is the class score a weighted sum "
        "of the averaged maps, so the same weights can map the evidence. "
        f"This model has after {layer!r}: {', '.join(kinds) or 'nothing'}. Use grad_cam, which needs no such head.")


def _layers_after(model, layer):
    """The layers that follow ``layer`` in a chain (looking inside a nested base model too)."""
    import keras

    for i, item in enumerate(model.layers):
        if item.name == layer:
            return model.layers[i + 1:]
        if isinstance(item, keras.Model) and layer in [l.name for l in item.layers]:
            return _layers_after(item, layer) + model.layers[i + 1:]
    return []


def _is_softmax_or_linear(layer):
    """True for layers that keep the class ranking: no activation, linear or softmax."""
    activation = getattr(layer, "activation", None)
    if activation is None:
        return type(layer).__name__ in ("Dense", "Conv2D")
    return getattr(activation, "__name__", "") in ("linear", "softmax")
