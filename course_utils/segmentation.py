"""Segmentation data and scores (introduced in lesson 08).

``make_composites`` lays real garments or digits on a blank canvas, so every pixel has a known class
and a segmentation network can be trained from scratch in seconds. ``score_segmentation`` measures
a prediction the way papers do: pixel accuracy, IoU and Dice per class, and mean IoU.
"""
from dataclasses import dataclass

import numpy as np

from .validate import check, check_int_in_range, check_positive_int


@dataclass
class SegmentationScores:
    """Pixel accuracy, per-class IoU and Dice (``nan`` for a class in neither mask) and their mean IoU."""

    pixel_accuracy: float
    iou: np.ndarray
    dice: np.ndarray
    mean_iou: float


def make_composites(images, labels, count, size=64, items=(2, 4), sides=(16, 40), threshold=64, seed=0):
    """Make ``count`` canvases of randomly placed items, and the class of every pixel.

    Each canvas gets ``items[0]`` to ``items[1]`` pictures drawn from ``images``, each resized to a random
    side in ``sides`` and placed at random. An item's pixels brighter than ``threshold`` are painted on
    the canvas (later items cover earlier ones) and labelled with the item's class + 1; everything else
    is background, class 0. The same arguments always give the same canvases.

    Args:
        images: ``(N, H, W)`` uint8 greyscale items, e.g. Fashion-MNIST's 28x28 garments.
        labels: ``(N,)`` int class ids from 0, one per item.
        count: how many canvases.
        size: canvas side in pixels.
        items: (fewest, most) items per canvas.
        sides: (smallest, largest) item side in pixels; at most ``size``.
        threshold: pixel value (0-255) above which an item's pixel counts as the item.
        seed: seed of the random placement.

    Returns:
        ``(canvases, label_maps)``: ``(count, size, size)`` uint8 each; label maps hold 0 (background)
        to ``labels.max() + 1``.
    """
    import cv2

    images, labels = np.asarray(images), np.asarray(labels)
    check("images", images.shape, images.ndim == 3 and images.dtype == np.uint8 and len(images) > 0,
          "a non-empty uint8 array (N, H, W)")
    check("labels", labels.shape, labels.shape == (len(images),) and np.issubdtype(labels.dtype, np.integer)
          and labels.min() >= 0, f"{len(images)} int class ids >= 0, one per image")
    check_positive_int("count", count)
    check_int_in_range("size", size, 8, 1024)
    check("items", items, _is_range(items, 1, 64), "(fewest, most) ints with 1 <= fewest <= most")
    check("sides", sides, _is_range(sides, 2, size), f"(smallest, largest) ints from 2 to size={size}")
    check_int_in_range("threshold", threshold, 0, 254)

    rng = np.random.default_rng(seed)
    canvases = np.zeros((count, size, size), np.uint8)
    label_maps = np.zeros((count, size, size), np.uint8)
    for canvas, label_map in zip(canvases, label_maps):
        for index in rng.integers(0, len(images), rng.integers(items[0], items[1] + 1)):
            side = int(rng.integers(sides[0], sides[1] + 1))
            top, left = rng.integers(0, size - side + 1, 2)
            item = cv2.resize(images[index], (side, side), interpolation=cv2.INTER_AREA)
            on = item > threshold
            canvas[top:top + side, left:left + side][on] = item[on]
            label_map[top:top + side, left:left + side][on] = labels[index] + 1
    return canvases, label_maps


def score_segmentation(y_true, y_pred, num_classes, ignore=None):
    """Compare two label maps of the same shape, class by class.

    IoU of class c = |true c and predicted c| / |true c or predicted c|; Dice = 2|both| / (|true c| +
    |predicted c|). A class in neither map has no score (``nan``) and does not count in the mean IoU,
    as in ``keras.metrics.MeanIoU``.

    Args:
        y_true, y_pred: int label maps of one shape, e.g. ``(N, H, W)``, values 0 to ``num_classes - 1``.
        num_classes: the number of classes, background included.
        ignore: a label in ``y_true`` whose pixels are left out (e.g. 255, the pets' outline).
    """
    check_int_in_range("num_classes", num_classes, 2, 1000)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    check("y_pred's shape", y_pred.shape, y_pred.shape == y_true.shape, f"y_true's shape {y_true.shape}")
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        check(f"{name}'s dtype", values.dtype, np.issubdtype(values.dtype, np.integer) or values.dtype == bool,
              "int or bool (class ids, not scores: take argmax over the class axis first)")
    keep = np.ones(y_true.shape, bool) if ignore is None else y_true != ignore
    y_true, y_pred = y_true[keep].astype(np.int64), y_pred[keep].astype(np.int64)
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} holds labels from {values.min()} to {values.max()}; expected 0 to "
                             f"{num_classes - 1} (num_classes={num_classes}"
                             f"{'' if ignore is None else f', ignore={ignore}'}).")
    both = np.bincount(y_true[y_true == y_pred], minlength=num_classes)
    true, pred = np.bincount(y_true, minlength=num_classes), np.bincount(y_pred, minlength=num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(true + pred > 0, both / (true + pred - both), np.nan)
        dice = np.where(true + pred > 0, 2 * both / (true + pred), np.nan)
    accuracy = both.sum() / max(y_true.size, 1)
    return SegmentationScores(float(accuracy), iou, dice, float(np.nanmean(iou)) if np.isfinite(iou).any() else np.nan)


def _is_range(value, low, high):
    return (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value)
            and low <= value[0] <= value[1] <= high)
