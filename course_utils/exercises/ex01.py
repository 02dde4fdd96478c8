"""Lesson 01 exercises: convolution by hand, output sizes, designing a kernel, counting parameters."""
import numpy as np

from .core import Incorrect, Question, ____, as_array, call_learner

__all__ = ["q1", "q2", "q3", "q4", "____"]


def _reference_conv2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


class Conv2dValid(Question):
    variables = ("conv2d",)
    hints = (
        "The output has shape (H - kh + 1, W - kw + 1). Make an array of zeros of that shape first.",
        "Loop over every output position (i, j); the input patch is image[i:i+kh, j:j+kw].",
        "Each output value is np.sum(patch * kernel). Keras does not flip the kernel (cross-correlation).",
    )
    answer = """
        def conv2d(image, kernel):
            kh, kw = kernel.shape
            out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
            for i in range(out.shape[0]):
                for j in range(out.shape[1]):
                    out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
            return out
    """
    praise = "your conv2d matches the reference on random images and kernels, including non-square ones."

    def verify(self, conv2d):
        rng = np.random.default_rng(1)
        for shape, kshape in [((6, 7), (3, 3)), ((9, 5), (2, 3)), ((5, 5), (5, 5))]:
            image, kernel = rng.normal(size=shape), rng.normal(size=kshape)
            expected = _reference_conv2d(image, kernel)
            got = as_array(call_learner(conv2d, image.copy(), kernel.copy()), "conv2d(image, kernel)")
            if got.shape != expected.shape:
                raise Incorrect(f"for a {shape} image and a {kshape} kernel the output should have shape "
                                f"{expected.shape} (no padding, stride 1), but yours has {got.shape}.")
            if not np.allclose(got, expected, atol=1e-6):
                if np.allclose(got, _reference_conv2d(image, kernel[::-1, ::-1]), atol=1e-6):
                    raise Incorrect("your output equals the result with the kernel flipped. That is the textbook "
                                    "'true' convolution; Keras' Conv2D (and this lesson) slide the kernel unflipped.")
                raise Incorrect(f"for a {shape} image and a {kshape} kernel your values differ from the reference "
                                f"(largest difference {np.max(np.abs(got - expected)):.3g}).")


class OutputSize(Question):
    variables = ("conv_output_size",)
    hints = (
        "With padding='valid' the kernel must fit entirely inside the input.",
        "valid: (n - k) // stride + 1. same: Keras pads so that the output is ceil(n / stride).",
    )
    answer = """
        def conv_output_size(n, k, stride, padding):
            if padding == "valid":
                return (n - k) // stride + 1
            return -(-n // stride)  # ceil(n / stride)
    """
    praise = "your formula agrees with Keras for every size, kernel, stride and padding tried."

    def verify(self, conv_output_size):
        for n in (5, 7, 28, 32, 33):
            for k in (1, 3, 5):
                for stride in (1, 2, 3):
                    for padding in ("valid", "same"):
                        expected = (n - k) // stride + 1 if padding == "valid" else -(-n // stride)
                        got = call_learner(conv_output_size, n, k, stride, padding)
                        if got != expected:
                            raise Incorrect(
                                f"for n={n}, k={k}, stride={stride}, padding='{padding}' Keras gives {expected}, "
                                f"yours gives {got!r}." + (" With 'same', only the stride shrinks the output."
                                                          if padding == "same" else ""))


class VerticalEdgeKernel(Question):
    variables = ("vertical_edge_kernel",)
    hints = (
        "A vertical edge is a change from left to right. Give the left column and the right column opposite signs.",
        "The weights should add up to 0, so a flat region gives 0. The Sobel x kernel is one answer.",
    )
    answer = """
        vertical_edge_kernel = np.array([[-1, 0, 1],
                                         [-2, 0, 2],
                                         [-1, 0, 1]], dtype="float32")
    """
    praise = "it ignores flat regions and horizontal edges and fires on vertical ones."

    def verify(self, vertical_edge_kernel):
        kernel = as_array(vertical_edge_kernel, "vertical_edge_kernel", shape=(3, 3))
        flat = np.full((8, 8), 0.5)
        vertical = np.zeros((8, 8))
        vertical[:, 4:] = 1.0
        on_flat = np.abs(_reference_conv2d(flat, kernel)).max()
        on_vertical = np.abs(_reference_conv2d(vertical, kernel)).max()
        on_horizontal = np.abs(_reference_conv2d(vertical.T, kernel)).max()
        if on_vertical < 1e-6 and on_horizontal > 1e-6:
            raise Incorrect("your kernel detects horizontal edges (top vs bottom), not vertical ones; "
                            "transpose it so it compares left with right.")
        if on_vertical < 1e-6:
            raise Incorrect("your kernel gives 0 on a vertical edge; it should respond strongly there.")
        if on_flat > 0.05 * on_vertical:
            raise Incorrect("your kernel responds to a flat grey region; make its weights add up to 0.")
        if on_horizontal > 0.05 * on_vertical:
            raise Incorrect("your kernel responds to horizontal edges as strongly as to vertical ones; "
                            "it should only compare left with right.")


class ParameterCount(Question):
    variables = ("n_params",)
    hints = (
        "Each of the 16 filters spans the full 3x3 window across all 3 input channels.",
        "Weights: 3 * 3 * 3 * 16. Don't forget one bias per filter.",
    )
    answer = "n_params = 3 * 3 * 3 * 16 + 16  # = 448"
    praise = "448 = 3x3x3 weights per filter x 16 filters + 16 biases (model.summary() agrees)."

    def verify(self, n_params):
        value = as_array(n_params, "n_params", shape=())
        if value == 432:
            raise Incorrect("432 counts the weights only; each filter also has a bias.")
        if value == 160:
            raise Incorrect("160 treats the input as 1 channel; an RGB image has 3, and every filter spans "
                            "all of them.")
        if value != 448:
            raise Incorrect(f"{value:g} is not right; count weights per filter (height x width x input channels), "
                            "times the number of filters, plus one bias per filter.")


q1 = Conv2dValid("q1")
q2 = OutputSize("q2")
q3 = VerticalEdgeKernel("q3")
q4 = ParameterCount("q4")
