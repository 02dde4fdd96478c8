"""Gradient explainers (lesson 05): vanilla gradient, SmoothGrad, Integrated Gradients.

All take ``(model, images, class_index=None, **options)`` and return heatmaps ``(N, H, W)`` in
[0, 1]. ``model`` should output logits (lesson 05 shows why); images are what the model takes.
Work is batched: ``batch_size`` images (or noisy copies, or path points) go through one tape.
"""
import numpy as np

from ..validate import check, check_positive_int
from ._core import as_batch, class_indices, class_scores, compiled, forward, in_batches, scale_to_unit


def input_gradients(model, images, class_ids):
    """Gradient of each image's class score with respect to its pixels, one tape for the batch."""
    import tensorflow as tf

    def build():
        def gradients(x, ids):
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = class_scores(model(x, training=False), ids)
            return tape.gradient(score, x)
        return tf.function(gradients, reduce_retracing=True)

    run = compiled(model, "input_gradients", build)
    return run(tf.convert_to_tensor(images, tf.float32), tf.convert_to_tensor(class_ids, tf.int64)).numpy()


def vanilla_gradient(model, images, class_index=None, batch_size=32):
    """Simonyan et al. (2014): the largest |gradient| over the colour channels at each pixel."""
    x = as_batch(model, images)
    ids = class_indices(model, x, class_index)
    grads = in_batches(lambda a, b: input_gradients(model, x[a:b], ids[a:b]), len(ids), batch_size)
    return scale_to_unit(np.abs(grads).max(axis=-1))


def smoothgrad(model, images, class_index=None, samples=25, noise=0.15, seed=0, batch_size=64):
    """Smilkov et al. (2017): the average vanilla-gradient map over noisy copies of each image.

    Args:
        samples: noisy copies per image.
        noise: noise standard deviation as a fraction of each image's value range (0.1–0.2 works).
        seed: seed of the noise, so a map can be reproduced.
        batch_size: noisy copies per tape (1 gives the per-sample loop the benchmark compares with).
    """
    check_positive_int("samples", samples)
    check("noise", noise, 0 <= noise <= 1, "a fraction of the value range in [0, 1]")
    x = as_batch(model, images).numpy()
    ids = class_indices(model, x, class_index)
    sigma = noise * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))
    rng = np.random.default_rng(seed)
    noisy = np.repeat(x, samples, axis=0)
    noisy += rng.normal(size=noisy.shape).astype("float32") * np.repeat(sigma, samples)[:, None, None, None]
    noisy_ids = np.repeat(ids, samples)
    grads = in_batches(lambda a, b: np.abs(input_gradients(model, noisy[a:b], noisy_ids[a:b])).max(axis=-1),
                       len(noisy), batch_size)
    return scale_to_unit(grads.reshape(len(x), samples, *x.shape[1:3]).mean(axis=1))


def integrated_gradients_attributions(model, images, class_index=None, steps=50, baseline=None, batch_size=64):
    """Sundararajan et al. (2017): per-pixel, per-channel attributions and their completeness gap.

    The gradient is averaged along the straight path from ``baseline`` to the image (trapezoid rule,
    ``steps`` intervals) and multiplied by ``image - baseline``. Completeness says the attributions
    add up to ``f(image) - f(baseline)``; the returned gap measures how far this estimate is off.

    Args:
        baseline: None (all zeros in the model's input space), a number, or an array like one image.

    Returns:
        ``(attributions (N, H, W, C), total (N,), difference (N,))``: ``total`` is the sum of each
        image's attributions and ``difference`` is ``f(image) - f(baseline)``.
    """
    check_positive_int("steps", steps)
    x = as_batch(model, images).numpy()
    ids = class_indices(model, x, class_index)
    base = np.zeros(1, "float32") if baseline is None else np.asarray(baseline, "float32")
    try:
        base = np.broadcast_to(base, x.shape[1:]).astype("float32")
    except ValueError as err:
        raise ValueError(f"baseline must be None, a number or an array of shape {x.shape[1:]}; "
                         f"got shape {base.shape}.") from err
    alphas = np.linspace(0, 1, steps + 1, dtype="float32")
    weights = np.full(steps + 1, 1 / steps, "float32")
    weights[[0, -1]] /= 2  # trapezoid rule
    attributions = np.empty_like(x)
    for i, image in enumerate(x):
        path = base + alphas[:, None, None, None] * (image - base)
        grads = in_batches(lambda a, b, path=path, c=ids[i]: input_gradients(model, path[a:b], np.full(b - a, c)),
                           len(path), batch_size)
        attributions[i] = (image - base) * np.tensordot(weights, grads, axes=1)
    f_x = class_scores(forward(model, x), ids).numpy()
    f_base = class_scores(forward(model, np.repeat(base[None], len(x), axis=0)), ids).numpy()
    return attributions, attributions.reshape(len(x), -1).sum(axis=1), f_x - f_base


def integrated_gradients(model, images, class_index=None, steps=50, baseline=None, batch_size=64, report=True):
    """Integrated Gradients heatmaps: |sum of attributions over channels|, scaled to [0, 1].

    With ``report`` it prints the completeness check for each image: attributions should add up to
    ``f(image) - f(baseline)``; more ``steps`` shrink the gap. Options as in
    ``integrated_gradients_attributions``.
    """
    attributions, total, difference = integrated_gradients_attributions(
        model, images, class_index, steps, baseline, batch_size)
    if report:
        for i, (t, d) in enumerate(zip(total, difference)):
            gap = abs(t - d) / max(abs(d), 1e-12)
            print(f"IG completeness, image {i}: attributions sum to {t:.4g}, "
                  f"f(image) - f(baseline) = {d:.4g} (gap {gap:.1%}, {steps} steps)")
    return scale_to_unit(np.abs(attributions.sum(axis=-1)))
