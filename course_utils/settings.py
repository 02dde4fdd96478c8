"""The course's four environment settings, read in one place (introduced in lesson 00).

- ``COURSE_PROFILE``: ``full`` | ``workshop`` (default) | ``smoke`` — how much work each lesson does.
- ``COURSE_OFFLINE_PACK``: folder of datasets, models and photos for machines without internet.
- ``COURSE_CACHE``: where downloads and decoded datasets are kept (default ``~/.cache/how-cnns-see``).
- ``COURSE_MIRROR``: a base URL (e.g. an instructor's local server) that replaces the host of every download URL.

``REPOSITORY`` is the course's home on GitHub, in one place: a fork changes that line and runs
``python -m course_utils.tools.stamp_notebooks`` to rewrite the badges, Colab cells and README links.
"""
import os
from pathlib import Path

from .validate import check_choice, check_positive_int

REPOSITORY = "how-cnns-see/how-cnns-see"  # GitHub owner/name of the course

PROFILES = ("full", "workshop", "smoke")
DEFAULT_PROFILE = "workshop"

# Upper limits per profile; ``None`` means no limit. ``cap`` applies them to every loop.
CAPS = {
    "full": {"epochs": None, "images": None, "steps": None, "samples": None},
    "workshop": {"epochs": 5, "images": 20_000, "steps": 300, "samples": 50},
    "smoke": {"epochs": 1, "images": 1_000, "steps": 10, "samples": 4},
}


def current_profile():
    """Return the active profile name from ``COURSE_PROFILE`` (default ``workshop``)."""
    value = os.environ.get("COURSE_PROFILE", "").strip().lower() or DEFAULT_PROFILE
    check_choice("COURSE_PROFILE", value, PROFILES)
    return value


def cap(n, kind, profile=None):
    """Limit a loop size by the active profile, so one knob speeds up every lesson.

    Args:
        n: the size the lesson would use with no limit (a positive int).
        kind: ``"epochs"``, ``"images"`` (dataset subsets), ``"steps"`` (optimisation or
            integration steps) or ``"samples"`` (Monte-Carlo samples such as SmoothGrad's).
        profile: a profile name to use instead of the active one.

    Returns:
        ``min(n, limit)`` for the profile (``n`` itself in ``full``).
    """
    check_choice("kind", kind, CAPS[DEFAULT_PROFILE])
    check_positive_int("n", n)
    if profile is not None:
        check_choice("profile", profile, PROFILES)
    limit = CAPS[profile or current_profile()][kind]
    return n if limit is None else min(n, limit)


def offline_pack_dir():
    """Return the offline pack folder from ``COURSE_OFFLINE_PACK``, or ``None`` when unset.

    A set but missing folder is an error, so a typo never silently means "download instead".
    """
    value = os.environ.get("COURSE_OFFLINE_PACK", "").strip()
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError(
            f"COURSE_OFFLINE_PACK points to {value!r}, which is not a folder. "
            "Fix the path or unset the variable to download from the internet."
        )
    return path


def mirror_url():
    """Return the download mirror from ``COURSE_MIRROR`` without a trailing slash, or ``None`` when unset.

    ``COURSE_MIRROR=http://10.0.0.5:8000`` turns ``https://storage.example.com/models/x.tflite`` into
    ``http://10.0.0.5:8000/models/x.tflite``: a workshop's own server (``python -m http.server`` over the same
    paths) answers instead of the internet. sha256 checks are unchanged.
    """
    value = os.environ.get("COURSE_MIRROR", "").strip().rstrip("/")
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"COURSE_MIRROR must be a base URL starting with http:// or https://, like "
                         f"http://10.0.0.5:8000; got {value!r}.")
    return value


def cache_dir():
    """Return (and create) the cache folder from ``COURSE_CACHE`` or ``~/.cache/how-cnns-see``."""
    value = os.environ.get("COURSE_CACHE", "").strip()
    path = Path(value).expanduser() if value else Path.home() / ".cache" / "how-cnns-see"
    path.mkdir(parents=True, exist_ok=True)
    return path
