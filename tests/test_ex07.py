"""Checker tests for lesson 07's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils import explain
from course_utils.exercises import ex07
from course_utils.exercises.core import ____
from tests.conftest import check, message, status


# q1: deletion AUC with the trapezoid rule

def right_auc(fractions, scores):
    fractions, scores = np.asarray(fractions, float), np.asarray(scores, float)
    return np.sum(np.diff(fractions) * (scores[1:] + scores[:-1]) / 2)


def test_q1_right_and_matches_the_course_helper():
    assert status(ex07.q1, deletion_auc=right_auc) == "correct"
    assert status(ex07.q1, deletion_auc=lambda f, s: np.trapezoid(s, f)) == "correct"
    assert status(ex07.q1, deletion_auc=lambda f, s: explain.area_under_curve(f, s)[0]) == "correct"


@pytest.mark.parametrize("wrong, clue", [
    (lambda f, s: np.sum(s[:-1] * np.diff(f)), "left Riemann"),
    (lambda f, s: np.sum(s[1:] * np.diff(f)), "right Riemann"),
    (lambda f, s: np.mean(s), "plain mean"),
    (lambda f, s: np.sum((s[1:] + s[:-1]) / 2), "width"),
    (lambda f, s: np.sum((s[1:] + s[:-1]) / 2) * (f[1] - f[0]), "first step's width"),
    (lambda f, s: np.trapezoid(f, s), "the area is"),
    (lambda f, s: np.cumsum(s), "shape"),
    (lambda f, s: 1 / 0, "raised ZeroDivisionError"),
])
def test_q1_wrong(wrong, clue):
    check(ex07.q1, "deletion_auc", wrong, clue)


def test_q1_placeholder():
    assert status(ex07.q1, deletion_auc=____) == "not attempted"
    assert status(ex07.q1, deletion_auc=lambda f, s: ____) == "not attempted"


# q2: Spearman rank correlation

def right_spearman(a, b):
    return np.corrcoef(np.argsort(np.argsort(np.ravel(a))), np.argsort(np.argsort(np.ravel(b))))[0, 1]


def test_q2_right_and_matches_the_course_helper():
    assert status(ex07.q2, spearman=right_spearman) == "correct"
    assert status(ex07.q2, spearman=lambda a, b: explain.rank_correlation(a[None], b[None])[0]) == "correct"


@pytest.mark.parametrize("wrong, clue", [
    (lambda a, b: np.corrcoef(a.ravel(), b.ravel())[0, 1], "Pearson"),
    (lambda a, b: np.corrcoef(np.argsort(a.ravel()), np.argsort(b.ravel()))[0, 1], "order"),
    (lambda a, b: np.corrcoef(np.argsort(np.argsort(a.ravel())), np.argsort(np.argsort(b.ravel()))), "2x2"),
    (lambda a, b: 1 - right_spearman(a, b), "sign or direction"),
    (lambda a, b: -right_spearman(a, b), "sign or direction"),
    (lambda a, b: np.corrcoef(np.argsort(np.argsort(a, axis=1), axis=1), np.argsort(np.argsort(b, axis=1), axis=1)),
     "one number"),
    (lambda a, b: 0.5, "rank correlation is"),
])
def test_q2_wrong(wrong, clue):
    check(ex07.q2, "spearman", wrong, clue)


def test_q2_placeholder():
    assert status(ex07.q2, spearman=____) == "not attempted"


# q3: reading a cascade table

def test_q3_right():
    assert status(ex07.q3, failing={"method A", "method D", "edge detector"}) == "correct"
    assert status(ex07.q3, failing=["Method A", "METHOD D", " edge detector"]) == "correct"


@pytest.mark.parametrize("answer, clue", [
    ({"method A", "method D"}, "edge detector never looks"),
    ({"method A", "edge detector"}, "method D keeps 0.71"),
    ({"method A", "method D", "edge detector", "method C"}, "method C drops below 0.5"),
    ({"method A", "method D", "edge detector", "method B"}, "what passing looks like"),
    ({"method E"}, "not in the table"),
    ("method A", "you missed one"),
    (3, "should be a set"),
])
def test_q3_wrong(answer, clue):
    check(ex07.q3, "failing", answer, clue)


def test_q3_wrong_pick_reads_as_a_sentence():
    assert message(ex07.q3, failing={"method A", "method D", "edge detector", "method C"}).startswith(
        "method C drops below 0.5")


def test_q3_placeholder():
    assert status(ex07.q3, failing=____) == "not attempted"
    assert status(ex07.q3, failing={"method A", ____}) == "not attempted"


def test_q3_table_is_consistent_with_the_rule():
    assert ex07.FAILING == {name for name, rho in ex07.CASCADE.items() if rho[0] > 0.5}


# q4: pointing game

def right_hit(heatmap, mask):
    row, col = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    return bool(mask[row, col])


def test_q4_right_and_matches_the_course_helper():
    assert status(ex07.q4, pointing_hit=right_hit) == "correct"
    assert status(ex07.q4, pointing_hit=lambda h, m: explain.pointing_game(h[None], m[None])[0]) == "correct"
    assert status(ex07.q4, pointing_hit=lambda h, m: int(right_hit(h, m))) == "correct"


def test_q4_cases_have_hits_misses_and_catch_swaps():
    wants = [right_hit(h, m) for h, m in ex07._mask_cases()]
    assert any(wants) and not all(wants)


@pytest.mark.parametrize("wrong, clue", [
    (lambda h, m: bool(m[np.unravel_index(np.argmax(h), h.shape)[::-1]]), "swapped"),
    (lambda h, m: bool(h[m].mean() > h[~m].mean()), "ONE pixel"),
    (lambda h, m: True, "the answer is"),
    (lambda h, m: "yes", "True or False"),
])
def test_q4_wrong(wrong, clue):
    check(ex07.q4, "pointing_hit", wrong, clue)


def test_q4_placeholder():
    assert status(ex07.q4, pointing_hit=____) == "not attempted"


# q5: mask IoU

def right_iou(heatmap, mask, threshold=0.5):
    found = heatmap >= threshold
    union = (found | mask).sum()
    return (found & mask).sum() / union if union else 0.0


def test_q5_right_and_matches_the_course_helper():
    assert status(ex07.q5, iou=right_iou) == "correct"
    assert status(ex07.q5, iou=lambda h, m, t: explain.mask_iou(h[None], m[None], t)[0]) == "correct"


@pytest.mark.parametrize("wrong, clue", [
    (lambda h, m, t: ((h >= t) & m).sum() / max(m.sum(), 1), "recall"),
    (lambda h, m, t: ((h >= t) & m).sum() / max((h >= t).sum(), 1), "precision"),
    (lambda h, m, t: 2 * ((h >= t) & m).sum() / max((h >= t).sum() + m.sum(), 1), "Dice"),
    (lambda h, m, t: ((h >= t) & m).sum() / max((h >= t).sum() + m.sum(), 1), "only once"),
    (lambda h, m, t: right_iou(np.where(h == t, h - 1e-9, h), m, t), "exactly at the threshold"),
    (lambda h, m, t: ((h >= t) & m).sum() / ((h >= t) | m).sum(), "NaN"),
    (lambda h, m, t: 0.5, "the IoU is"),
])
def test_q5_wrong(wrong, clue):
    with np.errstate(invalid="ignore", divide="ignore"):
        check(ex07.q5, "iou", wrong, clue)


def test_q5_placeholder():
    assert status(ex07.q5, iou=____) == "not attempted"
    assert status(ex07.q5, iou=lambda h, m, t: ____) == "not attempted"


def test_questions_exported():
    assert ex07.__all__ == ["CASCADE", "____", "q1", "q2", "q3", "q4", "q5"]
    for q in (ex07.q1, ex07.q2, ex07.q3, ex07.q4, ex07.q5):
        assert q.hints and q.answer.strip()
