"""Checker tests for lesson 09's exercises: right answers pass, wrong ones say what is wrong."""
import itertools
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.detection import average_precision, box_iou, precision_recall
from course_utils.exercises import ex09
from course_utils.exercises.core import ____
from tests.conftest import check, message, status


# q1: IoU by hand: A 20x60 = 1200, B 30x60 = 1800, overlap 10x50 = 500, union 2500

def test_q1_boxes_are_as_the_hints_say():
    a, b = np.array(ex09.BOX_A), np.array(ex09.BOX_B)
    assert ((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) == (1200, 1800)
    assert box_iou(a, b)[0, 0] == 500 / 2500


def test_q1_right():
    for overlap in (0.2, 500 / 2500, 1 / 5, box_iou(ex09.BOX_A, ex09.BOX_B)[0, 0], np.float32(0.2)):
        assert status(ex09.q1, overlap=overlap) == "correct"


def test_q1_reading_both_boxes_x_first_is_no_mistake():
    """IoU does not care which axis comes first, so [xmin, ymin, xmax, ymax] gives the right answer: no message."""
    swap = [1, 0, 3, 2]
    assert box_iou(np.array(ex09.BOX_A)[swap], np.array(ex09.BOX_B)[swap])[0, 0] == 0.2


@pytest.mark.parametrize("overlap, clue", [
    (500 / 1200, "smaller box's area"),
    (500 / 1800, "larger box's area"),
    (500 / 3000, "counts the overlap twice"),
    (1000 / 3000, "Dice score"),
    (11 * 51 / (21 * 61 + 31 * 61 - 11 * 51), "added 1"),  # pixel-inclusive heights and widths
    (1400 / 5500, "height and a width"),  # read as [ymin, xmin, height, width]
    (5, "upside down"),
    (20, "percentage"),
    (500, "area in pixels"),
    (2500, "area in pixels"),
    (0.21, "close: the exact value has three decimals"),
    (0.195, "close"),
    (0.5, "not the IoU of these boxes"),
    ("one fifth", "numeric"),
    ([0.2, 0.3], "shape"),
])
def test_q1_wrong(overlap, clue):
    check(ex09.q1, "overlap", overlap, clue)


def test_q1_placeholder():
    assert status(ex09.q1, overlap=____) == "not attempted"
    assert status(ex09.q1, overlap=____ / 2500) == "not attempted"
    assert "not defined yet" in message(ex09.q1)


# q2: an IoU function

def right_iou(box_a, box_b):
    top, left = max(box_a[0], box_b[0]), max(box_a[1], box_b[1])
    bottom, right = min(box_a[2], box_b[2]), min(box_a[3], box_b[3])
    intersection = max(0, bottom - top) * max(0, right - left)
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    return intersection / (area_a + area_b - intersection)


def numpy_iou(box_a, box_b):
    a, b = np.asarray(box_a, float), np.asarray(box_b, float)
    size = np.clip(np.minimum(a[2:], b[2:]) - np.maximum(a[:2], b[:2]), 0, None)
    inter = size.prod()
    return inter / (np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter)


def test_q2_right():
    for iou in (right_iou, numpy_iou, lambda a, b: box_iou(a, b)[0, 0], lambda a, b: right_iou(b, a),
                lambda a, b: right_iou([a[1], a[0], a[3], a[2]], [b[1], b[0], b[3], b[2]])):  # x first: the same
        assert status(ex09.q2, iou=iou) == "correct"


def parts(a, b, extra=0):
    h = min(a[2], b[2]) - max(a[0], b[0]) + extra
    w = min(a[3], b[3]) - max(a[1], b[1]) + extra
    return h, w, (a[2] - a[0] + extra) * (a[3] - a[1] + extra), (b[2] - b[0] + extra) * (b[3] - b[1] + extra)


def no_clip(a, b):
    h, w, area_a, area_b = parts(a, b)
    return h * w / (area_a + area_b - h * w)


def clip_product(a, b):
    h, w, area_a, area_b = parts(a, b)
    inter = max(0, h * w)
    return inter / (area_a + area_b - inter)


def with_ratio(ratio, extra=0):
    def iou(a, b):
        h, w, area_a, area_b = parts(a, b, extra)
        inter = max(0, h) * max(0, w)
        return ratio(inter, area_a, area_b)
    return iou


def no_return(a, b):
    right_iou(a, b)


@pytest.mark.parametrize("wrong, clue", [
    (no_clip, "your IoU is negative"),
    (clip_product, "apart in both y and x"),
    (with_ratio(lambda i, a, b: i / (a + b)), "counts the overlap twice"),
    (with_ratio(lambda i, a, b: 2 * i / (a + b)), "Dice score"),
    (with_ratio(lambda i, a, b: i / min(a, b)), "smaller box's area"),
    (with_ratio(lambda i, a, b: i / (a + b - i), extra=1), "no + 1"),
    (with_ratio(lambda i, a, b: i), "intersection's area"),
    (lambda a, b: box_iou(a, b), "one number"),
    (no_return, "returns None"),
    (lambda a, b: 0.5, "the IoU is 0.1111; yours is 0.5000"),
    (lambda a: 0.5, "TypeError"),
    (42, "expected a function"),
])
def test_q2_wrong(wrong, clue):
    check(ex09.q2, "iou", wrong, clue)


def test_q2_placeholder():
    assert status(ex09.q2, iou=____) == "not attempted"
    assert status(ex09.q2, iou=lambda box_a, box_b: ____) == "not attempted"


# q3: greedy non-maximum suppression

tf = pytest.importorskip("tensorflow")


def test_q3_reference_is_tensorflows_nms():
    for boxes, scores, threshold in ex09._nms_cases():
        tf_kept = tf.image.non_max_suppression(boxes, scores, len(boxes), iou_threshold=threshold).numpy()
        np.testing.assert_array_equal(ex09._nms(boxes, scores, threshold), tf_kept)


def test_q3_cases_hold_what_they_promise():
    same, chain, tie, equal, *random = ex09._nms_cases()
    assert box_iou(tie[0], tie[0])[0, 1] == tie[2] == 0.5
    assert equal[1][1] == equal[1][2] and box_iou(equal[0], equal[0])[1, 2] > equal[2]
    overlaps = box_iou(chain[0], chain[0])
    assert overlaps[2, 0] > chain[2] and overlaps[0, 1] > chain[2] and overlaps[2, 1] < chain[2]  # A, B; B, C; A, C
    assert all(0 < len(ex09._nms(*case)) < len(case[0]) for case in random)


def right_nms(boxes, scores, iou_threshold):
    kept = []
    for i in np.argsort(-np.asarray(scores), kind="stable"):
        if all(right_iou(boxes[i], boxes[k]) <= iou_threshold for k in kept):
            kept.append(i)
    return kept


def vectorised_nms(boxes, scores, iou_threshold):
    order, kept = sorted(range(len(scores)), key=lambda i: -scores[i]), []
    while order:
        best, order = order[0], order[1:]
        kept.append(best)
        order = [i for i in order if box_iou(boxes[best], boxes[i])[0, 0] <= iou_threshold]
    return np.array(kept)


def test_q3_right():
    for nms in (right_nms, vectorised_nms,
                lambda b, s, t: tf.image.non_max_suppression(b, s, len(b), iou_threshold=t)):
        assert status(ex09.q3, nms=nms) == "correct"


def greedy(order=lambda s: np.argsort(-np.asarray(s), kind="stable"), suppress=lambda overlap, t: overlap > t,
           only_kept=True, threshold=None):
    """A learner's nms with one thing changed."""
    def nms(boxes, scores, iou_threshold):
        kept, seen = [], []
        for i in order(scores):
            rivals = kept if only_kept else seen
            if not any(suppress(right_iou(boxes[i], boxes[k]), threshold or iou_threshold) for k in rivals):
                kept.append(i)
            seen.append(i)
        return kept
    return nms


def as_mask(boxes, scores, iou_threshold):
    mask = np.zeros(len(boxes), bool)
    mask[right_nms(boxes, scores, iou_threshold)] = True
    return mask


@pytest.mark.parametrize("wrong, clue", [
    (greedy(only_kept=False), "a box that was itself suppressed suppressed another one"),
    (greedy(suppress=lambda overlap, t: overlap >= t), "exactly iou_threshold"),
    (greedy(order=lambda s: range(len(s))), "in the order they were given"),
    (greedy(order=lambda s: np.argsort(s)), "from the lowest score up"),
    (greedy(suppress=lambda overlap, t: overlap < t), "overlap a kept box LITTLE"),
    (greedy(threshold=0.5), "not a fixed 0.5"),
    (greedy(order=lambda s: sorted(range(len(s)), key=lambda i: (-s[i], -i))), "the same score"),
    (as_mask, "mask of the kept boxes"),
    (lambda b, s, t: sorted(set(range(len(b))) - set(right_nms(b, s, t))), "boxes NMS removes"),
    (lambda b, s, t: sorted(right_nms(b, s, t)), "the right boxes in the wrong order"),
    (lambda b, s, t: right_nms(b, s, t)[::-1], "the right boxes in the wrong order"),
    (lambda b, s, t: b[right_nms(b, s, t)], "return their indices"),
    (lambda b, s, t: list(range(len(b))), "greedy NMS keeps 2: [1, 2]; yours keeps 3: [0, 1, 2]"),
    (lambda b, s, t: [1, 1], "greedy NMS keeps 2: [1, 2]; yours keeps 2: [1, 1]"),
    (lambda b, s, t: None, "returns None"),
    (lambda b, s, t: 2, "returns one number"),
    (lambda b, s: [0], "TypeError"),
])
def test_q3_wrong(wrong, clue):
    check(ex09.q3, "nms", wrong, clue)


def test_q3_placeholder():
    assert status(ex09.q3, nms=____) == "not attempted"
    assert status(ex09.q3, nms=lambda boxes, scores, iou_threshold: ____) == "not attempted"


# q4: decoding one anchor

YA, XA, HA, WA = ex09.ANCHOR
TY, TX, TH, TW = ex09.ENCODING


def corners(yc, xc, h, w):
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2]


YC, XC, H, W = TY / 10 * HA + YA, TX / 10 * WA + XA, np.exp(TH / 5) * HA, np.exp(TW / 5) * WA
RIGHT = corners(YC, XC, H, W)


def test_q4_right():
    for decoded in (RIGHT, tuple(RIGHT), np.array(RIGHT), np.round(RIGHT, 3), np.array(RIGHT, np.float32)):
        assert status(ex09.q4, decoded=decoded) == "correct"


def test_q4_anchor_is_the_dog_photos_dog(offline_pack):
    """ANCHOR and ENCODING are the SSD's own, rounded: decoded, they give its 'dog' box within the rounding."""
    import cv2

    import course_utils as cu

    ssd = cu.load_pretrained("ssd_mobilenet_v1_coco", keep_tensors=True, verbose=False)
    out = ssd(cv2.resize(cu.load_photo("dog", verbose=False), (300, 300), interpolation=cv2.INTER_LINEAR)[None])
    anchors, encodings = ssd.inner("anchors").reshape(-1, 4), ssd.inner("Squeeze")[0]
    index = np.flatnonzero(np.all(np.abs(anchors - ex09.ANCHOR) < 5e-4, axis=1)
                           & np.all(np.abs(encodings - ex09.ENCODING) < 5e-4, axis=1))
    assert len(index) == 1
    dog = [ssd.labels[int(c)] for c in out["classes"][0]].index("dog")
    np.testing.assert_allclose(RIGHT, out["boxes"][0][dog], atol=2e-3)


@pytest.mark.parametrize("decoded, clue", [
    ([RIGHT[1], RIGHT[0], RIGHT[3], RIGHT[2]], "y and x are swapped"),
    (corners(TX / 10 * HA + YA, TY / 10 * WA + XA, np.exp(TW / 5) * HA, np.exp(TH / 5) * WA), "y and x are swapped"),
    (corners(TY / 10 * WA + XA, TX / 10 * HA + YA, np.exp(TH / 5) * WA, np.exp(TW / 5) * HA), "y and x are swapped"),
    (corners(TY * HA + YA, TX * WA + XA, np.exp(TH) * HA, np.exp(TW) * WA), "divide ty and tx by 10"),
    (corners(TY / 5 * HA + YA, TX / 5 * WA + XA, np.exp(TH / 10) * HA, np.exp(TW / 10) * WA), "factors are swapped"),
    (corners(TY * 10 * HA + YA, TX * 10 * WA + XA, np.exp(TH * 5) * HA, np.exp(TW * 5) * WA), "you multiplied"),
    (corners(YC, XC, TH / 5 * HA, TW / 5 * WA), "np.exp"),
    (corners(TY / 10 + YA, TX / 10 + XA, H, W), "in units of the anchor's size"),
    (corners(YC, XC, np.exp(TH / 5), np.exp(TW / 5)), "multiply it by the anchor's height"),
    ([YC, XC, H, W], "(yc, xc, h, w)"),
    ([YC - H, XC - W, YC + H, XC + W], "half a height"),
    ([RIGHT[0], RIGHT[1], H, W], "ymax = ymin + h"),
    (300 * np.array(RIGHT), "fractions of the image"),
    ([0.3, 0.2, 0.9, 0.4], "is not the decoded box"),
    (RIGHT[:2], "shape"),
    ("a box", "numeric"),
])
def test_q4_wrong(decoded, clue):
    check(ex09.q4, "decoded", decoded, clue)


def test_q4_placeholder():
    assert status(ex09.q4, decoded=____) == "not attempted"
    assert status(ex09.q4, decoded=[____, 0.2, 0.9, 0.4]) == "not attempted"


# q5: precision, recall and AP of eight ranked detections, five true objects

ORDER = np.argsort(-ex09.DET_SCORES)
HITS = ex09.DET_HITS[ORDER]
PRECISION = np.cumsum(HITS) / np.arange(1, 9)
RECALL = np.cumsum(HITS) / ex09.NUM_TRUTH
STEPS = np.diff(RECALL, prepend=0)
AP = float(np.sum(STEPS * np.maximum.accumulate(PRECISION[::-1])[::-1]))
RIGHT_Q5 = {"precision_at_half": 3 / 6, "recall_at_half": 3 / 5, "ap": AP}


def test_q5_list_is_as_designed():
    """Four hits of five objects; one score exactly 0.50; a later hit with a better precision, so the envelope
    matters; the list is not sorted."""
    assert ex09.DET_HITS.sum() == 4 and ex09.NUM_TRUTH == 5 and 0.5 in ex09.DET_SCORES
    assert len(set(ex09.DET_SCORES)) == 8 and list(ORDER) != list(range(8))
    assert np.isclose(AP, average_precision(*precision_recall(ex09.DET_SCORES, ex09.DET_HITS, 5)[1:]))


def sklearn_ap(scores, hits):
    """sklearn.metrics.average_precision_score: sum of (R_n - R_n-1) P_n with recall over the hits in the list."""
    hits = np.asarray(hits)[np.argsort(-np.asarray(scores))]
    return float(np.sum(hits * np.cumsum(hits) / np.arange(1, len(hits) + 1)) / hits.sum())


WRONG_APS = {
    "raw": float(np.sum(STEPS * PRECISION)),
    "found": AP * 5 / 4,
    "sklearn": sklearn_ap(ex09.DET_SCORES, ex09.DET_HITS),
    "11-point": float(np.mean([max([p for p, r in zip(PRECISION, RECALL) if r >= t], default=0)
                               for t in np.linspace(0, 1, 11)])),
    "trapezoid": float(np.trapezoid(PRECISION, RECALL)),
    "mean": float(PRECISION.mean()),
    "unsorted": float(np.sum(np.diff(np.cumsum(ex09.DET_HITS) / 5, prepend=0)
                             * np.cumsum(ex09.DET_HITS) / np.arange(1, 9))),
}


def test_q5_wrong_aps_differ_from_each_other_and_the_answer():
    values = [AP, *WRONG_APS.values()]
    assert min(abs(a - b) for a, b in itertools.combinations(values, 2)) > 0.01, WRONG_APS


def test_q5_right():
    assert status(ex09.q5, **RIGHT_Q5) == "correct"
    _, precision, recall = precision_recall(ex09.DET_SCORES, ex09.DET_HITS, ex09.NUM_TRUTH)
    assert status(ex09.q5, precision_at_half=np.mean(ex09.DET_HITS[ex09.DET_SCORES >= 0.5]),
                  recall_at_half=recall[5], ap=average_precision(precision, recall)) == "correct"
    assert status(ex09.q5, precision_at_half=0.5, recall_at_half=0.6, ap=round(AP, 3)) == "correct"


@pytest.mark.parametrize("changes, clue", [
    ({"precision_at_half": 0.6, "recall_at_half": 0.5}, "swapped"),
    ({"precision_at_half": 0.4, "recall_at_half": 0.4}, "exactly 0.50"),
    ({"precision_at_half": 0.4}, "exactly 0.50"),
    ({"recall_at_half": 0.4}, "exactly 0.50"),
    ({"precision_at_half": 0.6}, "as recall does"),
    ({"recall_at_half": 0.75}, "the 4 hits in the list"),
    ({"recall_at_half": 0.5}, "that is precision"),
    ({"precision_at_half": 50}, "percentage"),
    ({"recall_at_half": 60}, "percentage"),
    ({"precision_at_half": 0.7}, "not the precision at 0.5"),
    ({"recall_at_half": 0.9}, "not the recall at 0.5"),
    ({"ap": WRONG_APS["raw"]}, "raw precision"),
    ({"ap": WRONG_APS["found"]}, "the 4 objects found"),
    ({"ap": WRONG_APS["sklearn"]}, "average_precision_score"),
    ({"ap": WRONG_APS["11-point"]}, "11-point"),
    ({"ap": WRONG_APS["trapezoid"]}, "trapezoid"),
    ({"ap": WRONG_APS["mean"]}, "mean precision over all ranks"),
    ({"ap": WRONG_APS["unsorted"]}, "sort the detections by score"),
    ({"ap": 100 * AP}, "percentage"),
    ({"ap": 0.56}, "close: give three decimals"),
    ({"ap": 0.9}, "not the AP"),
    ({"ap": "high"}, "numeric"),
    ({"precision_at_half": [0.5, 0.6]}, "shape"),
])
def test_q5_wrong(changes, clue):
    result = ex09.q5.evaluate({**RIGHT_Q5, **changes})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q5_placeholder():
    assert status(ex09.q5, precision_at_half=____, recall_at_half=____, ap=____) == "not attempted"
    assert status(ex09.q5, **{**RIGHT_Q5, "ap": ____}) == "not attempted"


def test_questions_exported():
    assert set(ex09.__all__) == {"q1", "q2", "q3", "q4", "q5", "____", "BOX_A", "BOX_B", "ANCHOR", "ENCODING",
                                 "DET_SCORES", "DET_HITS", "NUM_TRUTH"}
    for q in (ex09.q1, ex09.q2, ex09.q3, ex09.q4, ex09.q5):
        assert len(q.hints) == 3 and q.answer.strip() and q.praise
