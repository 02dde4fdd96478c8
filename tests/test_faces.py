"""Lesson 10's helpers: the ORL faces as shipped, and YuNet through detect_faces."""
import numpy as np
import pytest

import course_utils as cu
from course_utils.faces import detect_faces, load_orl_faces


@pytest.fixture(scope="module")
def orl():
    return load_orl_faces(verbose=False)


def test_orl_faces_ship_with_the_course(orl):
    assert orl.images.shape == (400, 112, 92) and orl.images.dtype == np.uint8
    assert orl.source == "course data"
    np.testing.assert_array_equal(orl.people, np.repeat(np.arange(40), 10))
    assert len({image.tobytes() for image in orl.images}) == 400  # no photo twice


def test_orl_faces_equal_the_packs_original_files(orl, offline_pack):
    from PIL import Image

    for person, photo in [(0, 0), (17, 4), (39, 9)]:
        path = offline_pack / "datasets" / "orl-faces" / f"s{person + 1}" / f"{photo + 1}.pgm"
        original = np.asarray(Image.open(path))
        np.testing.assert_array_equal(orl.images[person * 10 + photo], original)


def test_orl_faces_print_their_credit(capsys):
    load_orl_faces()
    assert "Olivetti Research Laboratory" in capsys.readouterr().out


def test_yunet_finds_the_astronauts_face():
    """Measured: one face, score 0.93, eyes at x 200 and 247, y 102 (OpenCV 5.1)."""
    boxes, landmarks, scores = detect_faces(cu.load_photo("astronaut", verbose=False))
    assert boxes.shape == (1, 4) and landmarks.shape == (1, 5, 2) and scores[0] > 0.8
    (right_eye, left_eye, nose, *_), (top, left, bottom, right) = landmarks[0], boxes[0] * 512
    assert right_eye[0] < nose[0] < left_eye[0] and abs(right_eye[1] - left_eye[1]) < 5  # level eyes, nose between
    assert all(left < x < right and top < y < bottom for x, y in landmarks[0])


def test_yunet_finds_no_face_on_a_back():
    boxes, landmarks, scores = detect_faces(cu.load_photo("farm", verbose=False))
    assert boxes.shape == (0, 4) and landmarks.shape == (0, 5, 2) and scores.shape == (0,)


@pytest.mark.parametrize("image", [np.zeros((64, 64), np.uint8), np.zeros((64, 64, 3), np.float32)])
def test_detect_faces_wants_rgb_uint8(image):
    with pytest.raises(ValueError, match="RGB uint8 photo"):
        detect_faces(image)
