"""An instructor's offline pack: built from the course's offline pack or a download, checked, repaired."""
import hashlib
import json
from pathlib import Path

import pytest

from course_utils import fetch
from course_utils.__main__ import main
from course_utils.fetch import load_registry
from course_utils.pack import LESSON_ASSETS, assets_for, build_pack, check_pack
from course_utils.tools.execute import execute_notebook, kernel_environment

ROOT = Path(__file__).resolve().parents[1]


def test_a_pack_built_from_a_pack_is_complete_and_checks(empty_cache, offline_pack, tmp_path, capsys):
    pack = tmp_path / "usb"
    assert build_pack(pack) == []
    out = capsys.readouterr().out
    registry = load_registry()
    assert f"[1/{len(registry)}]" in out and "from offline pack" in out and "from course data" in out
    assert f"{len(registry)} of {len(registry)} files" in out and "Complete." in out
    manifest = json.loads((pack / "manifest.json").read_text())
    assert sorted(f["sha256"] for f in manifest["files"]) == sorted(info["sha256"] for info in registry.values())
    assert all(f["licence"] and f["credit"] and f["bytes"] > 0 for f in manifest["files"])
    assert "COURSE_OFFLINE_PACK=/path/to/this/folder make lab" in (pack / "README.md").read_text()
    assert check_pack(pack) == {}
    assert main(["pack", "check", str(pack)]) == 0
    assert build_pack(pack) == []  # a second build finds everything in place
    assert capsys.readouterr().out.count("already in the pack") == len(registry)


def test_check_finds_missing_and_damaged_files_and_build_repairs_them(empty_cache, offline_pack, tmp_path, capsys):
    pack = tmp_path / "usb"
    build_pack(pack)
    registry = load_registry()
    (pack / registry["cat"]["pack"]).unlink()
    damaged = pack / registry["deeplabv3"]["pack"]
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"?")
    problems = check_pack(pack)
    assert sorted(problems) == ["cat", "deeplabv3"]
    assert problems["cat"].startswith("missing") and problems["deeplabv3"].startswith("damaged")
    assert "2 missing or damaged" in capsys.readouterr().out
    assert main(["pack", "check", str(pack)]) == 1
    assert build_pack(pack) == [] and check_pack(pack) == {}


def test_build_downloads_what_it_cannot_find_and_reports_what_fails(empty_cache, no_pack, tmp_path, monkeypatch):
    served = tmp_path / "server" / "thing.bin"
    served.parent.mkdir()
    served.write_bytes(b"model bytes" * 100)
    entry = {"kind": "model", "file": "thing.bin", "url": served.as_uri(), "pack": "models/thing.bin",
             "bytes": served.stat().st_size, "sha256": hashlib.sha256(served.read_bytes()).hexdigest(),
             "licence": "test", "credit": "a test file"}
    gone = {**entry, "file": "gone.bin", "url": (tmp_path / "nowhere.bin").as_uri(), "pack": "models/gone.bin"}
    monkeypatch.setattr(fetch, "load_registry", lambda: {"thing": entry, "gone": gone})
    monkeypatch.setattr("course_utils.pack.load_registry", lambda: {"thing": entry, "gone": gone})
    pack = tmp_path / "usb"
    assert build_pack(pack, timeout=5) == ["gone"]
    assert (pack / "models/thing.bin").read_bytes() == served.read_bytes()
    assert not (pack / "models/gone.bin").exists()
    assert [f["path"] for f in json.loads((pack / "manifest.json").read_text())["files"]] == ["models/thing.bin"]
    assert list(check_pack(pack)) == ["gone"]


def test_build_never_writes_into_a_folder_of_other_files(tmp_path):
    (tmp_path / "README.md").write_text("my notes")
    with pytest.raises(FileExistsError, match="folder must be empty, new, or an offline pack"):
        build_pack(tmp_path)
    assert (tmp_path / "README.md").read_text() == "my notes"


def test_lesson_assets_list_every_lesson_and_only_registered_files():
    used, registry = json.loads(LESSON_ASSETS.read_text()), load_registry()
    lessons = sorted(path.name[:2] for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(used) == lessons
    assert all(names == sorted(set(names)) and set(names) <= set(registry) for names in used.values())
    assert {"cat", "mnist_t10k_images"} <= set(used["00"]) and "cifar10_jpg" in used["04"]
    assert assets_for([0, 4]).keys() == set(used["00"]) | set(used["04"])
    for bad in ([], [99], ["4"], [4.0]):
        with pytest.raises(ValueError, match="lessons must be lesson numbers among 0, 1, 2"):
            assets_for(bad)


def test_a_lesson_pack_holds_its_files_only_and_runs_its_lesson(empty_cache, offline_pack, tmp_path, monkeypatch,
                                                                 capsys):
    pack = tmp_path / "usb"
    assert main(["pack", "build", str(pack), "--lessons", "0"]) == 0
    wanted = assets_for([0])
    assert f"[{len(wanted)}/{len(wanted)}]" in capsys.readouterr().out
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["lessons"] == [0] and len(manifest["files"]) == len(wanted)
    assert "lessons 00 of the course" in (pack / "README.md").read_text()
    assert check_pack(pack) == {}  # the lessons it was built for
    assert set(check_pack(pack, lessons=[0, 3])) == set(assets_for([3])) - set(wanted)
    # Lesson 00 runs from this pack alone: empty cache, no download possible (the mirror is a closed port).
    for key, value in {**kernel_environment("smoke"), "COURSE_OFFLINE_PACK": str(pack),
                       "COURSE_MIRROR": "http://127.0.0.1:9", "COURSE_CACHE": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(key, value)
    execute_notebook(ROOT / "notebooks" / "00_start_here.ipynb", profile="smoke", save=False, timeout=300)


def test_pack_command_needs_an_action_and_a_folder(capsys):
    for argv in (["pack", "build"], ["pack"], ["report", "check", "x"], ["report", "--lessons", "3"]):
        with pytest.raises(SystemExit):
            main(argv)
    assert "use 'pack build DIR' or 'pack check DIR'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["pack", "build", "x", "--lessons", "three"])
    assert "expected lesson numbers separated by commas, e.g. 3,4; got 'three'" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="not a folder"):
        check_pack("/nonexistent/pack")
