import numpy as np
import pytest

from course_utils import datasets
from course_utils.datasets import load_dataset
from course_utils.fetch import AssetUnavailableError


@pytest.fixture
def smoke(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "smoke")


def test_offline_mnist_is_the_test_split_resplit(empty_cache, offline_pack, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "workshop")
    ds = load_dataset("mnist")
    out = capsys.readouterr().out
    assert "offline pack" in out and "TEST split only" in out and "8,000 train / 2,000 test" in out
    assert ds.x_train.shape == (8000, 28, 28) and ds.x_test.shape == (2000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.uint8
    assert set(np.unique(ds.y_test)) == set(range(10)) and ds.class_names[3] == "3"


def test_profile_decides_the_subset(empty_cache, offline_pack, smoke, capsys):
    ds = load_dataset("fashion_mnist")
    assert len(ds.x_train) == 1000 and len(ds.x_test) == 1000
    assert "60,000 train / 10,000 test -> using 1,000 / 1,000 (smoke profile)" in capsys.readouterr().out
    assert ds.class_names[9] == "Ankle boot"


def test_offline_cifar10_is_decoded_once_then_cached(empty_cache, offline_pack, smoke, capsys):
    first = load_dataset("cifar10", verbose=False)
    assert capsys.readouterr().out == ""  # not even the decoding notice
    assert first.x_train.shape == (1000, 32, 32, 3) and first.x_train.dtype == np.uint8
    assert len(np.unique(first.y_train)) == 10  # shuffled, so a subset holds every class
    second = load_dataset("cifar10")
    assert ("offline pack (JPEG re-encoded), read from the course cache, 50,000 train / 10,000 test"
            in capsys.readouterr().out)
    np.testing.assert_array_equal(first.x_train, second.x_train)


def test_corrupt_dataset_cache_is_rebuilt(empty_cache, offline_pack, smoke, capsys):
    bad = empty_cache / "datasets" / "mnist.npz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PK\x03\x04 truncated")
    ds = load_dataset("mnist")
    assert "unreadable" in capsys.readouterr().out and len(ds.x_train) == 1000
    with np.load(bad) as z:  # replaced by a good file
        assert z["x_train"].shape == (8000, 28, 28)


def test_verbose_switch(empty_cache, offline_pack, smoke, capsys):
    bad = empty_cache / "datasets" / "mnist.npz"  # so a helper has something to say too
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PK\x03\x04 truncated")
    quiet = load_dataset("mnist", verbose=False)
    assert capsys.readouterr().out == ""
    loud = load_dataset("mnist")
    assert capsys.readouterr().out == (
        "mnist: offline pack (the official 10,000-digit TEST split only, re-split 8,000 train / 2,000 test), "
        "read from the course cache, 8,000 train / 2,000 test -> using 1,000 / 1,000 (smoke profile)\n")
    np.testing.assert_array_equal(quiet.x_train, loud.x_train)


def test_offline_without_pack_explains_what_to_do(empty_cache, no_pack, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(AssetUnavailableError, match="keras.datasets.mnist.load_data\\(\\) failed.*COURSE_OFFLINE_PACK"):
        load_dataset("mnist")


def test_canonical_download_path_is_reported(empty_cache, no_pack, monkeypatch, smoke, capsys):
    import keras

    fake = ((np.zeros((5, 28, 28), np.uint8), np.arange(5)), (np.zeros((2, 28, 28), np.uint8), np.arange(2)))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    ds = load_dataset("mnist")
    assert "download (keras.datasets), 5 train / 2 test" in capsys.readouterr().out
    assert ds.y_train.dtype == np.uint8


def test_unknown_dataset_names_the_valid_ones():
    with pytest.raises(ValueError, match="mnist, fashion_mnist, cifar10; got 'imagenet'"):
        load_dataset("imagenet")


def test_read_idx_rejects_other_files(tmp_path):
    import gzip

    path = tmp_path / "x.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x89PNG....")
    with pytest.raises(ValueError, match="not a uint8 idx file"):
        datasets.read_idx(path)
