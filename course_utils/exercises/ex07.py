"""Lesson 07 exercises: a deletion AUC with the trapezoid rule, the Spearman rank correlation, reading a sanity
check, and scoring a heatmap against an object mask with the pointing game and IoU."""
import numpy as np

from .core import Choices, Function, Mistake, Question, ____

__all__ = ["CASCADE", "____", "q1", "q2", "q3", "q4", "q5"]


def _trapezoid(fractions, scores):
    fractions, scores = np.asarray(fractions, "float64"), np.asarray(scores, "float64")
    return float(((scores[1:] + scores[:-1]) / 2 * np.diff(fractions)).sum())


def _auc_cases():
    """Deletion curves: (fractions, scores). The last has uneven steps, so shortcuts that assume equal steps fail."""
    rng = np.random.default_rng(7)
    even = np.linspace(0, 1, 21)
    falling = 0.9 * np.exp(-6 * even) + 0.05
    noisy = np.clip(np.sort(rng.uniform(0, 1, 11))[::-1] + rng.normal(0, 0.02, 11), 0, 1)
    uneven = np.array([0.0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0])
    return [(even, falling), (np.linspace(0, 1, 11), noisy), (uneven, np.array([0.8, 0.5, 0.3, 0.2, 0.15, 0.1, 0.1]))]


def _rounded(values):
    return np.round(values, 2).tolist()


def _first_width(c):
    return ("you used the first step's width for every step; the steps are not always equal "
            f"(fractions {_rounded(c.fractions)}). Use np.diff(fractions).")


class DeletionAUC(Question):
    checks = {"deletion_auc": Function(_trapezoid, _auc_cases(), mistakes=(
        Mistake(like=lambda fractions, scores: np.sum(scores[:-1] * np.diff(fractions)),
                say="that is a left Riemann sum (each step's height is its left point). The trapezoid rule uses the "
                    "mean of both ends of each step."),
        Mistake(like=lambda fractions, scores: np.sum(scores[1:] * np.diff(fractions)),
                say="that is a right Riemann sum (each step's height is its right point). The trapezoid rule uses the "
                    "mean of both ends of each step."),
        Mistake(like=lambda fractions, scores: np.mean(scores),
                say="the plain mean of the scores gives the first and last points as much weight as the others, and "
                    "ignores uneven steps. Use widths and mean heights."),
        Mistake(like=lambda fractions, scores: np.sum((scores[1:] + scores[:-1]) / 2),
                say="you summed the mean heights but forgot to multiply each by its width (np.diff(fractions))."),
        Mistake(like=lambda fractions, scores: np.sum(scores) * (fractions[1] - fractions[0]), say=_first_width),
        Mistake(like=lambda fractions, scores: np.sum((scores[1:] + scores[:-1]) / 2) * (fractions[1] - fractions[0]),
                say=_first_width),
    ), otherwise=lambda c: f"for fractions {_rounded(c.fractions)} and scores {_rounded(c.scores)} the area is "
                           f"{c.want:.4f}; yours is {c.got:.4f}.")}
    hints = (
        ("The trapezoid rule: between two neighbouring points the area is the width (the difference of the "
         "fractions) times the mean of the two heights (the scores)."),
        "np.diff(fractions) gives the widths; (scores[1:] + scores[:-1]) / 2 gives the mean height of each step.",
        "Sum width * mean height over all steps. Do not assume equal steps: the checker also uses uneven ones.",
    )
    answer = """
        def deletion_auc(fractions, scores):
            fractions, scores = np.asarray(fractions, float), np.asarray(scores, float)
            return np.sum(np.diff(fractions) * (scores[1:] + scores[:-1]) / 2)
    """
    praise = "width times mean height, summed over the steps: the trapezoid rule, as np.trapezoid and " \
             "course_utils.explain.area_under_curve compute it."


def _rank_cases():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 1, (6, 7))
    b = 0.6 * a + 0.4 * rng.uniform(0, 1, (6, 7))
    return [(a, b), (a, a ** 4), (a, 1 - a), (a, rng.uniform(0, 1, (6, 7))), (b, np.exp(5 * b))]


def _spearman(a, b):
    ra = np.argsort(np.argsort(np.ravel(a))).astype(float)
    rb = np.argsort(np.argsort(np.ravel(b))).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


_DIRECTION = ("the sign or direction is off: identical rankings must give +1. For this pair the answer is "
              "{want:.4f}, yours is {got:.4f}.")


class Spearman(Question):
    checks = {"spearman": Function(_spearman, _rank_cases(), mistakes=(
        Mistake(when=lambda c: c.got.shape == (2, 2),
                say="you returned the whole 2x2 matrix of np.corrcoef; the correlation is its [0, 1] entry."),
        Mistake(when=lambda c: c.got.shape != (),
                say="spearman(a, b) should return one number; yours has shape {got.shape}. Flatten the maps "
                    "(np.ravel) before ranking them."),
        Mistake(like=lambda a, b: np.corrcoef(np.ravel(a), np.ravel(b))[0, 1],
                say="that is Pearson's correlation of the raw values. Rank the pixels first: Spearman is Pearson's "
                    "correlation of the ranks, so squaring a map must not change it."),
        Mistake(like=lambda a, b: np.corrcoef(np.argsort(np.ravel(a)), np.argsort(np.ravel(b)))[0, 1],
                say="np.argsort gives the order of the pixels, not their ranks. Apply it twice: "
                    "np.argsort(np.argsort(values))."),
        Mistake(like=lambda a, b: 1 - _spearman(a, b), say=_DIRECTION),
        Mistake(like=lambda a, b: -_spearman(a, b), say=_DIRECTION),
    ), otherwise="for this pair of maps the rank correlation is {want:.4f}; yours is {got:.4f}.")}
    hints = (
        ("Two steps: turn each map into ranks (0 for its smallest pixel, 1 for the next, ...), then take the "
         "ordinary correlation of the two rank arrays."),
        ("np.argsort(values) gives the ORDER (which pixel is smallest, next, ...), not the ranks. The ranks are "
         "np.argsort(np.argsort(values)); flatten the maps first with .ravel()."),
        "np.corrcoef(ranks_a, ranks_b) is a 2x2 matrix; the correlation is its [0, 1] entry.",
    )
    answer = """
        def spearman(a, b):
            rank_a = np.argsort(np.argsort(np.ravel(a)))
            rank_b = np.argsort(np.argsort(np.ravel(b)))
            return np.corrcoef(rank_a, rank_b)[0, 1]
    """
    praise = "ranks, then Pearson's correlation of the ranks. Any increasing transformation of a map (squaring " \
             "it, scaling it to [0, 1]) leaves its ranks, and so this correlation, unchanged."


CASCADE = {  # Spearman correlation with the trained model's maps after randomising: the head, half, all layers
    "method A": (0.93, 0.90, 0.88),
    "method B": (0.04, 0.10, 0.02),
    "method C": (0.42, 0.31, 0.05),
    "method D": (0.71, 0.55, 0.04),
    "edge detector": (1.00, 1.00, 1.00),
}
FAILING = {"method A", "method D", "edge detector"}
ABOUT = {
    "method A": "method A stays near 0.9 whatever is randomised: its maps hardly depend on the model at all.",
    "method B": "method B drops to about 0 as soon as the head is random: its maps are made of what the model "
                "learned, which is what passing looks like.",
    "method C": "method C drops below 0.5 at once (0.42) and keeps falling: it passes, slowly, like lesson 07's "
                "vanilla gradient.",
    "method D": "method D keeps 0.71 after the head is randomised: like Grad-CAM++ on the CIFAR-10 model, it only "
                "breaks when deeper layers are randomised too.",
    "edge detector": "an edge detector never looks at the model, so randomising it changes nothing (1.00): the "
                     "clearest failure of all, and the reason the test exists.",
}


class SanityVerdict(Question):
    checks = {"failing": Choices(FAILING, ABOUT, items="names", where="in the table", missed="you missed one: ")}
    hints = (
        ("A method fails when its maps stay similar to the trained model's maps after the head (the logits layer) "
         "has been randomised: here, a correlation above 0.5 in the first column."),
        "Look only at the first number of each row. A map that does not depend on the model at all counts too.",
    )
    answer = """
        failing = {"method A", "method D", "edge detector"}
    """
    praise = "A, D and the edge detector keep their maps (correlation above 0.5) when the classifier is random; B " \
             "and C change. A model-free map such as an edge detector is the extreme case: 1.0 at every depth."


def _mask_cases():
    """(heatmap, mask) pairs, hits and misses; the first is square and gives a different answer with row and column
    swapped, the others are not square."""
    rng = np.random.default_rng(11)
    cases = []
    for height, width, peak, box in [(7, 7, (2, 5), (1, 4, 4, 7)), (6, 9, (1, 7), (0, 3, 5, 9)),
                                     (6, 9, (4, 2), (0, 3, 5, 9)), (8, 5, (6, 1), (4, 8, 0, 3)),
                                     (8, 5, (1, 4), (4, 8, 0, 3))]:
        heatmap = rng.uniform(0, 0.6, (height, width))
        heatmap[peak] = 1.0
        mask = np.zeros((height, width), bool)
        mask[box[0]:box[1], box[2]:box[3]] = True
        cases.append((heatmap, mask))
    return cases


def _peak(heatmap):
    """(row, column) of the heatmap's hottest pixel."""
    return tuple(int(i) for i in np.unravel_index(np.argmax(heatmap), heatmap.shape))


def _pointing_hit(heatmap, mask):
    return bool(mask[_peak(heatmap)])


def _swapped_hit(c):
    """True if the answer is the mask looked up at (column, row) of the peak, where that pixel exists."""
    row, col = _peak(c.heatmap)
    return col < c.mask.shape[0] and row < c.mask.shape[1] and bool(c.mask[col, row]) == c.got


class PointingHit(Question):
    checks = {"pointing_hit": Function(_pointing_hit, _mask_cases(), mistakes=(
        Mistake(when=_swapped_hit,
                say="row and column look swapped: np.unravel_index returns (row, column), and the mask is indexed "
                    "mask[row, column]."),
        Mistake(like=lambda heatmap, mask: bool(heatmap[mask].mean() > heatmap[~mask].mean()),
                say="the pointing game asks about ONE pixel, the heatmap's maximum, not about the average heat inside "
                    "and outside the mask."),
    ), otherwise=lambda c: f"for a {c.heatmap.shape} heatmap whose peak is at {_peak(c.heatmap)} the answer is "
                           f"{c.want}; yours is {c.got}.")}
    hints = (
        "Find the single hottest pixel of the heatmap, then look that position up in the mask.",
        ("np.argmax(heatmap) is an index into the FLATTENED map; np.unravel_index(np.argmax(heatmap), heatmap.shape) "
         "turns it into (row, column)."),
        "Return bool(mask[row, col]).",
    )
    answer = """
        def pointing_hit(heatmap, mask):
            row, col = np.unravel_index(np.argmax(heatmap), heatmap.shape)
            return bool(mask[row, col])
    """
    praise = "the hottest pixel, looked up in the mask: one hit or miss per image, as in " \
             "course_utils.explain.pointing_game."


def _overlap(found, mask):
    union = (found | mask).sum()
    return (found & mask).sum() / union if union else 0.0


def _iou(heatmap, mask, threshold):
    return _overlap(heatmap >= threshold, mask)


def _wrong_iou(ratio):
    """A wrong IoU: ``ratio`` of the pixel counts of the overlap, the found region and the mask."""
    def wrong(heatmap, mask, threshold):
        found = heatmap >= threshold
        return ratio((found & mask).sum(), found.sum(), mask.sum())
    return wrong


def _iou_cases():
    """(heatmap, mask, threshold): the mask cases, one with pixels exactly at the threshold, and one where neither
    the map nor the mask has any pixel."""
    cases = [(h, m, t) for (h, m), t in zip(_mask_cases(), (0.5, 0.3, 0.5, 0.55, 0.45))]
    exact = np.array([[0.5, 0.2, 0.9], [0.1, 0.5, 0.5]])
    nothing = np.random.default_rng(5).uniform(0, 0.4, (4, 4))
    return cases + [(exact, np.array([[True, False, True], [False, False, True]]), 0.5),
                    (nothing, np.zeros((4, 4), bool), 0.5)]


class MaskIoU(Question):
    checks = {"iou": Function(_iou, _iou_cases(), mistakes=(
        Mistake(when=lambda c: np.isnan(c.got).any(),
                say="you returned NaN: when neither the map nor the mask has any pixel the union is empty; return 0 in "
                    "that case."),
        Mistake(like=_wrong_iou(lambda both, found, mask: both / mask),
                say="you divided by the mask's size: that is the share of the object found (recall). IoU divides by "
                    "the union of both regions."),
        Mistake(like=_wrong_iou(lambda both, found, mask: both / found),
                say="you divided by the found region's size: that is precision. IoU divides by the union of both "
                    "regions."),
        Mistake(like=_wrong_iou(lambda both, found, mask: 2 * both / (found + mask)),
                say="that is the Dice coefficient, 2|A∩B| / (|A| + |B|). IoU is |A∩B| / |A∪B|."),
        Mistake(like=_wrong_iou(lambda both, found, mask: both / (found + mask)),
                say="the union counts the pixels in both regions only once: |A| + |B| - |A∩B|, or "
                    "(found | mask).sum()."),
        Mistake(like=lambda heatmap, mask, threshold: _overlap(heatmap > threshold, mask),
                say="a pixel exactly at the threshold counts as found: use heatmap >= threshold."),
    ), otherwise="for this heatmap and mask at threshold {threshold} the IoU is {want:.4f}; yours is {got:.4f}.")}
    hints = (
        "First the region the map finds: found = heatmap >= threshold. Then compare it with the mask.",
        "Intersection: pixels in both, (found & mask).sum(). Union: pixels in either, (found | mask).sum().",
        "Return intersection / union (and 0 when the union is empty).",
    )
    answer = """
        def iou(heatmap, mask, threshold=0.5):
            found = heatmap >= threshold
            union = (found | mask).sum()
            return (found & mask).sum() / union if union else 0.0
    """
    praise = "intersection over union of the thresholded map and the mask, as course_utils.explain.mask_iou."


q1 = DeletionAUC("q1")
q2 = Spearman("q2")
q3 = SanityVerdict("q3")
q4 = PointingHit("q4")
q5 = MaskIoU("q5")
