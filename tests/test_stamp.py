"""The course's home and version in one place: every notebook is stamped, and a fork restamps in one command."""
import shutil

import nbformat
import pytest

from course_utils.tools import stamp_notebooks as tool


@pytest.mark.parametrize("path", tool.NOTEBOOKS, ids=[p.name for p in tool.NOTEBOOKS])
def test_every_notebook_carries_the_home_and_version(path):
    assert tool.is_stamped(path, nbformat.read(path, as_version=4)), \
        "run python -m course_utils.tools.stamp_notebooks"


def test_a_fork_changes_one_line_and_restamps(tmp_path, monkeypatch, capsys):
    for rel in ("pyproject.toml", "README.md", "notebooks/00_start_here.ipynb", "solutions/01_convolution.ipynb"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tool.ROOT / rel, tmp_path / rel)
    copies = [tmp_path / "notebooks/00_start_here.ipynb", tmp_path / "solutions/01_convolution.ipynb"]
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "NOTEBOOKS", copies)
    monkeypatch.setattr(tool, "REPOSITORY", "a-teacher/cnn-course")
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0 and "2 notebook(s) rewritten, README links updated." in capsys.readouterr().out
    assert tool.main(["--check"]) == 0
    for path in copies:
        text = path.read_text()
        assert "how-cnns-see/how-cnns-see" not in text
        assert 'COURSE = \\"git+https://github.com/a-teacher/cnn-course@v' in text
        assert f"colab.research.google.com/github/a-teacher/cnn-course/blob/main/{path.parent.name}/" in text
    readme = (tmp_path / "README.md").read_text()
    assert "how-cnns-see/how-cnns-see" not in readme and "github/a-teacher/cnn-course/blob/main/notebooks/" in readme
    before = copies[0].read_text()
    assert tool.main([]) == 0 and copies[0].read_text() == before  # nothing left to do
