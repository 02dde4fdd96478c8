"""Checker tests for lesson 02's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from course_utils.exercises import ex02
from course_utils.exercises.core import ____
from tests.conftest import message, status


@pytest.fixture(scope="module")
def model():
    return keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(name="pool1"),
        keras.layers.Conv2D(6, 3, activation="relu", name="conv2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(3, name="logits"),
    ], name="tiny")


# q1: feature-map model for conv2

def test_q1_right(model):
    fm = keras.Model(model.inputs[0], model.get_layer("conv2").output)
    assert status(ex02.q1, model=model, feature_model=fm) == "correct"


def test_q1_placeholder(model):
    assert status(ex02.q1, model=model, feature_model=____) == "not attempted"
    assert status(ex02.q1, model=model) == "not attempted"


def test_q1_wrong_layer_is_named(model):
    fm = keras.Model(model.inputs[0], model.get_layer("conv1").output)
    result = ex02.q1.evaluate({"model": model, "feature_model": fm})
    assert result.status == "incorrect" and "'conv1'" in result.message


def test_q1_whole_model_is_the_final_output(model):
    assert "final output" in message(ex02.q1, model=model, feature_model=model)


def test_q1_list_of_outputs(model):
    fm = keras.Model(model.inputs[0], [model.get_layer("conv1").output, model.get_layer("conv2").output])
    assert "2 outputs" in message(ex02.q1, model=model, feature_model=fm)


def test_q1_inputs_list_warns(model):
    fm = keras.Model(model.inputs, model.get_layer("conv2").output)
    result = ex02.q1.evaluate({"model": model, "feature_model": fm})
    assert result.status == "incorrect" and "model.inputs[0]" in result.message


def test_q1_odd_input(model):
    assert status(ex02.q1, model=model, feature_model="conv2") == "incorrect"
    assert status(ex02.q1, model=model, feature_model=None) == "incorrect"


# q2: the third map of image 0

@pytest.fixture(scope="module")
def maps():
    return np.random.default_rng(0).uniform(0, 1, (3, 5, 5, 6)).astype("float32")


def test_q2_right(maps):
    assert status(ex02.q2, maps=maps, third_map=maps[0, :, :, 2]) == "correct"
    assert status(ex02.q2, maps=tf.constant(maps), third_map=tf.constant(maps)[0, :, :, 2]) == "correct"


def test_q2_placeholder(maps):
    assert status(ex02.q2, maps=maps, third_map=____) == "not attempted"


def test_q2_off_by_one_is_the_fourth(maps):
    result = ex02.q2.evaluate({"maps": maps, "third_map": maps[0, :, :, 3]})
    assert result.status == "incorrect" and "fourth" in result.message and "start at 0" in result.message


def test_q2_other_wrong_answers(maps):
    assert "second" in message(ex02.q2, maps=maps, third_map=maps[0, :, :, 1])
    assert "image 1" in message(ex02.q2, maps=maps, third_map=maps[1, :, :, 2])
    assert "every image" in message(ex02.q2, maps=maps, third_map=maps[:, :, :, 2])
    assert status(ex02.q2, maps=maps, third_map=maps[2]) == "incorrect"
    assert status(ex02.q2, maps=maps, third_map="map") == "incorrect"
    assert status(ex02.q2, maps=maps, third_map=7) == "incorrect"


# q3: one normalised gradient-ascent step

def right_step(image, feature_model, channel, step_size):
    image = tf.convert_to_tensor(image)
    with tf.GradientTape() as tape:
        tape.watch(image)
        score = tf.reduce_mean(feature_model(image, training=False)[..., channel])
    grads = tape.gradient(score, image)
    return image + step_size * grads / (tf.norm(grads) + 1e-8)


def test_q3_right():
    assert status(ex02.q3, ascent_step=right_step) == "correct"


def test_q3_rms_normalisation_also_right():
    def rms_step(image, feature_model, channel, step_size):
        x = tf.Variable(image)
        with tf.GradientTape() as tape:
            score = tf.reduce_mean(feature_model(x, training=False)[:, :, :, channel])
        g = tape.gradient(score, x)
        return (x + step_size * g / (tf.sqrt(tf.reduce_mean(g ** 2)) + 1e-8)).numpy()
    assert status(ex02.q3, ascent_step=rms_step) == "correct"


def test_q3_placeholder():
    assert status(ex02.q3, ascent_step=____) == "not attempted"

    def stub(image, feature_model, channel, step_size):
        return ____
    assert status(ex02.q3, ascent_step=stub) == "not attempted"


def test_q3_descent():
    def descent(image, feature_model, channel, step_size):
        return 2 * tf.convert_to_tensor(image) - right_step(image, feature_model, channel, step_size)
    result = ex02.q3.evaluate({"ascent_step": descent})
    assert result.status == "incorrect" and "went down" in result.message


def test_q3_unnormalised():
    def raw(image, feature_model, channel, step_size):
        image = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            tape.watch(image)
            score = tf.reduce_mean(feature_model(image, training=False)[..., channel])
        return image + step_size * tape.gradient(score, image)
    result = ex02.q3.evaluate({"ascent_step": raw})
    assert result.status == "incorrect" and "normalise" in result.message


def test_q3_sign_step():
    def sign(image, feature_model, channel, step_size):
        image = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            tape.watch(image)
            score = tf.reduce_mean(feature_model(image, training=False)[..., channel])
        return image + step_size * tf.sign(tape.gradient(score, image))
    result = ex02.q3.evaluate({"ascent_step": sign})
    assert result.status == "incorrect" and "tf.sign" in result.message


def test_q3_predict_inside_the_tape():
    def with_predict(image, feature_model, channel, step_size):
        image = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            tape.watch(image)
            score = tf.reduce_mean(feature_model.predict(image, verbose=0)[..., channel])
        grads = tape.gradient(score, image)
        return image + step_size * grads / (tf.norm(grads) + 1e-8)
    result = ex02.q3.evaluate({"ascent_step": with_predict})
    assert result.status == "incorrect" and "predict returns a NumPy array" in result.message
    assert "feature_model(image, training=False)" in result.message


def test_q3_wrong_channel():
    def channel0(image, feature_model, channel, step_size):
        return right_step(image, feature_model, 0, step_size)
    assert status(ex02.q3, ascent_step=channel0) == "incorrect"


def test_q3_odd_answers():
    assert status(ex02.q3, ascent_step=42) == "incorrect"

    def crashes(image, feature_model, channel, step_size):
        raise RuntimeError("boom")
    assert "RuntimeError" in message(ex02.q3, ascent_step=crashes)

    def wrong_shape(image, feature_model, channel, step_size):
        return right_step(image, feature_model, channel, step_size)[0]
    assert "shape" in message(ex02.q3, ascent_step=wrong_shape)

    def unchanged(image, feature_model, channel, step_size):
        return image
    assert status(ex02.q3, ascent_step=unchanged) == "incorrect"


def test_questions_exported():
    assert ex02.__all__ == ["q1", "q2", "q3", "____"]
    for q in (ex02.q1, ex02.q2, ex02.q3):
        assert q.hints and q.answer.strip()
