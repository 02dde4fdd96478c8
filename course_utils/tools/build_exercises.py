"""Derive ``exercises/`` from ``solutions/``, the single source of every exercise notebook.

    python -m course_utils.tools.build_exercises          # write exercises/*.ipynb
    python -m course_utils.tools.build_exercises --check  # exit 1 if exercises/ is out of date

Markers in solution code cells:
- ``name = expression  # SOLUTION`` becomes ``name = ____``.
- Lines from ``# BEGIN SOLUTION -> replacement`` to ``# END SOLUTION`` become ``replacement``
  (default ``____``) at the marker's indentation.
- Cells tagged ``solution-only`` are dropped.
Outputs are removed, and ``solutions/`` in links becomes ``exercises/``.
"""
import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SINGLE = re.compile(r"^(\s*[\w\[\], ]+?=)\s*.+?#\s*SOLUTION\s*$")
BEGIN = re.compile(r"^(\s*)#\s*BEGIN SOLUTION(?:\s*->\s*(.+))?\s*$")
END = re.compile(r"^\s*#\s*END SOLUTION\s*$")


def strip_solutions(source):
    """Return cell source with every marked answer replaced by the ``____`` placeholder."""
    out, replacing = [], False
    for line in source.split("\n"):
        if replacing:
            if END.match(line):
                replacing = False
            continue
        begin = BEGIN.match(line)
        if begin:
            out.append(begin.group(1) + (begin.group(2) or "____").strip())
            replacing = True
            continue
        single = SINGLE.match(line)
        out.append(f"{single.group(1)} ____" if single else line)
    if replacing:
        raise ValueError("a '# BEGIN SOLUTION' has no matching '# END SOLUTION'.")
    return "\n".join(out)


def make_exercise(solution):
    """Return the exercise notebook (a new NotebookNode) for a solved notebook."""
    notebook = copy.deepcopy(solution)
    notebook.cells = [c for c in notebook.cells if "solution-only" not in c.metadata.get("tags", [])]
    for cell in notebook.cells:
        cell.source = cell.source.replace("solutions/", "exercises/")
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
    return notebook


def exercise_pairs():
    """Yield ``(solution_path, exercise_path)`` for every solved notebook."""
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        yield solution, ROOT / "exercises" / solution.name


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate exercises/ from solutions/.")
    parser.add_argument("--check", action="store_true", help="only report whether exercises/ is up to date")
    args = parser.parse_args(argv)
    stale = []
    for solution_path, exercise_path in exercise_pairs():
        text = nbformat.writes(make_exercise(nbformat.read(solution_path, as_version=4)))
        if not exercise_path.exists() or exercise_path.read_text(encoding="utf-8") != text:
            stale.append(exercise_path.relative_to(ROOT))
            if not args.check:
                exercise_path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("Out of date (run python -m course_utils.tools.build_exercises):", *stale, sep="\n  ")
        return 1
    print("exercises/ is up to date." if args.check else f"Wrote {len(stale)} exercise notebook(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
