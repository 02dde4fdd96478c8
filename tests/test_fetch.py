import hashlib
import http.server
import shutil
import socket
import threading

import pytest

from course_utils import fetch
from course_utils.fetch import AssetUnavailableError, fetch_file, sha256_of


def test_offline_fetch_reads_the_pack(empty_cache, offline_pack):
    got = fetch_file("cat")
    assert got.source == "offline pack"
    assert got.path.resolve() == (offline_pack / "images" / "chelsea.png").resolve()  # the pack may be a link
    assert sha256_of(got.path) == fetch.asset_info("cat")["sha256"]


def test_valid_cached_file_is_used_first(empty_cache, offline_pack):
    cached = empty_cache / "files" / "chelsea.png"
    cached.parent.mkdir(parents=True)
    shutil.copy(offline_pack / "images" / "chelsea.png", cached)
    assert fetch_file("cat") == fetch.FetchedFile(cached, "cache")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_cached_file_is_replaced_not_used(empty_cache, offline_pack, damage, capsys):
    original = (offline_pack / "images" / "chelsea.png").read_bytes()
    cached = empty_cache / "files" / "chelsea.png"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not a png" if damage == "garbage" else original[: len(original) // 2])
    got = fetch_file("cat")
    assert got.source == "offline pack" and sha256_of(got.path) == fetch.asset_info("cat")["sha256"]
    assert not cached.exists()
    assert "corrupt or incomplete" in capsys.readouterr().out


def test_unknown_asset_lists_the_known_ones():
    with pytest.raises(KeyError, match="Unknown asset 'kitten'.*cat"):
        fetch_file("kitten")


def test_pack_only_asset_without_pack_says_where_it_lives(empty_cache, no_pack):
    with pytest.raises(AssetUnavailableError, match="no direct download URL.*COURSE_OFFLINE_PACK"):
        fetch_file("mobilenet_025_imagenet")


class _Server:
    """A local HTTP server serving ``payload`` at ``path`` (404 elsewhere). ``hang``: never answers, to test
    timeouts; ``truncate``: promises the whole payload, sends half and closes, as a dropped connection does."""

    def __init__(self, payload=b"", hang=False, path="/file", truncate=False):
        self.payload, self.hang, self.truncate, self.release = payload, hang, truncate, threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if outer.hang:
                    outer.release.wait(10)
                    return
                if self.path != path:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.payload)))
                self.end_headers()
                self.wfile.write(outer.payload[:len(outer.payload) // 2] if outer.truncate else outer.payload)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = self.base + path

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def registry_with(monkeypatch):
    """Replace the registry with one entry named 'thing' for the given URL and sha256."""
    def make(url, sha256):
        entry = {"kind": "photo", "file": "thing.bin", "url": url, "sha256": sha256, "pack": None}
        monkeypatch.setattr(fetch, "load_registry", lambda: {"thing": entry})
    return make


def test_download_verifies_and_writes_atomically(empty_cache, no_pack, registry_with):
    payload = b"real bytes" * 1000
    server = _Server(payload)
    try:
        registry_with(server.url, hashlib.sha256(payload).hexdigest())
        got = fetch_file("thing")
        assert got.source == "download" and got.path.read_bytes() == payload
        assert fetch_file("thing").source == "cache"
        assert [p.name for p in got.path.parent.iterdir()] == ["thing.bin"]  # no temp files left
    finally:
        server.close()


def test_download_with_wrong_hash_leaves_nothing(empty_cache, no_pack, registry_with):
    server = _Server(b"tampered")
    try:
        registry_with(server.url, "0" * 64)
        with pytest.raises(AssetUnavailableError, match="expected 0000.*nothing was saved"):
            fetch_file("thing")
        assert not any((empty_cache / "files").iterdir())
    finally:
        server.close()


def test_unreachable_host_gives_an_offline_hint(empty_cache, no_pack, registry_with):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    registry_with(f"http://127.0.0.1:{port}/file", "0" * 64)
    with pytest.raises(AssetUnavailableError, match="Could not download.*COURSE_OFFLINE_PACK"):
        fetch_file("thing")


def test_stalled_server_times_out(empty_cache, no_pack, registry_with):
    server = _Server(hang=True)
    try:
        registry_with(server.url, "0" * 64)
        with pytest.raises(AssetUnavailableError, match="time limit 1 s"):
            fetch_file("thing", timeout=1)
        assert not any((empty_cache / "files").iterdir())
    finally:
        server.close()


def test_registry_entries_are_complete():
    for name, info in fetch.load_registry().items():
        assert {"kind", "file", "sha256", "licence", "credit"} <= set(info), name
        assert len(info["sha256"]) == 64, name
        assert info.get("url") or info.get("canonical"), f"{name} needs a URL or a canonical source"


def test_dropped_connection_then_a_good_download(empty_cache, no_pack, registry_with):
    payload = b"whole file " * 5000
    server = _Server(payload, truncate=True)
    try:
        registry_with(server.url, hashlib.sha256(payload).hexdigest())
        with pytest.raises(AssetUnavailableError, match=r"stopped after 27,500 of 55,000 bytes .*nothing was saved"):
            fetch_file("thing")
        assert not any((empty_cache / "files").iterdir())  # no half file, no temporary file
        server.truncate = False
        assert fetch_file("thing").path.read_bytes() == payload
    finally:
        server.close()


def test_missing_file_on_the_server_is_a_clear_error(empty_cache, no_pack, registry_with):
    server = _Server(b"x")
    try:
        registry_with(server.base + "/elsewhere", "0" * 64)
        with pytest.raises(AssetUnavailableError, match="Could not download .*/elsewhere .*404"):
            fetch_file("thing")
    finally:
        server.close()


def test_mirror_replaces_the_host_of_every_download(empty_cache, no_pack, registry_with, monkeypatch, capsys):
    payload = b"model bytes" * 100
    server = _Server(payload, path="/models/v1/thing.bin?alt=media")
    try:
        registry_with("https://downloads.example.invalid/models/v1/thing.bin?alt=media",
                      hashlib.sha256(payload).hexdigest())
        monkeypatch.setenv("COURSE_MIRROR", server.base + "/")
        assert fetch_file("thing").path.read_bytes() == payload
        assert f"Downloading {server.url}" in capsys.readouterr().out
    finally:
        server.close()


def test_mirror_must_be_a_url(empty_cache, no_pack, registry_with, monkeypatch):
    registry_with("https://downloads.example.invalid/thing.bin", "0" * 64)
    monkeypatch.setenv("COURSE_MIRROR", "10.0.0.5:8000")
    with pytest.raises(ValueError, match="COURSE_MIRROR must be a base URL starting with http:// or https://"):
        fetch_file("thing")


def test_keras_downloads_time_out_on_a_stalled_server(tmp_path):
    """keras.datasets and keras.applications download through keras.utils.get_file, which waits forever
    on its own; under keras_download the stall becomes a clear error within the time limit."""
    import time

    import keras

    server = _Server(hang=True)
    start = time.perf_counter()
    try:
        with pytest.raises(AssetUnavailableError, match="MNIST download failed .*COURSE_OFFLINE_PACK"):
            with fetch.keras_download("MNIST download", timeout=1):
                keras.utils.get_file("mnist.npz", origin=server.url, cache_dir=str(tmp_path))
    finally:
        server.close()
    assert time.perf_counter() - start < 8  # the server would hold the connection for 10 s
    assert socket.getdefaulttimeout() is None  # the time limit does not outlive the download
