"""Checker tests for lesson 10's exercises: right answers pass, wrong ones say what is wrong."""
import itertools
import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.exercises import ex10
from course_utils.exercises.core import ____
from course_utils.faces import load_orl_faces
from tests.conftest import check, message, status


def squared(u, v):
    return float(np.sum((np.asarray(u) - np.asarray(v)) ** 2))


# q1: a triplet loss by hand: d(a, p) = 0.8, d(a, n) = 0.4, loss 0.6

def test_q1_points_are_as_the_hints_say():
    assert all(np.isclose(np.linalg.norm(p), 1) for p in (ex10.ANCHOR, ex10.POSITIVE, ex10.NEGATIVE))
    assert np.isclose(squared(ex10.ANCHOR, ex10.POSITIVE), 0.8) and np.isclose(squared(ex10.ANCHOR, ex10.NEGATIVE), 0.4)
    assert np.isclose(np.dot(ex10.ANCHOR, ex10.POSITIVE), 0.6) and np.isclose(np.dot(ex10.ANCHOR, ex10.NEGATIVE), 0.8)


def test_q1_right():
    a, p, n = map(np.array, (ex10.ANCHOR, ex10.POSITIVE, ex10.NEGATIVE))
    for loss in (0.6, max(0, 0.8 - 0.4 + 0.2), np.maximum(0, np.sum((a - p) ** 2) - np.sum((a - n) ** 2) + 0.2),
                 np.float32(0.6), 0.60):
        assert status(ex10.q1, loss=loss) == "correct"


@pytest.mark.parametrize("loss, clue", [
    (math.sqrt(0.8) - math.sqrt(0.4) + 0.2, "SQUARED distances"),
    (0.8 - 0.4 - 0.2, "subtracted the margin"),
    (0.4, "left out the margin"),
    (0.8 - 0.08 + 0.2, "from the POSITIVE"),
    (0.4 - 0.8 + 0.2, "never negative"),
    (-0.6, "never negative"),
    (0, "CLOSER to the anchor"),
    (60, "percentage"),
    (0.7, "not the loss"),
    ("six tenths", "numeric"),
    ([0.6, 0.2], "shape"),
])
def test_q1_wrong(loss, clue):
    check(ex10.q1, "loss", loss, clue)


def test_q1_placeholder():
    assert status(ex10.q1, loss=____) == "not attempted"
    assert status(ex10.q1, loss=____ - 0.4 + 0.2) == "not attempted"
    assert "not defined yet" in message(ex10.q1)


# q2: the batch-hard triplet loss

tf = pytest.importorskip("tensorflow")


def lesson_loss(people, embeddings, margin=0.2):
    """The lesson's TensorFlow triplet loss, as written there."""
    people = tf.reshape(tf.cast(people, tf.int32), [-1])
    squared = tf.reduce_sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1)
    same = tf.equal(people[:, None], people[None, :])
    hardest_positive = tf.reduce_max(tf.where(same, squared, 0.0), axis=1)
    hardest_negative = tf.reduce_min(tf.where(same, np.inf, squared), axis=1)
    return tf.reduce_mean(tf.nn.relu(hardest_positive - hardest_negative + margin))


def test_q2_reference_is_the_lessons_loss():
    for case in ex10._loss_cases():
        people, embeddings, *margin = case
        want = float(lesson_loss(tf.constant(people), tf.constant(embeddings, tf.float32), *margin))
        assert np.isclose(ex10._triplet_loss(*case), want, atol=1e-5)


def test_q2_cases_hold_what_they_promise():
    by_hand, *random = ex10._loss_cases()
    assert np.isclose(ex10._triplet_loss(*by_hand), (0.6 + 0.92 + 1.56 + 1.24) / 4)  # anchor by anchor, by hand
    people = [case[0] for case in random]
    assert [np.bincount(np.unique(p, return_inverse=True)[1]).tolist() for p in people] == [[2] * 3, [3] * 4, [4] * 2]
    assert any(list(p) != sorted(p) for p in people)  # photos of one person are not always side by side
    for wrong in (ex10._wrong_loss(clip=False), ex10._wrong_loss(fixed_margin=0.2)):  # both matter somewhere
        assert any(not np.isclose(wrong(*case), ex10._triplet_loss(*case)) for case in random)


def numpy_loss(people, embeddings, margin=0.2):
    people, embeddings = np.ravel(people), np.asarray(embeddings)
    d = np.sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1)
    same = people[:, None] == people[None, :]
    return np.mean(np.maximum(np.where(same, d, 0).max(axis=1) - np.where(same, np.inf, d).min(axis=1) + margin, 0))


def loop_loss(people, embeddings, margin=0.2):
    losses = []
    for a in range(len(people)):
        positive = max(squared(embeddings[a], embeddings[p]) for p in range(len(people)) if people[p] == people[a])
        negative = min(squared(embeddings[a], embeddings[n]) for n in range(len(people)) if people[n] != people[a])
        losses.append(max(0.0, positive - negative + margin))
    return sum(losses) / len(losses)


def test_q2_right():
    for loss in (numpy_loss, loop_loss, lesson_loss, lambda people, embeddings, margin=0.2: numpy_loss(
            list(people), embeddings.tolist(), margin)):
        assert status(ex10.q2, triplet_loss=loss) == "correct"


def pieces(people, embeddings, root=False):
    people, embeddings = np.ravel(people), np.asarray(embeddings)
    d = np.sum((embeddings[:, None, :] - embeddings[None, :, :]) ** 2, axis=-1)
    return (np.sqrt(d) if root else d), people[:, None] == people[None, :], np.eye(len(people), dtype=bool)


def variant(positive="hardest", negative="hardest", root=False, half=False, clip="each", reduce=np.mean, fixed=None):
    """A learner's triplet loss with one thing changed."""
    def loss(people, embeddings, margin=0.2):
        d, same, eye = pieces(people, embeddings, root)
        d = d / 2 if half else d
        pos = {"hardest": np.where(same, d, 0).max(axis=1),
               "easiest": np.where(same & ~eye, d, np.inf).min(axis=1)}[positive]
        neg = {"hardest": np.where(same, np.inf, d).min(axis=1), "easiest": np.where(same, -np.inf, d).max(axis=1),
               "all but itself": np.where(eye, np.inf, d).min(axis=1), "everyone": d.min(axis=1)}[negative]
        gaps = pos - neg + (fixed or margin)
        return {"each": reduce(np.maximum(gaps, 0)), "none": reduce(gaps), "after": max(reduce(gaps), 0)}[clip]
    return loss


def batch_all(people, embeddings, margin=0.2):
    d, same, eye = pieces(people, embeddings)
    losses = [max(0, d[a, p] - d[a, n] + margin) for a, p, n in itertools.permutations(range(len(d)), 3)
              if same[a, p] and not same[a, n]]
    return np.mean(losses)


@pytest.mark.parametrize("wrong, clue", [
    (batch_all, "batch-ALL"),
    (variant("easiest", "easiest"), "you took the easiest"),
    (variant(positive="easiest"), "easiest positive"),
    (variant(negative="easiest"), "easiest negative"),
    (variant(root=True), "no square root"),
    (variant(half=True), "1 - cosine similarity"),
    (variant(negative="all but itself"), "someone ELSE"),
    (variant(negative="everyone"), "someone ELSE"),
    (variant(clip="none"), "clip each anchor's loss at 0 (np.maximum"),
    (variant(clip="after"), "clip each anchor's loss at 0 (np.maximum"),
    (variant(reduce=np.sum), "don't sum"),
    (variant(fixed=0.2), "`margin` argument"),
    (lambda people, embeddings, margin=0.2: -numpy_loss(people, embeddings, margin), "negative"),
    (lambda people, embeddings, margin=0.2: np.zeros(len(people)), "one loss per anchor"),
    (lambda people, embeddings, margin=0.2: np.zeros((2, 2)), "shape (2, 2)"),
    (lambda people, embeddings, margin=0.2: None, "returns None"),
    (lambda people, embeddings, margin=0.2: 0.5, "the loss is 1.0800; yours is 0.5000"),
    (lambda people, embeddings, margin=0.2: "loss", "numeric"),
    (lambda people: 0.5, "TypeError"),
    (lambda people, embeddings, margin=0.2: people.no_such_attribute, "AttributeError"),
    (0.6, "expected a function"),
])
def test_q2_wrong(wrong, clue):
    check(ex10.q2, "triplet_loss", wrong, clue)


def test_q2_placeholder():
    assert status(ex10.q2, triplet_loss=____) == "not attempted"
    assert status(ex10.q2, triplet_loss=lambda people, embeddings, margin=0.2: ____) == "not attempted"


# q3: the angle and scale that align a pair of eyes

def test_q3_eyes_are_as_the_hints_say():
    (x1, y1), (x2, y2) = ex10.RIGHT_EYE, ex10.LEFT_EYE
    assert (x2 - x1, y2 - y1, math.hypot(x2 - x1, y2 - y1)) == (48, 14, 50)
    assert round(0.38 * 92) == ex10.EYE_GAP_PIXELS  # the lesson's crops


def test_q3_answer_levels_the_eyes_with_opencv():
    """cv2.getRotationMatrix2D with the answer puts the eyes level and EYE_GAP_PIXELS apart."""
    import cv2

    centre = np.mean([ex10.RIGHT_EYE, ex10.LEFT_EYE], axis=0)
    matrix = cv2.getRotationMatrix2D(tuple(centre), ex10._ANGLE, ex10._SCALE)
    (x1, y1), (x2, y2) = (matrix @ np.array([[*ex10.RIGHT_EYE, 1], [*ex10.LEFT_EYE, 1]]).T).T
    assert np.isclose(y1, y2) and np.isclose(x2 - x1, ex10.EYE_GAP_PIXELS)


RIGHT_Q3 = {"angle": math.degrees(math.atan2(14, 48)), "scale": 0.7}


def test_q3_right():
    assert status(ex10.q3, **RIGHT_Q3) == "correct"
    assert status(ex10.q3, angle=np.degrees(np.arctan(14 / 48)), scale=35 / np.hypot(48, 14)) == "correct"
    assert status(ex10.q3, angle=16.26, scale=np.float32(0.7)) == "correct"


@pytest.mark.parametrize("changes, clue", [
    ({"angle": math.atan2(14, 48)}, "radians"),
    ({"angle": math.degrees(math.atan2(48, 14))}, "y and x are swapped"),
    ({"angle": math.atan2(48, 14)}, "And give degrees"),
    ({"angle": -RIGHT_Q3["angle"]}, "sign is flipped"),
    ({"angle": math.degrees(math.atan2(-14, -48))}, "from the left eye to the right one"),
    ({"angle": 180 - RIGHT_Q3["angle"]}, "from the left eye to the right one"),
    ({"angle": 16}, "close"),
    ({"angle": 30}, "not the tilt"),
    ({"angle": "16 degrees"}, "numeric"),
    ({"scale": 50 / 35}, "upside down"),
    ({"scale": 35 / 48}, "horizontal distance"),
    ({"scale": 35 / 2500}, "SQUARED distance"),
    ({"scale": 70}, "percentage"),
    ({"scale": 0.5}, "not the scale"),
    ({"scale": [0.7, 0.7]}, "shape"),
])
def test_q3_wrong(changes, clue):
    result = ex10.q3.evaluate({**RIGHT_Q3, **changes})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q3_placeholder():
    assert status(ex10.q3, angle=____, scale=____) == "not attempted"
    assert status(ex10.q3, angle=RIGHT_Q3["angle"], scale=____ / 50) == "not attempted"


# q4 and q5: eigenface similarities of real pairs

def pair_similarities(embeddings, people):
    """As in the lesson: the cosine similarity of every pair, and whether it shows one person."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    first, second = np.triu_indices(len(unit), k=1)
    return np.sum(unit[first] * unit[second], axis=1), people[first] == people[second]


def eigenface_pairs():
    """The lesson's split by people and 50 eigenfaces: the pairs of the validation and of the test people."""
    orl = load_orl_faces(verbose=False)
    pixels = orl.images.reshape(len(orl.images), -1).astype("float32") / 255
    order = np.random.default_rng(0).permutation(40)
    test, val, train = (np.isin(orl.people, group) for group in (order[:10], order[10:15], order[15:]))
    mean_face = pixels[train].mean(axis=0)
    directions = np.linalg.svd(pixels[train] - mean_face, full_matrices=False)[2][:50]
    embeddings = (pixels - mean_face) @ directions.T
    return [pair_similarities(embeddings[group], orl.people[group]) for group in (val, test)]


def draw(rng, similarity, same, n_same, n_other, shuffle=True):
    """``n_same`` same-person and ``n_other`` different-person pairs at random, rounded to 2 decimals."""
    picked = np.concatenate([rng.choice(np.flatnonzero(same), n_same, replace=False),
                             rng.choice(np.flatnonzero(~same), n_other, replace=False)])
    if shuffle:
        rng.shuffle(picked)
    return similarity[picked], same[picked]


def test_q4_q5_scores_are_real_eigenface_pairs():
    (val_similarity, val_same), (test_similarity, test_same) = eigenface_pairs()
    rng = np.random.default_rng(182)
    for similarity, same, (want, want_same) in (
            (ex10.VAL_SIMILARITY, ex10.VAL_SAME, draw(rng, val_similarity, val_same, 8, 24)),
            (ex10.TEST_SIMILARITY, ex10.TEST_SAME, draw(rng, test_similarity, test_same, 10, 30))):
        np.testing.assert_allclose(similarity, want, atol=0.0051)
        np.testing.assert_array_equal(same, want_same)
    scores, _ = draw(np.random.default_rng(4), test_similarity, test_same, 4, 6, shuffle=False)
    np.testing.assert_allclose(np.concatenate([ex10.SAME_SCORES, ex10.OTHER_SCORES]), scores, atol=0.0051)


# q4: a threshold chosen on validation pairs

def balanced(similarity, same, t):
    return (np.mean(similarity[same] >= t) + np.mean(similarity[~same] < t)) / 2


def best_threshold(similarity, same):
    """The lesson's."""
    candidates = np.unique(similarity)
    return candidates[int(np.argmax([balanced(similarity, same, t) for t in candidates]))]


def test_q4_pairs_are_as_designed():
    """One best threshold on validation (0.43), the next similarity below it 0.41, and no test pair in between;
    plain accuracy, the > rule and the test pairs each pick another; one test pair sits exactly at 0.43."""
    candidates = np.unique(ex10.VAL_SIMILARITY)
    scores = [balanced(ex10.VAL_SIMILARITY, ex10.VAL_SAME, t) for t in candidates]
    assert sorted(scores)[-1] > sorted(scores)[-2] and best_threshold(ex10.VAL_SIMILARITY, ex10.VAL_SAME) == 0.43
    assert (ex10._THRESHOLD, ex10._BELOW, ex10._PLAIN, ex10._ON_TEST) == (0.43, 0.41, 0.5, 0.37)
    assert not np.any((ex10.TEST_SIMILARITY > ex10._BELOW) & (ex10.TEST_SIMILARITY < ex10._THRESHOLD))
    assert np.sum(ex10.TEST_SIMILARITY == 0.43) == 1
    values = [ex10._TEST_BALANCED, ex10._BEST_ON_TEST, ex10._VAL_BALANCED, ex10._TPR, ex10._TNR,
              balanced(ex10.TEST_SIMILARITY, ex10.TEST_SAME, 0.4301), np.mean((ex10.TEST_SIMILARITY >= 0.43) ==
                                                                              ex10.TEST_SAME)]
    assert min(abs(a - b) for a, b in itertools.combinations(values, 2)) > 0.01, values


def test_q4_right():
    threshold = best_threshold(ex10.VAL_SIMILARITY, ex10.VAL_SAME)
    answer = balanced(ex10.TEST_SIMILARITY, ex10.TEST_SAME, threshold)
    assert status(ex10.q4, threshold=threshold, test_balanced_accuracy=answer) == "correct"
    assert status(ex10.q4, threshold=0.42, test_balanced_accuracy=0.8) == "correct"  # the same answers as 0.43
    assert status(ex10.q4, threshold=np.float32(0.43), test_balanced_accuracy=np.float32(0.8)) == "correct"


def at(threshold, **changes):
    return {"threshold": threshold, "test_balanced_accuracy": 0.8, **changes}


@pytest.mark.parametrize("values, clue", [
    (at(0.37), "best threshold for the TEST pairs"),
    (at(0.35, test_balanced_accuracy=53 / 60), "best threshold for the TEST pairs"),
    (at(0.5), "plain accuracy"),
    (at(0.49), "plain accuracy"),
    (at(0.41), "compared with >"),
    (at(0.71), "balanced accuracy is 0.875, but another threshold reaches 0.958"),
    (at("high"), "numeric"),
    (at([0.43]), "shape"),
    (at(0.43, test_balanced_accuracy=49 / 60), "exactly 0.43"),
    (at(0.43, test_balanced_accuracy=0.85), "plain accuracy"),
    (at(0.43, test_balanced_accuracy=23 / 24), "VALIDATION pairs"),
    (at(0.43, test_balanced_accuracy=53 / 60), "best balanced accuracy the test pairs allow"),
    (at(0.43, test_balanced_accuracy=0.7), "true positive rate"),
    (at(0.43, test_balanced_accuracy=0.9), "true negative rate"),
    (at(0.43, test_balanced_accuracy=80), "percentage"),
    (at(0.43, test_balanced_accuracy=0.75), "not the test pairs' balanced accuracy"),
])
def test_q4_wrong(values, clue):
    result = ex10.q4.evaluate(values)
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q4_placeholder():
    assert status(ex10.q4, threshold=____, test_balanced_accuracy=____) == "not attempted"
    assert status(ex10.q4, **at(0.43, test_balanced_accuracy=____)) == "not attempted"


# q5: the AUC by counting pairs

def roc_auc(same_scores, other_scores):
    """The lesson's ROC by sorting, and the trapezoid rule."""
    similarity = np.concatenate([same_scores, other_scores])
    same = np.arange(len(similarity)) < len(same_scores)
    order = np.argsort(-similarity, kind="stable")
    tpr = np.concatenate([[0], np.cumsum(same[order]) / same.sum()])
    fpr = np.concatenate([[0], np.cumsum(~same[order]) / (~same).sum()])
    return np.trapezoid(tpr, fpr) if hasattr(np, "trapezoid") else np.trapz(tpr, fpr)


def test_q5_scores_are_as_designed():
    scores = np.concatenate([ex10.SAME_SCORES, ex10.OTHER_SCORES])
    assert len(np.unique(scores)) == 10 and ex10._AUC == 21 / 24
    assert roc_auc(ex10.SAME_SCORES, ex10.OTHER_SCORES) == 21 / 24
    keras_auc = tf.keras.metrics.AUC(num_thresholds=4001)
    keras_auc.update_state(np.arange(10) < 4, (scores + 1) / 2)
    assert abs(float(keras_auc.result()) - 21 / 24) < 1e-3


def test_q5_right():
    s, o = ex10.SAME_SCORES, ex10.OTHER_SCORES
    for auc in (21 / 24, 0.875, np.mean(s[:, None] > o[None, :]), roc_auc(s, o),
                sum(a > b for a in s for b in o) / (len(s) * len(o))):
        assert status(ex10.q5, auc=auc) == "correct"


@pytest.mark.parametrize("auc, clue", [
    (3 / 24, "DIFFERENT-person pair scores higher"),
    (0.7, "accuracy at threshold 0.5"),
    (2.1, "not by the 10 scores"),
    (21 / 45, "not every pair of the 10 scores"),
    (21, "is the count"),
    (87.5, "percentage"),
    (0.8, "not the AUC"),
    ("seven eighths", "numeric"),
])
def test_q5_wrong(auc, clue):
    check(ex10.q5, "auc", auc, clue)


def test_q5_placeholder():
    assert status(ex10.q5, auc=____) == "not attempted"
    assert status(ex10.q5, auc=____ / 24) == "not attempted"


def test_questions_exported():
    assert set(ex10.__all__) == {"q1", "q2", "q3", "q4", "q5", "____", "ANCHOR", "POSITIVE", "NEGATIVE", "MARGIN",
                                 "RIGHT_EYE", "LEFT_EYE", "EYE_GAP_PIXELS", "VAL_SIMILARITY", "VAL_SAME",
                                 "TEST_SIMILARITY", "TEST_SAME", "SAME_SCORES", "OTHER_SCORES"}
    for q in (ex10.q1, ex10.q2, ex10.q3, ex10.q4, ex10.q5):
        assert len(q.hints) == 3 and q.answer.strip() and q.praise
