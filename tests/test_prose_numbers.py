"""Numbers in a lesson's prose agree with what its stored outputs print.

Every percentage written with decimals in a lesson's text (``83.3%``, ``84.46%``) must be printed, at
that precision or finer, by one of the lesson's stored outputs; after a re-run changes the outputs, this
test names the sentences to update. Whole percentages (``39%``) must round from a printed percentage or
fraction. Numbers measured outside the stored run (a full-profile run, a target, a paper, a figure's
titles, an illustration) are listed below with where they come from.
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PERCENT = re.compile(r"(?<![\d.])(\d{1,3}\.\d{1,2}) ?%")
WHOLE_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}) ?%")
ANY_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?) ?%")
FRACTION = re.compile(r"(?<![\d.])(0\.\d+|1\.0+)\b")
KERAS_ACCURACY = re.compile(r"accuracy: (0\.\d+|1\.0+)\b")  # fit's log prints accuracies as fractions
MEASURED_ELSEWHERE = {  # lesson number -> {percentage as written: where it was measured}
    "03": {"99.2": "the course's full-MNIST target", "99.33": "lesson 03 in the full profile (README, issue 4)",
           "96.5": "seed study while writing lesson 03 (table of recipes)", "97.9": "the same seed study",
           "98.2": "the same seed study", "98.6": "the same seed study", "98.5": "the same seed study",
           "98.8": "the same seed study"},
    "04": {"76.8": "the full recipe on the classic network (12 epochs, 50,000 photos)",
           "83.3": "the previous checkpoint (widths 32/64/128, trained stem, 12 epochs; record of 2026-12-03)",
           "84.5": "the previous checkpoint with the mirror vote",
           "59.8": "whitened stem, first of 6.6 epochs (measured while writing section 5)",
           "50.8": "trained stem, the same run", "83.1": "whitened stem after 6.6 epochs, the same runs",
           "82.6": "trained stem after 6.6 epochs, the same runs",
           "84.87": "recipe with 2-pixel shifts, 9 epochs, same seed (issue 14 experiments, 2026-12-05)",
           "84.32": "the previous checkpoint: 4-pixel shifts, peak rate 0.1, 9 epochs (record of 2026-12-04); also the "
                    "recipe in mixed bfloat16 on 5,000 held-out photos, 7.4 epochs, with and without an EMA of the "
                    "weights (issue 14, /tmp/exp/exp4.py and exp5.py, 2026-12-05/06)",
           "84.65": "peak rate 0.2, 2-pixel shifts, 7 epochs, same seed (issue 14 experiments)",
           "84.01": "peak rate 0.1, the same 7-epoch runs",
           "59.1": "the course recipe on step 3's network, comparison budget (measured while writing lesson 04)",
           "84.04": "the recipe, 6 epochs, same seed (issue 14 experiments, 2026-12-05, /tmp/exp A-base and W0)",
           "84.67": "benchmark --cifar --budget-units 36 with the unit timed without tf.data autotuning (2026-12-05)",
           "85.51": "the same benchmark run, with the mirror vote",
           "68.13": "the same benchmark run, classic baseline",
           "84.75": "benchmark --cifar --budget-units 36, recipe in mixed bfloat16 (precision='auto'; 2026-12-05)",
           "85.77": "the same mixed-bfloat16 benchmark run, with the mirror vote",
           "83.85": "the recipe in mixed bfloat16, 7.43 epochs, seed 1 (issue 14 experiments, /tmp/exp/exp4.py)",
           "84.84": "the same, seed 2",
           "85.28": "the previous checkpoint, trained in float32 (record of 2026-12-05)",
           "84.68": "the recipe without weight decay on BN and biases, 5,000 held-out photos (/tmp/exp/exp5.py)",
           "84.93": "the same change, benchmark --cifar --budget-units 36 (2026-12-06, /tmp/exp/bench_nowd.py)",
           "84.86": "the same change, held-out photos, seed 1", "84.10": "the same change, held-out photos, seed 2",
           "84.92": "the plain recipe, held-out photos, seed 1", "84.88": "the plain recipe, held-out photos, seed 2",
           "85.08": "ReLU instead of GELU, 9.7 epochs, held-out photos, seed 0 (2026-12-06, /tmp/exp/exp6.py)",
           "85.70": "the same, seed 1",
           "85.23": "benchmark --cifar --budget-units 36 with ReLU (2026-12-06)",
           "86.57": "the same ReLU benchmark run, with the mirror vote",
           "85.67": "a second ReLU benchmark run (unit 12.9 s, 10.6 epochs in 508 s = 39.3 units; 2026-12-06)",
           "86.54": "the second ReLU benchmark run, with the mirror vote"},
    "12": {"50.6": "the run before, with GELU: mixed bfloat16 after 2 epochs (lesson 12's stored run of 2026-12-06)",
           "77.75": "the run before, with GELU: int8 calibrated on noise",
           "85.01": "the GELU checkpoint trained in mixed bfloat16 (record of 2026-12-06)",
           "85.28": "the GELU checkpoint trained in float32 (record of 2026-12-05)"},
}


WHOLE_ELSEWHERE = {  # lesson number -> {whole percentage: where it comes from}
    "04": {"10": "chance level for 10 classes; the share of photos kept for validation (arithmetic)",
           "70": "the TensorFlow tutorial's reported accuracy", "80": "an illustration (the train/test pitfall)",
           "65": "the same illustration", "23": "measured while writing lesson 04 (BN momentum pitfall)",
           "85": "the course's CIFAR-10 target", "93": "the mistakes figure's titles",
           "99": "lesson 03's mistakes figure"},
    "05": {"20": "SmoothGrad paper's suggested noise (10-20%)"},
    "06": {"50": "MobileNet alpha 0.25's published ImageNet top-1", "95": "the Grad-CAM grid's titles (dog 95%)"},
    "07": {"90": "an illustration (a score without a baseline)",
           "5": "the deletion curve's step: 1/20 of the pixels (steps=20 in section 4, arithmetic)"},
    "08": {"60": "the centre-prior disk's width: 2 * sqrt(2 ln 2) * 0.25 = 0.59 of the side (arithmetic)"},
    "10": {"35": "Buolamwini and Gebru (2018): up to 34.7% error for darker-skinned women (a cited audit)"},
    "12": {"60": "the TensorFlow mixed-precision guide: 60% faster on TPUs (a cited figure)"},
}


def printed_percentages(notebook):
    """Every percentage the notebook's stored outputs print: before a % sign, or as a fraction in a Keras log."""
    texts = [output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
             for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    text = " ".join(texts)
    return [float(n) for n in PERCENT.findall(text)] + [100 * float(n) for n in KERAS_ACCURACY.findall(text)]


def agrees(written, printed):
    """True if some printed value rounds to ``written`` at ``written``'s precision."""
    decimals = len(written.split(".")[1])
    return any(round(value, decimals) == float(written) for value in printed)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_decimal_percentages_in_prose_are_printed_by_the_lesson(path):
    notebook = nbformat.read(path, as_version=4)
    printed = printed_percentages(notebook)
    elsewhere = MEASURED_ELSEWHERE.get(path.name[:2], {})
    stale = [f"cell {i}: {match.group(0)} in '...{cell.source[max(0, match.start() - 50):match.end()]}'"
             for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
             for match in PERCENT.finditer(cell.source)
             if match.group(1) not in elsewhere and not agrees(match.group(1), printed)]
    assert not stale, "prose numbers no stored output prints:\n" + "\n".join(stale)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_whole_percentages_in_prose_round_from_printed_numbers(path):
    notebook = nbformat.read(path, as_version=4)
    text = " ".join(output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
                    for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
    printed = [float(n) for n in ANY_PERCENT.findall(text)] + [100 * float(n) for n in FRACTION.findall(text)]
    elsewhere = WHOLE_ELSEWHERE.get(path.name[:2], {})
    stale = [f"cell {i}: {match.group(0)} in '...{cell.source[max(0, match.start() - 50):match.end()]}'"
             for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
             for match in WHOLE_PERCENT.finditer(cell.source)
             if match.group(1) not in elsewhere and not any(round(v) == int(match.group(1)) for v in printed)]
    assert not stale, "whole percentages no stored output prints:\n" + "\n".join(stale)
