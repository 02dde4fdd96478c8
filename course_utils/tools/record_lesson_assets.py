"""Record which registered files each lesson and its exercises ask for, in ``data/lesson_assets.json``.

    python -m course_utils.tools.record_lesson_assets

Runs every lesson and every solution notebook in the smoke profile, each with an empty cache and
``COURSE_ASSET_LOG`` set, so every ``fetch_file`` call is written down; ``pack build DIR --lessons 3,4``
copies only those files. Rerun it when a lesson starts using another file: ``tests/test_pack.py`` runs a
lesson from a pack built from this list, and checks the list names every lesson and only registered files.
"""
import json
import os
import sys
import tempfile
from pathlib import Path

from ..pack import LESSON_ASSETS
from .execute import execute_notebook

ROOT = Path(__file__).resolve().parents[2]


def record_lesson_assets():
    """Execute each lesson and solution notebook; return ``{"01": [asset names...], ...}`` and write the file."""
    used = {}
    for path in [*sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                 *sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))]:
        with tempfile.TemporaryDirectory() as scratch:
            log = Path(scratch) / "assets.log"
            log.touch()
            os.environ.update(COURSE_ASSET_LOG=str(log), COURSE_CACHE=str(Path(scratch) / "cache"))
            seconds, _ = execute_notebook(path, profile="smoke", save=False)
            names = set(log.read_text(encoding="utf-8").split())
        lesson = path.name[:2]
        used[lesson] = sorted(set(used.get(lesson, [])) | names)
        print(f"{path.relative_to(ROOT)}: {len(names)} files ({seconds:.0f} s)", flush=True)
    LESSON_ASSETS.write_text(json.dumps(used, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {LESSON_ASSETS}.")
    return used


if __name__ == "__main__":
    sys.exit(0 if record_lesson_assets() else 1)
