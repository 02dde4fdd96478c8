"""Fixtures for the unit tests: an empty cache per test, and the offline pack on or off."""
import os
from pathlib import Path

import pytest

PACK = Path(os.environ.get("COURSE_OFFLINE_PACK") or Path(__file__).resolve().parents[2] / "shared" / "offline-pack")


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A fresh COURSE_CACHE for one test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE", str(cache))
    return cache


@pytest.fixture
def offline_pack(monkeypatch):
    """The real offline pack (tests that need it are skipped, with a reason, when it is absent)."""
    if not (PACK / "manifest.json").is_file():
        pytest.skip(f"offline pack not found at {PACK}; set COURSE_OFFLINE_PACK")
    monkeypatch.setenv("COURSE_OFFLINE_PACK", str(PACK))
    return PACK


@pytest.fixture
def no_pack(monkeypatch):
    """No offline pack configured."""
    monkeypatch.delenv("COURSE_OFFLINE_PACK", raising=False)


def status(question, **namespace):
    """The outcome of checking ``question`` against the variables ``namespace``: "correct", "incorrect" or
    "not attempted" (for exercise tests: ``from tests.conftest import status, message``)."""
    return question.evaluate(namespace).status


def message(question, **namespace):
    """What checking ``question`` against the variables ``namespace`` says."""
    return question.evaluate(namespace).message


def check(question, name, answer, clue):
    """Assert that ``answer`` for the variable ``name`` is judged incorrect with a message containing ``clue``."""
    result = question.evaluate({name: answer})
    assert result.status == "incorrect", result
    assert clue in result.message, result.message
