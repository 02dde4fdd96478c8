"""The course's curated photos, by name, with their licence credits (introduced in lesson 01)."""
import numpy as np

from .fetch import fetch_file, load_registry, mute_unless
from .validate import check, is_positive_int, is_shape


def list_photos():
    """Return the names of the curated photos (e.g. ``"cat"``, ``"dog"``, ``"starry_night"``)."""
    return sorted(name for name, info in load_registry().items() if info["kind"] == "photo")


def photo_credit(name):
    """Return the credit line to show next to a photo: author or source, and licence."""
    _check_name(name)
    return load_registry()[name]["credit"]


def load_photo(name, size=None, *, verbose=True):
    """Load a curated photo as an RGB uint8 array ``(H, W, 3)``.

    Args:
        name: one of ``list_photos()``.
        size: ``None`` for the original size, an int for a centre-cropped square of that side, or
            ``(height, width)`` to resize without cropping.
        verbose: print where the photo came from and its credit; ``False`` prints nothing.

    Returns:
        The image.
    """
    import cv2

    _check_name(name)
    with mute_unless(verbose):
        fetched = fetch_file(name)
        image = cv2.imread(str(fetched.path), cv2.IMREAD_COLOR)  # drops alpha, gives BGR
        if image is None:
            raise ValueError(f"OpenCV could not decode {fetched.path}.")
        image = np.ascontiguousarray(image[:, :, ::-1])
        if size is not None:
            image = _resize(image, size)
        h, w = image.shape[:2]
        print(f"photo {name!r}: {w}x{h} px, from {fetched.source}. Credit: {photo_credit(name)}")
    return image


def _check_name(name):
    if name not in list_photos():
        raise KeyError(f"Unknown photo {name!r}. Curated photos: {', '.join(list_photos())}.")


def _resize(image, size):
    import cv2

    if is_positive_int(size):
        h, w = image.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        image = image[top:top + side, left:left + side]
        size = (size, size)
    check("size", size, is_shape(size, 2), "None, a positive int or (height, width) of positive ints")
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)
