"""Lesson 09 exercises: the IoU of two boxes by hand, an IoU function, greedy non-maximum suppression, decoding one
SSD anchor into a box, and precision, recall and average precision from a ranked list of detections."""
import itertools

import numpy as np

from ..detection import average_precision, box_iou, precision_recall
from .core import Array, Function, Incorrect, Mistake, Question, Value, ____, as_array

__all__ = ["ANCHOR", "BOX_A", "BOX_B", "DET_HITS", "DET_SCORES", "ENCODING", "NUM_TRUTH", "____",
           "q1", "q2", "q3", "q4", "q5"]

_RETURNS_NONE = Mistake(when=lambda c: c.value is None,
                        say="your function returns None: end it with `return` and the result.")


def _rounded(values):
    return np.round(np.asarray(values, "float64"), 3).tolist()


# q1: two boxes in pixels, [ymin, xmin, ymax, xmax]: 20x60 and 30x60, overlapping in a 10x50 strip
BOX_A, BOX_B = (10, 20, 30, 80), (20, 30, 50, 90)


def _parts(a, b, extra=0):
    """The overlap's height and width (negative when the boxes are apart) and the two areas. ``extra=1`` counts
    pixels inclusively, as the old PASCAL VOC devkit did."""
    height = min(a[2], b[2]) - max(a[0], b[0]) + extra
    width = min(a[3], b[3]) - max(a[1], b[1]) + extra
    return height, width, (a[2] - a[0] + extra) * (a[3] - a[1] + extra), (b[2] - b[0] + extra) * (b[3] - b[1] + extra)


_H, _W, _AREA_A, _AREA_B = _parts(BOX_A, BOX_B)
_INTER = _H * _W
_UNION = _AREA_A + _AREA_B - _INTER
_IOU = _INTER / _UNION
_AS_SIZES = box_iou([*BOX_A[:2], BOX_A[0] + BOX_A[2], BOX_A[1] + BOX_A[3]],  # the last two read as height, width
                    [*BOX_B[:2], BOX_B[0] + BOX_B[2], BOX_B[1] + BOX_B[3]])[0, 0]
_PLUS_ONE = (lambda h, w, a, b: h * w / (a + b - h * w))(*_parts(BOX_A, BOX_B, extra=1))


class BoxIou(Question):
    checks = {"overlap": Value(_IOU, mistakes=(
        Mistake(like=_INTER / min(_AREA_A, _AREA_B),
                say=f"you divided the overlap by the smaller box's area ({min(_AREA_A, _AREA_B)}). IoU divides by "
                    "the union, the area covered by either box."),
        Mistake(like=_INTER / max(_AREA_A, _AREA_B),
                say=f"you divided the overlap by the larger box's area ({max(_AREA_A, _AREA_B)}). IoU divides by "
                    "the union, the area covered by either box."),
        Mistake(like=_INTER / (_AREA_A + _AREA_B),
                say=f"you divided by {_AREA_A} + {_AREA_B}, which counts the overlap twice. The union counts it "
                    f"once: {_AREA_A} + {_AREA_B} - {_INTER} = {_UNION}."),
        Mistake(like=2 * _INTER / (_AREA_A + _AREA_B),
                say="that is the Dice score, 2 |A ∩ B| / (|A| + |B|). IoU is |A ∩ B| / |A ∪ B|."),
        Mistake(like=_PLUS_ONE,
                say="you added 1 to each height and width, as if the numbers were the first and last pixel rows. "
                    f"Here they are edges: a box from y = {BOX_A[0]} to y = {BOX_A[2]} is {BOX_A[2] - BOX_A[0]} "
                    "pixels tall."),
        Mistake(like=_AS_SIZES,
                say="you read the last two numbers as a height and a width (as COCO's files store boxes, [x, y, "
                    "width, height]). Here both boxes are [ymin, xmin, ymax, xmax]: corners."),
        Mistake(like=_UNION / _INTER, say="that is the union over the intersection, upside down; IoU is at most 1."),
        Mistake(like=100 * _IOU, say="give `overlap` as a fraction between 0 and 1, not a percentage."),
        Mistake(when=lambda c: float(c.got) in (_INTER, _UNION, _AREA_A, _AREA_B, _AREA_A + _AREA_B),
                say="{got:g} is an area in pixels; `overlap` is a ratio of two areas, between 0 and 1."),
        Mistake(when=lambda c: abs(c.got - _IOU) <= 0.01,
                say=lambda c: f"close: the exact value has three decimals ({_IOU:.3f} rather than {c.got:g})."),
    ), otherwise="{got:.4f} is not the IoU of these boxes. Work out each box's height and width, then the "
                 "overlap's.", tolerance=0.0005)}
    hints = (
        ("A box [ymin, xmin, ymax, xmax] is ymax - ymin tall and xmax - xmin wide. The overlap of two boxes is a box "
         "too: its top edge is the lower of the two tops (the larger ymin), its bottom the higher of the two "
         "bottoms (the smaller ymax), and so on."),
        (f"The overlap runs from y = max({BOX_A[0]}, {BOX_B[0]}) to min({BOX_A[2]}, {BOX_B[2]}) and from x = "
         f"max({BOX_A[1]}, {BOX_B[1]}) to min({BOX_A[3]}, {BOX_B[3]}). The union is area A + area B - overlap: the "
         "overlap must not be counted twice."),
        f"Areas: A {_AREA_A}, B {_AREA_B}, overlap {_H} x {_W} = {_INTER}, union {_AREA_A} + {_AREA_B} - {_INTER}.",
    )
    answer = f"""
        # A: 20 x 60 = {_AREA_A} px, B: 30 x 60 = {_AREA_B} px; overlap: y 20-30, x 30-80, {_H} x {_W} = {_INTER} px
        overlap = {_INTER} / ({_AREA_A} + {_AREA_B} - {_INTER})
    """
    praise = f"{_INTER} / {_UNION} = {_IOU:g}: the overlap covers {_INTER / _AREA_A:.0%} of box A, yet the IoU is " \
             f"only {_IOU:g}. IoU is strict: two boxes of the same size, one shifted sideways by a third of its width, " \
             "score 0.5, the least a detection needs to count as right in PASCAL VOC."


# q2: an IoU function
def _iou(box_a, box_b):
    return float(box_iou(box_a, box_b)[0, 0])


def _iou_cases():
    """Partial overlap, apart in x only, apart in both y and x, one inside the other, identical, touching along an
    edge, and normalised floats. Lists and arrays, pixels and fractions."""
    return [([0, 0, 4, 6], [2, 3, 8, 9]), ([0, 0, 4, 4], [1, 6, 3, 9]), ([0, 0, 2, 2], [4, 5, 7, 9]),
            (np.array([1.0, 1, 9, 9]), np.array([3.0, 2, 5, 6])), (np.array([2.0, 3, 7, 5]), np.array([2.0, 3, 7, 5])),
            ([0, 0, 2, 2], [2, 0, 4, 2]), (np.array([0.1, 0.2, 0.5, 0.6]), np.array([0.3, 0.25, 0.7, 0.9]))]


def _wrong_iou(ratio, clip=lambda h, w: max(h, 0) * max(w, 0), extra=0):
    """An IoU function with a catalogued mistake: ``ratio(intersection, area_a, area_b)``, clipped as ``clip``."""
    def wrong(box_a, box_b):
        height, width, area_a, area_b = _parts(box_a, box_b, extra)
        return ratio(clip(height, width), area_a, area_b)
    return wrong


def _right_ratio(inter, area_a, area_b):
    return inter / (area_a + area_b - inter)


class IouFunction(Question):
    checks = {"iou": Function(_iou, _iou_cases(), mistakes=(
        _RETURNS_NONE,
        Mistake(when=lambda c: c.got.shape != (),
                say="iou(box_a, box_b) should return one number; yours returns shape {got.shape}."),
        Mistake(when=lambda c: c.got < 0,
                say=lambda c: f"for {_rounded(c.box_a)} and {_rounded(c.box_b)} your IoU is negative: these boxes do "
                              "not overlap, so the overlap's height or width comes out negative. Clip each to 0, "
                              "max(0, ...), before multiplying."),
        Mistake(like=_wrong_iou(_right_ratio, clip=lambda h, w: max(h * w, 0)),
                say=lambda c: f"{_rounded(c.box_a)} and {_rounded(c.box_b)} are apart in both y and x, yet your IoU "
                              f"is {float(c.got):.3f}: the overlap's height and width are both negative, and their "
                              "product is positive. Clip each to 0 before multiplying: max(0, height) * max(0, "
                              "width)."),
        Mistake(like=_wrong_iou(lambda i, a, b: i / (a + b)),
                say="area_a + area_b counts the overlap twice; the union is area_a + area_b - intersection."),
        Mistake(like=_wrong_iou(lambda i, a, b: 2 * i / (a + b)),
                say="that is the Dice score, 2 |A ∩ B| / (|A| + |B|); IoU divides the intersection by the union."),
        Mistake(like=_wrong_iou(lambda i, a, b: i / min(a, b)),
                say="dividing by the smaller box's area gives 1 to any small box inside a large one. IoU divides by "
                    "the union, area_a + area_b - intersection."),
        Mistake(like=_wrong_iou(_right_ratio, extra=1),
                say="no + 1 in the heights and widths: the four numbers are edges, not the first and last pixel, so "
                    "a box [0, 0, 2, 2] is 2 tall and 2 wide (and boxes in fractions of the image work too)."),
        Mistake(like=_wrong_iou(lambda i, a, b: i), say="that is the intersection's area; divide it by the union."),
    ), otherwise=lambda c: f"for {_rounded(c.box_a)} and {_rounded(c.box_b)} the IoU is {c.want:.4f}; yours is "
                           f"{float(c.got):.4f}.", tolerance=1e-5)}
    hints = (
        ("Four steps: the overlap's edges (the larger of the two tops and lefts, the smaller of the two bottoms and "
         "rights), its height and width, the intersection's area, and the union, area_a + area_b - intersection."),
        ("When the boxes do not overlap, bottom - top or right - left is negative: clip each to 0 with max(0, ...) "
         "before multiplying (two negative numbers multiply to a positive one)."),
        ("top, left = max(box_a[0], box_b[0]), max(box_a[1], box_b[1]); bottom, right = min(box_a[2], box_b[2]), "
         "min(box_a[3], box_b[3]); intersection = max(0, bottom - top) * max(0, right - left)."),
    )
    answer = """
        def iou(box_a, box_b):
            top, left = max(box_a[0], box_b[0]), max(box_a[1], box_b[1])
            bottom, right = min(box_a[2], box_b[2]), min(box_a[3], box_b[3])
            intersection = max(0, bottom - top) * max(0, right - left)
            area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
            area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
            return intersection / (area_a + area_b - intersection)
    """
    praise = "clipping the height and the width separately is what keeps boxes apart in both directions at 0. " \
             "Swapping y and x in both boxes changes nothing: IoU is the same whichever axis comes first."


# q3: greedy non-maximum suppression, checked against tf.image.non_max_suppression (the tests compare the two)
def _greedy(boxes, scores, iou_threshold, order=None, suppresses=np.greater, only_kept=True):
    """Greedy NMS; ``order``, ``suppresses`` and ``only_kept`` make the catalogued mistakes."""
    overlaps = box_iou(boxes, boxes)
    kept, seen = [], []
    for i in np.argsort(-np.asarray(scores), kind="stable") if order is None else order:
        if not any(suppresses(overlaps[i, j], iou_threshold) for j in (kept if only_kept else seen)):
            kept.append(int(i))
        seen.append(int(i))
    return np.array(kept, int)


def _nms(boxes, scores, iou_threshold):
    return _greedy(boxes, scores, iou_threshold)


def _random_case(seed, n, iou_threshold):
    """``n`` boxes in three clusters, with distinct scores in no particular order."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.25, 0.75, (3, 2))[rng.integers(0, 3, n)] + rng.normal(0, 0.06, (n, 2))
    sizes = rng.uniform(0.15, 0.35, (n, 2))
    boxes = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1).round(3)
    return boxes, rng.choice(np.arange(5, 100), n, replace=False) / 100, iou_threshold


def _nms_cases():
    """Identical boxes; a chain (the best box overlaps the second, which overlaps the third, which survives); an IoU
    exactly at the threshold (kept); equal scores (the first box goes first); random clusters at three thresholds."""
    same = (np.array([[0.1, 0.1, 0.5, 0.5], [0.1, 0.1, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9]]), np.array([0.6, 0.9, 0.5]),
            0.5)
    chain = (np.array([[0.0, 4, 10, 14], [0, 8, 10, 18], [0, 0, 10, 10]]), np.array([0.8, 0.7, 0.9]), 0.3)
    tie = (np.array([[0.0, 0, 2, 3], [0, 1, 2, 4]]), np.array([0.9, 0.8]), 0.5)  # IoU 4 / 8 = 0.5 exactly
    equal = (np.array([[0.6, 0.6, 0.9, 0.9], [0, 0, 0.5, 0.5], [0.05, 0.05, 0.5, 0.5]]), np.array([0.4, 0.7, 0.7]), 0.5)
    return [same, chain, tie, equal, _random_case(1, 12, 0.5), _random_case(2, 20, 0.3), _random_case(3, 15, 0.7)]


def _as_indices(got):
    """The learner's indices as ints where they are whole numbers (else rounded), for messages and sets."""
    values = np.ravel(got)
    whole = np.all(np.isfinite(values)) and np.all(values == np.round(values))
    return [int(v) for v in values] if whole else _rounded(values)


def _kept(c):
    return (f"for these {len(c.boxes)} boxes at iou_threshold {c.iou_threshold}, greedy NMS keeps {len(c.want)}: "
            f"{c.want.tolist()}; yours keeps {c.got.size}: {_as_indices(c.got)}. (If your nms calls your iou, check "
            "that q2 passes.)")


def _wrong_nms(**mistake):
    return lambda boxes, scores, iou_threshold: _greedy(boxes, scores, iou_threshold, **mistake)


class NonMaxSuppression(Question):
    checks = {"nms": Function(_nms, _nms_cases(), mistakes=(
        _RETURNS_NONE,
        Mistake(when=lambda c: c.got.ndim == 2,
                say="your nms returns boxes; return their indices (boxes[kept] gives the boxes back)."),
        Mistake(when=lambda c: c.got.ndim == 0,
                say="your nms returns one number; return the list of the indices it keeps."),
        Mistake(when=lambda c: c.got.shape == c.want.shape and set(_as_indices(c.got)) == set(c.want),
                say="the right boxes in the wrong order: return them highest score first, in the order they are "
                    "kept."),
        Mistake(like=_wrong_nms(only_kept=False),
                say="a box that was itself suppressed suppressed another one. Compare each box only with the boxes "
                    "you have KEPT: when A suppresses B, and B overlaps C but A does not, C survives."),
        Mistake(like=_wrong_nms(suppresses=np.greater_equal),
                say="two boxes whose IoU is exactly iou_threshold both survive: suppress only when IoU > "
                    "iou_threshold, as tf.image.non_max_suppression does."),
        Mistake(like=lambda boxes, scores, iou_threshold: _greedy(boxes, scores, iou_threshold, range(len(boxes))),
                say="you went through the boxes in the order they were given. Go from the highest score down "
                    "(np.argsort(-scores)): a box may only be suppressed by a better one."),
        Mistake(like=lambda boxes, scores, iou_threshold: _greedy(boxes, scores, iou_threshold, np.argsort(scores)),
                say="you went from the lowest score up; go from the highest down (np.argsort(-scores))."),
        Mistake(like=_wrong_nms(suppresses=np.less),
                say="you suppressed the boxes that overlap a kept box LITTLE; suppress those whose IoU with a kept "
                    "box is above iou_threshold."),
        Mistake(like=lambda boxes, scores, iou_threshold: _greedy(boxes, scores, iou_threshold,
                                                                  np.lexsort((-np.arange(len(scores)), -scores))),
                say="of two boxes with the same score, take the one that comes first in `boxes`, as TensorFlow does: "
                    "np.argsort(-scores, kind=\"stable\") keeps equal scores in their order (the default sort may "
                    "not)."),
        Mistake(like=lambda boxes, scores, iou_threshold: _nms(boxes, scores, 0.5),
                say="use the iou_threshold argument, not a fixed 0.5."),
        Mistake(when=lambda c: c.got.shape == (len(c.boxes),) and set(np.ravel(c.got)) <= {0, 1}
                and set(np.flatnonzero(c.got)) == set(c.want),
                say="that is a mask of the kept boxes; return their indices, highest score first."),
        Mistake(when=lambda c: set(_as_indices(c.got)) == set(range(len(c.boxes))) - set(c.want) != set(),
                say="those are the boxes NMS removes; return the ones it keeps."),
        Mistake(when=lambda c: c.got.ndim == 1, say=_kept),  # another number of boxes
    ), otherwise=_kept)}
    hints = (
        ("Greedy NMS: take the boxes from the highest score down. Keep a box unless it overlaps a box you have "
         "already kept by more than iou_threshold."),
        ("np.argsort(-np.asarray(scores), kind=\"stable\") gives the indices from the highest score down (equal "
         "scores in their order). Keep a list `kept`; a box is compared only with the boxes in `kept`, not with every "
         "better box."),
        ("for i in np.argsort(-np.asarray(scores), kind=\"stable\"): if all(iou(boxes[i], boxes[k]) <= iou_threshold "
         "for k in kept): kept.append(i). Then return kept."),
    )
    answer = """
        def nms(boxes, scores, iou_threshold):
            kept = []
            for i in np.argsort(-np.asarray(scores), kind="stable"):  # the highest score first
                if all(iou(boxes[i], boxes[k]) <= iou_threshold for k in kept):
                    kept.append(i)  # no box kept so far overlaps it too much
            return kept
    """
    praise = "the same boxes as tf.image.non_max_suppression. Greedy NMS never looks at a suppressed box again, " \
             "so the order matters: a box survives when the only box that overlaps it was itself suppressed."

    def setup(self):
        return {"iou": _iou}


# q4: one anchor of the dog photo (its 'dog' detection), as the SSD's tensors hold it, rounded to 3 decimals
ANCHOR = (0.652, 0.252, 0.497, 0.245)  # (ycenter, xcenter, height, width), fractions of the image
ENCODING = (-0.079, 1.897, 0.79, 0.237)  # (ty, tx, th, tw)
_YX = [1, 0, 3, 2]  # swaps y and x in a 4-tuple


def _centre(anchor=ANCHOR, encoding=ENCODING, scales=(10, 10, 5, 5), grow=np.exp):
    """The decoded box as (yc, xc, h, w); ``scales`` and ``grow`` make the catalogued mistakes."""
    ya, xa, ha, wa = np.asarray(anchor, "float64")
    ty, tx, th, tw = np.divide(encoding, scales)
    return ty * ha + ya, tx * wa + xa, grow(th) * ha, grow(tw) * wa


def _corners(yc, xc, h, w, half=2):
    return np.array([yc - h / half, xc - w / half, yc + h / half, xc + w / half])


def _swap(values, swapped):
    return np.asarray(values, "float64")[_YX] if swapped else np.asarray(values, "float64")


_DECODED = _corners(*_centre())
_YC, _XC, _HEIGHT, _WIDTH = _centre()
_TY, _TX, _TH, _TW = ENCODING
# y and x swapped in the anchor, the encoding or the result: every mix but the ones that come out right
_SWAPPED = [box for box in (_swap(_corners(*_centre(_swap(ANCHOR, a), _swap(ENCODING, e))), o)
                            for a, e, o in itertools.product((False, True), repeat=3))
            if not np.allclose(box, _DECODED, atol=1e-3)]


class DecodeAnchor(Question):
    checks = {"decoded": Array(_DECODED, mistakes=(
        Mistake(when=lambda c: c.got.shape == (4,) and any(np.allclose(c.got, box, atol=1e-3) for box in _SWAPPED),
                say="y and x are swapped somewhere: the anchor, the encoding and the box all put y first "
                    "(ycenter, xcenter, ...; ty, tx, ...; ymin, xmin, ...)."),
        Mistake(like=_corners(*_centre(scales=(1, 1, 1, 1))),
                say="the SSD scales its encodings: divide ty and tx by 10, th and tw by 5, before using them."),
        Mistake(like=_corners(*_centre(scales=(5, 5, 10, 10))),
                say="the scale factors are swapped: ty and tx are divided by 10, th and tw by 5."),
        Mistake(like=_corners(*_centre(scales=(0.1, 0.1, 0.2, 0.2))),
                say="you multiplied by the scale factors; divide ty and tx by 10, th and tw by 5."),
        Mistake(like=_corners(*_centre(grow=lambda t: t)),
                say="th and tw are logarithms of how much the anchor grows: h = exp(th / 5) * anchor height "
                    "(np.exp), and the same for w."),
        Mistake(like=_corners(_TY / 10 + ANCHOR[0], _TX / 10 + ANCHOR[1], _HEIGHT, _WIDTH),
                say="the centre moves in units of the anchor's size: yc = ty / 10 * anchor height + anchor yc "
                    "(and xc with the anchor's width)."),
        Mistake(like=_corners(_YC, _XC, np.exp(_TH / 5), np.exp(_TW / 5)),
                say="exp(th / 5) is how much the anchor grows: multiply it by the anchor's height (and exp(tw / 5) "
                    "by its width)."),
        Mistake(like=np.array([_YC, _XC, _HEIGHT, _WIDTH]),
                say="that is the box as (yc, xc, h, w); turn it into corners: [yc - h/2, xc - w/2, yc + h/2, "
                    "xc + w/2]."),
        Mistake(like=_corners(_YC, _XC, _HEIGHT, _WIDTH, half=1),
                say="the centre is half a height from the top: ymin = yc - h / 2 (and the same for the others)."),
        Mistake(like=np.array([_DECODED[0], _DECODED[1], _HEIGHT, _WIDTH]),
                say="the last two should be corners too: ymax = ymin + h, xmax = xmin + w."),
        Mistake(like=300 * _DECODED, say="keep the box in fractions of the image, as the SSD gives it; it is the "
                                         "plotting that multiplies by the photo's height and width."),
    ), otherwise=lambda c: f"{_rounded(c.got)} is not the decoded box. Work out the centre (yc, xc) and the size "
                           "(h, w) first, then the corners.", tolerance=1e-3)}
    hints = (
        ("First the centre and size, then the corners. Every encoding is relative to the anchor: ty and tx move the "
         "centre in units of the anchor's height and width, th and tw scale its height and width."),
        ("yc = ty / 10 * anchor_h + anchor_yc and h = exp(th / 5) * anchor_h; xc and w in the same way with tx, tw "
         "and the anchor's xcenter and width."),
        "decoded = [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2]: y first, as the anchor.",
    )
    answer = """
        ya, xa, ha, wa = ANCHOR
        ty, tx, th, tw = ENCODING
        yc, xc = ty / 10 * ha + ya, tx / 10 * wa + xa  # the centre moves in units of the anchor's size
        h, w = np.exp(th / 5) * ha, np.exp(tw / 5) * wa  # and the size grows by a factor
        decoded = [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2]
    """
    praise = "centre first, in units of the anchor, then the size as a factor: exp keeps it positive, and the " \
             "same encoding means the same relative change for a small anchor as for a large one."


# q5: eight detections on a set of images with five true objects; one object is never found
DET_SCORES = np.array([0.37, 0.88, 0.22, 0.64, 0.93, 0.50, 0.71, 0.79])
DET_HITS = np.array([True, False, False, False, True, True, False, True])
NUM_TRUTH = 5

_, _PRECISION, _RECALL = precision_recall(DET_SCORES, DET_HITS, NUM_TRUTH)
_AP = average_precision(_PRECISION, _RECALL)
_HALF, _ABOVE = DET_SCORES >= 0.5, DET_SCORES > 0.5
_P_HALF, _R_HALF = DET_HITS[_HALF].mean(), DET_HITS[_HALF].sum() / NUM_TRUTH
_P_ABOVE, _R_ABOVE = DET_HITS[_ABOVE].mean(), DET_HITS[_ABOVE].sum() / NUM_TRUTH
_FOUND = DET_HITS.sum()
_STEPS = np.diff(_RECALL, prepend=0)
_GIVEN_ORDER = np.cumsum(DET_HITS) / np.arange(1, len(DET_HITS) + 1)  # precision in the order given, unsorted
_UNSORTED = [np.sum(np.diff(np.cumsum(DET_HITS) / NUM_TRUTH, prepend=0) * p)
             for p in (_GIVEN_ORDER, np.maximum.accumulate(_GIVEN_ORDER[::-1])[::-1])]
_TOLERANCE = 0.001
_CLOSE = Mistake(when=lambda c: abs(c.got - c.want) <= 0.01,
                 say=lambda c: f"close: give three decimals ({c.want:.3f} rather than {c.got:g}).")


def _percent(name):
    return Mistake(when=lambda c: abs(c.got - 100 * c.want) <= 0.1,
                   say=f"give `{name}` as a fraction between 0 and 1, not a percentage.")


_ABOVE_HALF = "a score of exactly 0.50 counts: keep DET_SCORES >= 0.5."
_Q5 = {
    "precision_at_half": Value(_P_HALF, mistakes=(
        Mistake(like=_P_ABOVE, say=_ABOVE_HALF),
        Mistake(like=_R_HALF, say=f"you divided the hits by NUM_TRUTH, as recall does; precision divides them "
                                  f"by the detections kept ({_HALF.sum()})."),
        _percent("precision_at_half"), _CLOSE,
    ), otherwise="{got:.3f} is not the precision at 0.5: the share of the detections kept that are hits.",
        tolerance=_TOLERANCE),
    "recall_at_half": Value(_R_HALF, mistakes=(
        Mistake(like=_R_ABOVE, say=_ABOVE_HALF),
        Mistake(like=DET_HITS[_HALF].sum() / _FOUND,
                say=f"you divided by the {_FOUND} hits in the list; recall divides by all {NUM_TRUTH} true "
                    "objects, including the one no detection found."),
        Mistake(like=_P_HALF, say="that is precision, the hits over the detections kept; recall divides the "
                                  "hits by NUM_TRUTH."),
        _percent("recall_at_half"), _CLOSE,
    ), otherwise="{got:.3f} is not the recall at 0.5: the share of the NUM_TRUTH true objects that the kept "
                 "detections find.", tolerance=_TOLERANCE),
    "ap": Value(_AP, mistakes=(
        Mistake(like=np.sum(_STEPS * _PRECISION),
                say="you summed the raw precision over the steps in recall. AP first replaces each precision by "
                    "the best one at that recall or beyond (np.maximum.accumulate(precision[::-1])[::-1]), so "
                    "that the curve never rises."),
        Mistake(like=_AP * NUM_TRUTH / _FOUND,
                say=f"you averaged over the {_FOUND} objects found; AP divides by all {NUM_TRUTH} (the recall "
                    "never reached counts as precision 0)."),
        Mistake(like=np.sum(_STEPS * _PRECISION) * NUM_TRUTH / _FOUND,
                say=f"that is the mean precision at the {_FOUND} hits, as sklearn's average_precision_score "
                    f"computes it: it knows only the objects found. AP divides by all {NUM_TRUTH} true objects "
                    "and uses the best precision at each recall or beyond."),
        Mistake(like=np.mean([_PRECISION[_RECALL >= r].max(initial=0) for r in np.linspace(0, 1, 11)]),
                say="that is the 11-point AP of PASCAL VOC 2007; use every step in recall, as VOC since 2010 "
                    "and COCO do (and average_precision)."),
        Mistake(like=np.sum(np.diff(_RECALL) * (_PRECISION[1:] + _PRECISION[:-1]) / 2),
                say="the trapezoid rule joins the points with slopes; AP sums rectangles: each rise in recall "
                    "times the best precision at that recall or beyond."),
        Mistake(like=np.mean(_PRECISION), say="that is the mean precision over all ranks; AP weighs each "
                                              "precision by the rise in recall at that rank."),
        Mistake(when=lambda c: any(abs(c.got - v) <= _TOLERANCE for v in _UNSORTED),
                say="sort the detections by score first (np.argsort(-DET_SCORES)): the curve goes from the most "
                    "confident detection down."),
        _percent("ap"), _CLOSE,
    ), otherwise="{got:.3f} is not the AP of these detections. Sort them by score, compute precision and recall "
                 "after each, take the envelope of precision and sum it over the steps in recall.",
        tolerance=_TOLERANCE),
}


class PrecisionRecallAP(Question):
    checks = _Q5
    hints = (
        ("At 0.5, keep the detections with DET_SCORES >= 0.5: precision = hits kept / detections kept, recall = hits "
         "kept / NUM_TRUTH (every true object counts, found or not)."),
        ("For AP, sort by score, highest first (np.argsort(-DET_SCORES)). After the first k detections: precision = "
         "hits so far / k and recall = hits so far / NUM_TRUTH (np.cumsum gives the hits so far)."),
        ("Replace each precision by the best precision at that rank or below it, np.maximum.accumulate(precision"
         "[::-1])[::-1], then sum it times the rise in recall at each rank, np.diff(recall, prepend=0)."),
    )
    answer = """
        kept = DET_SCORES >= 0.5
        precision_at_half = DET_HITS[kept].sum() / kept.sum()
        recall_at_half = DET_HITS[kept].sum() / NUM_TRUTH
        hits = DET_HITS[np.argsort(-DET_SCORES)]  # the highest score first
        precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        recall = np.cumsum(hits) / NUM_TRUTH
        envelope = np.maximum.accumulate(precision[::-1])[::-1]  # the best precision at this recall or beyond
        ap = np.sum(np.diff(recall, prepend=0) * envelope)
    """
    praise = f"AP {_AP:.3f}: average_precision(*precision_recall(DET_SCORES, DET_HITS, NUM_TRUTH)[1:]) gives the " \
             f"same. The object never found caps recall at {_RECALL[-1]:g}, and AP counts the recall never reached " \
             "as precision 0: a detector is scored on what it misses too."

    def verify(self, precision_at_half, recall_at_half, ap):
        precision = float(as_array(precision_at_half, "precision_at_half", shape=()))
        recall = float(as_array(recall_at_half, "recall_at_half", shape=()))
        if abs(precision - _R_HALF) <= _TOLERANCE and abs(recall - _P_HALF) <= _TOLERANCE:
            raise Incorrect("precision and recall are swapped: precision divides the hits by the detections kept, "
                            "recall by the true objects, NUM_TRUTH.")
        if abs(precision - _P_ABOVE) <= _TOLERANCE and abs(recall - _R_ABOVE) <= _TOLERANCE:
            raise Incorrect(_ABOVE_HALF)
        super().verify(precision_at_half=precision_at_half, recall_at_half=recall_at_half, ap=ap)


q1 = BoxIou("q1")
q2 = IouFunction("q2")
q3 = NonMaxSuppression("q3")
q4 = DecodeAnchor("q4")
q5 = PrecisionRecallAP("q5")
