"""Train and evaluate the course's classifiers the same way everywhere (lessons 03–04, ``train``).

Lesson 03 writes ``compile`` and ``fit`` out in full; from lesson 04 on, ``train_classifier`` does the
same steps with the options lesson 04 adds one at a time (batch normalisation and augmentation live
in the model; SGD with a warm-up-then-cosine learning-rate schedule and label smoothing live here).
"""
import time

import numpy as np


def one_cycle_schedule(peak, total_steps, warmup_fraction=0.2):
    """Learning rate rising linearly from 0 to ``peak``, then falling along a cosine to 0 (lesson 04)."""
    import keras

    if not peak > 0 or not isinstance(total_steps, int) or total_steps < 2:
        raise ValueError(f"need peak > 0 and total_steps >= 2; got peak={peak!r}, total_steps={total_steps!r}.")
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(0.0, total_steps - warmup, warmup_target=peak, warmup_steps=warmup)


def train_classifier(build_model, data, epochs, batch_size=128, optimizer="adam", learning_rate=1e-3,
                     schedule=False, warmup_fraction=0.2, label_smoothing=0.0, weight_decay=0.0, augment=None,
                     strategy=None, verbose=2):
    """Build a model inside a ``tf.distribute`` scope, train it on ``data`` and measure it.

    Args:
        build_model: a function returning an uncompiled Keras model (raw 0..255 pixels in, 10 logits out).
        data: a ``course_utils.Dataset`` (its training split is used for training, its test split for testing).
        epochs: passes over the training images.
        batch_size: images per step, over all replicas.
        optimizer: ``"adam"`` or ``"sgd"`` (SGD with Nesterov momentum 0.9).
        learning_rate: the constant rate, or the peak rate when ``schedule`` is on.
        schedule: use ``one_cycle_schedule`` (warm-up, then cosine decay to 0).
        warmup_fraction: the share of steps spent warming up when ``schedule`` is on.
        label_smoothing: spread this much probability over the wrong classes in the targets.
        weight_decay: decoupled weight decay for the optimizer.
        augment: a function returning Keras preprocessing layers (e.g. ``models.photo_augmentation``);
            they are put in front of the model for training only, and the returned model has none.
        strategy: a ``tf.distribute`` strategy; ``None`` uses ``choose_strategy()``.

    Returns:
        ``(model, result)``: the trained model and a dict with ``test_accuracy``, ``train_accuracy``,
        ``seconds`` (training time) and ``history`` (per-epoch metrics).
    """
    import keras
    import tensorflow as tf

    from .strategy import choose_strategy

    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd'; got {optimizer!r}.")
    if not isinstance(epochs, int) or epochs < 1 or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive ints; got {epochs!r} and {batch_size!r}.")
    strategy = strategy or choose_strategy()
    steps = epochs * max(1, len(data.x_train) // batch_size)
    rate = one_cycle_schedule(learning_rate, steps, warmup_fraction) if schedule else learning_rate
    with strategy.scope():
        model = build_model()
        trainer = keras.Sequential([keras.Input(model.inputs[0].shape[1:]), *augment(), model]) if augment else model
        opt = (keras.optimizers.Adam(rate, weight_decay=weight_decay or None) if optimizer == "adam" else
               keras.optimizers.SGD(rate, momentum=0.9, nesterov=True, weight_decay=weight_decay or None))
        trainer.compile(opt, keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=label_smoothing),
                        metrics=["accuracy"])
    x_train, x_test = _as_images(data.x_train), _as_images(data.x_test)
    y_train, y_test = (keras.utils.to_categorical(y, 10) for y in (data.y_train, data.y_test))
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train), seed=0)
             .batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
    test = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(1000)
    start = time.perf_counter()
    history = trainer.fit(train, epochs=epochs, validation_data=test, shuffle=False, verbose=verbose)
    seconds = time.perf_counter() - start
    return model, {
        "test_accuracy": float(history.history["val_accuracy"][-1]),
        "train_accuracy": float(history.history["accuracy"][-1]),
        "seconds": seconds,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    }


def _as_images(x):
    """uint8 (N, H, W) or (N, H, W, C) -> float32 (N, H, W, C), still 0..255 (the models rescale)."""
    x = np.asarray(x, dtype="float32")
    return x[..., None] if x.ndim == 3 else x
