"""Command line: ``python -m course_utils report``, ``prefetch``, ``pack build DIR`` or ``pack check DIR``.

``pack build DIR --lessons 3,4`` (and ``pack check``) limit the pack to those lessons' files.

``prefetch`` fetches every dataset, photo and model the lessons use into this machine's cache
(or checks them in the offline pack), so a workshop laptop needs no network afterwards. ``pack build DIR``
gathers the same files into an offline pack folder for other laptops; ``pack check DIR`` verifies one.
"""
import argparse
import sys

from .datasets import CLASS_NAMES, load_dataset
from .environment import report_environment
from .fetch import AssetUnavailableError, fetch_file, load_registry
from .imagenet import load_imagenet_model
from .pack import build_pack, check_pack


def prefetch():
    """Fetch everything the lessons need; return the number of assets that could not be fetched."""
    failures = 0
    for name, info in load_registry().items():
        if info["kind"] == "dataset" or not info.get("url"):
            continue  # dataset archives and weights are fetched below through their loaders
        try:
            print(f"{name}: {fetch_file(name).source}")
        except AssetUnavailableError as err:
            failures += 1
            print(f"{name}: FAILED: {err}")
    for name in CLASS_NAMES:
        try:
            load_dataset(name)
        except AssetUnavailableError as err:
            failures += 1
            print(f"{name}: FAILED: {err}")
    load_imagenet_model()
    return failures


def parse_lessons(text):
    """``"3,4"`` -> ``[3, 4]`` for ``--lessons``."""
    try:
        return sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected lesson numbers separated by commas, e.g. 3,4; got {text!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("report", "prefetch", "pack"))
    parser.add_argument("action", nargs="?", choices=("build", "check"), help="pack only: build or check")
    parser.add_argument("folder", nargs="?", help="pack only: the pack folder")
    parser.add_argument("--lessons", type=parse_lessons, help="pack only: lesson numbers, e.g. 3,4 (default: all)")
    args = parser.parse_args(argv)
    if (args.command == "pack") != bool(args.action and args.folder) or (args.lessons and args.command != "pack"):
        parser.error("use 'pack build DIR' or 'pack check DIR' [--lessons 3,4]; 'build', 'check' and --lessons "
                     "go with 'pack' only.")
    if args.command == "report":
        report_environment()
        return 0
    if args.command == "pack":
        if args.action == "build":
            return 1 if build_pack(args.folder, lessons=args.lessons) else 0
        return 1 if check_pack(args.folder, lessons=args.lessons) else 0
    failures = prefetch()
    print("Everything is available offline now." if not failures else f"{failures} asset(s) could not be fetched.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
