"""Notebook lint: the lesson skeleton, badge URLs, stored outputs, colormaps (BLUEPRINT section 3)."""
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.settings import REPOSITORY as REPO
from course_utils.tools.execute import JUPYTERLAB_KERNELSPEC

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
ALL = LESSONS + SOLUTIONS + EXERCISES
BANNED_CMAP = re.compile(r"""(['"](jet|ocean|rainbow|nipy_spectral|gist_rainbow)(_r)?['"]|cm\.(jet|ocean|rainbow)\b)""")


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def test_the_course_has_lessons():
    assert [p.name[:2] for p in LESSONS][:3] == ["00", "01", "02"]
    assert {p.name for p in SOLUTIONS} == {p.name for p in EXERCISES}


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_title_and_badges(path):
    cells = read(path).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# "), "first cell must be the H1 title"
    rel = path.relative_to(ROOT).as_posix()
    badges = cells[1].source
    assert f"https://colab.research.google.com/github/{REPO}/blob/main/{rel}" in badges, \
        "Colab badge must match the path"
    assert f"https://github.com/{REPO}/blob/main/{rel}" in badges, "GitHub link must match the path"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_skeleton(path):
    text = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    for heading in ("## Overview", "## Setup", "## Summary"):
        assert heading in text, f"missing section {heading!r}"
    overview = text.split("## Overview", 1)[1].split("\n## ", 1)[0]
    for word in ("Prerequisites", "Time"):
        assert word in overview, f"the overview must state {word}"
    assert "TBD" not in text, "replace TBD placeholders with measured figures"
    assert "Next" in text.split("## Summary", 1)[1], "the summary must point to the next lesson"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=ids(LESSONS + SOLUTIONS))
def test_executed_with_outputs_and_no_errors(path):
    cells = code_cells(read(path))
    assert all(c.execution_count is not None for c in cells), "execute the notebook and store its outputs"
    assert sum(bool(c.outputs) for c in cells) >= len(cells) // 2, "most cells should show their result"
    for c in cells:
        if "raises-exception" not in c.metadata.get("tags", []):
            assert not [o for o in c.outputs if o.output_type == "error"], f"stored error in:\n{c.source[:200]}"
    figures = sum(any(k.startswith("image/") for k in o.get("data", {})) for c in cells for o in c.outputs)
    assert figures >= 1 or "solutions" in str(path), "a lesson shows at least one figure"


@pytest.mark.parametrize("path", EXERCISES, ids=ids(EXERCISES))
def test_exercises_are_stored_unexecuted(path):
    assert all(not c.outputs and c.execution_count is None for c in code_cells(read(path)))


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_no_misleading_colormaps(path):
    for c in code_cells(read(path)):
        assert not BANNED_CMAP.search(c.source), f"use viridis/magma/cividis/RdBu, not:\n{c.source[:200]}"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_stored_as_jupyterlab_writes_it(path):
    """Plain python3 kernel, JupyterLab's kernelspec and no widget state: opening it leaves it unmodified."""
    metadata = read(path).metadata
    assert metadata.kernelspec == JUPYTERLAB_KERNELSPEC and "widgets" not in metadata


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=ids(LESSONS + SOLUTIONS))
def test_notebooks_stay_light(path):
    """GitHub renders, Colab opens and git stores every notebook: at most 2.5 MB with its outputs (photo-like figures
    as JPEG: ``%config InlineBackend.figure_formats = ["jpeg"]``)."""
    size = path.stat().st_size
    assert size <= 2_500_000, f"{path.name} is {size / 1e6:.1f} MB; store photo-like figures as JPEG or lower the dpi"
