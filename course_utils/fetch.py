"""Get a registered file: local cache, then offline pack, then download (introduced in lesson 00).

Every file the course uses (photos, model weights, dataset archives) is listed once in
``data/assets.json`` with its sha256, canonical URL and licence. ``fetch_file`` never hands out a
file whose sha256 is wrong: a corrupt or truncated cached copy is replaced, and downloads are
written to a temporary file and renamed only after the hash matches.
"""
import hashlib
import http.client
import io
import json
import os
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, nullcontext, redirect_stdout
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .settings import REPOSITORY, cache_dir, mirror_url, offline_pack_dir

# The course's data folder: package data in a pip-installed course_utils, the repository's data/ in a checkout.
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data" if (PACKAGE_DIR / "data").is_dir() else PACKAGE_DIR.parent / "data"
REGISTRY_PATH = DATA_DIR / "assets.json"
TIMEOUT_S = 30
USER_AGENT = f"how-cnns-see-course/1.0 (+https://github.com/{REPOSITORY})"


OFFLINE_ADVICE = ("If this machine is offline, point COURSE_OFFLINE_PACK at an offline pack folder "
                  "(README: 'Workshops and offline use').")


class AssetUnavailableError(RuntimeError):
    """Raised when a file is in neither the cache nor the offline pack and cannot be downloaded."""


@dataclass(frozen=True)
class FetchedFile:
    """A verified local file and where it came from ("course data", "cache", "offline pack" or "download")."""

    path: Path
    source: str


@contextmanager
def keras_download(what, timeout=60):
    """Run a ``keras.datasets`` / ``keras.applications`` download with a network time limit.

    Keras' own downloader waits forever on a stalled connection; this sets a socket timeout for the
    duration and turns any failure into an ``AssetUnavailableError`` that says what to do.
    """
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        yield
    except Exception as err:
        raise AssetUnavailableError(f"{what} failed ({type(err).__name__}: {err}). {OFFLINE_ADVICE}") from err
    finally:
        socket.setdefaulttimeout(previous)


def mute_unless(verbose):
    """Context in which printing works as usual when ``verbose``, and prints nothing otherwise.

    The loaders' ``verbose=False`` uses it, so it also silences their helpers and Keras' progress bars.
    """
    return nullcontext() if verbose else redirect_stdout(io.StringIO())


@lru_cache(maxsize=1)
def load_registry():
    """Return the asset registry (``data/assets.json``) as a dict keyed by asset name."""
    with open(REGISTRY_PATH, encoding="utf-8") as f:
        return json.load(f)


def asset_info(name):
    """Return the registry entry of ``name``; an unknown name lists the known ones."""
    registry = load_registry()
    if name not in registry:
        raise KeyError(f"Unknown asset {name!r}. Known assets: {', '.join(sorted(registry))}.")
    return registry[name]


def sha256_of(path):
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_file(name, timeout=TIMEOUT_S):
    """Return a verified local copy of the registered file ``name``.

    Order: the course's own copy (small samples under ``data/samples/``) → local cache → offline
    pack (``COURSE_OFFLINE_PACK``) → download from the canonical URL.

    Args:
        name: an asset name from ``data/assets.json`` (e.g. ``"cat"``).
        timeout: seconds to wait for the network before giving up.

    Returns:
        A ``FetchedFile`` with the path and the source it came from ("course data", "cache",
        "offline pack" or "download").

    Raises:
        AssetUnavailableError: the file is not available offline and the download failed.
    """
    info = asset_info(name)
    record_use(name)
    if info.get("sample"):
        sample = DATA_DIR / info["sample"]
        if sample.is_file() and sha256_of(sample) == info["sha256"]:
            return FetchedFile(sample, "course data")
        print(f"{name}: the course's copy {sample} is missing or changed (sha256 mismatch); looking elsewhere.")
    cached = cache_dir() / "files" / info["file"]
    if cached.exists():
        if sha256_of(cached) == info["sha256"]:
            return FetchedFile(cached, "cache")
        print(f"{name}: cached copy {cached} is corrupt or incomplete (sha256 mismatch); replacing it.")
        cached.unlink()

    pack = offline_pack_dir()
    if pack is not None and info.get("pack") and (pack / info["pack"]).is_file():
        packed = pack / info["pack"]
        if sha256_of(packed) == info["sha256"]:
            return FetchedFile(packed, "offline pack")
        print(f"{name}: {packed} in the offline pack has the wrong sha256; ignoring it.")

    if not info.get("url"):
        where = f"the offline pack ({info['pack']})" if info.get("pack") else "no offline location"
        raise AssetUnavailableError(
            f"{name!r} has no direct download URL; it comes from {where} or from "
            f"{info.get('canonical', 'its canonical source')}. Set COURSE_OFFLINE_PACK to a pack that holds it."
        )
    download(mirrored(info["url"]), cached, info["sha256"], timeout=timeout)
    return FetchedFile(cached, "download")


def record_use(name):
    """Append ``name`` to the file that ``COURSE_ASSET_LOG`` names, if it is set: how
    ``tools.record_lesson_assets`` learns which files each lesson asks for (``pack build --lessons``)."""
    log = os.environ.get("COURSE_ASSET_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(name + "\n")


def mirrored(url):
    """``url`` with its scheme and host replaced by ``COURSE_MIRROR`` when that is set, else ``url`` itself."""
    mirror = mirror_url()
    if mirror is None:
        return url
    parts = urllib.parse.urlsplit(url)
    return mirror + parts.path + (f"?{parts.query}" if parts.query else "")


def download(url, dest, sha256, timeout=TIMEOUT_S):
    """Download ``url`` to ``dest`` atomically, checking its sha256 before it appears.

    The bytes go to a temporary file beside ``dest``; only a complete file with the right hash is
    renamed into place, so an interrupted download never leaves a half file behind.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    print(f"Downloading {url} ...")
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    try:
        digest = hashlib.sha256()
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            promised, received = response.headers.get("Content-Length"), 0
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
                received += len(block)
        if promised is not None and received != int(promised):
            raise AssetUnavailableError(
                f"The download of {url} stopped after {received:,} of {int(promised):,} bytes (the connection "
                f"dropped); nothing was saved. Run it again. {OFFLINE_ADVICE}"
            )
        if digest.hexdigest() != sha256:
            raise AssetUnavailableError(
                f"The file downloaded from {url} has sha256 {digest.hexdigest()}, expected {sha256}. "
                "The server may have changed the file; nothing was saved."
            )
        os.replace(tmp, dest)
    except (urllib.error.URLError, http.client.HTTPException, socket.timeout, TimeoutError, ConnectionError) as err:
        raise AssetUnavailableError(
            f"Could not download {url} ({err}; time limit {timeout} s). {OFFLINE_ADVICE}"
        ) from err
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest
