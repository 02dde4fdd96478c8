"""Build and check an offline pack for a workshop (README: "Workshops and offline use").

``python -m course_utils pack build DIR`` gathers every registered file (from the course's own data, the
cache, an existing offline pack or the internet, each sha256-checked) into ``DIR``, at the place the course
looks for it, and writes ``manifest.json`` (path, bytes, sha256, licence, credit, source) and a ``README.md``
for the USB stick. ``--lessons 3,4`` gathers only the files those lessons and their exercises ask for
(``data/lesson_assets.json``, written by ``tools.record_lesson_assets``). ``python -m course_utils pack check
DIR`` verifies a pack (for the lessons it was built for) and lists what is missing or damaged. Point a laptop
at the result with ``COURSE_OFFLINE_PACK=DIR``.
"""
import json
import os
import shutil
import tempfile
from pathlib import Path

from .fetch import DATA_DIR, TIMEOUT_S, AssetUnavailableError, fetch_file, load_registry, sha256_of

MANIFEST = "manifest.json"
LESSON_ASSETS = DATA_DIR / "lesson_assets.json"


def assets_for(lessons=None):
    """The registry entries that ``lessons`` (lesson numbers, e.g. ``[3, 4]``) ask for; ``None``: all of them."""
    registry = load_registry()
    if lessons is None:
        return registry
    used = json.loads(LESSON_ASSETS.read_text(encoding="utf-8"))
    known = sorted(int(lesson) for lesson in used)
    if not lessons or not all(isinstance(n, int) and n in known for n in lessons):
        raise ValueError(f"lessons must be lesson numbers among {', '.join(map(str, known))}; got {lessons!r}.")
    names = {name for n in lessons for name in used[f"{n:02d}"]}
    return {name: info for name, info in registry.items() if name in names}


def build_pack(folder, *, lessons=None, timeout=TIMEOUT_S):
    """Gather the registered files of ``lessons`` (all lessons when ``None``) into ``folder``; return the names
    that failed.

    A file already in ``folder`` with the right sha256 is kept; a damaged one is replaced. Only the files of
    the pack, its manifest and README are written: nothing else in ``folder`` is touched.
    """
    folder = Path(folder).expanduser()
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise FileExistsError(f"folder must be empty, new, or an offline pack (with {MANIFEST}); {str(folder)!r} "
                              "holds other files, and the pack's README.md could overwrite one of yours.")
    registry, failed, done = assets_for(lessons), [], []
    folder.mkdir(parents=True, exist_ok=True)
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
    write_manifest(folder, {name: registry[name] for name in done}, lessons)
    total = sum(registry[name]["bytes"] for name in done)
    print(f"Pack {folder}: {len(done)} of {len(registry)} files, {total / 1e6:.1f} MB."
          + (f" Missing: {', '.join(failed)}." if failed else " Complete."))
    return failed


def check_pack(folder, lessons=None):
    """Verify the files of ``lessons`` in the pack ``folder``; print a summary and return {name: problem}.

    ``lessons=None`` checks the lessons the pack was built for (its manifest says), or all of them.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"folder must be an offline pack folder; {str(folder)!r} is not a folder.")
    if lessons is None and (folder / MANIFEST).is_file():
        lessons = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("lessons")
    registry, problems, found = assets_for(lessons), {}, 0
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


def write_manifest(folder, entries, lessons=None):
    """Write ``manifest.json`` and ``README.md`` describing the pack's files (for ``lessons``, or all)."""
    files = [{"path": info["pack"], "bytes": info["bytes"], "sha256": info["sha256"], "licence": info["licence"],
              "credit": info["credit"], "source": info.get("url") or info.get("canonical", "")}
             for info in entries.values()]
    manifest = {"version": 1, "lessons": lessons, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    kinds = {}
    for info in entries.values():
        count, size = kinds.get(info["kind"], (0, 0))
        kinds[info["kind"]] = (count + 1, size + info["bytes"])
    rows = "\n".join(f"| {kind} | {count} | {size / 1e6:.1f} MB |" for kind, (count, size) in sorted(kinds.items()))
    which = "the course" if lessons is None else "lessons " + ", ".join(f"{n:02d}" for n in lessons) + " of the course"
    (folder / "README.md").write_text(f"""# How CNNs See: offline pack

The datasets, models and photos of {which}, for laptops without internet. Copy this folder to each
laptop (or run from the stick), then start the course with

    COURSE_OFFLINE_PACK=/path/to/this/folder make lab

Check a copy with `python -m course_utils pack check /path/to/this/folder`. Every file, with its size,
sha256, licence, credit and online source, is listed in `{MANIFEST}`; credit the sources when you reuse them.

| kind | files | size |
|---|---|---|
{rows}
""", encoding="utf-8")
