"""Build and check an offline pack for a workshop (README: "Workshops and offline use").

``python -m course_utils pack build DIR`` gathers every registered file (from the course's own data, the
cache, an existing offline pack or the internet, each sha256-checked) into ``DIR``, at the place the course
looks for it, and writes ``manifest.json`` (path, bytes, sha256, licence, credit, source) and a ``README.md``
for the USB stick. ``python -m course_utils pack check DIR`` verifies a pack and lists what is missing or
damaged. Point a laptop at the result with ``COURSE_OFFLINE_PACK=DIR``.
"""
import json
import os
import shutil
import tempfile
from pathlib import Path

from .fetch import TIMEOUT_S, AssetUnavailableError, fetch_file, load_registry, sha256_of

MANIFEST = "manifest.json"


def build_pack(folder, *, timeout=TIMEOUT_S):
    """Gather every registered file into ``folder`` (created if needed); return the names that failed.

    A file already in ``folder`` with the right sha256 is kept; a damaged one is replaced. Only the files of
    the pack, its manifest and README are written: nothing else in ``folder`` is touched.
    """
    folder = Path(folder).expanduser()
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise FileExistsError(f"folder must be empty, new, or an offline pack (with {MANIFEST}); {str(folder)!r} "
                              "holds other files, and the pack's README.md could overwrite one of yours.")
    folder.mkdir(parents=True, exist_ok=True)
    registry, failed, done = load_registry(), [], []
    for i, (name, info) in enumerate(registry.items(), 1):
        target = folder / info["pack"]
        step = f"[{i}/{len(registry)}] {name} ({info['bytes'] / 1e6:.1f} MB)"
        if target.is_file() and sha256_of(target) == info["sha256"]:
            print(f"{step}: already in the pack")
        else:
            try:
                fetched = fetch_file(name, timeout=timeout)
            except AssetUnavailableError as err:
                print(f"{step}: FAILED: {err}")
                failed.append(name)
                continue
            copy_atomically(fetched.path, target)
            print(f"{step}: from {fetched.source}")
        done.append(name)
    write_manifest(folder, {name: registry[name] for name in done})
    total = sum(registry[name]["bytes"] for name in done)
    print(f"Pack {folder}: {len(done)} of {len(registry)} files, {total / 1e6:.1f} MB."
          + (f" Missing: {', '.join(failed)}." if failed else " Complete."))
    return failed


def check_pack(folder):
    """Verify every registered file in the pack ``folder``; print a summary and return {name: problem}."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"folder must be an offline pack folder; {str(folder)!r} is not a folder.")
    registry, problems, found = load_registry(), {}, 0
    for name, info in registry.items():
        path = folder / info["pack"]
        if not path.is_file():
            problems[name] = f"missing ({info['pack']})"
        elif sha256_of(path) != info["sha256"]:
            problems[name] = f"damaged ({info['pack']}: sha256 differs; run pack build again to replace it)"
        else:
            found += info["bytes"]
    for name, problem in problems.items():
        print(f"{name}: {problem}")
    print(f"Pack {folder}: {len(registry) - len(problems)} of {len(registry)} files good, "
          f"{found / 1e6:.1f} MB." + (" Complete." if not problems else f" {len(problems)} missing or damaged."))
    return problems


def copy_atomically(source, target):
    """Copy ``source`` to ``target`` through a temporary file beside it, so no half file is ever left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_manifest(folder, entries):
    """Write ``manifest.json`` and ``README.md`` describing the pack's files."""
    files = [{"path": info["pack"], "bytes": info["bytes"], "sha256": info["sha256"], "licence": info["licence"],
              "credit": info["credit"], "source": info.get("url") or info.get("canonical", "")}
             for info in entries.values()]
    (folder / MANIFEST).write_text(json.dumps({"version": 1, "files": files}, indent=1) + "\n", encoding="utf-8")
    kinds = {}
    for info in entries.values():
        count, size = kinds.get(info["kind"], (0, 0))
        kinds[info["kind"]] = (count + 1, size + info["bytes"])
    rows = "\n".join(f"| {kind} | {count} | {size / 1e6:.1f} MB |" for kind, (count, size) in sorted(kinds.items()))
    (folder / "README.md").write_text(f"""# How CNNs See: offline pack

The datasets, models and photos of the course, for laptops without internet. Copy this folder to each
laptop (or run from the stick), then start the course with

    COURSE_OFFLINE_PACK=/path/to/this/folder make lab

Check a copy with `python -m course_utils pack check /path/to/this/folder`. Every file, with its size,
sha256, licence, credit and online source, is listed in `{MANIFEST}`; credit the sources when you reuse them.

| kind | files | size |
|---|---|---|
{rows}
""", encoding="utf-8")
