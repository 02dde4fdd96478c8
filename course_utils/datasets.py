"""Load MNIST, Fashion-MNIST and CIFAR-10 as uint8 arrays (introduced in lesson 00).

Order: the course cache (decoded arrays) → the offline pack → ``keras.datasets`` (download).
Each load prints where the data came from and how many images it has (unless ``verbose=False``),
and the profile decides how many of them a lesson uses.
"""
import gzip
import os
import tarfile
import tempfile
from dataclasses import dataclass

import numpy as np

from .fetch import AssetUnavailableError, fetch_file, keras_download, mute_unless
from .settings import cache_dir, cap, current_profile
from .validate import check_choice

CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer",
                "dog", "frog", "horse", "ship", "truck"],
}
DOWNLOAD_TIMEOUT_S = 60
SPLIT_SEED = 0  # fixed, so every machine gets the same offline MNIST split and CIFAR order


@dataclass
class Dataset:
    """Train/test images (uint8, ``(N, H, W)`` or ``(N, H, W, 3)``), labels (uint8) and names."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list
    source: str

    def __repr__(self):
        return (f"Dataset({self.name!r}, train={self.x_train.shape}, test={self.x_test.shape}, "
                f"source={self.source!r})")


def load_dataset(name, profile=None, *, verbose=True):
    """Load ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"``, sized by the active profile.

    Args:
        name: the dataset.
        profile: size the subsets for this profile instead of the active one (``"full"``: everything).
        verbose: print where the data came from and how much of it is used; ``False`` prints nothing.

    Returns:
        A ``Dataset``. Offline, MNIST is the official 10,000-digit test split re-split into
        8,000 train / 2,000 test, and CIFAR-10 is decoded from the pack's JPEG copy; the
        printed source says so.
    """
    check_choice("name", name, CLASS_NAMES)
    with mute_unless(verbose):
        arrays, source = _read_cache(name)
        if arrays is None:
            arrays, source = _read_offline_pack(name)
            if arrays is None:
                arrays, source = _download(name)
            _write_cache(name, arrays, source)
        x_train, y_train, x_test, y_test = arrays
        message = f"{name}: {source}, {len(x_train):,} train / {len(x_test):,} test"
        n_train, n_test = cap(len(x_train), "images", profile), cap(len(x_test), "images", profile)
        if (n_train, n_test) != (len(x_train), len(x_test)):
            message += f" -> using {n_train:,} / {n_test:,} ({profile or current_profile()} profile)"
        print(message)
    return Dataset(name, x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test],
                   list(CLASS_NAMES[name]), source)


def _cache_path(name):
    return cache_dir() / "datasets" / f"{name}.npz"


def _read_cache(name):
    path = _cache_path(name)
    if not path.exists():
        return None, None
    try:
        with np.load(path) as z:
            arrays = tuple(z[k] for k in ("x_train", "y_train", "x_test", "y_test"))
            return arrays, f"{z['source'].item()}, read from the course cache"
    except Exception as err:  # a truncated or foreign file: rebuild it rather than use it
        print(f"{name}: cached arrays at {path} are unreadable ({type(err).__name__}); rebuilding them.")
        path.unlink()
        return None, None


def _write_cache(name, arrays, source):
    path = _cache_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, x_train=arrays[0], y_train=arrays[1], x_test=arrays[2], y_test=arrays[3],
                     source=np.array(source))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _read_offline_pack(name):
    try:
        if name == "mnist":
            images = read_idx(fetch_file("mnist_t10k_images").path)
            labels = read_idx(fetch_file("mnist_t10k_labels").path)
            order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
            train, test = order[:8000], order[8000:]
            return ((images[train], labels[train], images[test], labels[test]),
                    "offline pack (the official 10,000-digit TEST split only, re-split 8,000 train / 2,000 test)")
        if name == "fashion_mnist":
            parts = ["fashion_mnist_train_images", "fashion_mnist_train_labels",
                     "fashion_mnist_test_images", "fashion_mnist_test_labels"]
            return tuple(read_idx(fetch_file(p).path) for p in parts), "offline pack"
        return _read_cifar10_jpegs(fetch_file("cifar10_jpg").path), "offline pack (JPEG re-encoded)"
    except AssetUnavailableError:
        return None, None


def read_idx(path):
    """Read a (gzipped) MNIST-style idx file into a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not a uint8 idx file (magic bytes {data[:4]!r}).")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _read_cifar10_jpegs(path):
    import cv2

    print("cifar10: decoding 60,000 JPEGs from the offline pack (only the first time; cached afterwards)...")
    splits = {"train": ([], []), "test": ([], [])}
    with tarfile.open(path, "r:gz") as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if not member.isfile() or len(parts) < 4 or parts[-3] not in splits:
                continue
            raw = np.frombuffer(tar.extractfile(member).read(), np.uint8)
            bgr = cv2.imdecode(raw, cv2.IMREAD_COLOR)
            splits[parts[-3]][0].append(bgr[:, :, ::-1])
            splits[parts[-3]][1].append(CLASS_NAMES["cifar10"].index(parts[-2]))
    rng = np.random.default_rng(SPLIT_SEED)
    out = []
    for split in ("train", "test"):  # the pack is sorted by class: shuffle so subsets are balanced
        x, y = np.stack(splits[split][0]), np.array(splits[split][1], np.uint8)
        order = rng.permutation(len(x))
        out += [x[order], y[order]]
    return tuple(out)


def _download(name):
    import keras

    what = f"{name} is not in the cache or the offline pack, and keras.datasets.{name}.load_data()"
    with keras_download(what, DOWNLOAD_TIMEOUT_S):
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    flat = lambda y: np.asarray(y, np.uint8).reshape(-1)
    return (x_train, flat(y_train), x_test, flat(y_test)), "download (keras.datasets)"
