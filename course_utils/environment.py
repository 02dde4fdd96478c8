"""The environment of lesson 00: TensorFlow started quietly, and a report of versions, profile,
hardware, Colab and offline assets."""
import importlib.metadata
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

from .fetch import DATA_DIR, load_registry
from .settings import cache_dir, current_profile, offline_pack_dir

MINIMUM_VERSIONS = {"tensorflow": (2, 19), "keras": (3, 10)}
PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib", "opencv-python", "opencv-python-headless", "ipywidgets")
# What TensorFlow writes to stderr whenever it starts on a machine without a GPU: notices, not problems.
STARTUP_NOISE = re.compile(r"All log messages before absl::InitializeLog|oneDNN custom operations are on|"
                           r"Could not find cuda drivers|failed call to cuInit|cpu_feature_guard|"
                           r"rebuild TensorFlow with the appropriate compiler flags|^To enable the following instructions")


def quiet_tensorflow_startup():
    """Start TensorFlow without its start-up notices; anything else it writes to stderr still shows.

    Every lesson calls it before importing TensorFlow (lesson 00). ``TF_CPP_MIN_LOG_LEVEL=2`` hides
    TensorFlow's info and warning logs but not its errors; the lines printed before its logging starts
    (oneDNN, CUDA drivers) and the failed GPU probe of a CPU-only machine are filtered from stderr
    while TensorFlow loads and looks for devices. Does nothing if TensorFlow is already loaded.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)  # C++ writes to file descriptor 2, past Python's sys.stderr
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the GPU probe, so that its notice is filtered too
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            kept = drop_startup_noise(log.read().decode(errors="replace"))
            if kept:
                print(kept, file=sys.stderr)


def drop_startup_noise(text):
    """``text`` without TensorFlow's start-up notices (``STARTUP_NOISE``) and blank lines."""
    return "\n".join(line for line in text.splitlines() if line.strip() and not STARTUP_NOISE.search(line))


def report_environment():
    """Print what this machine offers the course, and return the same facts as a dict.

    Warns (in the printed report) when TensorFlow or Keras are older than the course needs or when
    the Keras backend is not TensorFlow.
    """
    import keras
    import tensorflow as tf

    facts = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            facts[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    facts["keras backend"] = keras.backend.backend()
    facts["profile"] = current_profile()
    facts["CPU cores"] = os.cpu_count()
    facts["GPUs"] = [d.name for d in tf.config.list_physical_devices("GPU")]
    facts["on Colab"] = "google.colab" in sys.modules
    pack = offline_pack_dir()
    facts["offline pack"] = shorten_path(pack) if pack else None
    registry = load_registry()
    facts["assets available offline"] = sum(  # shipped with the course (samples) or in the offline pack
        bool(info.get("sample")) and (DATA_DIR / info["sample"]).is_file()
        or bool(pack and info.get("pack")) and (pack / info["pack"]).is_file() for info in registry.values())
    facts["assets registered"] = len(registry)
    facts["cache"] = shorten_path(cache_dir())

    width = max(map(len, facts))
    for key, value in facts.items():
        print(f"{key:<{width}}  {value if value not in (None, []) else '-'}")
    for warning in version_warnings(facts):
        print("WARNING:", warning)
    return facts


def shorten_path(path):
    """``path`` as text without the machine's details a report does not need: the home folder written ``~`` (no
    user name), else relative to the working folder when it is near (``../../shared/offline-pack``)."""
    path, home = Path(path).absolute(), Path.home()
    if path.is_relative_to(home) and path != home:
        return f"~/{path.relative_to(home).as_posix()}"
    nearby = Path(os.path.relpath(path))
    shares_a_folder = Path(os.path.commonpath([path, Path.cwd()])) != Path(path.anchor)
    return nearby.as_posix() if shares_a_folder and nearby.parts.count("..") <= 2 else str(path)


def version_warnings(facts):
    """Return a list of problems with the versions and backend recorded in ``facts``."""
    warnings = []
    for package, minimum in MINIMUM_VERSIONS.items():
        found = tuple(int(p) for p in facts.get(package, "0.0").split(".")[:2] if p.isdigit())
        if found < minimum:
            warnings.append(f"{package} {facts.get(package, 'missing')} is older than the course needs "
                            f"({'.'.join(map(str, minimum))} or newer).")
    if facts.get("keras backend") != "tensorflow":
        warnings.append(f"the Keras backend is {facts.get('keras backend')!r}; set KERAS_BACKEND=tensorflow "
                        "before importing keras (saliency lessons use tf.GradientTape).")
    return warnings
