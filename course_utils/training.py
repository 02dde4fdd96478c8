"""Train and evaluate the course's classifiers the same way everywhere (lessons 03–04, ``train``).

Lesson 03 writes ``compile`` and ``fit`` out in full; from lesson 04 on, ``train_classifier`` does the
same steps with the options lesson 04 adds one at a time (batch normalisation and augmentation live
in the model; SGD with a warm-up-then-cosine learning-rate schedule and label smoothing live here), and
lesson 12's mixed precision where the CPU computes bfloat16 natively (``fastest_precision``).
"""
import math
import time

import numpy as np

from .validate import check, check_positive_int

# epochs_within times a model compiled with the schedule before the real length is known (that length is
# what it measures); a schedule costs the same per step whatever its length, so any length >= 2 will do.
PROBE_SCHEDULE_STEPS = 1000
PRECISIONS = ("float32", "mixed_bfloat16")
UNIT_IMAGES = 50_000  # the seed-CNN epoch, the course's unit of time, is one pass over this many photos


def one_cycle_schedule(peak, total_steps, warmup_fraction=0.2):
    """Learning rate rising linearly from 0 to ``peak``, then falling along a cosine to 0 (lesson 04)."""
    import keras

    if not peak > 0 or not isinstance(total_steps, int) or total_steps < 2:
        raise ValueError(f"need peak > 0 and total_steps >= 2; got peak={peak!r}, total_steps={total_steps!r}.")
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(0.0, total_steps - warmup, warmup_target=peak, warmup_steps=warmup)


def train_classifier(build_model, data, epochs, batch_size=128, optimizer="adam", learning_rate=1e-3,
                     schedule=False, warmup_fraction=0.2, label_smoothing=0.0, weight_decay=0.0, augment=None,
                     strategy=None, validation=None, rounds=None, precision="float32", verbose=2):
    """Build a model inside a ``tf.distribute`` scope, train it on ``data`` and measure it.

    Args:
        build_model: a function returning an uncompiled Keras model (raw 0..255 pixels in, 10 logits out).
        data: a ``course_utils.Dataset`` (its training split is used for training, its test split for testing).
        epochs: passes over the training images, or a fraction (e.g. ``2.5`` from ``epochs_within``).
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
        validation: ``(images, labels)`` to measure instead of the test split, for comparisons that
            choose between designs (lesson 04): the test photos stay untouched until the choice is made.
        rounds: training is split into this many equal rounds, each followed by a measurement (a pass over
            the test photos); ``None`` gives ``ceil(epochs)``, one per epoch. ``1`` measures only at the end
            (the CIFAR-10 benchmark: its time budget then goes to training).
        precision: ``"float32"``, ``"mixed_bfloat16"`` (lesson 12: 16-bit arithmetic, float32 weights and logits),
            or ``"auto"`` for ``fastest_precision()``. A mixed run hands back the same network built in float32,
            with the trained weights, and measures its final accuracy in float32: what a lesson that loads it gets.

    Returns:
        ``(model, result)``: the trained model and a dict with ``test_accuracy`` (``val_accuracy`` when
        ``validation`` is given), ``train_accuracy``, ``seconds`` (training time), ``epochs``, ``precision``
        and ``history`` (per-round metrics).
    """
    if not isinstance(epochs, (int, float)) or not epochs > 0:
        raise ValueError(f"epochs must be a positive number; got {epochs!r}.")
    per_epoch = _steps_per_epoch(data, batch_size)
    if rounds is not None:
        check_positive_int("rounds", rounds)
    rounds = rounds or math.ceil(epochs)
    steps = max(2, round(epochs * per_epoch))
    precision = resolve_precision(precision)
    model, trainer = _compile(build_model, optimizer, learning_rate, steps if schedule else 0, warmup_fraction,
                              label_smoothing, weight_decay, augment, strategy, precision)
    train, measured = _pipelines(data, batch_size, validation)
    start = time.perf_counter()
    history = trainer.fit(train.repeat(), epochs=rounds, steps_per_epoch=math.ceil(steps / rounds),
                          validation_data=measured, shuffle=False, verbose=verbose)
    seconds = time.perf_counter() - start
    accuracy = float(history.history["val_accuracy"][-1])
    if precision != "float32":  # the float32 network lessons load, measured as they will use it
        from .checkpoints import accuracy_on

        plain = build_model()
        plain.set_weights(model.get_weights())
        measured_on = validation if validation is not None else (data.x_test, data.y_test)
        model, accuracy = plain, accuracy_on(plain, *measured_on)
    return model, {
        "val_accuracy" if validation else "test_accuracy": accuracy,
        "train_accuracy": float(history.history["accuracy"][-1]),
        "seconds": seconds,
        "epochs": round(rounds * math.ceil(steps / rounds) / per_epoch, 2),
        "precision": precision,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    }


def epochs_within(seconds, build_model, data, batch_size=128, augment=None, probe_steps=100, rounds=None, **options):
    """How many epochs of ``train_classifier`` fit in ``seconds`` on this machine (the CIFAR-10 benchmark).

    CPU speed differs several-fold between machines sold as "2 cores", so a time budget is turned
    into epochs by timing ``probe_steps`` training steps and one test pass of a throwaway model
    (after two warm-up steps that trace it). The learning-rate schedule can then end exactly at the budget.
    On a shared machine step times come in bursts (120 steps took 20 s, then 41 s), so the estimate is only
    as good as the probe's moment: two benchmark runs then trained 8-9% faster than their probes and left 3
    of 36 units unused, and a short check ran 36% slower than its probe. 100 steps (a quarter of a CIFAR-10
    epoch at batch 128) average over more of that noise than the 30 used before.
    The start-up the real run pays once (tracing, filling the shuffle buffer) and its test passes, one per
    round (``rounds`` as in ``train_classifier``), come out of the budget first. ``options`` are the other
    ``train_classifier`` arguments (optimizer, rates...), so the probe trains exactly what the real run will.
    """
    import keras

    if not seconds > 0 or not isinstance(probe_steps, int) or probe_steps < 2:
        raise ValueError(f"need seconds > 0 and probe_steps >= 2; got {seconds!r} and {probe_steps!r}.")
    if rounds is not None:
        check_positive_int("rounds", rounds)
    options = {k: v for k, v in options.items() if k not in ("epochs", "verbose")}
    options["schedule_steps"] = PROBE_SCHEDULE_STEPS if options.pop("schedule", False) else 0
    steps_per_epoch = _steps_per_epoch(data, batch_size)
    _, trainer = _compile(build_model, augment=augment, **options)
    train, test = _pipelines(data, batch_size)
    ends = []  # when each step finished: the first two include tracing and filling the shuffle buffer
    clock = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: ends.append(time.perf_counter()))
    start = time.perf_counter()
    trainer.fit(train.repeat(), epochs=1, steps_per_epoch=2 + probe_steps, callbacks=[clock],
                shuffle=False, verbose=0)
    per_epoch = (ends[-1] - ends[1]) / probe_steps * steps_per_epoch
    setup = ends[1] - start - 2 * (ends[-1] - ends[1]) / probe_steps   # all but the two steps' own work
    start = time.perf_counter()
    trainer.evaluate(test.take(1), verbose=0)
    setup += time.perf_counter() - start                                # tracing the test step, once
    start = time.perf_counter()
    trainer.evaluate(test, verbose=0)
    per_test = time.perf_counter() - start
    if rounds is not None:
        epochs = (seconds - setup - rounds * per_test) / per_epoch
    else:   # one round per epoch: the more epochs, the more test passes
        epochs = max((min(n, (seconds - setup - n * per_test) / per_epoch)
                      for n in range(1, 1 + math.ceil(seconds / per_epoch))), default=0)
    if epochs < 0.1:
        raise ValueError(f"{seconds} s fit less than a tenth of an epoch here (one epoch takes about "
                         f"{per_epoch:.0f} s, one test pass {per_test:.0f} s); give more seconds.")
    return round(epochs, 2)


def measure_seed_cnn_epoch(images=50_000, batch_size=32):
    """Seconds for one training epoch of the classic CIFAR-10 CNN here: the course's unit of time (lesson 12).

    Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dense10 (``build_classic_cnn``), Adam, batch 32, over 50,000
    random 32x32x3 photos (the speed does not depend on the pixels); best of two epochs after a warm-up. The photos
    come through a ``tf.data`` pipeline without autotuning (``without_autotune``): Keras's own pipeline for arrays
    made epochs of 13-17 s read 20.8-21.2 s in 4 of 6 runs.
    A smaller ``images`` (the smoke profile's quick look) times that many and scales to 50,000.
    """
    import keras
    import tensorflow as tf

    from .models import build_classic_cnn

    check_positive_int("images", images)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (images, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, images)
    photos = tf.data.Dataset.from_tensor_slices((x, y))
    keras.utils.set_random_seed(0)
    model = build_classic_cnn((32, 32, 3))
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    warm_up = without_autotune(photos.take(batch_size * 50).batch(batch_size))
    model.fit(warm_up, epochs=1, shuffle=False, verbose=0)  # shuffle=False: fit cannot shuffle a tf.data pipeline
    epoch = without_autotune(photos.batch(batch_size).prefetch(tf.data.AUTOTUNE))
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        model.fit(epoch, epochs=1, shuffle=False, verbose=0)
        best = min(best, time.perf_counter() - start)
    return best * UNIT_IMAGES / images


def flip_accuracy(model, x, y, batch_size=500):
    """Test accuracy when each image's logits are averaged with its mirror image's (test-time augmentation).

    A model trained with random flips has seen both versions, so averaging them is a cheap vote of two
    (the CIFAR-10 benchmark reports it): it costs a second forward pass and no training.
    """
    images = _as_images(x)
    logits = model.predict(images, batch_size=batch_size, verbose=0)
    logits = logits + model.predict(images[:, :, ::-1], batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(y).ravel()))


def _compile(build_model, optimizer="adam", learning_rate=1e-3, schedule_steps=0, warmup_fraction=0.2,
             label_smoothing=0.0, weight_decay=0.0, augment=None, strategy=None, precision="float32"):
    """The model, and the model behind its augmentation layers, compiled in the strategy's scope.

    ``schedule_steps`` is the length of the one-cycle schedule; 0 keeps ``learning_rate`` constant. Under a mixed
    ``precision`` both are built with that Keras policy, and the trainer ends in a float32 cast of the logits.
    """
    import keras

    from .strategy import choose_strategy

    check("optimizer", optimizer, optimizer in ("adam", "sgd"), "'adam' or 'sgd'")
    precision = resolve_precision(precision)
    rate = one_cycle_schedule(learning_rate, schedule_steps, warmup_fraction) if schedule_steps else learning_rate
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(precision)
    try:
        with (strategy or choose_strategy()).scope():
            model = build_model()
            head = [] if precision == "float32" else [keras.layers.Activation("linear", dtype="float32",
                                                                              name="float32_logits")]
            layers = [*(augment() if augment else []), model, *head]
            trainer = keras.Sequential([keras.Input(model.inputs[0].shape[1:]), *layers]) if len(layers) > 1 else model
            opt = (keras.optimizers.Adam(rate, weight_decay=weight_decay or None) if optimizer == "adam" else
                   keras.optimizers.SGD(rate, momentum=0.9, nesterov=True, weight_decay=weight_decay or None))
            loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=label_smoothing)
            trainer.compile(opt, loss, metrics=["accuracy"])
    finally:
        keras.mixed_precision.set_global_policy(previous)  # a global setting: always put it back (lesson 12)
    return model, trainer


def resolve_precision(precision):
    """``precision`` checked against ``PRECISIONS``, with ``"auto"`` replaced by ``fastest_precision()``."""
    precision = fastest_precision() if precision == "auto" else precision
    check("precision", precision, precision in PRECISIONS, f"one of {PRECISIONS} or 'auto'")
    return precision


def fastest_precision():
    """``"mixed_bfloat16"`` on a machine without a GPU whose CPU computes bfloat16 natively (AVX512-BF16 or AMX),
    else ``"float32"``: the precision the CIFAR-10 recipe trains in (``precision="auto"``; lesson 12 explains it).

    On the course's 2-core CPU (AVX512-BF16), timing the steps alone, the recipe trained 1.48x as fast in mixed
    bfloat16 (42.6 s against 63.1 s per epoch, best of three alternating probes). Without native support bfloat16 is
    emulated, and slower. GPUs keep float32: mixed float16 there is not tested by the course.
    """
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return "float32"
    return "mixed_bfloat16" if read_cpu_flags() & {"avx512_bf16", "amx_bf16"} else "float32"


def read_cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The CPU's feature flags from Linux's ``/proc/cpuinfo`` (lesson 12); an empty set elsewhere."""
    try:
        with open(cpuinfo) as f:
            return set(next(line for line in f if line.startswith("flags")).split(":", 1)[1].split())
    except (OSError, StopIteration, IndexError):
        return set()


def _pipelines(data, batch_size, validation=None):
    """Shuffled training batches (one epoch) and test (or ``validation``) batches, as ``tf.data`` pipelines."""
    import keras
    import tensorflow as tf

    x, y = validation if validation is not None else (data.x_test, data.y_test)
    x_train, x_test = _as_images(data.x_train), _as_images(x)
    y_train, y_test = (keras.utils.to_categorical(labels, 10) for labels in (data.y_train, y))
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train), seed=0)
             .batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
    return without_autotune(train), without_autotune(tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(1000))


def without_autotune(dataset):
    """``dataset`` with tf.data's autotuning thread switched off, so timings measure the work (lesson 04, section 5).

    With it on, a ``fit`` or ``evaluate`` often returned seconds after its last step, about 20.5 s (or 41 s)
    after it began: 10 ms doubled 11 (or 12) times, as if the clean-up waited for a thread that wakes at doubling
    intervals.
    Measured on the course's 2-core machine: seed-CNN epochs whose last step ended at 13-17 s returned at
    20.8-21.2 s in 4 of 6 runs, and 80 training steps of lesson 04's recipe took 20.5 s instead of 14 s, the
    CPUs idle a third of the time. Switched off, no run waited, and the steps were as fast: these pipelines are
    too simple for the tuning to matter (one ``prefetch``, no parallel ``map``).
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def _steps_per_epoch(data, batch_size):
    """Full batches per pass over the training images (at least 1); checks ``batch_size`` first."""
    check_positive_int("batch_size", batch_size)
    return max(1, len(data.x_train) // batch_size)


def _as_images(x):
    """uint8 (N, H, W) or (N, H, W, C) -> float32 (N, H, W, C), still 0..255 (the models rescale)."""
    x = np.asarray(x, dtype="float32")
    return x[..., None] if x.ndim == 3 else x
