"""Numbers in a lesson's prose agree with what its stored outputs print.

Every percentage written with decimals in a lesson's text (``83.3%``, ``84.46%``) must be printed, at
that precision or finer, by one of the lesson's stored outputs; after a re-run changes the outputs, this
test names the sentences to update. Numbers measured outside the stored run (a full-profile run, a
target) are listed below with where they come from.
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PERCENT = re.compile(r"(?<![\d.])(\d{1,3}\.\d{1,2}) ?%")
KERAS_ACCURACY = re.compile(r"accuracy: (0\.\d+|1\.0+)\b")  # fit's log prints accuracies as fractions
MEASURED_ELSEWHERE = {  # lesson number -> {percentage as written: where it was measured}
    "03": {"99.2": "the course's full-MNIST target", "99.33": "lesson 03 in the full profile (README, issue 4)",
           "96.5": "seed study while writing lesson 03 (table of recipes)", "97.9": "the same seed study",
           "98.2": "the same seed study", "98.6": "the same seed study", "98.5": "the same seed study",
           "98.8": "the same seed study"},
    "04": {"76.8": "the full recipe on the classic network (12 epochs, 50,000 photos)",
           "84.5": "the checkpoint with the mirror vote, all 10,000 test photos (its record)",
           "84.4": "16 epochs of the recipe", "85.2": "16 epochs of the recipe, with the mirror vote"},
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
