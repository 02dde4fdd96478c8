"""Lesson 10 exercises: a triplet loss by hand, the batch-hard triplet loss in NumPy, the angle and scale that align
a pair of eyes, a verification threshold chosen on validation pairs, and the AUC by counting pairs."""
import numpy as np

from .core import Function, Mistake, Question, Value, ____, as_array

__all__ = ["ANCHOR", "EYE_GAP_PIXELS", "LEFT_EYE", "MARGIN", "NEGATIVE", "OTHER_SCORES", "POSITIVE", "RIGHT_EYE",
           "SAME_SCORES", "TEST_SAME", "TEST_SIMILARITY", "VAL_SAME", "VAL_SIMILARITY", "____",
           "q1", "q2", "q3", "q4", "q5"]


def _percent(name, want):
    return Mistake(when=lambda c: abs(c.got - 100 * want) <= 0.1,
                   say=f"give `{name}` as a fraction between 0 and 1, not a percentage.")


# q1: three 2-d unit-length embeddings; squared distances from the anchor: 0.8 to the positive, 0.4 to the negative
ANCHOR, POSITIVE, NEGATIVE = (0.6, 0.8), (1.0, 0.0), (0.96, 0.28)
MARGIN = 0.2


def _squared(u, v):
    return float(np.sum(np.subtract(u, v) ** 2))


_D_AP, _D_AN, _D_PN = _squared(ANCHOR, POSITIVE), _squared(ANCHOR, NEGATIVE), _squared(POSITIVE, NEGATIVE)
_LOSS = max(0.0, _D_AP - _D_AN + MARGIN)


class TripletByHand(Question):
    checks = {"loss": Value(_LOSS, mistakes=(
        Mistake(like=np.sqrt(_D_AP) - np.sqrt(_D_AN) + MARGIN,
                say="you used plain distances. The triplet loss of FaceNet and of the lesson uses SQUARED distances: "
                    "d(a, p) = (a_x - p_x)² + (a_y - p_y)², with no square root."),
        Mistake(like=_D_AP - _D_AN - MARGIN,
                say="you subtracted the margin. The loss asks the negative to be farther from the anchor than the "
                    "positive by at least the margin, so it ADDS it: max(0, d(a, p) - d(a, n) + MARGIN)."),
        Mistake(like=_D_AP - _D_AN,
                say=f"you left out the margin: {_D_AP:g} - {_D_AN:g} is only the gap; add MARGIN to it."),
        Mistake(like=max(0.0, _D_AP - _D_PN + MARGIN),
                say=f"you measured the negative's distance from the POSITIVE ({_D_PN:g}); both distances are "
                    "measured from the anchor: d(a, p) and d(a, n)."),
        Mistake(when=lambda c: c.got < 0,
                say="a triplet loss is never negative: max(0, ...) clips it at 0. And here it is not even 0: "
                    "check that you subtract d(a, n) from d(a, p), not the other way round."),
        Mistake(like=0,
                say=f"0 would mean the triplet is already easy, but the negative ({_D_AN:g} away) is CLOSER to the "
                    f"anchor than the positive ({_D_AP:g}). Check the order: d(a, p) - d(a, n) + MARGIN."),
        _percent("loss", _LOSS),
    ), otherwise="{got:.3f} is not the loss. Work out the two squared distances from the anchor first.",
        tolerance=0.001)}
    hints = (
        ("The squared distance of two points is d(u, v) = (u_x - v_x)² + (u_y - v_y)², with no square root. Both "
         "distances are measured from the anchor: d(ANCHOR, POSITIVE) and d(ANCHOR, NEGATIVE)."),
        (f"d(ANCHOR, POSITIVE) = 0.4² + 0.8² = {_D_AP:g}. Work out d(ANCHOR, NEGATIVE) the same way, then "
         "max(0, d(a, p) - d(a, n) + MARGIN)."),
        f"d(ANCHOR, NEGATIVE) = 0.36² + 0.52² = {_D_AN:g}, so loss = max(0, {_D_AP:g} - {_D_AN:g} + {MARGIN}).",
    )
    answer = f"""
        d_ap = (0.6 - 1.0) ** 2 + (0.8 - 0.0) ** 2    # {_D_AP:g}
        d_an = (0.6 - 0.96) ** 2 + (0.8 - 0.28) ** 2  # {_D_AN:g}
        loss = max(0, d_ap - d_an + MARGIN)
    """
    praise = f"{_D_AP:g} - {_D_AN:g} + {MARGIN} = {_LOSS:g}: the negative is closer to the anchor than the positive, " \
             "so this triplet teaches. For unit-length embeddings the squared distance is 2 - 2 x their cosine " \
             "similarity, so the loss is also 2 (cos(a, n) - cos(a, p)) + margin = 2 (0.8 - 0.6) + 0.2: pushing " \
             "squared distances apart is pushing cosine similarities apart, which is why the lesson scores pairs " \
             "by cosine similarity."


# q2: the batch-hard triplet loss, checked on a hand case and on random batches of P people x K photos
def _distances(people, embeddings, root=False):
    """The (B, B) squared distances (plain ones when ``root``) and the mask of pairs that show one person."""
    people, embeddings = np.ravel(people), np.asarray(embeddings, "float64")
    squared = np.sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1)
    return np.sqrt(squared) if root else squared, people[:, None] == people[None, :]


def _hardest_positive(d, same):
    return np.where(same, d, 0).max(axis=1)


def _hardest_negative(d, same):
    return np.where(same, np.inf, d).min(axis=1)


def _triplet_loss(people, embeddings, margin=0.2):
    d, same = _distances(people, embeddings)
    return float(np.mean(np.maximum(_hardest_positive(d, same) - _hardest_negative(d, same) + margin, 0)))


def _wrong_loss(positive=_hardest_positive, negative=_hardest_negative, root=False, halved=False, clip=True,
                reduce=np.mean, fixed_margin=None):
    """A batch-hard loss with one catalogued mistake."""
    def wrong(people, embeddings, margin=0.2):
        d, same = _distances(people, embeddings, root)
        gaps = (positive(d, same) - negative(d, same)) / (2 if halved else 1) + (fixed_margin or margin)
        return float(reduce(np.maximum(gaps, 0)) if clip else reduce(gaps))
    return wrong


def _batch_all(people, embeddings, margin=0.2):
    """The mean over every valid triplet (a, p, n): p another photo of a's person, n a photo of someone else."""
    d, same = _distances(people, embeddings)
    positive = same & ~np.eye(len(same), dtype=bool)
    gaps = d[:, :, None] - d[:, None, :] + margin  # [a, p, n]
    return float(np.mean(np.maximum(gaps, 0)[positive[:, :, None] & ~same[:, None, :]]))


def _batch(seed, people, photos, dims, spread):
    """``people`` x ``photos`` unit vectors in a random order, scattered by ``spread`` around one centre per person."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(rng.choice(50, people, replace=False), photos))
    vectors = rng.normal(size=(50, dims))[labels] + spread * rng.normal(size=(len(labels), dims))
    return labels, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _loss_cases():
    """By hand: q1's three points and (0, 1), people 7 and 3 interleaved (loss 1.08); then random batches: 3 x 2 in
    2-d, 4 x 3 in 4-d grouped by person (some anchors easy), 2 x 4 in 3-d with margin 0.5."""
    by_hand = (np.array([7, 3, 7, 3]), np.array([ANCHOR, NEGATIVE, POSITIVE, (0.0, 1.0)]))
    return [by_hand, _batch(1, 3, 2, 2, 2.0), _batch(2, 4, 3, 4, 0.5), (*_batch(3, 2, 4, 3, 1.0), 0.5)]


def _easiest_positive(d, same):
    return np.where(same & ~np.eye(len(same), dtype=bool), d, np.inf).min(axis=1)


def _easiest_negative(d, same):
    return np.where(same, -np.inf, d).max(axis=1)


_EASIEST = "the hardest positive is the FARTHEST photo of the anchor's person (a max), the hardest negative the " \
           "CLOSEST photo of anyone else (a min): they are the triplet the network gets most wrong."
_NOT_SOMEONE_ELSE = "the hardest negative must be a photo of someone ELSE: take the min only over the other people " \
                    "(np.where(same, np.inf, d).min(axis=1)), or the anchor's own photos, even itself, win it."


class BatchHardLoss(Question):
    checks = {"triplet_loss": Function(_triplet_loss, _loss_cases(), mistakes=(
        Mistake(when=lambda c: c.value is None, say="your function returns None: end it with `return` and the loss."),
        Mistake(when=lambda c: c.got.shape == (len(c.people),),
                say="your function returns one loss per anchor; return their mean, one number."),
        Mistake(when=lambda c: c.got.shape != (), say="triplet_loss should return one number; yours returns shape "
                                                      "{got.shape}."),
        Mistake(like=_batch_all, say="that is the batch-ALL loss, the mean over every valid triplet. Batch-hard takes "
                                     "each anchor's hardest positive and hardest negative only, then averages over "
                                     "the anchors."),
        Mistake(like=_wrong_loss(positive=_easiest_positive), say=f"you took the easiest positive: {_EASIEST}"),
        Mistake(like=_wrong_loss(negative=_easiest_negative), say=f"you took the easiest negative: {_EASIEST}"),
        Mistake(like=_wrong_loss(_easiest_positive, _easiest_negative),
                say=f"you took the easiest triplets: {_EASIEST}"),
        Mistake(like=_wrong_loss(root=True), say="use squared distances, np.sum((e_i - e_j) ** 2), with no square "
                                                 "root, as the lesson and FaceNet do."),
        Mistake(like=_wrong_loss(halved=True),
                say="1 - cosine similarity is half the squared distance of unit vectors; use the squared Euclidean "
                    "distance itself, np.sum((e_i - e_j) ** 2)."),
        Mistake(like=_wrong_loss(negative=lambda d, same: np.where(np.eye(len(d), dtype=bool), np.inf, d).min(axis=1)),
                say=_NOT_SOMEONE_ELSE),
        Mistake(like=_wrong_loss(negative=lambda d, same: d.min(axis=1)), say=_NOT_SOMEONE_ELSE),
        Mistake(like=_wrong_loss(clip=False),
                say="clip each anchor's loss at 0 (np.maximum(..., 0)) before averaging: an easy anchor adds 0, not a "
                    "negative number that cancels a hard one."),
        Mistake(like=_wrong_loss(reduce=np.sum), say="average over the anchors (np.mean), don't sum: the loss should "
                                                     "not grow with the batch size."),
        Mistake(like=_wrong_loss(fixed_margin=0.2), say="use the `margin` argument, not a fixed 0.2."),
        Mistake(when=lambda c: c.got < 0, say="your loss is negative; each anchor's max(0, ...) makes it at least 0."),
    ), otherwise=lambda c: f"for people {c.people.tolist()} and their embeddings the loss is {c.want:.4f}; yours is "
                           f"{float(c.got):.4f}.")}
    hints = (
        ("Two (B, B) matrices first: the squared distance of every pair of embeddings, and a mask `same` of the pairs "
         "that show one person (people[:, None] == people[None, :]). Each row is an anchor."),
        ("Hardest positive of each row: the largest distance to the same person (the anchor itself counts, at 0), "
         "np.where(same, d, 0).max(axis=1). Hardest negative: the smallest distance to anyone else, "
         "np.where(same, np.inf, d).min(axis=1)."),
        ("d = np.sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1); then return "
         "np.mean(np.maximum(hardest_positive - hardest_negative + margin, 0))."),
    )
    answer = """
        def triplet_loss(people, embeddings, margin=0.2):
            people, embeddings = np.ravel(people), np.asarray(embeddings)
            d = np.sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1)  # (B, B) squared distances
            same = people[:, None] == people[None, :]
            hardest_positive = np.where(same, d, 0).max(axis=1)       # the farthest photo of the same person
            hardest_negative = np.where(same, np.inf, d).min(axis=1)  # the closest photo of someone else
            return float(np.mean(np.maximum(hardest_positive - hardest_negative + margin, 0)))
    """
    praise = "the masks do the mining: np.where(same, d, 0) hides the other people from the max, np.where(same, " \
             "np.inf, d) hides the anchor's own person from the min. Batch-all, the mean over every valid triplet, " \
             "lets the many easy triplets (loss 0) dilute the few that teach; Hermans, Beyer and Leibe (2017) found " \
             "batch-hard mining works better."


# q3: a tilted pair of eyes, (x, y) in pixels: 48 px apart across, the left eye 14 px lower, 50 px apart in all
RIGHT_EYE, LEFT_EYE = (140, 112), (188, 126)  # the person's right eye is on the photo's left
EYE_GAP_PIXELS = 35  # the lesson's 92-pixel-wide crops put the eyes 0.38 x 92 = 35 px apart
_DX, _DY = LEFT_EYE[0] - RIGHT_EYE[0], LEFT_EYE[1] - RIGHT_EYE[1]
_ANGLE = float(np.degrees(np.arctan2(_DY, _DX)))
_DISTANCE = float(np.hypot(_DX, _DY))
_SCALE = EYE_GAP_PIXELS / _DISTANCE
_YX = "y and x are swapped: np.arctan2 takes (dy, dx), y first, and each eye is given as (x, y)."
_Q3 = {
    "angle": Value(_ANGLE, mistakes=(
        Mistake(like=np.radians(_ANGLE), say="that is the angle in radians; cv2.getRotationMatrix2D takes degrees: "
                                             "np.degrees(...)."),
        Mistake(like=90 - _ANGLE, say=_YX),
        Mistake(like=np.radians(90 - _ANGLE), say=_YX + " And give degrees, not radians."),
        Mistake(like=-_ANGLE,
                say=f"the sign is flipped. y grows downwards, so the left eye, {_DY} px lower, makes a positive "
                    "angle: np.arctan2(y2 - y1, x2 - x1) from the right eye (x1, y1). A positive angle is what "
                    "cv2.getRotationMatrix2D needs: it turns counter-clockwise on screen, lifting that eye."),
        Mistake(when=lambda c: abs(abs(c.got) - (180 - _ANGLE)) <= 0.05,
                say="you went from the left eye to the right one; that line points the other way and would turn the "
                    "face upside down. Go from RIGHT_EYE (x1, y1) to LEFT_EYE (x2, y2)."),
        Mistake(when=lambda c: abs(c.got - _ANGLE) <= 1, say="close: give the angle to two decimals."),
    ), otherwise="{got:.2f} is not the tilt of the eyes. Use np.degrees(np.arctan2(dy, dx)) from the right eye to the "
                 "left one.", tolerance=0.01),
    "scale": Value(_SCALE, mistakes=(
        Mistake(like=1 / _SCALE, say="your scale is upside down: wanted / measured, EYE_GAP_PIXELS / (the eyes' "
                                     "distance), so that they end EYE_GAP_PIXELS apart."),
        Mistake(like=EYE_GAP_PIXELS / _DX, say=f"you used the horizontal distance, {_DX} px; the eyes are "
                                               "sqrt(dx² + dy²) apart (np.hypot(dx, dy))."),
        Mistake(like=EYE_GAP_PIXELS / _DISTANCE ** 2, say=f"{_DISTANCE ** 2:g} is the SQUARED distance of the eyes; "
                                                         "take its square root (np.hypot(dx, dy))."),
        _percent("scale", _SCALE),
    ), otherwise="{got:.3f} is not the scale: EYE_GAP_PIXELS over the distance between the eyes.", tolerance=0.001),
}


class AlignEyes(Question):
    checks = _Q3
    hints = (
        ("The tilt is the angle of the line from the right eye (x1, y1) to the left eye (x2, y2): np.arctan2(dy, dx) "
         "in radians, with y pointing down. The scale is the wanted eye distance over the measured one."),
        (f"dx = {LEFT_EYE[0]} - {RIGHT_EYE[0]} = {_DX} and dy = {LEFT_EYE[1]} - {RIGHT_EYE[1]} = {_DY}. "
         "np.degrees turns radians into degrees; np.hypot(dx, dy) is the distance."),
        f"angle = np.degrees(np.arctan2({_DY}, {_DX})) and np.hypot({_DX}, {_DY}) = {_DISTANCE:g}, so scale = "
        f"{EYE_GAP_PIXELS} / {_DISTANCE:g}.",
    )
    answer = """
        (x1, y1), (x2, y2) = RIGHT_EYE, LEFT_EYE
        angle = np.degrees(np.arctan2(y2 - y1, x2 - x1))      # the left eye is lower: a positive tilt
        scale = EYE_GAP_PIXELS / np.hypot(x2 - x1, y2 - y1)   # wanted distance / measured distance
    """
    praise = f"{_ANGLE:.2f}° and {_SCALE:g}. The rotation part of cv2.getRotationMatrix2D(centre, angle, scale) is " \
             "scale x [[cos, sin], [-sin, cos]], and cos and sin are just dx and dy over the distance " \
             f"({_DX / _DISTANCE:g} and {_DY / _DISTANCE:g}): an aligner needs no trigonometry at all, only the two " \
             "eyes."


# q4: cosine similarities of the lesson's eigenfaces (rounded) for pairs drawn at random: 32 pairs of the 5
# validation people (8 of them same-person) and 40 pairs of the 10 test people (10 same-person)
VAL_SIMILARITY = np.array([-0.05, -0.67, 0.71, 0.33, -0.55, 0.33, -0.20, -0.20, 0.10, 0.50, -0.19, -0.03, 0.81, 0.47,
                           -0.66, 0.85, -0.18, 0.41, 0.29, 0.48, 0.37, 0.96, -0.25, 0.87, -0.46, -0.21, -0.71, 0.83,
                           -0.52, -0.24, 0.36, 0.43])
VAL_SAME = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
                    bool)
TEST_SIMILARITY = np.array([0.30, -0.13, -0.19, 0.27, 0.04, -0.06, 0.43, 0.37, 0.11, 0.51, -0.05, 0.17, -0.26, 0.39,
                            -0.45, 0.09, 0.47, 0.63, 0.87, -0.39, -0.19, -0.23, 0.58, 0.94, 0.22, -0.11, -0.15, 0.75,
                            0.61, 0.14, -0.20, 0.41, 0.22, -0.33, 0.12, 0.24, 0.26, -0.13, 0.83, -0.23])
TEST_SAME = np.array([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1,
                      1, 0, 0, 0, 0, 0, 1, 0], bool)


def _rates(similarity, same, threshold, accepts=np.greater_equal):
    """The true positive and true negative rates when a pair is called 'same' if ``accepts(similarity, threshold)``."""
    called_same = accepts(similarity, threshold)
    return np.mean(called_same[same]), np.mean(~called_same[~same])


def _balanced(similarity, same, threshold, accepts=np.greater_equal):
    return float(np.mean(_rates(similarity, same, threshold, accepts)))


def _accuracy(similarity, same, threshold):
    return float(np.mean((similarity >= threshold) == same))


def _best(similarity, same, score=_balanced):
    """The similarity that is the best threshold by ``score``, and the one below it: thresholds between the two give
    the same answers."""
    candidates = np.unique(similarity)
    best = int(np.argmax([score(similarity, same, t) for t in candidates]))
    return float(candidates[best]), float(candidates[best - 1])


_THRESHOLD, _BELOW = _best(VAL_SIMILARITY, VAL_SAME)
_PLAIN, _PLAIN_BELOW = _best(VAL_SIMILARITY, VAL_SAME, _accuracy)
_ON_TEST, _ON_TEST_BELOW = _best(TEST_SIMILARITY, TEST_SAME)
_VAL_BALANCED = _balanced(VAL_SIMILARITY, VAL_SAME, _THRESHOLD)
_TEST_BALANCED = _balanced(TEST_SIMILARITY, TEST_SAME, _THRESHOLD)
_TPR, _TNR = _rates(TEST_SIMILARITY, TEST_SAME, _THRESHOLD)
_BEST_ON_TEST = _balanced(TEST_SIMILARITY, TEST_SAME, _ON_TEST)


def _threshold_missed(c):
    reached = _balanced(VAL_SIMILARITY, VAL_SAME, float(c.got))
    return f"at threshold {float(c.got):.2f} the validation pairs' balanced accuracy is {reached:.3f}, but another " \
           f"threshold reaches {_VAL_BALANCED:.3f}. Try each validation similarity as the threshold."


_Q4 = {
    "threshold": Value(_THRESHOLD, mistakes=(
        Mistake(when=lambda c: _ON_TEST_BELOW < c.got <= _ON_TEST,
                say="that is the best threshold for the TEST pairs. Choose it on the validation pairs only: the test "
                    "people stand for the people a deployed system meets later, whose answers nobody knows yet."),
        Mistake(when=lambda c: _PLAIN_BELOW < c.got <= _PLAIN,
                say="that threshold gives the best plain accuracy. With three different-person pairs for each "
                    "same-person pair, plain accuracy favours saying 'different'; maximise the balanced accuracy, "
                    "(TPR + TNR) / 2."),
        Mistake(like=_BELOW,
                say=f"at {_BELOW:.2f}, a pair whose similarity is exactly {_BELOW:.2f} is called 'same' too: you "
                    "probably compared with >. A pair is 'same' when similarity >= threshold."),
    ), otherwise=_threshold_missed, tolerance=0.0005),
    "test_balanced_accuracy": Value(_TEST_BALANCED, mistakes=(
        Mistake(like=_balanced(TEST_SIMILARITY, TEST_SAME, _THRESHOLD, np.greater),
                say=f"a test pair's similarity is exactly {_THRESHOLD:.2f}, the threshold: it is called 'same' "
                    "(similarity >= threshold)."),
        Mistake(like=_accuracy(TEST_SIMILARITY, TEST_SAME, _THRESHOLD),
                say="that is plain accuracy, dominated by the 30 different-person pairs; give the balanced accuracy, "
                    "(TPR + TNR) / 2."),
        Mistake(like=_VAL_BALANCED, say="that is the balanced accuracy on the VALIDATION pairs; apply the threshold "
                                        "to TEST_SIMILARITY and TEST_SAME."),
        Mistake(like=_BEST_ON_TEST, say="that is the best balanced accuracy the test pairs allow, with a threshold "
                                        "chosen on them. Report the one at the threshold from validation."),
        Mistake(like=_TPR, say="that is only the true positive rate; average it with the true negative rate."),
        Mistake(like=_TNR, say="that is only the true negative rate; average it with the true positive rate."),
        _percent("test_balanced_accuracy", _TEST_BALANCED),
    ), otherwise="{got:.3f} is not the test pairs' balanced accuracy at your threshold: the mean of the share of "
                 "same-person pairs called 'same' and the share of different-person pairs called 'different'.",
        tolerance=0.001),
}


class ChooseThreshold(Question):
    checks = _Q4
    hints = (
        ("Try each validation similarity as the threshold t: a pair is called 'same' when its similarity >= t. "
         "Balanced accuracy = (TPR + TNR) / 2, with TPR the share of same-person pairs called 'same' and TNR the share "
         "of different-person pairs called 'different'."),
        ("For one t: np.mean(VAL_SIMILARITY[VAL_SAME] >= t) is the TPR and np.mean(VAL_SIMILARITY[~VAL_SAME] < t) the "
         "TNR. Keep the t with the highest balanced accuracy (np.argmax), then apply it, unchanged, to the test "
         "pairs."),
        ("candidates = np.unique(VAL_SIMILARITY); threshold = candidates[np.argmax([balanced_accuracy(VAL_SIMILARITY, "
         "VAL_SAME, t) for t in candidates])], with balanced_accuracy a small function of yours."),
    )
    answer = """
        def balanced_accuracy(similarity, same, threshold):
            return (np.mean(similarity[same] >= threshold) + np.mean(similarity[~same] < threshold)) / 2

        candidates = np.unique(VAL_SIMILARITY)
        threshold = candidates[np.argmax([balanced_accuracy(VAL_SIMILARITY, VAL_SAME, t) for t in candidates])]
        test_balanced_accuracy = balanced_accuracy(TEST_SIMILARITY, TEST_SAME, threshold)
    """
    praise = f"threshold {_THRESHOLD:.2f}: {_VAL_BALANCED:.1%} balanced accuracy on the validation pairs, " \
             f"{_TEST_BALANCED:.1%} on the test pairs. A threshold fitted to 8 same-person pairs looks better on " \
             f"them than on new people; one chosen on the test pairs would claim {_BEST_ON_TEST:.1%}, a number no " \
             "deployed system could know in advance."

    def verify(self, threshold, test_balanced_accuracy):
        if _BELOW < float(as_array(threshold, "threshold", shape=())) < _THRESHOLD:
            threshold = _THRESHOLD  # between two validation similarities: the same answers, as right
        super().verify(threshold=threshold, test_balanced_accuracy=test_balanced_accuracy)


# q5: eigenface similarities (rounded) of 4 same-person and 6 different-person pairs of the test people, no ties
SAME_SCORES = np.array([0.71, 0.42, 0.48, 0.81])
OTHER_SCORES = np.array([0.79, -0.19, 0.32, 0.04, 0.38, -0.18])
_WINS = int(np.sum(SAME_SCORES[:, None] > OTHER_SCORES[None, :]))
_PAIRS = SAME_SCORES.size * OTHER_SCORES.size
_AUC = _WINS / _PAIRS
_SCORES = SAME_SCORES.size + OTHER_SCORES.size


class AucByCounting(Question):
    checks = {"auc": Value(_AUC, mistakes=(
        Mistake(like=1 - _AUC, say="you counted the pairs in which the DIFFERENT-person pair scores higher; the AUC "
                                   "counts those in which the same-person pair does."),
        Mistake(like=(np.sum(SAME_SCORES >= 0.5) + np.sum(OTHER_SCORES < 0.5)) / _SCORES,
                say="that is the accuracy at threshold 0.5. The AUC needs no threshold: it compares every same-person "
                    "score with every different-person score."),
        Mistake(like=_WINS / _SCORES, say=f"divide by the number of (same, other) pairs, {SAME_SCORES.size} x "
                                          f"{OTHER_SCORES.size} = {_PAIRS}, not by the {_SCORES} scores."),
        Mistake(like=_WINS / (_SCORES * (_SCORES - 1) / 2),
                say=f"only (same, other) pairs count, {SAME_SCORES.size} x {OTHER_SCORES.size} = {_PAIRS}; not every "
                    f"pair of the {_SCORES} scores."),
        Mistake(like=_WINS, say=f"{_WINS} is the count; divide it by the {_PAIRS} pairs."),
        _percent("auc", _AUC),
    ), otherwise="{got:.3f} is not the AUC. Compare each of the 4 same-person scores with each of the 6 others.",
        tolerance=0.001)}
    hints = (
        (f"Pair each of the {SAME_SCORES.size} same-person scores with each of the {OTHER_SCORES.size} "
         f"different-person scores: {_PAIRS} pairs. The AUC is the share of those pairs in which the same-person "
         "score is the higher."),
        ("Take the same-person scores one at a time: how many of the six others does 0.71 beat? "
         "SAME_SCORES[:, None] > OTHER_SCORES[None, :] compares all of them at once, as a 4 x 6 table."),
        "0.42, 0.48 and 0.71 each beat 5 of the 6 (all but 0.79); 0.81 beats all 6.",
    )
    answer = """
        auc = np.mean(SAME_SCORES[:, None] > OTHER_SCORES[None, :])  # the share of the 4 x 6 pairs won
    """
    praise = f"{_WINS} of {_PAIRS}: {_AUC:g}. That count is the Mann-Whitney U statistic, and divided by the number " \
             "of pairs it equals the area under the ROC curve. No threshold is involved: the AUC says how well the " \
             "scores rank pairs, not how a system set at one threshold will do."


q1 = TripletByHand("q1")
q2 = BatchHardLoss("q2")
q3 = AlignEyes("q3")
q4 = ChooseThreshold("q4")
q5 = AucByCounting("q5")
