"""The ORL faces: 40 people, 10 photos each, for face verification (introduced in lesson 10).

The photos ship with the course as one PNG under ``data/samples/orl-faces/`` (credit and terms in its README) and
are sha256-checked through the registry, like every other file.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .fetch import fetch_file, mute_unless

CREDIT = ("The Database of Faces (formerly The ORL Database of Faces), AT&T Laboratories Cambridge / Olivetti "
          "Research Laboratory; F. Samaria and A. Harter, IEEE WACV 1994")
PEOPLE, PHOTOS, HEIGHT, WIDTH = 40, 10, 112, 92


@dataclass
class FaceSet:
    """Photos ``(400, 112, 92)`` uint8 greyscale and the person in each, ``(400,)`` ints 0-39 (person ``p`` is the
    database's folder ``s{p + 1}``); photos of one person are consecutive."""

    images: np.ndarray
    people: np.ndarray
    source: str


def load_orl_faces(*, verbose=True):
    """Load the 400 ORL photos; ``verbose=False`` prints nothing instead of their source and credit."""
    import cv2

    with mute_unless(verbose):
        fetched = fetch_file("orl_faces")
        grid = cv2.imread(str(fetched.path), cv2.IMREAD_GRAYSCALE)
        if grid is None or grid.shape != (PEOPLE * HEIGHT, PHOTOS * WIDTH):
            raise ValueError(f"{fetched.path} must be a {PHOTOS * WIDTH}x{PEOPLE * HEIGHT} greyscale PNG of "
                             f"{PEOPLE} rows of {PHOTOS} faces; OpenCV read {None if grid is None else grid.shape}.")
        images = grid.reshape(PEOPLE, HEIGHT, PHOTOS, WIDTH).transpose(0, 2, 1, 3).reshape(-1, HEIGHT, WIDTH)
        print(f"ORL faces: {PEOPLE} people x {PHOTOS} photos, {WIDTH}x{HEIGHT} greyscale, from {fetched.source}. "
              f"{CREDIT}")
    return FaceSet(np.ascontiguousarray(images), np.repeat(np.arange(PEOPLE), PHOTOS), fetched.source)


def detect_faces(image, min_score=0.6):
    """Find the faces in an RGB uint8 photo with YuNet through ``cv2.FaceDetectorYN`` (OpenCV >= 4.8).

    Returns:
        ``(boxes, landmarks, scores)``: boxes ``(N, 4)`` as ``[ymin, xmin, ymax, xmax]`` fractions of the photo (as
        ``cu.plot_detections`` draws them), landmarks ``(N, 5, 2)`` as ``(x, y)`` pixels, in YuNet's order: the
        person's right eye, left eye, nose tip, right and left mouth corners; and scores ``(N,)``.
    """
    import cv2

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"image must be an RGB uint8 photo (H, W, 3); got {image.dtype} of shape {image.shape}.")
    height, width = image.shape[:2]
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # OpenCV 5 notes its engine's targets: chatter
    try:
        finder = cv2.FaceDetectorYN.create(yunet_path(), "", (width, height), score_threshold=min_score)
        _, found = finder.detect(np.ascontiguousarray(image[:, :, ::-1]))  # OpenCV wants BGR
    finally:
        cv2.utils.logging.setLogLevel(level)
    found = np.zeros((0, 15), np.float32) if found is None else found
    x, y, w, h = found[:, :4].T
    boxes = np.stack([y / height, x / width, (y + h) / height, (x + w) / width], axis=1)
    return boxes, found[:, 4:14].reshape(-1, 5, 2), found[:, 14]


@lru_cache(maxsize=1)
def yunet_path():
    """The YuNet model file, fetched and sha256-checked once per session."""
    from .pretrained import load_pretrained

    return str(load_pretrained("yunet", verbose=False).path)
