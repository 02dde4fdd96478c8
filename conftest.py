"""pytest set-up shared by unit tests and nbval (README: `make test`).

Notebook kernels inherit this environment: smoke profile, headless widgets, quiet TensorFlow logs,
a test cache inside the repo (so a learner's own cache is never touched).
"""
import os
from pathlib import Path

from course_utils.tools.execute import kernel_environment

ROOT = Path(__file__).resolve().parent
os.environ.update(kernel_environment(os.environ.get("COURSE_TEST_PROFILE", "smoke")))
os.environ.setdefault("COURSE_CACHE", str(ROOT / ".cache" / "test-cache"))


def pytest_collectstart(collector):
    """nbval: don't compare stderr (TensorFlow's C++ start-up lines cannot be silenced)."""
    if str(getattr(collector, "path", "")).endswith(".ipynb") and hasattr(collector, "skip_compare"):
        collector.skip_compare += ("stderr",)
