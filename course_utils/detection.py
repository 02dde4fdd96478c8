"""Boxes, and how to score a detector against boxes drawn by hand (introduced in lesson 09).

A box is ``[ymin, xmin, ymax, xmax]``, the order the COCO SSD gives, in coordinates normalised to the image
(0 top or left edge, 1 bottom or right edge), so one box fits the photo at any size. Lesson 09 writes IoU,
matching and average precision out first; these helpers are the same code for the exercises and tests.
"""
import json

import numpy as np

from .fetch import DATA_DIR
from .validate import check

ANNOTATIONS = DATA_DIR / "annotations" / "detection_boxes.json"


def box_iou(boxes_a, boxes_b):
    """Intersection over union of every box in ``boxes_a`` ``(N, 4)`` with every box in ``boxes_b`` ``(M, 4)``.

    Returns an ``(N, M)`` array. Boxes that do not overlap score 0, and so does a box of zero area (even with
    itself): it covers nothing, so it matches nothing.
    """
    a, b = as_boxes(boxes_a, "boxes_a"), as_boxes(boxes_b, "boxes_b")
    top = np.maximum(a[:, None, 0], b[None, :, 0])
    left = np.maximum(a[:, None, 1], b[None, :, 1])
    bottom = np.minimum(a[:, None, 2], b[None, :, 2])
    right = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def box_area(boxes):
    """The area of each box ``(N, 4)``, in the boxes' units squared."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def as_boxes(boxes, name):
    """``boxes`` as a float ``(N, 4)`` array of ``[ymin, xmin, ymax, xmax]`` (a single box becomes ``(1, 4)``)."""
    array = np.asarray(boxes, dtype="float64")
    if array.size == 0:
        return array.reshape(0, 4)
    if array.ndim == 1:
        array = array[None]
    check(name, array.shape, array.ndim == 2 and array.shape[1] == 4, "boxes of shape (N, 4), [ymin, xmin, ymax, xmax]")
    check(name, "a box with ymax < ymin or xmax < xmin",
          bool(np.all(array[:, 2] >= array[:, 0]) and np.all(array[:, 3] >= array[:, 1])),
          "boxes with ymin <= ymax and xmin <= xmax, in the order [ymin, xmin, ymax, xmax]")
    return array


def load_box_annotations():
    """The course photos' hand-drawn boxes: ``{photo: [(label, box), ...]}``, each box normalised to the photo.

    ``data/annotations/detection_boxes.json`` holds them in pixels with each photo's size and says how they
    were drawn; photos without any COCO object have an empty list (every detection there is a false one).
    """
    with open(ANNOTATIONS, encoding="utf-8") as f:
        photos = json.load(f)["photos"]
    boxes = {}
    for name, entry in photos.items():
        height, width = entry["size"]
        boxes[name] = [(obj["label"], np.asarray(obj["box"], "float64") / [height, width, height, width])
                       for obj in entry["objects"]]
    return boxes


def match_detections(boxes, labels, scores, truth_boxes, truth_labels, iou_threshold=0.5):
    """Which detections in one image are right: ``hits[i]`` is True when detection ``i`` matches a true box.

    Detections are taken from the highest score down; each takes the unmatched true box of its label that it
    overlaps most, if that IoU reaches ``iou_threshold``. A true box matches at most one detection, so a second
    box on the same object is a false positive. (This is COCO's rule; PASCAL VOC counts a detection whose best box
    is already taken as false, without trying the next box, and needs an IoU above the threshold.)
    """
    boxes, truth_boxes = as_boxes(boxes, "boxes"), as_boxes(truth_boxes, "truth_boxes")
    check("labels, scores", (len(labels), len(scores)), len(labels) == len(scores) == len(boxes),
          f"one label and one score per box ({len(boxes)} boxes)")
    check("truth_labels", len(truth_labels), len(truth_labels) == len(truth_boxes),
          f"one label per true box ({len(truth_boxes)})")
    overlaps = box_iou(boxes, truth_boxes)
    hits, taken = np.zeros(len(boxes), bool), np.zeros(len(truth_boxes), bool)
    for i in np.argsort(-np.asarray(scores, "float64"), kind="stable"):
        allowed = (np.asarray(truth_labels) == labels[i]) & ~taken
        if allowed.any():
            j = np.flatnonzero(allowed)[np.argmax(overlaps[i, allowed])]
            if overlaps[i, j] >= iou_threshold:
                hits[i] = taken[j] = True
    return hits


def precision_recall(scores, hits, num_truth):
    """Precision and recall at every score threshold, from the detections of a whole set of images.

    Args:
        scores: every detection's score; hits: whether each is right (``match_detections``);
        num_truth: the number of true boxes in the set.

    Returns:
        ``(thresholds, precision, recall)``, sorted from the highest score down: keeping the detections with a score
        of at least ``thresholds[k]`` gives ``precision[k]`` and ``recall[k]``.
    """
    scores, hits = np.asarray(scores, "float64"), np.asarray(hits, bool)
    check("hits", hits.shape, hits.shape == scores.shape, f"one per score, shape {scores.shape}")
    check("num_truth", num_truth, num_truth >= hits.sum(), f"at least the number of hits ({hits.sum()})")
    order = np.argsort(-scores, kind="stable")
    true_positives = np.cumsum(hits[order])
    precision = true_positives / np.arange(1, len(order) + 1)
    recall = true_positives / num_truth if num_truth else np.zeros(len(order))
    return scores[order], precision, recall


def average_precision(precision, recall):
    """Area under the precision-recall curve, as PASCAL VOC (since 2010) and COCO define it.

    Precision is first made to never rise as recall grows (at each recall, the best precision reached at that recall
    or beyond), then summed over the steps in recall. Recall that is never reached counts as 0. (COCO samples this
    envelope at 101 recall points; both compute AP per class and average over classes, mAP.)
    """
    precision, recall = np.asarray(precision, "float64"), np.asarray(recall, "float64")
    check("recall", recall.shape, recall.shape == precision.shape, f"one per precision, shape {precision.shape}")
    if not len(recall):
        return 0.0
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * envelope))
