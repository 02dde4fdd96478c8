"""Run lesson notebooks the way CI and the benchmark do, and store their outputs.

    python -m course_utils.tools.execute notebooks/01_convolution.ipynb [--profile workshop] [--no-save]

The kernel runs headless (``COURSE_HEADLESS=1``: widgets show their static figure) with quiet
TensorFlow logs, so stored outputs are the ones a learner reading the notebook on GitHub should see.
"""
import argparse
import os
import threading
import time
from pathlib import Path

from ..settings import PROFILES
from ..validate import check_choice

KERNEL_ENV = {
    "COURSE_HEADLESS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYTHONHASHSEED": "0",
}


JUPYTERLAB_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def kernel_environment(profile):
    """Return the environment variables a notebook kernel gets for ``profile``."""
    check_choice("profile", profile, PROFILES)
    return {**KERNEL_ENV, "COURSE_PROFILE": profile}


def execute_notebook(path, profile="workshop", save=True, timeout=900):
    """Execute a notebook top to bottom; return ``(seconds, peak_kernel_memory_mb)``.

    Args:
        path: the ``.ipynb`` file.
        profile: the ``COURSE_PROFILE`` for the kernel.
        save: write the executed notebook (with outputs) back to ``path``.
        timeout: seconds allowed per cell.
    """
    import nbformat
    import psutil
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    os.environ.update(kernel_environment(profile))
    # Like nbval, don't forward output written straight to file descriptor 2 (TensorFlow's C++ start-up
    # lines, which differ per machine); Python-level stderr is still recorded.
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=False, extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                            resources={"metadata": {"path": str(path.parent)}})
    peak, done = [0], threading.Event()

    def sample_memory():
        """The kernel's resident memory, plus the private memory of any process it starts (lesson 12's workers):
        the libraries those share with the kernel are already counted once, in the kernel's resident memory."""
        me = psutil.Process()
        while not done.wait(0.1):
            total = 0
            for kernel in me.children():
                try:
                    total += kernel.memory_info().rss
                    total += sum(p.memory_full_info().uss for p in kernel.children(recursive=True))
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if save:
        nbformat.write(store_as_jupyterlab_does(notebook), path)
    return seconds, peak[0] / 2**20


def store_as_jupyterlab_does(notebook):
    """Give ``notebook`` the kernelspec JupyterLab writes and no widget state, so that opening it in
    JupyterLab does not mark it modified (the lessons' widgets show static figures when stored)."""
    notebook.metadata["kernelspec"] = dict(JUPYTERLAB_KERNELSPEC)
    notebook.metadata.pop("widgets", None)
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--profile", default="workshop", choices=PROFILES)
    parser.add_argument("--no-save", action="store_true", help="run without writing outputs back")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        seconds, peak_mb = execute_notebook(path, args.profile, save=not args.no_save)
        print(f"{path}: {seconds:.1f} s, peak kernel memory {peak_mb:,.0f} MB ({args.profile} profile)")


if __name__ == "__main__":
    main()
