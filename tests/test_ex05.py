"""Checker tests for lesson 05's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from course_utils import explain
from course_utils.exercises import ex05
from course_utils.exercises.core import ____
from tests.conftest import status


def assert_incorrect(question, clue, **namespace):
    result = question.evaluate(namespace)
    assert result.status == "incorrect" and clue in result.message, result


# q1: a saliency function

gradient = ex05._gradient  # the checker's own reference: (H, W, C) gradient of a logit or probability


def right_saliency(model, image, class_index):
    return np.abs(gradient(model, image, class_index)).max(axis=-1)


def test_q1_right():
    assert status(ex05.q1, saliency_map=right_saliency) == "correct"
    # scaled to [0, 1], or with the batch axis kept: still right
    assert status(ex05.q1, saliency_map=lambda m, x, c: right_saliency(m, x, c) / right_saliency(m, x, c).max()) \
        == "correct"
    assert status(ex05.q1, saliency_map=lambda m, x, c: explain.vanilla_gradient(m, x, c)) == "correct"


def test_q1_linear_model_answer_is_the_weights():
    model = ex05._model("linear")
    weights = model.get_layer("logits").get_weights()[0][:, 2].reshape(6, 5, 3)
    image = np.random.default_rng(0).uniform(0, 1, (6, 5, 3)).astype("float32")
    np.testing.assert_allclose(right_saliency(model, image, 2), np.abs(weights).max(axis=-1), rtol=1e-5)


def no_watch(model, image, class_index):
    x = tf.convert_to_tensor(image[None], tf.float32)
    with tf.GradientTape() as tape:
        score = model(x, training=False)[0, class_index]
    return tape.gradient(score, x)


def numpy_in_tape(model, image, class_index):
    x = image[None]
    with tf.GradientTape() as tape:
        tape.watch(x)
        score = model(x, training=False)[0, class_index]
    return tape.gradient(score, x)


@pytest.mark.parametrize("wrong, clue", [
    (lambda m, x, c: gradient(m, x, c).sum(axis=-1), "summed the signed gradients"),
    (lambda m, x, c: np.abs(gradient(m, x, c)).sum(axis=-1), "summed (or averaged) |gradient|"),
    (lambda m, x, c: np.abs(gradient(m, x, c)).mean(axis=-1), "summed (or averaged) |gradient|"),
    (lambda m, x, c: gradient(m, x, c).max(axis=-1), "largest signed gradient"),
    (lambda m, x, c: np.abs(gradient(m, x, c, probabilities=True)).max(axis=-1), "probability"),
    (lambda m, x, c: right_saliency(m, x, (c + 1) % 3), "not of class_index"),
    (lambda m, x, c: np.abs(gradient(m, x, c)), "colour axis"),
    (lambda m, x, c: right_saliency(m, x, c)[:2], "should have shape"),
    (no_watch, "tape.watch"),
    (numpy_in_tape, "convert_to_tensor"),
    (lambda m, x, c: 1 / 0, "ZeroDivisionError"),
    (lambda m, x, c: np.ones(x.shape[:2]), "not the gradient saliency"),
])
def test_q1_wrong(wrong, clue):
    assert_incorrect(ex05.q1, clue, saliency_map=wrong)


def test_q1_placeholder():
    assert status(ex05.q1, saliency_map=____) == "not attempted"
    assert status(ex05.q1, saliency_map=lambda m, x, c: ____) == "not attempted"


# q2: max |gradient| against the signed sum

G = ex05.channel_gradients()
RIGHT_Q2 = {"simonyan_map": np.abs(G).max(axis=-1), "signed_map": G.sum(axis=-1), "cancelled_pixel": (1, 3),
            "negative_pixel": (3, 1)}


def test_q2_right():
    assert status(ex05.q2, **RIGHT_Q2) == "correct"
    simonyan = np.abs(G).max(axis=-1)
    answer = dict(RIGHT_Q2, cancelled_pixel=np.unravel_index(np.argmax(simonyan), simonyan.shape),
                  negative_pixel=np.array([3, 1]))
    assert status(ex05.q2, **answer) == "correct"


def test_q2_the_example_does_what_it_says():
    simonyan, signed = np.abs(G).max(axis=-1), G.sum(axis=-1)
    assert np.unravel_index(simonyan.argmax(), (5, 5)) == (1, 3) and signed[1, 3] == 0
    assert np.unravel_index(signed.argmin(), (5, 5)) == (3, 1)
    assert np.argsort(simonyan.ravel())[-2] == 3 * 5 + 1  # the negative pixel is the second most important


@pytest.mark.parametrize("change, clue", [
    ({"simonyan_map": G.sum(axis=-1), "signed_map": np.abs(G).max(axis=-1)}, "swapped"),
    ({"simonyan_map": G.max(axis=-1)}, "absolute value before the max"),
    ({"simonyan_map": np.abs(G).sum(axis=-1)}, "sum of |G|"),
    ({"simonyan_map": np.abs(G).min(axis=-1)}, "should be np.abs(G).max(axis=-1)"),
    ({"simonyan_map": np.abs(G).max(axis=0)}, "shape (5, 5)"),
    ({"simonyan_map": np.abs(G)}, "shape (5, 5)"),
    ({"signed_map": np.abs(G.sum(axis=-1))}, "keep the sign"),
    ({"signed_map": G.mean(axis=-1)}, "G.sum(axis=-1)"),
    ({"cancelled_pixel": (3, 1), "negative_pixel": (1, 3)}, "swapped"),
    ({"cancelled_pixel": (3, 1)}, "(row, column)"),
    ({"cancelled_pixel": (0, 0)}, "np.argmax"),
    ({"negative_pixel": (2, 2)}, "np.argmin"),
    ({"negative_pixel": 16}, "(row, column) pair"),
    ({"cancelled_pixel": "1, 3"}, "numeric"),
])
def test_q2_wrong(change, clue):
    assert_incorrect(ex05.q2, clue, **dict(RIGHT_Q2, **change))


def test_q2_placeholder():
    assert status(ex05.q2, **dict(RIGHT_Q2, negative_pixel=____)) == "not attempted"
    assert status(ex05.q2, **dict(RIGHT_Q2, simonyan_map=____)) == "not attempted"


# q3: Integrated Gradients and the completeness gap

def path_gradients(model, image, baseline, class_index, steps):
    alphas = np.linspace(0, 1, steps + 1, dtype="float32")
    path = tf.convert_to_tensor(baseline + alphas[:, None, None, None] * (image - baseline))
    with tf.GradientTape() as tape:
        tape.watch(path)
        scores = model(path, training=False)[:, class_index]
    return tape.gradient(scores, path).numpy()


def right_ig(model, image, baseline, class_index, steps=50):
    grads = path_gradients(model, image, baseline, class_index, steps)
    return (image - baseline) * ((grads[:-1] + grads[1:]) / 2).mean(axis=0)


def right_gap(attributions, f_x, f_baseline):
    return abs(np.sum(attributions) - (f_x - f_baseline)) / abs(f_x - f_baseline)


def test_q3_right_and_matches_the_helper():
    assert status(ex05.q3, integrated_gradients=right_ig, completeness_gap=right_gap) == "correct"
    helper = lambda m, x, b, c, steps: explain.integrated_gradients_attributions(m, x, c, steps, b)[0][0]
    assert status(ex05.q3, integrated_gradients=helper, completeness_gap=right_gap) == "correct"


def test_q3_right_ig_is_complete_on_the_smooth_model():
    model = ex05._model("smooth")
    x = np.random.default_rng(1).uniform(0, 1, (4, 4, 2)).astype("float32")
    base = np.zeros_like(x)
    f = lambda v: float(model(v[None], training=False)[0, 1])
    assert right_gap(right_ig(model, x, base, 1, 32), f(x), f(base)) < 1e-3


def wrong_ig(kind):
    def ig(model, image, baseline, class_index, steps=50):
        grads = path_gradients(model, image, baseline, class_index, steps)
        trapezoid = ((grads[:-1] + grads[1:]) / 2).mean(axis=0)
        return {"no difference": trapezoid,
                "summed": (image - baseline) * ((grads[:-1] + grads[1:]) / 2).sum(axis=0),
                "gradient x input": (image - baseline) * grads[-1],
                "times image": image * trapezoid,
                "left Riemann": (image - baseline) * grads[:-1].mean(axis=0),
                "all points": (image - baseline) * grads.mean(axis=0),
                "channels summed": ((image - baseline) * trapezoid).sum(axis=-1),
                "random": np.random.default_rng(0).normal(size=image.shape)}[kind]
    return ig


@pytest.mark.parametrize("kind, clue", [
    ("no difference", "multiply it by (image - baseline)"), ("summed", "times too large"),
    ("gradient x input", "gradient at the image"), ("times image", "instead of (image - baseline)"),
    ("left Riemann", "left Riemann sum"), ("all points", "all steps + 1 gradients"),
    ("channels summed", "image's shape"), ("random", "not the trapezoid-rule IG"),
])
def test_q3_wrong_ig(kind, clue):
    assert_incorrect(ex05.q3, clue, integrated_gradients=wrong_ig(kind), completeness_gap=right_gap)


@pytest.mark.parametrize("wrong, clue", [
    (lambda a, fx, fb: (np.sum(a) - (fx - fb)) / abs(fx - fb), "absolute value"),
    (lambda a, fx, fb: abs(np.sum(a) - (fx - fb)), "relative"),
    (lambda a, fx, fb: abs(np.abs(a).sum() - (fx - fb)) / abs(fx - fb), "with their signs"),
    (lambda a, fx, fb: abs(np.sum(a) - fx) / abs(fx), "the relative gap is"),
    (lambda a, fx, fb: [1, 2], "shape ()"),
])
def test_q3_wrong_gap(wrong, clue):
    assert_incorrect(ex05.q3, clue, integrated_gradients=right_ig, completeness_gap=wrong)


def test_q3_placeholder():
    assert status(ex05.q3, integrated_gradients=____, completeness_gap=right_gap) == "not attempted"
    assert status(ex05.q3, integrated_gradients=right_ig, completeness_gap=lambda a, fx, fb: ____) == "not attempted"


# q4: SmoothGrad's noise in the model's units

def test_q4_right():
    assert status(ex05.q4, sigma_cifar=0.15 * 255, sigma_mobilenet=0.15 * 2) == "correct"
    assert status(ex05.q4, sigma_cifar=30, sigma_mobilenet=0.25) == "correct"  # 10-20% is accepted


@pytest.mark.parametrize("cifar, mobile, clue", [
    (0.3, 38.25, "swapped"), (15, 0.3, "percentage"), (0.15, 0.3, "fraction of one grey level"),
    (38.4, 0.3, "255 - 0"), (100, 0.3, "of the 0..255 range"), (38.25, 0.15, "range of -1..1 is 2"),
    (38.25, 38.25, "does not see 0..255"), (38.25, 0.9, "of the -1..1 range"), (38.25, "a lot", "numeric"),
])
def test_q4_wrong(cifar, mobile, clue):
    assert_incorrect(ex05.q4, clue, sigma_cifar=cifar, sigma_mobilenet=mobile)


def test_q4_placeholder():
    assert status(ex05.q4, sigma_cifar=____, sigma_mobilenet=0.3) == "not attempted"


def test_questions_exported():
    assert ex05.__all__ == ["____", "channel_gradients", "q1", "q2", "q3", "q4"]
    for q in (ex05.q1, ex05.q2, ex05.q3, ex05.q4):
        assert q.hints and q.answer.strip()
