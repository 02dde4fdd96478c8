"""Write the course's GitHub home and version into every notebook and the README.

    python -m course_utils.tools.stamp_notebooks          # rewrite what is out of date
    python -m course_utils.tools.stamp_notebooks --check  # exit 1 if anything is out of date

The home lives in one line (``course_utils.settings.REPOSITORY``) and the version in ``pyproject.toml``. A fork
or a release changes those, then runs this: every notebook's badge cell (its second cell) and Colab cell (its
first code cell) are rewritten from ``badge_cell`` and ``colab_cell``, and the README's links follow.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

from ..settings import REPOSITORY

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [path for folder in ("notebooks", "solutions", "exercises")
             for path in sorted((ROOT / folder).glob("*.ipynb"))]
OLD_HOME = re.compile(r'COURSE = "git\+https://github\.com/([^"@]+)@v')


def course_version():
    """The version in ``pyproject.toml``: the tag ``v<version>`` the Colab cell installs from."""
    return re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def badge_cell(path):
    """The Colab and GitHub badges of the notebook at ``path``."""
    rel = path.relative_to(ROOT).as_posix()
    return (f'<a href="https://colab.research.google.com/github/{REPOSITORY}/blob/main/{rel}"><img '
            'src="https://colab.research.google.com/assets/colab-badge.svg" alt="Open In Colab"></a>\n'
            f'<a href="https://github.com/{REPOSITORY}/blob/main/{rel}"><img '
            'src="https://img.shields.io/badge/View%20on-GitHub-181717?logo=github" alt="View on GitHub"></a>')


def colab_cell():
    """The first code cell of every notebook: on Colab, install course_utils at this version and nothing else."""
    return f'''# Colab only: install the course helpers (course_utils) at this course version, and nothing else.
# Colab already has TensorFlow, Keras, OpenCV and ipywidgets: never pip-install those there.
# Locally, `make lab` has installed everything and this cell does nothing.
import subprocess, sys
COURSE = "git+https://github.com/{REPOSITORY}@v{course_version()}"
if "google.colab" in sys.modules:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", COURSE],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError(f"Could not install the course helpers from {{COURSE}}:\\n{{pip.stderr[-1500:]}}\\n"
                           "Check that this Colab session is online, then run this cell again. If it still "
                           "fails, report the message above at https://github.com/{REPOSITORY}/issues")'''


def first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def is_stamped(path, notebook):
    """True if the notebook's badge and Colab cells are what ``badge_cell`` and ``colab_cell`` write."""
    return notebook.cells[1].source == badge_cell(path) and first_code_cell(notebook).source == colab_cell()


def stamp(path):
    """Rewrite the notebook's badge and Colab cells if they differ; return True if it changed."""
    notebook = nbformat.read(path, as_version=4)
    if is_stamped(path, notebook):
        return False
    notebook.cells[1].source, first_code_cell(notebook).source = badge_cell(path), colab_cell()
    nbformat.write(notebook, path)
    return True


def stamp_readme(old_home):
    """Point the README's GitHub and Colab links from ``old_home`` to ``REPOSITORY``; return True if it changed."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = text.replace(f"github.com/{old_home}/", f"github.com/{REPOSITORY}/").replace(
        f"github/{old_home}/", f"github/{REPOSITORY}/")
    if new == text:
        return False
    readme.write_text(new, encoding="utf-8")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = [path for path in NOTEBOOKS if not is_stamped(path, nbformat.read(path, as_version=4))]
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    old_home = OLD_HOME.search(first_code_cell(nbformat.read(NOTEBOOKS[0], as_version=4)).source).group(1)
    readme_changed = stamp_readme(old_home)
    changed = [path for path in NOTEBOOKS if stamp(path)]
    print(f"{len(changed)} notebook(s) rewritten" + (", README links updated." if readme_changed else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
