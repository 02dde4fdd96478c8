"""Measure the course: lesson run times, and CIFAR-10 accuracy against training time.

    python -m course_utils.benchmark [--profile workshop] [notebooks/01_convolution.ipynb ...]
    python -m course_utils.benchmark --cifar

The first form runs each notebook top to bottom in a fresh kernel, exactly as ``course_utils.execute``
does, without saving, and prints wall seconds and peak kernel memory (the README's lesson map).
``--cifar`` trains the classic baseline (the TensorFlow tutorial's 10 epochs of Adam) and lesson 04's
improved model (the ``course_utils.train`` recipe) on the same full CIFAR-10 data, in one run, and
prints test accuracy against training seconds. Figures are printed, never asserted in tests.
"""
import argparse
import os
import platform
from pathlib import Path

from .execute import execute_notebook
from .settings import PROFILES

ROOT = Path(__file__).resolve().parent.parent


def benchmark_cifar():
    """Train baseline and improved CIFAR-10 models on the same data; print accuracy and seconds."""
    import keras

    from .datasets import load_dataset
    from .models import build_classic_cnn
    from .train import _recipes
    from .training import train_classifier

    data = load_dataset("cifar10", profile="full")
    improved = _recipes()["cifar10"]
    runs = [("classic baseline (Adam, 10 epochs)", lambda: build_classic_cnn((32, 32, 3)),
             {"epochs": 10, "batch_size": 64, "optimizer": "adam", "learning_rate": 1e-3}),
            (f"improved ({improved['train']['epochs']} epochs)", improved["build"], improved["train"])]
    rows = []
    for name, build, options in runs:
        keras.utils.set_random_seed(0)
        _, result = train_classifier(build, data, verbose=0, **options)
        rows.append((name, result["test_accuracy"], result["seconds"]))
        print(f"{name:<40}{result['test_accuracy']:>9.2%}{result['seconds']:>9.0f} s", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default="workshop", choices=PROFILES)
    parser.add_argument("--cifar", action="store_true", help="CIFAR-10 accuracy against training seconds")
    args = parser.parse_args(argv)
    if args.cifar:
        print(f"CIFAR-10 on {os.cpu_count()} CPU cores: model, test accuracy, training time")
        benchmark_cifar()
        return
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"profile {args.profile} · {os.cpu_count()} CPU cores · {platform.processor() or platform.machine()} · "
          f"cache {os.environ.get('COURSE_CACHE', 'default')}")
    print(f"{'notebook':<36}{'wall s':>8}{'peak MB':>9}")
    for path in notebooks:
        seconds, peak_mb = execute_notebook(path, args.profile, save=False)
        print(f"{path.name:<36}{seconds:>8.1f}{peak_mb:>9,.0f}", flush=True)


if __name__ == "__main__":
    main()
