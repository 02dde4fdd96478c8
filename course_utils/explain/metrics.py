"""Measure explanations (lesson 07): deletion and insertion curves, pointing game, mask IoU.

Petsiuk et al. (2018): a faithful map ranks pixels so that deleting the top-ranked ones first makes
the class probability fall fast (low deletion AUC), and inserting them first into a blurred image
makes it rise fast (high insertion AUC). Localisation compares maps with real object masks.
"""
import numpy as np

from ..validate import check, check_positive_int, check_same_shape
from ._core import as_batch, class_indices, class_scores, forward, in_batches


def deletion_curve(model, images, heatmaps, class_index=None, steps=20, fill=0.0, softmax=True, batch_size=64):
    """Class probability as the most salient pixels are set to ``fill``, a fraction at a time.

    Returns:
        ``(fractions (steps + 1,), scores (N, steps + 1))``; ``area_under_curve`` turns them into AUCs.
    """
    x = as_batch(model, images).numpy()
    return _perturbation_curve(model, x, heatmaps, class_index, steps, x, np.full_like(x, fill), softmax, batch_size)


def insertion_curve(model, images, heatmaps, class_index=None, steps=20, blur=8, softmax=True, batch_size=64):
    """Class probability as the most salient pixels are put back into a blurred copy of the image.

    Args:
        blur: the blurred start is the image shrunk ``blur`` times and stretched back.
    """
    import tensorflow as tf

    x = as_batch(model, images).numpy()
    small = tf.image.resize(x, [max(1, s // blur) for s in x.shape[1:3]], method="area")
    blurred = tf.image.resize(small, x.shape[1:3], method="bilinear").numpy()
    return _perturbation_curve(model, x, heatmaps, class_index, steps, blurred, x, softmax, batch_size)


def area_under_curve(fractions, scores):
    """Area under each curve (trapezoid rule): ``(N,)`` for scores ``(N, steps + 1)``."""
    scores = np.atleast_2d(np.asarray(scores, "float64"))
    widths = np.diff(np.asarray(fractions, "float64"))
    return ((scores[:, 1:] + scores[:, :-1]) / 2 * widths).sum(axis=1)


def pointing_game(heatmaps, masks, tolerance=0):
    """True where each heatmap's peak falls on its object mask (or within ``tolerance`` pixels of it)."""
    heatmaps, masks = _check_maps_and_masks(heatmaps, masks)
    hits = np.empty(len(heatmaps), bool)
    rows, cols = np.indices(masks.shape[1:])
    for i, (heatmap, mask) in enumerate(zip(heatmaps, masks)):
        r, c = np.unravel_index(np.argmax(heatmap), heatmap.shape)
        hits[i] = mask[(rows - r) ** 2 + (cols - c) ** 2 <= tolerance ** 2].any()
    return hits


def mask_iou(heatmaps, masks, threshold=0.5):
    """Intersection over union between each heatmap thresholded at ``threshold`` and its mask."""
    heatmaps, masks = _check_maps_and_masks(heatmaps, masks)
    check("threshold", threshold, 0 <= threshold <= 1, "in [0, 1] (heatmaps span [0, 1])")
    found = heatmaps >= threshold
    union = (found | masks).sum(axis=(1, 2))
    return np.divide((found & masks).sum(axis=(1, 2)), union, out=np.zeros(len(masks)), where=union > 0)


def _perturbation_curve(model, x, heatmaps, class_index, steps, start, end, softmax, batch_size):
    """Move pixels from ``start`` to ``end`` in order of heat and score every intermediate image."""
    import tensorflow as tf

    heatmaps = np.asarray(heatmaps, "float32")
    if heatmaps.shape != x.shape[:3]:
        raise ValueError(f"heatmaps must have shape {x.shape[:3]} (one per image, at image size); got {heatmaps.shape}.")
    check_positive_int("steps", steps)
    ids = class_indices(model, x, class_index)
    fractions = np.linspace(0, 1, steps + 1)
    pixels = x.shape[1] * x.shape[2]
    scores = np.empty((len(x), steps + 1))
    for i in range(len(x)):
        order = np.argsort(-heatmaps[i].ravel(), kind="stable")
        rank = np.empty(pixels, int)
        rank[order] = np.arange(pixels)
        moved = rank.reshape(x.shape[1:3])[None] < np.round(fractions * pixels)[:, None, None]
        frames = np.where(moved[..., None], end[i], start[i]).astype("float32")

        def score(a, b, frames=frames, c=ids[i]):
            outputs = forward(model, frames[a:b])
            if softmax:
                outputs = tf.nn.softmax(tf.reshape(outputs, (b - a, -1)))
            return class_scores(outputs, np.full(b - a, c)).numpy()

        scores[i] = in_batches(score, steps + 1, batch_size)
    return fractions, scores


def _check_maps_and_masks(heatmaps, masks):
    heatmaps, masks = np.asarray(heatmaps, "float32"), np.asarray(masks).astype(bool)
    check_same_shape("heatmaps and masks", heatmaps, masks, "NHW")
    return heatmaps, masks
