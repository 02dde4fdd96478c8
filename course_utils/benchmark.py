"""Time every lesson in a profile: wall seconds and peak kernel memory (README's lesson map).

    python -m course_utils.benchmark [--profile workshop] [notebooks/01_convolution.ipynb ...]

Each notebook runs top to bottom in a fresh kernel, exactly as in ``course_utils.execute``, without
saving. Figures are printed, not asserted: speed is measured here, never in the tests.
"""
import argparse
import os
import platform
from pathlib import Path

from .execute import execute_notebook
from .settings import PROFILES

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default="workshop", choices=PROFILES)
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"profile {args.profile} · {os.cpu_count()} CPU cores · {platform.processor() or platform.machine()} · "
          f"cache {os.environ.get('COURSE_CACHE', 'default')}")
    print(f"{'notebook':<36}{'wall s':>8}{'peak MB':>9}")
    for path in notebooks:
        seconds, peak_mb = execute_notebook(path, args.profile, save=False)
        print(f"{path.name:<36}{seconds:>8.1f}{peak_mb:>9,.0f}", flush=True)


if __name__ == "__main__":
    main()
