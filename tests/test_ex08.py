"""Checker tests for lesson 08's exercises: right answers pass, wrong ones say what is wrong."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.exercises import ex08
from course_utils.exercises.core import ____
from course_utils.segmentation import make_composites, score_segmentation
from tests.conftest import message, status

# q1: IoU and Dice by hand (|T| = 10, |P| = 9, |T and P| = 6, |T or P| = 13, 36 pixels)

T, P = ex08.MASK_TRUE == 1, ex08.MASK_PRED == 1


def test_q1_masks_are_as_the_hints_say():
    assert (T.sum(), P.sum(), (T & P).sum(), (T | P).sum()) == (10, 9, 6, 13)


def test_q1_right():
    assert status(ex08.q1, iou=6 / 13, dice=12 / 19) == "correct"
    assert status(ex08.q1, iou=(T & P).sum() / (T | P).sum(), dice=2 * (T & P).sum() / (T.sum() + P.sum())) == \
        "correct"
    scores = score_segmentation(ex08.MASK_TRUE, ex08.MASK_PRED, 2)
    assert status(ex08.q1, iou=scores.iou[1], dice=scores.dice[1]) == "correct"
    assert status(ex08.q1, iou=0.46, dice=0.63) == "correct"  # rounded by hand to two decimals


@pytest.mark.parametrize("iou, dice, clue", [
    (12 / 19, 6 / 13, "swapped"),
    (6 / 19, 12 / 19, "counts the 6 pixels in both masks twice"),
    (6 / 13, 6 / 19, "doubles the intersection"),
    (29 / 36, 12 / 19, "pixel accuracy"),
    (6 / 13, 29 / 36, "pixel accuracy"),
    (6 / 10, 12 / 19, "recall"),
    (6 / 9, 12 / 19, "precision"),
    (23 / 30, 12 / 19, "background"),
    (6 / 13, 46 / 53, "background"),
    (6 / 13, 6 / 13, "that is the IoU"),
    (12 / 19, 12 / 19, "that is the Dice score"),
    (6 / 13, 12 / 13, "not by the union"),
    (6 / 36, 12 / 19, "all 36 pixels"),
    (46.15, 12 / 19, "percentage"),
    (6 / 13, 63.2, "percentage"),
    (6, 12 / 19, "count of pixels"),
    (6 / 13, 12, "count of pixels"),
    (0.3, 12 / 19, "not the IoU"),
    (6 / 13, 0.9, "not the Dice score"),
    ("about half", 12 / 19, "numeric"),
    ([0.46, 0.5], 12 / 19, "shape"),
])
def test_q1_wrong(iou, dice, clue):
    result = ex08.q1.evaluate({"iou": iou, "dice": dice})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q1_placeholder():
    assert status(ex08.q1, iou=____, dice=____) == "not attempted"
    assert status(ex08.q1, iou=6 / 13, dice=____) == "not attempted"
    assert status(ex08.q1, iou=____ / 13, dice=12 / 19) == "not attempted"


# q2: the shapes inside a decoder block: x (N, 8, 8, 64), skip (N, 16, 16, 24), filters 32

def test_q2_right():
    assert status(ex08.q2, up_shape=(16, 16, 32), joined_shape=(16, 16, 56), out_shape=(16, 16, 32)) == "correct"
    assert status(ex08.q2, up_shape=[16, 16, 32], joined_shape=(None, 16, 16, 56),
                  out_shape=(None, 16, 16, 32)) == "correct"
    assert status(ex08.q2, up_shape=(16, 16, np.int64(32)), joined_shape=(16, 16, 32 + 24),
                  out_shape=(16, 16, 32)) == "correct"


def test_q2_matches_keras():
    keras = pytest.importorskip("keras")
    layers = keras.layers
    x, skip = keras.Input(ex08.X_SHAPE[1:]), keras.Input(ex08.SKIP_SHAPE[1:])
    up = layers.Conv2DTranspose(ex08.FILTERS, 2, strides=2, padding="same")(x)
    joined = layers.Concatenate()([up, skip])
    out = ex08._conv_block(joined, ex08.FILTERS)
    assert status(ex08.q2, up_shape=tuple(up.shape[1:]), joined_shape=tuple(joined.shape),
                  out_shape=tuple(out.shape[1:])) == "correct"


RIGHT_SHAPES = {"up_shape": (16, 16, 32), "joined_shape": (16, 16, 56), "out_shape": (16, 16, 32)}


@pytest.mark.parametrize("name, shape, clue", [
    ("up_shape", (8, 8, 32), "doubles them"),
    ("up_shape", (8, 8, 64), "that is x itself"),
    ("up_shape", (16, 16, 64), "one channel per filter"),
    ("up_shape", (4, 4, 32), "pooling that halves"),
    ("up_shape", (32, 32, 32), "double once"),
    ("joined_shape", (16, 16, 88), "kept x's 64 channels"),
    ("joined_shape", (16, 16, 32), "add up"),
    ("joined_shape", (16, 16, 24), "side by side"),
    ("joined_shape", (16, 16, 768), "do not multiply"),
    ("joined_shape", (32, 16, 32), "axis=-1"),
    ("joined_shape", (8, 8, 56), "after the upsampling"),
    ("joined_shape", (16, 16, 50), "the channels should be 56"),
    ("out_shape", (16, 16, 56), "concatenation's shape"),
    ("out_shape", (16, 16, 24), "skip's channel count"),
    ("out_shape", (16, 16, 64), "x's channel count"),
    ("out_shape", (8, 8, 32), "doubles them"),
    ("out_shape", (32, 32, 32), "keep the height and width"),
    ("out_shape", (14, 14, 32), "padding=\"valid\""),
    ("out_shape", (20, 20, 32), "height and width should be (16, 16)"),
    ("out_shape", (8, 16, 16, 32), "batch axis"),
    ("out_shape", (16, 16), "three numbers"),
    ("out_shape", "16, 16, 32", "tuple"),
    ("out_shape", (16.0, 16, 32), "whole numbers"),
    ("up_shape", (32, 16, 16), "channels come last in Keras: (height, width, channels)"),
    ("up_shape", (64, 8, 8), "channels come last"),  # x itself, channels first
    ("joined_shape", (56, 16, 16), "channels come last"),
    ("out_shape", (32, 16, 16), "channels come last"),
    ("out_shape", (None, 32, 16, 16), "channels come last"),
])
def test_q2_wrong(name, shape, clue):
    result = ex08.q2.evaluate({**RIGHT_SHAPES, name: shape})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q2_placeholder():
    assert status(ex08.q2, up_shape=____, joined_shape=____, out_shape=____) == "not attempted"
    assert status(ex08.q2, **{**RIGHT_SHAPES, "joined_shape": (16, 16, ____)}) == "not attempted"


# q3: a decoder block in Keras

keras = pytest.importorskip("keras")
layers = keras.layers
conv_block = ex08._conv_block


def lesson_block(x, skip, filters):
    x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
    x = layers.Concatenate()([x, skip])
    return conv_block(x, filters)


def inline_block(x, skip, filters):
    """No conv_block: its layers written out, the skip first, the functional concatenate."""
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
    x = layers.concatenate([skip, x])
    for _ in range(2):
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
    return x


def ops_block(x, skip, filters):
    """keras.ops.concatenate instead of the layer."""
    x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
    return conv_block(keras.ops.concatenate([x, skip], axis=-1), filters)


def upsampling_block(x, skip, filters):
    x = layers.UpSampling2D()(x)
    return conv_block(layers.Concatenate()([x, skip]), filters)


def test_q3_right():
    for block in (lesson_block, inline_block, ops_block):
        result = ex08.q3.evaluate({"decoder_block": block})
        assert result.status == "correct" and "UpSampling2D" not in result.message, (block.__name__, result.message)


def test_q3_upsampling_is_accepted_with_a_note():
    result = ex08.q3.evaluate({"decoder_block": upsampling_block})
    assert result.status == "correct" and "Conv2DTranspose" in result.message, result.message
    assert result.message.startswith("UpSampling2D doubles the size"), result.message
    assert "a transposed convolution doubles" not in result.message, result.message


def test_q3_praise_names_the_transposed_convolution():
    result = ex08.q3.evaluate({"decoder_block": lesson_block})
    assert result.message.startswith("a transposed convolution doubles the size"), result.message


def test_q3_the_lessons_block_passes():
    """The lesson's block (which also accepts skip=None) passes: the exercise asks for the same function."""
    def lesson(x, skip, filters):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        if skip is not None:
            x = layers.Concatenate()([x, skip])
        return conv_block(x, filters)

    assert status(ex08.q3, decoder_block=lesson) == "correct"


def up(x, filters):
    return layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)


def no_bn_block(x, skip, filters):
    x = layers.Concatenate()([up(x, filters), skip])
    for _ in range(2):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return x


def one_conv_block(x, skip, filters):
    x = layers.Concatenate()([up(x, filters), skip])
    return layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(filters, 3, padding="same")(x)))


def conv_first_block(x, skip, filters):
    x = conv_block(up(x, filters), filters)
    return layers.Conv2D(filters, 1)(layers.Concatenate()([x, skip]))


@pytest.mark.parametrize("wrong, clue", [
    (lambda x, s, f: conv_block(layers.Add()([up(x, f), s]), f), "concatenates"),
    (lambda x, s, f: conv_block(up(x, f) + s, f), "concatenates"),
    (lambda x, s, f: conv_block(up(x, f), f), "does not depend on `skip`"),
    (lambda x, s, f: conv_block(s, f), "does not depend on `x`"),
    (lambda x, s, f: conv_block(layers.Multiply()([up(x, f), s]), f), "without a Concatenate"),
    (lambda x, s, f: conv_block(layers.Concatenate()([x, s]), f), "Everything but the channels must match"),
    (lambda x, s, f: conv_block(layers.Concatenate(axis=1)([up(x, f), s]), f), "axis 1"),
    (lambda x, s, f: conv_block(layers.Concatenate()([x, layers.MaxPooling2D()(s)]), f), "don't shrink the skip"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(up(x, f), f), layers.UpSampling2D()(s)]), f),
     "upsample once"),
    (lambda x, s, f: layers.Conv2D(f, 3)(layers.Conv2D(f, 3)(layers.Concatenate()([up(x, f), s]))), "padding"),
    (lambda x, s, f: layers.Concatenate()([up(x, f), s]), "two 3x3 convolutions"),
    (one_conv_block, "one 3x3 convolution"),
    (lambda x, s, f: conv_block(conv_block(layers.Concatenate()([up(x, f), s]), f), f), "4 3x3 convolutions"),
    (conv_first_block, "convolve after concatenating"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, f), s]), 32), "use the argument, not a fixed number"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, f), s]), 2 * f), "use exactly `filters` filters"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, 2 * f), s]), 2 * f), "2 x `filters`"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, f), s]), 3 * f), "use exactly `filters` filters"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, f), s]), x.shape[-1]), "x's channel count"),
    (lambda x, s, f: conv_block(layers.Concatenate()([up(x, f), s]), s.shape[-1]), "skip's channel count"),
    (lambda x, s, f: layers.Conv2D(f + s.shape[-1], 1)(conv_block(layers.Concatenate()([up(x, f), s]), f)),
     "the concatenation's"),
    (no_bn_block, "BatchNormalization"),
    (lambda x, s, f: (conv_block(layers.Concatenate()([up(x, f), s]), f), s), "one tensor"),
    (lambda x, s, f: np.zeros((8, 8, f)), "Keras tensor"),
    (lambda x, s, f: conv_block(keras.Input((8, 8, 6)), f), "not computed from the x and skip"),
    (lambda x, s, f: __import__("tensorflow").concat([x, s], axis=-1), "not from tf functions"),
    (lambda x, s, f: undefined_block(x, f), "NameError"),  # noqa: F821
    (lambda x, s: x, "TypeError"),
    (42, "expected a function"),
])
def test_q3_wrong(wrong, clue):
    result = ex08.q3.evaluate({"decoder_block": wrong})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q3_names_the_missing_conv_block():
    namespace = {"layers": layers}
    exec("def decoder_block(x, skip, filters):\n"
         "    x = layers.Concatenate()([layers.UpSampling2D()(x), skip])\n"
         "    return conv_block(x, filters)\n", namespace)
    result = ex08.q3.evaluate(namespace)
    assert result.status == "incorrect" and "run the cell above q3" in result.message, result.message


def test_q3_placeholder():
    assert status(ex08.q3, decoder_block=____) == "not attempted"
    assert status(ex08.q3, decoder_block=lambda x, skip, filters: ____) == "not attempted"


# q4: resizing label maps

def test_q4_right():
    assert status(ex08.q4, mask_interpolation="nearest") == "correct"
    assert status(ex08.q4, mask_interpolation="Nearest") == "correct"
    assert status(ex08.q4, mask_interpolation={"nearest"}) == "correct"


@pytest.mark.parametrize("answer", [
    0, np.int64(0), [0], "INTER_NEAREST", "cv2.INTER_NEAREST", "inter_nearest", "nearest neighbour",
    "Nearest-Neighbour", "nearest neighbor", "NEAREST NEIGHBOR", " nearest ",
])
def test_q4_right_as_cv2_flag_or_long_name(answer):
    assert status(ex08.q4, mask_interpolation=answer) == "correct"


def test_q4_right_as_cv2_constant():
    cv2 = pytest.importorskip("cv2")
    assert status(ex08.q4, mask_interpolation=cv2.INTER_NEAREST) == "correct"
    assert status(ex08.q4, mask_interpolation=cv2.INTER_NEAREST_EXACT) == "correct"


@pytest.mark.parametrize("answer, start", [
    ("bilinear", "bilinear is for photos"),
    ("bicubic", "bicubic blends"),
    ("area", "area averages"),
    ("lanczos", "lanczos blends"),
    ({"nearest", "area"}, "area averages"),
    (1, "bilinear is for photos"),  # cv2.INTER_LINEAR
    (2, "bicubic blends"),  # cv2.INTER_CUBIC
    (3, "area averages"),  # cv2.INTER_AREA
    (4, "lanczos blends"),  # cv2.INTER_LANCZOS4
    ("cv2.INTER_LINEAR", "bilinear is for photos"),
    ("INTER_CUBIC", "bicubic blends"),
    ("INTER_AREA", "area averages"),
    ("cv2.INTER_LANCZOS4", "lanczos blends"),
])
def test_q4_wrong_picks_get_their_sentence(answer, start):
    result = ex08.q4.evaluate({"mask_interpolation": answer})
    assert result.status == "incorrect" and result.message.startswith(start), result.message


ONE_NAME = "`mask_interpolation` should be one interpolation name, a string such as \"bilinear\"."


@pytest.mark.parametrize("answer, clue", [
    ("farthest", "not one of the interpolations"),
    ("", "nearest copies"),
    (0.0, ONE_NAME),
    (None, ONE_NAME),
    (True, ONE_NAME),
    (7, "not one of cv2's interpolation flags"),
])
def test_q4_wrong_form(answer, clue):
    result = ex08.q4.evaluate({"mask_interpolation": answer})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q4_sentences_are_true():
    """Nearest keeps only the old labels; every other interpolation invents values, on a real pet mask."""
    cv2 = pytest.importorskip("cv2")
    flags = {"nearest": cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC,
             "area": cv2.INTER_AREA, "lanczos": cv2.INTER_LANCZOS4}
    assert set(flags) == set(ex08.INTERPOLATIONS)
    mask = np.zeros((60, 90), np.uint8)
    mask[10:50, 20:70] = 255
    mask[14:46, 24:66] = 1
    for name, flag in flags.items():
        for size in ((37, 23), (170, 113)):
            invented = set(np.unique(cv2.resize(mask, size, interpolation=flag)).tolist()) - {0, 1, 255}
            assert bool(invented) == (name != "nearest"), (name, size)


def test_q4_placeholder():
    assert status(ex08.q4, mask_interpolation=____) == "not attempted"


# q5: a model that predicts background everywhere

def maps_with(kinds):
    """Two 8x8 label maps: 40 of 128 pixels hold the kinds given (tops, bags ...), the rest is background."""
    maps = np.zeros((2, 8, 8), np.uint8)
    maps[0, 1:4, 2:6] = kinds[0]
    maps[1, 4:7, 1:3] = kinds[-1]
    maps[1, 0:2, 5:8] = kinds[0]
    maps[0, 5:8, 4:8] = kinds[len(kinds) // 2]
    return maps


MAPS = maps_with([1, 4])  # background, tops and bags: 3 classes
ACCURACY = float(np.mean(MAPS == 0))


def test_q5_right():
    lazy = score_segmentation(MAPS, np.zeros_like(MAPS), 5)
    assert np.isclose(lazy.mean_iou, ACCURACY / 3)
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=lazy.pixel_accuracy, lazy_mean_iou=lazy.mean_iou) == \
        "correct"
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=ACCURACY, lazy_mean_iou=ACCURACY / 3) == "correct"
    keras_iou = keras.metrics.MeanIoU(num_classes=5)
    keras_iou.update_state(MAPS, np.zeros_like(MAPS))
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=ACCURACY,
                  lazy_mean_iou=float(keras_iou.result())) == "correct"


def test_q5_right_rounded():
    """Rounded to two decimals (0.72, 0.24 for 0.719, 0.240) or three, the answer is right, as in q1."""
    assert (round(ACCURACY, 2), round(ACCURACY / 3, 2)) == (0.72, 0.24)
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=0.72, lazy_mean_iou=0.24) == "correct"
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=0.719, lazy_mean_iou=0.240) == "correct"


def test_q5_right_on_the_notebooks_composites():
    """The solution's composites come from make_composites (garments would need the dataset: stand-in items)."""
    rng = np.random.default_rng(0)
    items = rng.integers(0, 255, (20, 28, 28)).astype(np.uint8)
    _, maps = make_composites(items, rng.integers(0, 4, 20), 4, size=48, sides=(12, 30), seed=5)
    lazy = score_segmentation(maps, np.zeros_like(maps), 5)
    assert status(ex08.q5, label_maps=maps, lazy_accuracy=lazy.pixel_accuracy, lazy_mean_iou=lazy.mean_iou) == \
        "correct"


@pytest.mark.parametrize("accuracy, mean_iou, clue", [
    (ACCURACY / 3, ACCURACY, "swapped"),
    (1 - ACCURACY, ACCURACY / 3, "garment pixels"),
    (100 * ACCURACY, ACCURACY / 3, "percentage"),
    (float(np.sum(MAPS == 0)), ACCURACY / 3, "count of pixels"),
    (0.5, ACCURACY / 3, "share of background"),
    (ACCURACY, ACCURACY / 5, "counting trousers and footwear as 0"),
    (ACCURACY, ACCURACY, "background's IoU alone"),
    (ACCURACY, 0.0, "counts the background too"),
    (ACCURACY, ACCURACY / 2, "garment kinds present"),
    (ACCURACY, float("nan"), "nan"),
    (ACCURACY, 100 * ACCURACY / 3, "percentage"),
    (ACCURACY, 0.3, "not the lazy model's mean IoU"),
    ("high", ACCURACY / 3, "numeric"),
    (0.71, ACCURACY / 3, f"Close: give three decimals ({ACCURACY:.3f} rather than 0.71)"),
    (ACCURACY, 0.23, f"Close: give three decimals ({ACCURACY / 3:.3f} rather than 0.23)"),
])
def test_q5_wrong(accuracy, mean_iou, clue):
    result = ex08.q5.evaluate({"label_maps": MAPS, "lazy_accuracy": accuracy, "lazy_mean_iou": mean_iou})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q5_object_or_not_and_per_canvas():
    four = maps_with([1, 2, 4])  # background + 3 kinds: 'object or not' (/2) differs from the kinds present (/3)
    accuracy = float(np.mean(four == 0))
    assert "object or not" in message(ex08.q5, label_maps=four, lazy_accuracy=accuracy, lazy_mean_iou=accuracy / 2)
    uneven = np.zeros((2, 8, 8), np.uint8)  # one canvas with a top only, one with a top, trousers and a bag
    uneven[0, :2, :2], uneven[1, :4, :4], uneven[1, 4:, 4:], uneven[1, 5:, :2] = 1, 1, 2, 4
    accuracy = float(np.mean(uneven == 0))
    per_canvas = np.mean([np.mean(m == 0) / len(np.unique(m)) for m in uneven])
    assert not np.isclose(per_canvas, accuracy / 3, atol=1e-3)
    assert "each canvas" in message(ex08.q5, label_maps=uneven, lazy_accuracy=accuracy, lazy_mean_iou=per_canvas)


def test_q5_needs_the_label_maps():
    assert "not defined yet" in message(ex08.q5, lazy_accuracy=ACCURACY, lazy_mean_iou=ACCURACY / 3)
    assert "run the cell" in message(ex08.q5, label_maps=np.ones((2, 2)) * 0.5, lazy_accuracy=ACCURACY,
                                     lazy_mean_iou=ACCURACY / 3)


def test_q5_placeholder():
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=____, lazy_mean_iou=____) == "not attempted"
    assert status(ex08.q5, label_maps=MAPS, lazy_accuracy=ACCURACY, lazy_mean_iou=____) == "not attempted"


def test_questions_exported():
    assert set(ex08.__all__) == {"q1", "q2", "q3", "q4", "q5", "____", "MASK_TRUE", "MASK_PRED", "X_SHAPE",
                                 "SKIP_SHAPE", "FILTERS", "INTERPOLATIONS"}
    for q in (ex08.q1, ex08.q2, ex08.q3, ex08.q4, ex08.q5):
        assert q.hints and q.answer.strip() and q.praise
