"""Checker tests for lesson 11's exercises: right answers pass, wrong ones say what is wrong."""
import os
import re
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import nbformat
import numpy as np
import pytest

from course_utils.exercises import ex11
from course_utils.exercises.core import ____
from course_utils.style import blend_styles, gram_matrix
from tests.conftest import check, message, status

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "11_style_transfer.ipynb"


def lesson_output():
    """Everything the lesson's stored run printed, as one text (the exercises quote its numbers)."""
    cells = nbformat.read(LESSON, as_version=4).cells
    text = "".join(output.get("text", "") for cell in cells if cell.cell_type == "code" for output in cell.outputs)
    assert text, f"{LESSON.name} has no stored outputs: run python -m course_utils.tools.execute {LESSON}"
    return text


# q1: a Gram matrix by hand

def test_q1_features_are_as_the_hints_say():
    channel_0, channel_1 = ex11.FEATURES[..., 0].ravel(), ex11.FEATURES[..., 1].ravel()
    assert ex11.FEATURES.shape == (2, 3, 2) and ex11.FEATURES.min() >= 0  # non-negative, as after a ReLU
    assert (channel_0 @ channel_0, channel_0 @ channel_1, channel_1 @ channel_1) == (12, 6, 18)
    np.testing.assert_allclose(gram_matrix(ex11.FEATURES * 1.0), [[2, 1], [1, 3]])


def test_q1_catalogued_answers_are_all_different():
    likes = [m.like for m in ex11._Q1["gram"].mistakes if m.like is not None] + [ex11._GRAM]
    assert all(not np.allclose(a, b) for i, a in enumerate(likes) for b in likes[i + 1:])


def flatten():
    return ex11.FEATURES.reshape(-1, 2)


@pytest.mark.parametrize("gram", [
    [[2, 1], [1, 3]],
    lambda: flatten().T @ flatten() / 6,
    lambda: np.einsum("ijc,ijd->cd", ex11.FEATURES, ex11.FEATURES) / 6,
    lambda: gram_matrix(ex11.FEATURES.astype("float32")),  # a tensor
    lambda: np.float32([[2, 1], [1, 3]]),
])
def test_q1_right(gram):
    assert status(ex11.q1, gram=gram() if callable(gram) else gram, gram_shape=(32, 32)) == "correct"
    assert status(ex11.q1, gram=[[2, 1], [1, 3]], gram_shape=[32, 32]) == "correct"
    measured = gram_matrix(np.zeros((56, 56, 32), "float32")).shape  # a TensorShape
    assert status(ex11.q1, gram=[[2, 1], [1, 3]], gram_shape=measured) == "correct"


@pytest.mark.parametrize("gram, clue", [
    (lambda: flatten().T @ flatten(), "MEAN"),
    (lambda: flatten().T @ flatten() / 2, "divided by C = 2"),
    (lambda: flatten().T @ flatten() / 12, "H x W x C = 12"),
    (lambda: np.cov(flatten().T, bias=True), "covariance"),
    (lambda: ex11.FEATURES.reshape(2, -1) @ ex11.FEATURES.reshape(2, -1).T / 6, "its two ROWS"),
    (lambda: flatten() @ flatten().T / 6, "positions x positions"),
    (lambda: [[2, 1], [1, 4]], "entry [1, 1]"),
    (lambda: [[2, 2], [1, 3]], "entry [0, 1]"),
    (lambda: np.einsum("ijc,ikc->jk", ex11.FEATURES, ex11.FEATURES) / 2, "shape (2, 2)"),
    (lambda: "G", "numeric"),
])
def test_q1_wrong_gram(gram, clue):
    result = ex11.q1.evaluate({"gram": gram(), "gram_shape": (32, 32)})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("gram_shape, clue", [
    ((56, 56), "size of each map"),
    ((3136, 3136), "positions x positions"),
    ((56, 56, 32), "shape of the map itself"),
    ((2, 2), "FEATURES"),
    (32, "a pair"),
    ((16, 16), "one row and one column per channel"),
    ("32 x 32", "numeric"),
])
def test_q1_wrong_shape(gram_shape, clue):
    result = ex11.q1.evaluate({"gram": [[2, 1], [1, 3]], "gram_shape": gram_shape})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q1_placeholder():
    assert status(ex11.q1, gram=____, gram_shape=____) == "not attempted"
    assert status(ex11.q1, gram=[[2, 1], [1, 3]], gram_shape=____) == "not attempted"
    assert status(ex11.q1, gram=____ / 6, gram_shape=(32, 32)) == "not attempted"


# q2: the strength of a style

def test_q2_vectors_are_the_real_style_vectors(offline_pack):
    import course_utils as cu
    from course_utils.style import style_vector

    for vector, photo in ((ex11.PAINTING, "starry_night"), (ex11.OWN, "farm")):
        np.testing.assert_allclose(vector, style_vector(cu.load_photo(photo, verbose=False)), atol=0.0051)


P, O = ex11.PAINTING, ex11.OWN


def test_q2_right():
    assert status(ex11.q2, half=blend_styles(P, O, 0.5), quarter=blend_styles(P, O, 0.25)) == "correct"
    assert status(ex11.q2, half=(P + O) / 2, quarter=P / 4 + 3 * O / 4) == "correct"
    assert status(ex11.q2, half=list(0.5 * P + 0.5 * O), quarter=O + 0.25 * (P - O)) == "correct"


@pytest.mark.parametrize("half, clue", [
    (P + O, "added the two vectors"),
    (0.5 * P, "left out the photo's own style"),
    (0.5, "not a weight"),
    ((P + O) / np.linalg.norm(P + O), "rescaled or normalised"),
    (50 * P + 50 * O, "not percentages"),
    (P, "PAINTING itself"),
    (O, "OWN itself"),
    (P - O, "1.00 x PAINTING - 1.00 x OWN"),
    (0.6 * P + 0.4 * O, "0.60 x PAINTING + 0.40 x OWN"),
    (np.ones(100), "not a blend of PAINTING and OWN"),
    (P[:50], "shape (100,)"),
    ("half", "numeric"),
])
def test_q2_wrong_half(half, clue):
    result = ex11.q2.evaluate({"half": half, "quarter": blend_styles(P, O, 0.25)})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("quarter, clue", [
    (blend_styles(O, P, 0.25), "75% painting"),
    (0.75 * P + 0.25 * O, "75% painting"),
    ((P + O) / 2, "the 50% blend"),
    (0.25 * P, "0.75 x OWN makes up the rest"),
    (0.25 * P + O, "not all of OWN"),
    (25 * P + 75 * O, "not percentages"),
    (2 * blend_styles(P, O, 0.25), "rescaled or normalised"),
    (0.3 * P + 0.7 * O, "25% strength is 0.25 x PAINTING + 0.75 x OWN"),
])
def test_q2_wrong_quarter(quarter, clue):
    result = ex11.q2.evaluate({"half": (P + O) / 2, "quarter": quarter})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q2_placeholder():
    assert status(ex11.q2, half=____, quarter=____) == "not attempted"
    assert status(ex11.q2, half=(P + O) / 2, quarter=0.25 * ____ + 0.75 * O) == "not attempted"


# q3: which layers carry style

def test_q3_ratios_are_the_lessons():
    """The sentences and the praise quote the lesson's stored ratios, in colour and in greyscale."""
    printed = {name: (float(colour), float(grey)) for name, colour, grey in re.findall(
        r"(conv_pw_\d+_relu)\s+different images / same image: colour (\d\.\d\d) · greyscale (\d\.\d\d)",
        lesson_output())}
    assert {name: printed[name][0] for name in ex11._RATIOS} == ex11._RATIOS
    assert {name: printed[name][1] for name in ex11._GREY_RATIOS} == ex11._GREY_RATIOS
    assert min(ex11._RATIOS[n] for n in ex11._STYLE_LAYERS) > 2 * max(
        ratio for name, ratio in ex11._RATIOS.items() if name not in ex11._STYLE_LAYERS)


def test_q3_layers_exist_in_mobilenet(offline_pack):
    import course_utils as cu

    names = {layer.name for layer in cu.load_imagenet_model(224, verbose=False).layers}
    assert set(ex11.LAYERS) <= names


def test_q3_right():
    assert status(ex11.q3, style_layers={"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu"}) == "correct"
    assert status(ex11.q3, style_layers="conv_pw_3_relu, CONV_PW_2_RELU,conv_pw_1_relu") == "correct"


@pytest.mark.parametrize("answer, clue", [
    ({"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu", "predictions"}, "no positions"),
    ({"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu", "conv_pw_7_relu"}, "ratio 1.49"),
    ({"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu", "conv_pw_13_relu"}, "last feature maps"),
    ({"conv_pw_1_relu", "conv_pw_2_relu"}, "you missed one: conv_pw_3_relu carries style"),
    ({"conv_pw_4_relu"}, "not one of LAYERS"),
    (["conv_pw_11_relu"], "ratio 1.56"),
    (3, "should be a set"),
])
def test_q3_wrong(answer, clue):
    check(ex11.q3, "style_layers", answer, clue)


def test_q3_wrong_pick_reads_as_a_sentence():
    assert message(ex11.q3, style_layers={"conv_pw_1_relu", "conv_pw_7_relu"}).startswith(
        "conv_pw_7_relu does not: ratio 1.49;")


def test_q3_placeholder():
    assert status(ex11.q3, style_layers=____) == "not attempted"
    assert status(ex11.q3, style_layers={"conv_pw_1_relu", ____}) == "not attempted"


# q4: value ranges and input sizes

RANGES = {"style network": (0, 1), "transfer network": (0, 1), "ImageNet MobileNet": (-1, 1)}
SIDES = {"style network": 256, "transfer network": 384, "ImageNet MobileNet": 224}


def test_q4_answers_are_what_the_models_declare(offline_pack):
    import keras

    import course_utils as cu

    for model, name in (("style network", "magenta_style_prediction"), ("transfer network", "magenta_style_transfer")):
        declared = cu.load_pretrained(name, verbose=False).inputs[0]
        assert declared.range == RANGES[model] and declared.shape == (1, SIDES[model], SIDES[model], 3)
    assert cu.load_imagenet_model(224, verbose=False).input_shape == (None, 224, 224, 3)
    scaled = keras.applications.mobilenet.preprocess_input(np.float32([0, 255]))
    np.testing.assert_allclose(scaled, RANGES["ImageNet MobileNet"])


def test_q4_right():
    assert status(ex11.q4, ranges=RANGES, sides=SIDES) == "correct"
    assert status(ex11.q4, ranges={key.upper(): list(value) for key, value in RANGES.items()},
                  sides={f" {key.lower()}": float(value) for key, value in SIDES.items()}) == "correct"


@pytest.mark.parametrize("ranges, clue", [
    ({**RANGES, "style network": (0, 255)}, "how the photos arrive"),
    ({**RANGES, "ImageNet MobileNet": (0, 255)}, "how the photos arrive"),
    ({**RANGES, "transfer network": (-1, 1)}, "(-1, 1) is MobileNet's range"),
    ({**RANGES, "ImageNet MobileNet": (0, 1)}, "(0, 1) is Magenta's range"),
    ({**RANGES, "style network": (1, 0)}, "low first"),
    ({**RANGES, "style network": 1}, "a pair (low, high)"),
    ({**RANGES, "style network": (0, 0.5, 1)}, "a pair (low, high)"),
    ({**RANGES, "style network": (0, 2)}, "not the range of Magenta's networks"),
    ({**RANGES, "ImageNet MobileNet": (-2, 2)}, "not MobileNet's range"),
    ({**RANGES, "style network": "0 to 1"}, "numeric"),
    ([(0, 1), (0, 1), (-1, 1)], "should be a dict"),
    ({**RANGES, "style": (0, 1)}, "'style', which is not one of MODELS"),
    ({"style network": (0, 1)}, "no entry for 'transfer network'"),
])
def test_q4_wrong_ranges(ranges, clue):
    result = ex11.q4.evaluate({"ranges": ranges, "sides": SIDES})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("sides, clue", [
    ({**SIDES, "style network": 384}, "384 is the transfer network's side"),
    ({**SIDES, "transfer network": 256}, "256 is the style network's side"),
    ({**SIDES, "ImageNet MobileNet": 160}, "loads the largest"),
    ({**SIDES, "ImageNet MobileNet": 256}, "256 is not MobileNet's side"),
    ({**SIDES, "style network": (256, 256)}, "one number"),
    ({**SIDES, "style network": 300}, "300 is not the style network's side"),
    ({**SIDES, "transfer network": np.float32(300)}, "300 is not the transfer network's side"),
    ({"transfer network": 384}, "no entry for 'style network'"),
])
def test_q4_wrong_sides(sides, clue):
    result = ex11.q4.evaluate({"ranges": RANGES, "sides": sides})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q4_placeholder():
    untouched = {model: ____ for model in ex11.MODELS}
    assert status(ex11.q4, ranges=untouched, sides=untouched) == "not attempted"
    assert status(ex11.q4, ranges=RANGES, sides={**SIDES, "style network": ____}) == "not attempted"
    assert status(ex11.q4, ranges=____, sides=SIDES) == "not attempted"


# q5: what the texture-bias measurement supports

def test_q5_numbers_are_the_lessons():
    """Each probe's line of the lesson's output prints its top class and species percentages, in that order."""
    lines = lesson_output().splitlines()
    assert f"MobileNet names the right species for {ex11.PETS} of 26 pets; we keep those" in lines
    for probe in ex11.SPECIES_KEPT:
        line = next(line for line in lines if line.startswith(f"{probe} ") and "top class unchanged" in line)
        top, species = map(int, re.findall(r"(\d+)%", line))
        assert (round(100 * ex11.TOP_CLASS_KEPT[probe]), round(100 * ex11.SPECIES_KEPT[probe])) == (top, species)
    text = "\n".join(lines)
    printed = dict(re.findall(r"(original|starry_night)\s+Grad-CAM mass on the animal: (\d+)%", text))
    printed["centred blob (lesson 07)"] = re.search(r"centre prior, a blob in the middle: "
                                                                          r"(\d+)%", text).group(1)
    assert {version: round(100 * share) for version, share in ex11.ON_ANIMAL.items()} == {
        version: int(share) for version, share in printed.items()}
    assert f"maps correlate at {ex11.MAP_CORRELATION:.2f}" in text


def test_q5_counts_are_as_statement_f_says():
    counts = {probe: round(share * ex11.PETS) for probe, share in ex11.SPECIES_KEPT.items()}
    assert (counts["starry_night"], counts["scream"]) == (6, 7)
    assert all(abs(counts[probe] / ex11.PETS - share) < 0.005 for probe, share in ex11.SPECIES_KEPT.items())


def test_q5_right():
    assert status(ex11.q5, supported={"A", "C"}) == "correct"
    assert status(ex11.q5, supported="c, a") == "correct"


@pytest.mark.parametrize("answer, clue", [
    ({"A"}, "these numbers support more: C is supported"),
    ({"C"}, "these numbers support more: A is supported"),
    ({"A", "B", "C"}, "median correlation 0.84"),
    ({"A", "C", "D"}, "keeps the shapes"),
    ({"A", "C", "E"}, "cue-conflict images"),
    ({"A", "C", "F"}, "6 and 7 pets"),
    ({"A", "C", "G"}, "only with both together 33%"),
    ({"H"}, "not one of the statements"),
    ("AC", "not one of the statements"),
    (None, "should be a set"),
])
def test_q5_wrong(answer, clue):
    check(ex11.q5, "supported", answer, clue)


def test_q5_placeholder():
    assert status(ex11.q5, supported=____) == "not attempted"
    assert status(ex11.q5, supported={"A", ____}) == "not attempted"


def test_questions_exported():
    assert set(ex11.__all__) == {"q1", "q2", "q3", "q4", "q5", "____", "FEATURES", "PAINTING", "OWN", "LAYERS",
                                 "MODELS", "PETS", "SPECIES_KEPT", "TOP_CLASS_KEPT", "ON_ANIMAL", "MAP_CORRELATION",
                                 "STATEMENTS"}
    assert set(ex11.STATEMENTS) == set(ex11._ABOUT_STATEMENTS)
    for q in (ex11.q1, ex11.q2, ex11.q3, ex11.q4, ex11.q5):
        assert len(q.hints) == 3 and q.answer.strip() and q.praise
