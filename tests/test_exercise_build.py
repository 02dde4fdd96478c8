"""exercises/ is generated from solutions/: in sync, and every untouched check says "not attempted"."""

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils.tools import build_exercises as build

PAIRS = list(build.exercise_pairs())


def test_strip_solutions_markers():
    source = "x = np.ones(3)  # SOLUTION\ndef f(a):\n    # BEGIN SOLUTION -> return ____\n    b = a\n    return b\n" \
             "    # END SOLUTION\nq1.check()"
    assert build.strip_solutions(source) == "x = ____\ndef f(a):\n    return ____\nq1.check()"


def test_unclosed_block_is_an_error():
    with pytest.raises(ValueError, match="no matching"):
        build.strip_solutions("# BEGIN SOLUTION\nx = 1")


def test_exercises_are_in_sync_with_solutions():
    assert PAIRS, "no solution notebooks found"
    assert build.main(["--check"]) == 0, "run: python -m course_utils.tools.build_exercises"


@pytest.mark.parametrize("solution, exercise", PAIRS, ids=[p[1].name for p in PAIRS])
def test_untouched_exercise_runs_and_reports_not_attempted(solution, exercise, offline_pack):
    notebook = nbformat.read(exercise, as_version=4)
    assert any("____" in c.source for c in notebook.cells if c.cell_type == "code")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(exercise.parent)}}).execute()
    checks = [c for c in notebook.cells if c.cell_type == "code" and ".check()" in c.source]
    assert checks
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "Not attempted yet" in text and "Correct" not in text, (cell.source, text)
