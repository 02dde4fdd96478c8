"""Lesson 01 exercises: convolution by hand, output sizes, designing a kernel, counting parameters."""
import numpy as np

from .core import Function, Incorrect, Mistake, Question, Value, ____, as_array

__all__ = ["q1", "q2", "q3", "q4", "____"]


def _reference_conv2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def _conv_cases():
    """Random images and kernels: some not square, one kernel as large as its image."""
    rng = np.random.default_rng(1)
    shapes = [((6, 7), (3, 3)), ((9, 5), (2, 3)), ((5, 5), (5, 5))]
    return [(rng.normal(size=shape), rng.normal(size=kshape)) for shape, kshape in shapes]


class Conv2dValid(Question):
    checks = {"conv2d": Function(_reference_conv2d, _conv_cases(), mistakes=(
        Mistake(when=lambda c: c.got.shape != c.want.shape,
                say="for a {image.shape} image and a {kernel.shape} kernel the output should have shape {want.shape} "
                    "(no padding, stride 1), but yours has {got.shape}."),
        Mistake(like=lambda image, kernel: _reference_conv2d(image, kernel[::-1, ::-1]),
                say="your output equals the result with the kernel flipped. That is the textbook 'true' convolution; "
                    "Keras' Conv2D (and this lesson) slide the kernel unflipped."),
    ), otherwise=lambda c: f"for a {c.image.shape} image and a {c.kernel.shape} kernel your values differ from the "
                           f"reference (largest difference {np.max(np.abs(c.got - c.want)):.3g}).")}
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


def _output_size(n, k, stride, padding):
    """What Keras' Conv2D gives: the kernel fits (n - k) // stride + 1 times, or, padded ("same"), ceil(n / stride)."""
    return (n - k) // stride + 1 if padding == "valid" else -(-n // stride)


def _padded_by_half_kernel(n, k, stride, padding):
    """A common wrong "same": (k - 1) // 2 pixels of padding on each side, which is too few for even kernels."""
    pad = (k - 1) // 2 if padding == "same" else 0
    return (n + 2 * pad - k) // stride + 1


_SIZES = "for n={n}, k={k}, stride={stride}, padding='{padding}' Keras gives {want}, yours gives {value!r}."


class OutputSize(Question):
    checks = {"conv_output_size": Function(
        _output_size,
        [(n, k, stride, padding) for n in (5, 7, 28, 32, 33) for k in (1, 2, 3, 4, 5) for stride in (1, 2, 3)
         for padding in ("valid", "same")],
        mistakes=(
            Mistake(like=_padded_by_half_kernel,
                    say=_SIZES + " Padding (k - 1) // 2 pixels on each side keeps the size only for odd kernels: "
                                 "an even kernel needs k - 1 pixels in all, so Keras puts the extra one at the bottom "
                                 "and right, and the output is ceil(n / stride) for every kernel."),
            Mistake(when=lambda c: c.padding == "same",
                    say=_SIZES + " With 'same', only the stride shrinks the output."),
        ), otherwise=_SIZES)}
    hints = (
        "With padding='valid' the kernel must fit entirely inside the input.",
        "valid: (n - k) // stride + 1. same: Keras pads so that the output is ceil(n / stride), even for even kernels.",
    )
    answer = """
        def conv_output_size(n, k, stride, padding):
            if padding == "valid":
                return (n - k) // stride + 1
            return -(-n // stride)  # ceil(n / stride)
    """
    praise = "your formula agrees with Keras for every size, kernel, stride and padding tried."


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
    checks = {"n_params": Value(448, mistakes=(
        Mistake(like=432, say="432 counts the weights only; each filter also has a bias."),
        Mistake(like=160, say="160 treats the input as 1 channel; an RGB image has 3, and every filter spans all of "
                              "them."),
    ), otherwise="{got:g} is not right; count weights per filter (height x width x input channels), times the number "
                 "of filters, plus one bias per filter.")}
    hints = (
        "Each of the 16 filters spans the full 3x3 window across all 3 input channels.",
        "Weights: 3 * 3 * 3 * 16. Don't forget one bias per filter.",
    )
    answer = "n_params = 3 * 3 * 3 * 16 + 16  # = 448"
    praise = "448 = 3x3x3 weights per filter x 16 filters + 16 biases (model.summary() agrees)."


q1 = Conv2dValid("q1")
q2 = OutputSize("q2")
q3 = VerticalEdgeKernel("q3")
q4 = ParameterCount("q4")
