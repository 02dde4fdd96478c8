"""Every lesson 01 question fed a known-right, a known-wrong and an untouched answer."""
import re

import numpy as np
import pytest

from course_utils.exercises import ex01
from course_utils.exercises.core import ____


def conv2d_right(image, kernel):
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel) for j in range(image.shape[1] - kw + 1)]
                     for i in range(image.shape[0] - kh + 1)])


def conv2d_flipped(image, kernel):
    return conv2d_right(image, kernel[::-1, ::-1])


def size_right(n, k, stride, padding):
    return (n - k) // stride + 1 if padding == "valid" else -(-n // stride)


def size_same_ignores_stride(n, k, stride, padding):
    return (n - k) // stride + 1 if padding == "valid" else n


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])

CASES = [
    (ex01.q1, "conv2d", conv2d_right, [(conv2d_flipped, "kernel flipped"), (lambda i, k: i[:2, :2], "shape"),
                                       (lambda i, k: 1 / 0, "ZeroDivisionError")]),
    (ex01.q2, "conv_output_size", size_right, [(size_same_ignores_stride, "only the stride shrinks"),
                                               (lambda n, k, s, p: "7", "Keras gives")]),
    (ex01.q3, "vertical_edge_kernel", SOBEL_X, [(SOBEL_X.T, "detects horizontal edges"),
                                                (SOBEL_X + SOBEL_X.T, "as strongly"),
                                                (np.ones((3, 3)), "flat grey"),
                                                (np.zeros((3, 3)), "gives 0"), (np.ones((5, 5)), "shape \\(3, 3\\)"),
                                                ("sobel", "numeric")]),
    (ex01.q4, "n_params", 448, [(432, "weights only"), (160, "1 channel"), (447, "not right")]),
]


@pytest.mark.parametrize("question, name, right, wrongs", CASES, ids=["q1", "q2", "q3", "q4"])
def test_question(question, name, right, wrongs):
    assert question.evaluate({name: right}).status == "correct"
    assert question.evaluate({name: ____}).status == "not attempted"
    for wrong, message in wrongs:
        result = question.evaluate({name: wrong})
        assert result.status == "incorrect", (wrong, result)
        assert re.search(message, result.message), result.message


def test_function_returning_placeholder_is_not_attempted():
    assert ex01.q1.evaluate({"conv2d": lambda image, kernel: ____}).status == "not attempted"


def size_same_pads_half_kernel(n, k, stride, padding):
    pad = (k - 1) // 2 if padding == "same" else 0
    return (n + 2 * pad - k) // stride + 1


def test_q2_even_kernel_with_half_kernel_padding_is_wrong():
    """(k - 1) // 2 pixels of padding on each side is right for odd kernels only (n=5, k=2: Keras gives 5, not 4)."""
    result = ex01.q2.evaluate({"conv_output_size": size_same_pads_half_kernel})
    assert result.status == "incorrect", result
    assert "n=5, k=2, stride=1, padding='same' Keras gives 5, yours gives 4" in result.message
    assert "only for odd kernels" in result.message


def test_q2_reference_is_what_keras_gives():
    keras = pytest.importorskip("keras")
    for n in (5, 7, 28):
        for k in (1, 2, 3, 4, 5):
            for stride in (1, 2, 3):
                for padding in ("valid", "same"):
                    conv = keras.layers.Conv2D(1, k, strides=stride, padding=padding)
                    assert conv.compute_output_shape((1, n, n, 1))[1] == size_right(n, k, stride, padding)
