"""Checker tests for lesson 03's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from course_utils.exercises import ex03
from course_utils.exercises.core import ____
from tests.conftest import message, status


# q1: shapes and parameters of the CIFAR-10 CNN

def test_q1_right():
    assert status(ex03.q1, last_conv_shape=(4, 4, 64), dense_params=65_600) == "correct"
    assert status(ex03.q1, last_conv_shape=[4, 4, 64], dense_params=np.int64(4 * 4 * 64 * 64 + 64)) == "correct"
    assert status(ex03.q1, last_conv_shape=(None, 4, 4, 64), dense_params=65_600.0) == "correct"


def test_q1_right_answer_matches_keras():
    model = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu", name="last_conv"), keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu", name="dense"), keras.layers.Dense(10, name="logits")])
    shape = tuple(model.get_layer("last_conv").output.shape[1:])
    assert status(ex03.q1, last_conv_shape=shape, dense_params=model.get_layer("dense").count_params()) == "correct"


def test_q1_placeholder():
    assert status(ex03.q1, last_conv_shape=____, dense_params=____) == "not attempted"
    assert status(ex03.q1, last_conv_shape=(4, 4, 64), dense_params=____) == "not attempted"
    assert status(ex03.q1, last_conv_shape=(4, 4, 64)) == "not attempted"


@pytest.mark.parametrize("shape, params, clue", [
    ((3, 3, 64), 65_600, "MNIST"),
    ((5, 5, 64), 65_600, "rounds down"),
    ((4, 4, 32), 65_600, "64 channels"),
    ((4, 4), 65_600, "3 numbers"),
    ((6, 6, 64), 65_600, "not right"),
    ((4, 4, 64), 65_536, "bias"),
    ((4, 4, 64), 36_928, "MNIST"),
    ((4, 4, 64), 4_160, "1,024"),
    ((4, 4, 64), 1_000, "not right"),
])
def test_q1_wrong(shape, params, clue):
    result = ex03.q1.evaluate({"last_conv_shape": shape, "dense_params": params})
    assert result.status == "incorrect" and clue in result.message


def test_q1_odd_input():
    assert status(ex03.q1, last_conv_shape=4, dense_params=65_600) == "incorrect"
    assert status(ex03.q1, last_conv_shape=("a", 4, 64), dense_params=65_600) == "incorrect"
    assert status(ex03.q1, last_conv_shape=(4, 4, 64), dense_params="many") == "incorrect"


# q2: prediction and confidence from logits

def right_confidence(logits):
    logits = np.asarray(logits, dtype="float64")
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return logits.argmax(axis=1), probs.max(axis=1)


def test_q2_right():
    assert status(ex03.q2, predict_from_logits=right_confidence) == "correct"

    def with_tf(logits):
        probs = tf.nn.softmax(logits)
        return tf.argmax(probs, axis=1), tf.reduce_max(probs, axis=1)
    assert status(ex03.q2, predict_from_logits=with_tf) == "correct"


def test_q2_placeholder():
    assert status(ex03.q2, predict_from_logits=____) == "not attempted"

    def stub(logits):
        return ____
    assert status(ex03.q2, predict_from_logits=stub) == "not attempted"


def test_q2_overflow():
    def naive(logits):
        e = np.exp(logits)  # overflows for logits of 1000 (the checker silences NumPy's warning)
        return logits.argmax(axis=1), (e / e.sum(axis=1, keepdims=True)).max(axis=1)
    result = ex03.q2.evaluate({"predict_from_logits": naive})
    assert result.status == "incorrect" and "overflow" in result.message


def test_q2_max_logit_is_not_a_probability():
    result = ex03.q2.evaluate({"predict_from_logits": lambda z: (z.argmax(axis=1), z.max(axis=1))})
    assert result.status == "incorrect" and "softmax" in result.message


def test_q2_softmax_over_columns():
    def columns(logits):
        z = np.asarray(logits, "float64")
        p = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
        return z.argmax(axis=1), p.max(axis=1)
    result = ex03.q2.evaluate({"predict_from_logits": columns})
    assert result.status == "incorrect" and "axis=1" in result.message


def test_q2_other_wrong_answers():
    assert "argmax" in message(ex03.q2, predict_from_logits=lambda z: (z.argmin(axis=1), right_confidence(z)[1]))
    assert "two things" in message(ex03.q2, predict_from_logits=lambda z: right_confidence(z)[1])
    assert "shape" in message(ex03.q2, predict_from_logits=lambda z: (z.argmax(axis=0), right_confidence(z)[1]))

    def crashes(logits):
        raise ValueError("boom")
    assert "ValueError" in message(ex03.q2, predict_from_logits=crashes)
    assert status(ex03.q2, predict_from_logits=3) == "incorrect"


# q3: a confusion matrix

def right_confusion(y_true, y_pred):
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def test_q3_right():
    assert status(ex03.q3, confusion=right_confusion) == "correct"
    tf_version = lambda t, p: tf.math.confusion_matrix(t, p, num_classes=10)
    assert status(ex03.q3, confusion=tf_version) == "correct"


def test_q3_placeholder():
    assert status(ex03.q3, confusion=____) == "not attempted"
    assert status(ex03.q3, confusion=lambda t, p: ____) == "not attempted"


def test_q3_transposed():
    result = ex03.q3.evaluate({"confusion": lambda t, p: right_confusion(t, p).T})
    assert result.status == "incorrect" and "transposed" in result.message


def test_q3_fancy_index_counts_repeats_once():
    def fancy(y_true, y_pred):
        matrix = np.zeros((10, 10), dtype=int)
        matrix[y_true, y_pred] += 1
        return matrix
    result = ex03.q3.evaluate({"confusion": fancy})
    assert result.status == "incorrect" and "np.add.at" in result.message


def test_q3_other_wrong_answers():
    assert "shape" in message(ex03.q3, confusion=lambda t, p: right_confusion(t, p)[:9])
    assert status(ex03.q3, confusion=lambda t, p: right_confusion(p, p)) == "incorrect"


# q4: the most common mistake

@pytest.fixture(scope="module")
def cm():
    matrix = np.diag(np.full(10, 90))
    matrix[4, 9], matrix[9, 4], matrix[7, 2], matrix[3, 5] = 9, 5, 6, 4
    return matrix


def test_q4_right(cm):
    assert status(ex03.q4, cm=cm, most_common_mistake=(4, 9)) == "correct"
    assert status(ex03.q4, cm=cm, most_common_mistake=np.unravel_index(np.argmax(cm - np.diag(np.diag(cm))),
                                                                       cm.shape)) == "correct"
    assert status(ex03.q4, cm=tf.constant(cm), most_common_mistake=[4, 9]) == "correct"


def test_q4_placeholder(cm):
    assert status(ex03.q4, cm=cm, most_common_mistake=____) == "not attempted"
    assert status(ex03.q4, cm=____, most_common_mistake=(4, 9)) == "not attempted"


def test_q4_diagonal(cm):
    result = ex03.q4.evaluate({"cm": cm, "most_common_mistake": (0, 0)})
    assert result.status == "incorrect" and "diagonal" in result.message


def test_q4_reversed(cm):
    result = ex03.q4.evaluate({"cm": cm, "most_common_mistake": (9, 4)})
    assert result.status == "incorrect" and "wrong way round" in result.message


def test_q4_other_wrong_answers(cm):
    assert "another mistake" in message(ex03.q4, cm=cm, most_common_mistake=(7, 2))
    assert status(ex03.q4, cm=cm, most_common_mistake=49) == "incorrect"
    assert status(ex03.q4, cm=cm, most_common_mistake=(4, 19)) == "incorrect"
    assert status(ex03.q4, cm=cm, most_common_mistake="4 and 9") == "incorrect"
    assert "no mistakes" in message(ex03.q4, cm=np.diag(np.full(10, 5)), most_common_mistake=(4, 9))


# q5: the CIFAR-10 model adapted to MNIST. The held-out digits are replaced by a tiny synthetic set (each class
# is a bright 6x6 block at its own place), so a hand-set model is "trained" without any training.

def synthetic_digits(n_per_class=10, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 30, (10 * n_per_class, 28, 28, 1)).astype("float32")
    y = np.repeat(np.arange(10), n_per_class)
    for i, label in enumerate(y):
        r, c = divmod(int(label), 5)
        x[i, 2 + 12 * r:8 + 12 * r, 1 + 5 * c:7 + 5 * c, 0] = 255
    return x, y


@pytest.fixture
def held_out(monkeypatch):
    data = synthetic_digits()
    monkeypatch.setattr(ex03, "_held_out", lambda: data)
    return data


def template_model(input_shape=(28, 28, 1), rescale=False, activation=None, units=10, trained=True, scale=0.01):
    """Flatten + Dense whose weights are the class templates: a 'trained' classifier for synthetic_digits."""
    stack = [keras.Input(input_shape)]
    if rescale:
        stack.append(keras.layers.Rescaling(1 / 255))
    stack += [keras.layers.Flatten(), keras.layers.Dense(units, activation=activation)]
    model = keras.Sequential(stack)
    if trained and input_shape == (28, 28, 1) and units == 10:
        templates, _ = synthetic_digits(1)
        weights = (templates.reshape(10, -1).T / 255.0 - 0.5).astype("float32")
        model.layers[-1].set_weights([weights * scale, np.zeros(10, "float32")])
    return model


def test_q5_right(held_out):
    assert status(ex03.q5, mnist_model=template_model()) == "correct"
    assert status(ex03.q5, mnist_model=template_model(rescale=True)) == "correct"


def test_q5_placeholder(held_out):
    assert status(ex03.q5, mnist_model=____) == "not attempted"
    assert status(ex03.q5) == "not attempted"


@pytest.mark.parametrize("shape, clue", [((32, 32, 3), "CIFAR-10"), ((28, 28, 3), "1 channel"),
                                         ((28, 28), "channel axis"), ((32, 32, 1), "(28, 28, 1)")])
def test_q5_wrong_input(held_out, shape, clue):
    result = ex03.q5.evaluate({"mnist_model": template_model(shape, trained=False)})
    assert result.status == "incorrect" and clue in result.message


def test_q5_wrong_output(held_out):
    assert "(8, 10)" in message(ex03.q5, mnist_model=template_model(units=1))
    result = ex03.q5.evaluate({"mnist_model": template_model(activation="softmax")})
    assert result.status == "incorrect" and "softmax" in result.message


def test_q5_untrained(held_out):
    model = template_model()
    model.layers[-1].set_weights([np.zeros_like(w) for w in model.layers[-1].get_weights()])
    result = ex03.q5.evaluate({"mnist_model": model})
    assert result.status == "incorrect" and "held-out" in result.message and "Train" in result.message


def test_q5_expects_scaled_pixels(held_out):
    # Trained on pixels / 255 without a Rescaling layer: tanh saturates at -1 for every class on raw pixels,
    # so it is right only when the checker's raw digits are divided by 255 first.
    model = template_model(activation="tanh", scale=0.1)
    result = ex03.q5.evaluate({"mnist_model": model})
    assert result.status == "incorrect" and "Rescaling" in result.message


def test_q5_odd_input(held_out):
    assert status(ex03.q5, mnist_model="model") == "incorrect"
    assert status(ex03.q5, mnist_model=None) == "incorrect"
    no_input = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
    assert "keras.Input" in message(ex03.q5, mnist_model=no_input)


def test_q5_threshold_follows_the_profile(held_out, monkeypatch):
    model = template_model()
    assert status(ex03.q5, mnist_model=model) == "correct"
    monkeypatch.setitem(ex03.MIN_ACCURACY, "smoke", 1.01)
    monkeypatch.setitem(ex03.MIN_ACCURACY, "workshop", 1.01)
    monkeypatch.setitem(ex03.MIN_ACCURACY, "full", 1.01)
    assert "at least 101%" in message(ex03.q5, mnist_model=model)


def test_q5_held_out_digits_are_real_mnist(offline_pack, empty_cache, monkeypatch):
    monkeypatch.setattr(ex03, "_HELD_OUT", {})
    x, y = ex03._held_out()
    assert x.shape[1:] == (28, 28, 1) and x.dtype == np.float32 and 0 < len(x) <= ex03.N_HELD_OUT
    assert x.max() > 200 and len(y) == len(x) and set(np.unique(y)) == set(range(10))


def test_questions_exported():
    assert ex03.__all__ == ["q1", "q2", "q3", "q4", "q5", "____"]
    for q in (ex03.q1, ex03.q2, ex03.q3, ex03.q4, ex03.q5):
        assert q.hints and q.answer.strip()
