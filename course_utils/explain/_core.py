"""What every explainer shares: input checks, class choice, feature-map models, scaling to [0, 1]."""
import numpy as np

from ..validate import check_positive_int


def as_batch(model, images):
    """Return ``images`` as a float32 tensor batch ``(N, H, W, C)`` the model accepts.

    One image without a batch axis is accepted too. The error says what the model expects.
    """
    import tensorflow as tf

    expected = tuple(model.inputs[0].shape)
    try:
        x = np.asarray(images, dtype="float32")
    except (TypeError, ValueError) as err:
        raise TypeError(f"images must be an array of pixels shaped like {expected}; got {type(images).__name__}.") from err
    if x.ndim == len(expected) - 1:
        x = x[None]
    fits = x.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected[1:], x.shape[1:]))
    if not fits or len(x) == 0:
        raise ValueError(f"images must have shape (N, {', '.join(str(e) for e in expected[1:])}) for this model "
                         f"(or one image without N); got {x.shape}.")
    return tf.convert_to_tensor(x)


def compiled(model, key, build):
    """Return ``build()``, a ``tf.function``, made once per model and kept on the model object.

    Eager calls dispatch a large model layer by layer (about 140 ms for MobileNet at 224x224 on
    2 CPU cores); the traced function takes about 10 ms, which is what makes explainers interactive.
    """
    cache = model.__dict__.get("_course_compiled")
    if cache is None:
        cache = {}
        object.__setattr__(model, "_course_compiled", cache)  # plain attribute: Keras does not track it
    if key not in cache:
        cache[key] = build()
        # One traced function per model and key is by design. TensorFlow's "N out of the last M calls triggered
        # tf.function retracing" warning counts all of them together (it keys on the Python code object), so
        # explaining a few models or layers in a row would print it falsely.
        if hasattr(cache[key], "_omit_frequent_tracing_warning"):
            cache[key]._omit_frequent_tracing_warning = True
    return cache[key]


def forward(model, x):
    """The model's outputs for ``x`` in inference mode, through a traced function."""
    import tensorflow as tf

    run = compiled(model, "forward", lambda: tf.function(lambda v: model(v, training=False), reduce_retracing=True))
    return run(tf.convert_to_tensor(x, tf.float32))


def class_indices(model, x, class_index, batch_size=32):
    """Return one class id per image: the model's top class when ``class_index`` is None,
    else the given int (for every image) or sequence (one per image)."""
    n = int(x.shape[0])
    if class_index is None:
        scores = np.concatenate([np.asarray(forward(model, x[i:i + batch_size])) for i in range(0, n, batch_size)])
        return scores.reshape(n, -1).argmax(axis=1)
    num_classes = int(np.prod(model.outputs[0].shape[1:]))
    ids = np.full(n, class_index) if np.ndim(class_index) == 0 else np.asarray(class_index)
    if (ids.shape != (n,) or not np.issubdtype(ids.dtype, np.integer) or isinstance(class_index, bool)
            or ids.min() < 0 or ids.max() >= num_classes):
        raise ValueError(f"class_index must be None, an int in [0, {num_classes - 1}] or {n} such ints "
                         f"(one per image); got {class_index!r}.")
    return ids.astype("int64")


def class_scores(outputs, ids):
    """Pick each image's score for its class from the model outputs ``(N, classes)``."""
    import tensorflow as tf

    outputs = tf.reshape(outputs, (tf.shape(outputs)[0], -1))
    return tf.gather(outputs, tf.convert_to_tensor(ids, tf.int64), axis=1, batch_dims=1)


def in_batches(fn, n, batch_size):
    """Call ``fn(start, stop)`` over ``range(n)`` in chunks and concatenate the NumPy results."""
    check_positive_int("batch_size", batch_size)
    return np.concatenate([np.asarray(fn(i, min(i + batch_size, n))) for i in range(0, n, batch_size)])


def scale_to_unit(maps):
    """Divide each non-negative map by its maximum, so every heatmap spans [0, 1] (all-zero maps stay 0)."""
    maps = np.maximum(np.asarray(maps, dtype="float32"), 0)
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, *([1] * (maps.ndim - 1)))
    return np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)


def resize_maps(maps, size):
    """Stretch ``(N, h, w)`` maps to ``size`` = (H, W) with bilinear interpolation."""
    import tensorflow as tf

    return tf.image.resize(np.asarray(maps, "float32")[..., None], size, method="bilinear").numpy()[..., 0]


def spatial_layers(model):
    """Names of the layers (nested models included) whose output is a feature map with H, W > 1."""
    import keras

    names = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            names += spatial_layers(layer)
            continue
        shape = getattr(layer, "output", None) is not None and tuple(layer.output.shape)
        if shape and len(shape) == 4 and (shape[1] or 2) > 1 and (shape[2] or 2) > 1:
            names.append(layer.name)
    return names


def pick_layer(model, layer):
    """Return the name of the target feature-map layer: ``layer``, or ``last_conv``, or the last one."""
    names = spatial_layers(model)
    if layer is None:
        if not names:
            raise ValueError("This model has no layer with a spatial feature map, so there is nothing to localise.")
        return "last_conv" if "last_conv" in names else names[-1]
    if layer not in names:
        shown = ", ".join(names[-12:]) + (f" (and {len(names) - 12} earlier)" if len(names) > 12 else "")
        raise ValueError(f"No feature-map layer named {layer!r} in model {model.name!r}. "
                         f"Layers with feature maps: {shown}.")
    return layer


def feature_model(model, layer):
    """Return ``f(x) -> (feature maps of layer, model outputs)``, one pass, for the tape to watch.

    A flat model (Sequential or Functional) gets a two-output Functional model. When the layer sits
    inside a nested base model (transfer learning), the base is split there and the layers around it
    are replayed in order, the Keras 3 idiom for "Output ... is not connected to inputs".
    """
    import keras

    top = {l.name for l in model.layers}
    if layer in top and isinstance(model, keras.Sequential):
        # Sequential.add (and load_model) rebuild the graph after every layer, so layer.output can be a tensor
        # of an earlier build that does not feed model.outputs (its gradient is then None): replay the layers.
        steps = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]

        def replay(x, steps=steps):
            maps = None
            for step in steps:
                x = step(x, training=False)
                maps = x if step.name == layer else maps
            return maps, x
        return replay
    if layer in top:
        two_outputs = keras.Model(model.inputs[0], [model.get_layer(layer).output, model.outputs[0]])
        return lambda x: two_outputs(x, training=False)
    for i, inner in enumerate(model.layers):
        if isinstance(inner, keras.Model) and layer in spatial_layers(inner):
            inner_fn = feature_model(inner, layer)
            before = [l for l in model.layers[:i] if not isinstance(l, keras.layers.InputLayer)]
            after = model.layers[i + 1:]

            def run(x, before=before, inner_fn=inner_fn, after=after):
                for step in before:
                    x = step(x, training=False)
                maps, h = inner_fn(x)
                for step in after:
                    h = step(h, training=False)
                return maps, h
            return run
    raise ValueError(f"Layer {layer!r} not found in model {model.name!r}.")
