"""Checker tests for lesson 04's exercises: right answers pass, wrong ones say what is wrong."""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from course_utils.exercises import ex04
from course_utils.exercises.core import ____
from tests.conftest import message, status
from course_utils.models import build_classic_cnn, photo_augmentation
from course_utils.training import one_cycle_schedule

layers = keras.layers


# q1: parameters of the baseline and its BN version

def test_q1_right_and_matches_keras():
    assert status(ex04.q1, baseline_params=122_570, bn_params=123_050) == "correct"
    assert status(ex04.q1, baseline_params=build_classic_cnn((32, 32, 3)).count_params(),
                  bn_params=build_classic_cnn((32, 32, 3), batch_norm=True).count_params()) == "correct"


@pytest.mark.parametrize("base, bn, clue", [
    (93_322, 123_050, "MNIST"), (65_600, 123_050, "dense layer alone"), (122_336, 123_050, "bias"),
    (122_000, 123_050, "not the baseline"), (122_570, 122_570, "changes the count"),
    (122_570, 122_890, "running mean"), (122_570, 122_730, "running mean"), (122_570, 123_210, "use_bias=False"),
    (122_570, 1, "not right"),
])
def test_q1_wrong(base, bn, clue):
    result = ex04.q1.evaluate({"baseline_params": base, "bn_params": bn})
    assert result.status == "incorrect" and clue in result.message


def test_q1_placeholder():
    assert status(ex04.q1, baseline_params=____, bn_params=____) == "not attempted"
    assert status(ex04.q1, baseline_params=122_570, bn_params=____) == "not attempted"


# q2: warm-up + cosine schedule

def right_schedule(step, peak, total_steps, warmup_steps):
    if step < warmup_steps:
        return peak * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


def test_q2_reference_matches_course_schedule():
    schedule = one_cycle_schedule(0.4, 100, warmup_fraction=0.2)
    assert np.allclose([float(schedule(s)) for s in range(101)], [right_schedule(s, 0.4, 100, 20) for s in range(101)],
                       atol=1e-6)


def test_q2_right():
    assert status(ex04.q2, warmup_cosine=right_schedule) == "correct"


@pytest.mark.parametrize("wrong, clue", [
    (lambda s, p, t, w: p * 0.5 * (1 + math.cos(math.pi * s / t)), "step 0"),
    (lambda s, p, t, w: p * s / w if s < w else p * 0.5 * (1 + math.cos(math.pi * s / t)), "decay is off"),
    (lambda s, p, t, w: p * s / w if s < w else p * 0.5 * (1 + math.cos(math.pi * (s - w) / t)), "reached 0"),
    (lambda s, p, t, w: p * (s + 1) / w if s < w else right_schedule(s, p, t, w), "step 0"),
    (lambda s, p, t, w: p * s / w if s < w else p * (t - s) / (t - w), "decay is off"),
])
def test_q2_wrong(wrong, clue):
    result = ex04.q2.evaluate({"warmup_cosine": wrong})
    assert result.status == "incorrect" and clue in result.message


def test_q2_placeholder_and_crash():
    assert status(ex04.q2, warmup_cosine=____) == "not attempted"
    assert status(ex04.q2, warmup_cosine=lambda s, p, t, w: ____) == "not attempted"
    assert status(ex04.q2, warmup_cosine=lambda s, p, t, w: 1 / 0) == "incorrect"


# q3: augmentation for upright photos

def test_q3_right():
    assert status(ex04.q3, augment=photo_augmentation()) == "correct"
    assert status(ex04.q3, augment=[layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1)]) == "correct"


@pytest.mark.parametrize("make, clue", [
    (lambda: [layers.RandomFlip("horizontal_and_vertical"), layers.RandomTranslation(0.1, 0.1)], "upside down"),
    (lambda: [layers.RandomFlip("vertical")], "upside down"),
    (lambda: [layers.RandomTranslation(0.1, 0.1, fill_mode="reflect")], "mirrored"),
    (lambda: [layers.RandomFlip("horizontal")], "only flipped"),
    (lambda: [layers.Rescaling(1 / 255)], "unchanged"),
    (lambda: [layers.RandomCrop(24, 24)], "shape"),
    (lambda: layers.RandomFlip("horizontal"), "list of layers"),
    (lambda: [], "empty"),
    (lambda: [layers.RandomFlip], "instance"),
])
def test_q3_wrong(make, clue):
    result = ex04.q3.evaluate({"augment": make()})
    assert result.status == "incorrect" and clue in result.message


def test_q3_asks_for_a_list():
    """The exercise asks for a list (the next cell applies its layers one by one): a Sequential or tuple is wrong."""
    flip_and_shift = [layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1)]
    result = ex04.q3.evaluate({"augment": keras.Sequential(flip_and_shift)})
    assert result.status == "incorrect" and "not a keras.Sequential" in result.message
    assert "list of layers" in message(ex04.q3, augment=tuple(flip_and_shift))


def test_q3_placeholder():
    assert status(ex04.q3, augment=____) == "not attempted"
    assert status(ex04.q3, augment=[layers.RandomFlip("horizontal"), ____]) == "not attempted"


# q4: per-class accuracy

def right_per_class(cm):
    cm = np.asarray(cm, dtype="float64")
    return np.diag(cm) / cm.sum(axis=1)


def test_q4_right():
    assert status(ex04.q4, per_class_accuracy=right_per_class) == "correct"
    assert status(ex04.q4, per_class_accuracy=lambda cm: tf.linalg.diag_part(cm) / tf.reduce_sum(cm, 1)) == "correct"


@pytest.mark.parametrize("wrong, clue", [
    (lambda cm: np.diag(cm) / cm.sum(axis=0), "column sums"),
    (lambda cm: np.diag(cm), "counts"),
    (lambda cm: 100 * np.diag(cm) / cm.sum(axis=1), "percentages"),
    (lambda cm: np.diag(cm) / cm.sum(), "the answer is"),
    (lambda cm: np.diag(cm)[:2], "shape"),
])
def test_q4_wrong(wrong, clue):
    result = ex04.q4.evaluate({"per_class_accuracy": wrong})
    assert result.status == "incorrect" and clue in result.message


def test_q4_placeholder():
    assert status(ex04.q4, per_class_accuracy=____) == "not attempted"
    assert status(ex04.q4, per_class_accuracy=lambda cm: ____) == "not attempted"


def test_questions_exported():
    assert ex04.__all__ == ["q1", "q2", "q3", "q4", "____"]
    for q in (ex04.q1, ex04.q2, ex04.q3, ex04.q4):
        assert q.hints and q.answer.strip()
