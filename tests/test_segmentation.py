import numpy as np
import pytest

from course_utils.segmentation import make_composites, score_segmentation


def items():
    """Twelve 8x8 items of three classes: a square, a bar and a cross, at different brightness."""
    square, bar, cross = np.zeros((3, 8, 8), np.uint8)
    square[1:7, 1:7], bar[:, 3:5], cross[3:5, :] = 200, 150, 250
    cross[:, 3:5] = 250
    return np.stack([square, bar, cross] * 4), np.array([0, 1, 2] * 4)


def test_composites_are_deterministic_per_seed():
    images, labels = items()
    a = make_composites(images, labels, 20, size=32, sides=(8, 16), seed=3)
    b = make_composites(images, labels, 20, size=32, sides=(8, 16), seed=3)
    c = make_composites(images, labels, 20, size=32, sides=(8, 16), seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[1], c[1])
    assert a[0].shape == a[1].shape == (20, 32, 32) and a[0].dtype == a[1].dtype == np.uint8


def test_every_label_is_its_items_pixels():
    """One item per canvas at its own size: the canvas is the item at some place, and the label map is that
    item's bright pixels labelled with its class + 1."""
    images, labels = items()
    canvases, label_maps = make_composites(images, labels, 30, size=16, items=(1, 1), sides=(8, 8), seed=0)
    for canvas, label_map in zip(canvases, label_maps):
        placed = []
        for kind, top, left in np.ndindex(3, 9, 9):
            expected = np.zeros((16, 16), np.uint8)
            expected[top:top + 8, left:left + 8] = images[kind]
            if np.array_equal(canvas, expected):
                placed.append((kind, (expected > 64) * (kind + 1)))
        assert placed, "the canvas is not one item placed whole"
        assert any(np.array_equal(label_map, want) for _, want in placed)
    canvases, label_maps = make_composites(images, labels, 50, size=32, sides=(8, 24), seed=1)  # items overlap here
    assert np.array_equal(canvases > 64, label_maps > 0)  # bright pixel <=> labelled, after covering
    assert set(np.unique(label_maps).tolist()) == {0, 1, 2, 3}


def test_test_canvases_use_only_the_items_given():
    """Canvases made from test items only hold test items' pixels (no item from elsewhere sneaks in)."""
    images, labels = items()
    canvases, label_maps = make_composites(images[:1], labels[:1], 10, size=24, sides=(8, 8), seed=0)
    assert set(np.unique(label_maps).tolist()) == {0, 1} and set(np.unique(canvases).tolist()) == {0, 200}


@pytest.mark.parametrize("bad, message", [
    (dict(images=np.zeros((4, 8, 8), np.float32)), "images must be a non-empty uint8"),
    (dict(labels=np.array([0, 1])), "labels must be 12 int class ids"),
    (dict(labels=np.array([-1] * 12)), "labels must be 12 int class ids"),
    (dict(count=0), "count must be a positive int"),
    (dict(items=(3, 2)), "items must be"),
    (dict(sides=(8, 40)), "sides must be .* to size=32"),
    (dict(threshold=300), "threshold must be an int from 0 to 254"),
])
def test_bad_composite_arguments_are_explained(bad, message):
    images, labels = items()
    arguments = dict(images=images, labels=labels, count=2, size=32, sides=(8, 16)) | bad
    with pytest.raises(ValueError, match=message):
        make_composites(**arguments)


def square(top, left, side, size=8):
    mask = np.zeros((size, size), np.uint8)
    mask[top:top + side, left:left + side] = 1
    return mask


def test_scores_on_hand_made_masks():
    truth = square(0, 0, 4)  # 16 pixels of class 1
    perfect = score_segmentation(truth, truth, 2)
    assert perfect.iou.tolist() == [1, 1] and perfect.dice.tolist() == [1, 1] and perfect.pixel_accuracy == 1
    disjoint = score_segmentation(truth, square(4, 4, 4), 2)
    assert disjoint.iou[1] == 0 and disjoint.dice[1] == 0
    half = score_segmentation(truth, square(0, 2, 4), 2)  # 8 shared pixels, 24 in the union
    assert half.iou[1] == pytest.approx(8 / 24) and half.dice[1] == pytest.approx(16 / 32)
    assert half.pixel_accuracy == pytest.approx(48 / 64)
    absent = score_segmentation(truth, truth, 3)  # class 2 in neither map: no score, not in the mean
    assert np.isnan(absent.iou[2]) and np.isnan(absent.dice[2]) and absent.mean_iou == 1


def test_ignored_pixels_do_not_count():
    truth, guess = square(0, 0, 4), square(0, 0, 4)
    truth[4, :] = 255
    guess[4, :] = 1  # wrong, but on ignored pixels
    scores = score_segmentation(truth, guess, 2, ignore=255)
    assert scores.iou.tolist() == [1, 1] and scores.pixel_accuracy == 1


def test_scores_match_keras_mean_iou():
    import keras

    rng = np.random.default_rng(0)
    truth, guess = rng.integers(0, 5, (4, 16, 16)), rng.integers(0, 5, (4, 16, 16))
    guess[truth == 2] = 2  # one class much better than the rest
    metric = keras.metrics.MeanIoU(num_classes=5)
    metric.update_state(truth, guess)
    assert score_segmentation(truth, guess, 5).mean_iou == pytest.approx(float(metric.result()), abs=1e-6)


@pytest.mark.parametrize("truth, guess, message", [
    (np.zeros((4, 4), int), np.zeros((4, 5), int), r"y_pred's shape must be y_true's shape \(4, 4\)"),
    (np.zeros((4, 4), int), np.full((4, 4), 3), "y_pred holds labels from 3 to 3; expected 0 to 2"),
    (np.full((4, 4), -1), np.zeros((4, 4), int), "y_true holds labels from -1 to -1"),
    (np.zeros((4, 4)), np.zeros((4, 4), int), "y_true's dtype must be int or bool"),
    (np.zeros((4, 4), int), np.zeros((4, 4, 3), np.float32), "y_pred's shape"),
])
def test_bad_masks_are_explained(truth, guess, message):
    with pytest.raises(ValueError, match=message):
        score_segmentation(truth, guess, 3)
