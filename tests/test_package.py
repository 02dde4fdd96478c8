"""course_utils as a package: a plain install works (the Colab cell's way), and no module reaches into
another's private names."""
import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.settings import REPOSITORY
from course_utils.tools.stamp_notebooks import NOTEBOOKS, course_version, first_code_cell

ROOT = Path(__file__).resolve().parents[1]
VERSION = course_version()
GITHUB = f"https://github.com/{REPOSITORY}"


def colab_cell(path):
    return first_code_cell(nbformat.read(path, as_version=4)).source


def test_every_notebook_installs_this_version_on_colab():
    cells = {colab_cell(path) for path in NOTEBOOKS}
    assert len(cells) == 1, "every notebook's first code cell must be the same Colab cell"
    assert f'COURSE = "git+{GITHUB}@v{VERSION}"' in cells.pop(), f"the Colab cell must pin v{VERSION} (pyproject.toml)"


def run_colab_cell(clone, ref, target):
    """Run the lessons' first cell as Colab would, installing from ``clone`` at ``ref`` into ``target``."""
    cell = colab_cell(NOTEBOOKS[0]).replace(f"git+{GITHUB}@v{VERSION}", f"git+file://{clone}@{ref}")
    script = f"import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n{cell}"
    env = {**os.environ, "PIP_TARGET": str(target), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")
def test_colab_cell_installs_a_working_course_utils_from_a_clone(tmp_path, empty_cache, offline_pack):
    """A plain (non-editable) install of the committed course, as on Colab: registry, checkpoints and the
    samples ship with it (the pets and the ORL faces load with no offline pack), and lesson 09's hand-drawn boxes."""
    clone, target = tmp_path / "clone", tmp_path / "site"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    subprocess.run(["git", "-C", str(clone), "tag", f"v{VERSION}"], check=True)
    done = run_colab_cell(clone, f"v{VERSION}", target)
    assert done.returncode == 0, done.stderr[-3000:]
    check = ("import course_utils, course_utils.checkpoints as c, course_utils.fetch as f\n"
             "print(course_utils.__file__)\n"
             "print(len(f.load_registry()))\n"
             "model, record = c.load_checkpoint('mnist', verbose=False)\n"
             "print(model.count_params() == record['parameters'])\n"
             "from course_utils.pets import load_pet_sample\n"
             "print(load_pet_sample(32, verbose=False).source.replace(' ', '_'))\n"
             "from course_utils.faces import load_orl_faces\n"
             "print(load_orl_faces(verbose=False).source.replace(' ', '_'))\n"
             "from course_utils.detection import load_box_annotations\n"
             "print(sum(map(len, load_box_annotations().values())))\n")
    env = {**os.environ, "PYTHONPATH": str(target), "COURSE_OFFLINE_PACK": ""}
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=300, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    location, assets, same, pets, faces, boxes = out.stdout.split()[-6:]
    assert location.startswith(str(target)) and int(assets) > 10 and same == "True"
    assert pets == faces == "course_data" and boxes == "18"


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")
def test_colab_cell_stops_loudly_when_the_install_fails(tmp_path):
    done = run_colab_cell(ROOT, "no-such-tag", tmp_path / "site")
    assert done.returncode != 0
    assert "RuntimeError: Could not install the course helpers" in done.stderr and "run this cell again" in done.stderr


def imported_private_names(path):
    """``(module, name)`` for every underscore name ``path`` imports from another course_utils module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level == 0 and not module.startswith("course_utils"):
                continue
            found += [(module, a.name) for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            inside_explain = path.parent.name == "explain" and node.level == 1
            if "_core" in module.split(".") and not inside_explain:
                found.append((module, "*"))
    return found


def test_no_module_imports_another_modules_private_names():
    files = sorted((ROOT / "course_utils").rglob("*.py")) + sorted((ROOT / "tests").glob("*.py"))
    found = {str(path.relative_to(ROOT)): names for path in files if (names := imported_private_names(path))}
    assert not found, found
    notebook_code = "\n".join(c.source for path in NOTEBOOKS for c in nbformat.read(path, as_version=4).cells
                              if c.cell_type == "code")
    assert not re.findall(r"\bcu(?:\.\w+)*\._[a-z]\w*", notebook_code), "lessons must use public names only"
