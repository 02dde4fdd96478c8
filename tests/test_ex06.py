"""Checker tests for lesson 06's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.exercises import ex06
from course_utils.exercises.core import ____
from tests.conftest import message, status


# q1: a class activation map with einsum

def right_cam(maps, weights, class_ids):
    return np.einsum("nhwc,cn->nhw", maps, weights[:, class_ids])


def loop_cam(maps, weights, class_ids):
    return np.stack([sum(weights[k, c] * m[:, :, k] for k in range(m.shape[-1])) for m, c in zip(maps, class_ids)])


def test_q1_right():
    assert status(ex06.q1, class_activation_map=right_cam) == "correct"
    assert status(ex06.q1, class_activation_map=loop_cam) == "correct"


def test_q1_matches_the_course_cam():
    """The answer, ReLU'd, resized and scaled, is what course_utils.explain.cam returns."""
    keras = pytest.importorskip("keras")
    from course_utils import explain
    from course_utils.models import build_gap_cnn

    keras.utils.set_random_seed(0)
    model = build_gap_cnn(widths=(4, 8))
    x = np.random.default_rng(0).uniform(0, 255, (3, 28, 28, 1)).astype("float32")
    maps = keras.Model(model.inputs[0], model.get_layer("last_conv").output)(x).numpy()
    ids = np.array([1, 5, 9])
    ours = explain.scale_to_unit(explain.resize_maps(
        np.maximum(right_cam(maps, model.get_layer("logits").kernel.numpy(), ids), 0), (28, 28)))
    np.testing.assert_allclose(ours, explain.cam(model, x, ids), atol=1e-5)


@pytest.mark.parametrize("wrong, clue", [
    (lambda m, w, c: np.maximum(right_cam(m, w, c), 0), "ReLU"),
    (lambda m, w, c: right_cam(m, w, c) / m.shape[3], "SUM"),
    (lambda m, w, c: np.einsum("nhwc,ck->nhwk", m, w), "every class"),
    (lambda m, w, c: m * w[:, c].T[:, None, None, :], "channel axis"),
    (lambda m, w, c: np.einsum("nhwc,c->nhw", m, w[:, c[0]]), "own class"),
    (lambda m, w, c: np.einsum("nhwc,cn->nhw", m, w[:, c + 1 if c.max() < w.shape[1] - 1 else c - 1]), "not the weighted"),
    (lambda m, w, c: m.sum(axis=-1), "not the weighted"),
    (lambda m, w, c: right_cam(m, w, c)[0], "shape"),
    (lambda m, w, c: 1 / 0, "ZeroDivisionError"),
    (lambda m, w, c: "map", "numeric"),
])
def test_q1_wrong(wrong, clue):
    result = ex06.q1.evaluate({"class_activation_map": wrong})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q1_placeholder():
    assert status(ex06.q1, class_activation_map=____) == "not attempted"
    assert status(ex06.q1, class_activation_map=lambda m, w, c: ____) == "not attempted"


# q2: Grad-CAM channel weights

def test_q2_right():
    assert status(ex06.q2, grad_cam_weights=lambda g: g.mean(axis=(1, 2))) == "correct"
    assert status(ex06.q2, grad_cam_weights=lambda g: np.mean(g, axis=(2, 1), keepdims=True)[:, 0, 0]) == "correct"


def test_q2_matches_the_course_helper():
    from course_utils.explain.cam import grad_cam_weights

    g = np.random.default_rng(1).normal(size=(2, 3, 3, 4))
    np.testing.assert_allclose(grad_cam_weights(None, g), g.mean(axis=(1, 2)))


@pytest.mark.parametrize("wrong, clue", [
    (lambda g: g.sum(axis=(1, 2)), "sum over the positions"),
    (lambda g: np.abs(g).mean(axis=(1, 2)), "sign"),
    (lambda g: np.maximum(g, 0).mean(axis=(1, 2)), "no ReLU"),
    (lambda g: g.max(axis=(1, 2)), "largest gradient"),
    (lambda g: g.mean(axis=-1), "over the channels"),
    (lambda g: g.mean(axis=(0, 1, 2)), "images too"),
    (lambda g: g.mean(axis=1), "one position axis"),
    (lambda g: g.mean(axis=(1, 2)) * 2, "should be"),
    (lambda g: None, "shape"),
])
def test_q2_wrong(wrong, clue):
    result = ex06.q2.evaluate({"grad_cam_weights": wrong})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q2_placeholder():
    assert status(ex06.q2, grad_cam_weights=____) == "not attempted"
    assert status(ex06.q2, grad_cam_weights=lambda g: ____ * g) == "not attempted"


# q3: which heads allow CAM

def test_q3_right():
    assert status(ex06.q3, cam_heads={"A", "E", "F"}) == "correct"
    assert status(ex06.q3, cam_heads=["a", "e", "f"]) == "correct"
    assert status(ex06.q3, cam_heads="A, E, F") == "correct"


@pytest.mark.parametrize("answer, clue", [
    ({"A", "B", "E", "F"}, "Flatten"),
    ({"A", "C", "E", "F"}, "hidden Dense"),
    ({"A", "D", "E", "F"}, "maximum"),
    ({"A"}, "MobileNet"),
    ({"A", "E"}, "softmax"),
    ({"A", "E", "F", "Z"}, "not one of the heads"),
    (42, "set of letters"),
])
def test_q3_wrong(answer, clue):
    result = ex06.q3.evaluate({"cam_heads": answer})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("answer, start", [
    ({"A", "D", "E", "F"}, "D does not allow CAM: it pools with the maximum"),
    ({"A", "F"}, "E allows CAM too: it is MobileNet's head"),
    ({"A", "E"}, "F allows CAM too: it is A with a softmax"),
])
def test_q3_messages_are_sentences(answer, start):
    assert message(ex06.q3, cam_heads=answer).startswith(start)


def test_q3_placeholder():
    assert status(ex06.q3, cam_heads=____) == "not attempted"
    assert status(ex06.q3, cam_heads={"A", ____}) == "not attempted"


def test_q3_heads_match_the_course_cam():
    """The heads marked CAM-ready are the ones course_utils.explain.cam accepts."""
    keras = pytest.importorskip("keras")
    from course_utils import explain

    layers = keras.layers
    heads = {
        "A": [layers.GlobalAveragePooling2D(), layers.Dense(10)],
        "B": [layers.Flatten(), layers.Dense(10)],
        "C": [layers.GlobalAveragePooling2D(), layers.Dense(64, activation="relu"), layers.Dense(10)],
        "D": [layers.GlobalMaxPooling2D(), layers.Dense(10)],
        "E": [layers.GlobalAveragePooling2D(keepdims=True), layers.Dropout(0.1), layers.Conv2D(10, 1),
              layers.Reshape((10,)), layers.Activation("softmax")],
        "F": [layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")],
    }
    x = np.ones((1, 8, 8, 1), "float32")
    for letter, head in heads.items():
        model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu", name="last_conv"),
                                  *head])
        if letter in ex06.CAM_HEADS:
            assert explain.cam(model, x).shape == (1, 8, 8), letter
        else:
            with pytest.raises(ValueError, match="CAM needs"):
                explain.cam(model, x)


# q4: a layer for a goal

RIGHT_PIXELS = {"conv_pw_1_relu": 2, "conv_pw_3_relu": 4, "conv_pw_5_relu": 8, "conv_pw_11_relu": 16,
                "conv_pw_13_relu": 32}


def test_q4_right():
    assert status(ex06.q4, pixels_per_cell=RIGHT_PIXELS, layer_for_20px="conv_pw_11_relu") == "correct"
    floats = {k: 224 / h for k, (h, _, _) in ex06.MOBILENET_MAPS.items()}
    assert status(ex06.q4, pixels_per_cell=floats, layer_for_20px="conv_pw_11_relu") == "correct"


def test_q4_shapes_are_mobilenets():
    keras = pytest.importorskip("keras")
    model = keras.applications.MobileNet(alpha=0.25, input_shape=(224, 224, 3), weights=None)
    for name, shape in ex06.MOBILENET_MAPS.items():
        assert tuple(model.get_layer(name).output.shape[1:]) == shape


def test_q4_spacings_and_receptive_fields_are_mobilenets():
    """Walk MobileNet's layers: the spacing of cells is the product of the strides, the receptive field grows by
    (kernel - 1) * spacing at every convolution or pooling window."""
    keras = pytest.importorskip("keras")
    model = keras.applications.MobileNet(alpha=0.25, input_shape=(224, 224, 3), weights=None)
    field, jump, seen = 1, 1, {}
    for layer in model.layers:
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        if kernel is not None:
            field += (kernel[0] - 1) * jump
            jump *= layer.strides[0]
        seen[layer.name] = (jump, field)
    for name in ex06.MOBILENET_MAPS:
        assert seen[name] == (ex06.PIXELS[name], ex06._FIELD[name]), name


@pytest.mark.parametrize("pixels, layer, clue", [
    ({k: ex06.MOBILENET_MAPS[k][0] for k in RIGHT_PIXELS}, "conv_pw_11_relu", "height"),
    ({**RIGHT_PIXELS, "conv_pw_13_relu": 1024}, "conv_pw_11_relu", "area"),
    ({**RIGHT_PIXELS, "conv_pw_5_relu": 28 / 224}, "conv_pw_11_relu", "upside down"),
    ({**RIGHT_PIXELS, "conv_pw_5_relu": 7}, "conv_pw_11_relu", "should be 8"),
    ({"conv_pw_13_relu": 32}, "conv_pw_11_relu", "no entry"),
    ([32, 16, 8], "conv_pw_11_relu", "dict"),
    ({**RIGHT_PIXELS, "conv_pw_11_relu": 219}, "conv_pw_11_relu", "receptive field"),
    (RIGHT_PIXELS, "conv_pw_13_relu", "larger than"),
    (RIGHT_PIXELS, "conv_pw_5_relu", "deeper"),
    (RIGHT_PIXELS, "conv_pw_1_relu", "deeper"),
    (RIGHT_PIXELS, "conv_preds", "not one of"),
    (RIGHT_PIXELS, 11, "string"),
])
def test_q4_wrong(pixels, layer, clue):
    result = ex06.q4.evaluate({"pixels_per_cell": pixels, "layer_for_20px": layer})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q4_placeholder():
    assert status(ex06.q4, pixels_per_cell=____, layer_for_20px=____) == "not attempted"
    assert status(ex06.q4, pixels_per_cell=RIGHT_PIXELS, layer_for_20px=____) == "not attempted"
    assert status(ex06.q4, pixels_per_cell={**RIGHT_PIXELS, "conv_pw_1_relu": ____},
                  layer_for_20px="conv_pw_11_relu") == "not attempted"


def test_questions_exported():
    assert set(ex06.__all__) == {"q1", "q2", "q3", "q4", "____", "HEADS", "MOBILENET_MAPS"}
    for q in (ex06.q1, ex06.q2, ex06.q3, ex06.q4):
        assert q.hints and q.answer.strip()
