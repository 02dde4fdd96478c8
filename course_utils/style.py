"""Style transfer with Magenta's two networks, and the Gram matrices that describe style (introduced in lesson 11).

Magenta's arbitrary image stylization (Ghiasi et al., 2017) is a pair of int8 TFLite models: the style network turns a
256x256 painting into 100 numbers, the transfer network paints a 384x384 photo with them. Both want floats in [0, 1];
these helpers take the RGB uint8 photos the course loads, crop them to the middle square (stretching would distort
them), resize and scale them, so that a learner can stylise any photo in one call once lesson 11 has shown each step.
"""
from functools import lru_cache

import numpy as np

from .validate import check

STYLE_SIZE, CONTENT_SIZE, STYLE_DIMENSIONS = 256, 384, 100


def gram_matrix(features):
    """Gram matrices of feature maps ``(N, H, W, C)`` (or one ``(H, W, C)``): ``(N, C, C)``, each entry the mean over
    positions of the product of two channels, so that images of any size compare. Works on NumPy arrays and on
    tensors inside a ``GradientTape`` (it uses ``keras.ops``)."""
    from keras import ops

    shape = tuple(features.shape)
    check("features", shape, len(shape) in (3, 4), "feature maps of shape (N, H, W, C) or (H, W, C)")
    return ops.einsum("...ijc,...ijd->...cd", features, features) / (shape[-3] * shape[-2])


def style_vector(image):
    """The 100-number style vector of an RGB uint8 image (a painting, or any photo), from its middle square."""
    x = as_model_input(image, STYLE_SIZE, "image")
    return load_magenta()[0](x[None]).reshape(STYLE_DIMENSIONS)


def stylise(image, style):
    """Paint the middle square of an RGB uint8 photo with a style vector: a 384x384 RGB uint8 image."""
    style = np.asarray(style, dtype="float32")
    check("style", style.shape, style.shape == (STYLE_DIMENSIONS,), f"a style vector of shape ({STYLE_DIMENSIONS},) "
          "from style_vector()")
    x = as_model_input(image, CONTENT_SIZE, "image")
    painted = load_magenta()[1](x[None], style.reshape(1, 1, 1, STYLE_DIMENSIONS))[0]
    return np.round(np.clip(painted, 0, 1) * 255).astype(np.uint8)


def blend_styles(style, other, weight):
    """``weight`` of ``style`` and ``1 - weight`` of ``other``: 0 gives ``other`` exactly, 1 gives ``style``."""
    style, other = np.asarray(style, "float32"), np.asarray(other, "float32")
    check("style, other", (style.shape, other.shape), style.shape == other.shape == (STYLE_DIMENSIONS,),
          f"two style vectors of shape ({STYLE_DIMENSIONS},)")
    check("weight", weight, np.isscalar(weight) and 0 <= weight <= 1, "a number from 0 to 1")
    return weight * style + (1 - weight) * other


def as_model_input(image, size, name):
    """The middle square of an RGB uint8 image, resized to ``size`` x ``size``, as floats in [0, 1]."""
    import cv2

    image = np.asarray(image)
    check(name, f"{image.dtype} of shape {image.shape}",
          image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8,
          "an RGB uint8 image (H, W, 3) with pixels 0-255, as cu.load_photo gives (the helper scales it to [0, 1])")
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = image[top:top + side, left:left + side]
    shrinking = side > size
    resized = cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    return resized.astype("float32") / 255


@lru_cache(maxsize=1)
def load_magenta():
    """The style and transfer networks, loaded once."""
    from .pretrained import load_pretrained

    return (load_pretrained("magenta_style_prediction", verbose=False),
            load_pretrained("magenta_style_transfer", verbose=False))
