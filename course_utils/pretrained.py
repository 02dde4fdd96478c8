"""Published pretrained models, one loader for every format (introduced in lesson 08).

Lessons 08-11 run models others trained: DeepLab v3 (segmentation), the COCO SSD detector, Magenta style
transfer, BlazeFace and YuNet. ``load_pretrained(name)`` fetches the registered file like any other asset
(cache, offline pack, download; sha256 checked) and returns a ``PretrainedModel``: call it with float
arrays and get float arrays back. It names its inputs and outputs (shape, dtype, value range from the
registry), converts dtypes, quantises int8/uint8 inputs and dequantises int8/uint8 outputs.

Formats (the registry's ``format``):
- ``tflite``: run by ``ai_edge_litert`` where it is installed, else by ``tf.lite.Interpreter``.
- ``savedmodel``: a ``.tar.gz`` as TF Hub / Kaggle Models publish it, unpacked once into the cache and
  called through a signature of ``tf.saved_model.load``. No ``hub.KerasLayer`` (it breaks under Keras 3)
  and no ``tensorflow_hub``.
- ``onnx``: read by OpenCV's DNN module; the registry gives the input's shape and dtype.
"""
import os
import re
import shutil
import sys
import tarfile
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .fetch import asset_info, fetch_file, load_registry, mute_unless
from .settings import cache_dir

# The TFLite runtime announces its CPU accelerator on file descriptor 2 when a model is prepared: a notice.
XNNPACK_NOTICE = re.compile(r"^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$")
# Share of an input's value range that values may stray outside it (resampling overshoots a little);
# pixels 0-255 given to a model that wants [-1, 1] or [0, 1] are far outside and refused.
RANGE_SLACK = 0.05
# What the published labels files get wrong, fixed on loading (the files stay as published, so their
# sha256 still holds). DeepLab's labels misspell bicycle "biyclce" and write "potted plant" and
# "tv-monitor" where PASCAL VOC writes "pottedplant" and "tvmonitor" (it does write "diningtable"), and
# have Windows line ends and no final newline; the fix gives VOC's 21 names exactly.
LABEL_FIXES = {"deeplabv3_labels": {"biyclce": "bicycle", "potted plant": "pottedplant", "tv-monitor": "tvmonitor"}}
# The SSD labelmap's first line is "???" for the background, which the detector never outputs (its class
# id c is at index c + 1 of the file's lines); dropping that line makes ``labels[c]`` the name of class c
# (0 person). The ten ids COCO left unused stay "???".
LABEL_LINES_DROPPED = {"ssd_mobilenet_v1_coco_labels": 1}


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of a pretrained model.

    ``name`` is the course's name for it (from the registry, else the model's own), ``tensor`` the model's
    own name, ``shape`` a tuple with ``None`` for a free axis (``None`` altogether when unknown before a
    call), ``dtype`` what the model itself takes or gives, ``range`` the ``(low, high)`` of the float values
    (``None`` when unbounded or unknown) and ``quantisation`` the ``(scale, zero_point)`` of an integer
    tensor standing for floats (``real = scale * (q - zero_point)``), else ``None``.
    """

    name: str
    tensor: str
    shape: tuple
    dtype: str
    range: tuple = None
    quantisation: tuple = None

    def __str__(self):
        text = f"{self.name}: {self.dtype} {shape_text(self.shape)}"
        if self.quantisation:
            scale, zero_point = self.quantisation
            text += f" quantised (scale {scale:g}, zero point {zero_point})"
        return text + (f", floats in [{self.range[0]:g}, {self.range[1]:g}]" if self.range else "")

    def expected(self):
        """What a caller may pass for this input, in words."""
        floats = f"floats of shape {shape_text(self.shape)}"
        floats += f" in [{self.range[0]:g}, {self.range[1]:g}]" if self.range else ""
        if self.quantisation:
            return f"{floats} (quantised to {self.dtype} here) or {self.dtype} values as the model takes them"
        return floats if np.dtype(self.dtype).kind == "f" else f"{self.dtype} of shape {shape_text(self.shape)}"


class PretrainedModel:
    """A loaded pretrained model: call it with one array per input (by position or by name).

    One output comes back as an array, several as a dict keyed by output name. ``inputs`` and
    ``outputs`` list ``TensorInfo``s; ``labels`` holds the class names where the registry names a labels
    file (else ``None``); ``path`` is the model file, for tools that open it themselves (such as
    ``cv2.FaceDetectorYN`` for YuNet). ``tensors`` maps every tensor inside a TFLite model to its shape (empty
    for other formats): the sizes of its feature maps, which lesson 08 reads from DeepLab; ``inner(name)`` reads
    one's value after a call. ``describe()`` prints the inputs, outputs and labels.
    """

    def __init__(self, name, info, run, inputs, outputs, *, path, source, labels=None, tensors=None, read=None):
        self.name, self.format, self.path, self.source = name, info["format"], path, source
        self.inputs, self.outputs, self.labels, self.tensors = inputs, outputs, labels, tensors or {}
        self.note, self.credit = info.get("note", ""), info["credit"]
        self._run, self._read = run, read

    def __call__(self, *args, **kwargs):
        feed = self._match_inputs(args, kwargs)
        raw = self._run({info.tensor: prepare_input(self.name, info, feed[info.name]) for info in self.inputs})
        results = {info.name: finish_output(info, raw[info.tensor]) for info in self.outputs}
        return next(iter(results.values())) if len(results) == 1 else results

    def inner(self, name):
        """The value of the tensor ``name`` inside the model at its last call, as float32 (dequantised where the
        model stores it quantised): lesson 09 reads the SSD's anchors and raw box scores with it. Needs
        ``load_pretrained(..., keep_tensors=True)``, because TFLite otherwise reuses those buffers."""
        if self._read is None:
            raise ValueError(f"{self.name}'s inner tensors are not kept; load it with "
                             f"load_pretrained({self.name!r}, keep_tensors=True) (TFLite models only).")
        if name not in self.tensors:
            shown = ", ".join(list(self.tensors)[:5])
            raise KeyError(f"name must be one of {self.name}'s {len(self.tensors)} tensors (model.tensors: {shown}, "
                           f"...); got {name!r}.")
        return self._read(name)

    def describe(self):
        """Print the model's inputs, outputs, labels and notes."""
        print(self)

    def __repr__(self):
        lines = [f"{self.name} ({self.format}, from {self.source})"]
        lines += [f"  input  {info}" for info in self.inputs] + [f"  output {info}" for info in self.outputs]
        if self.labels is not None:
            shown = ", ".join(self.labels[:5]) + (", ..." if len(self.labels) > 5 else "")
            lines.append(f"  labels: {len(self.labels)} ({shown})")
        lines += [f"  note: {self.note}"] if self.note else []
        return "\n".join(lines + [f"  credit: {self.credit}"])

    def _match_inputs(self, args, kwargs):
        names = [info.name for info in self.inputs]
        feed = dict(zip(names, args))
        if len(args) > len(names) or set(kwargs) & set(feed) or sorted({**feed, **kwargs}) != sorted(names):
            given = f"{len(args)} by position" + (f" and {', '.join(kwargs)} by name" if kwargs else "")
            raise ValueError(f"{self.name} must get {len(names)} input(s), {', '.join(names)}, by position or by "
                             f"name; got {given}.")
        return {**feed, **kwargs}


def load_pretrained(name, *, keep_tensors=False, verbose=True):
    """Load the registered pretrained model ``name`` (e.g. ``"deeplabv3"``) as a ``PretrainedModel``.

    Args:
        name: a registry entry with a ``format``; ``list_pretrained()`` lists them.
        keep_tensors: keep every inner tensor's value after a call, for ``model.inner(name)`` (TFLite only;
            uses more memory).
        verbose: print where the file came from and its credit; ``False`` prints nothing.

    Raises:
        KeyError: ``name`` is not registered. ValueError: it is not a pretrained model.
        AssetUnavailableError: the file is neither cached nor in the offline pack and cannot be downloaded.
    """
    info = asset_info(name)
    if "format" not in info:
        raise ValueError(f"name must be a pretrained model, one of {', '.join(list_pretrained())}; got {name!r} "
                         f"(a {info['kind']}).")
    if keep_tensors and info["format"] != "tflite":
        raise ValueError(f"keep_tensors=True needs a TFLite model; {name!r} is {info['format']}.")
    with mute_unless(verbose):
        fetched = fetch_file(name)
        opened = OPENERS[info["format"]](fetched.path, info, **({"keep_tensors": True} if keep_tensors else {}))
        run, inputs, outputs, tensors, read = opened
        labels = load_labels(info["labels"]) if info.get("labels") else None
        print(f"pretrained model {name!r} ({info['format']}, {info['bytes'] / 1e6:.1f} MB), from {fetched.source}. "
              f"Credit: {info['credit']}")
    return PretrainedModel(name, info, run, name_tensors(name, inputs, info.get("inputs", [])),
                           name_tensors(name, outputs, info.get("outputs", [])),
                           path=fetched.path, source=fetched.source, labels=labels,
                           tensors=tensors, read=read)


def list_pretrained():
    """Return the names of the registered pretrained models."""
    return sorted(name for name, info in load_registry().items() if "format" in info)


def load_labels(name):
    """Return the class names in the registered labels file ``name``, indexed by the model's class id.

    Blank lines and surrounding spaces are dropped, and the published files' quirks are fixed
    (``LABEL_FIXES``, ``LABEL_LINES_DROPPED``): ``"deeplabv3_labels"`` gives PASCAL VOC's 21 names, from
    ``"background"`` (0) to ``"tvmonitor"`` (20).
    """
    with open(fetch_file(name).path, encoding="utf-8") as f:
        lines = [line.strip() for line in f.read().splitlines() if line.strip()]
    fixes = LABEL_FIXES.get(name, {})
    return [fixes.get(line, line) for line in lines[LABEL_LINES_DROPPED.get(name, 0):]]


def name_tensors(model, found, declared):
    """Merge the tensors a model reports, ``[(tensor, shape, dtype, quantisation), ...]``, with the registry's
    ``declared`` list of ``{"tensor", "name", "range"}``: declared tensors first, in the registry's order."""
    by_tensor = {d["tensor"]: d for d in declared}
    missing = set(by_tensor) - {tensor for tensor, *_ in found}
    if missing:
        raise ValueError(f"The registry entry of {model!r} names tensors the model lacks: {sorted(missing)}; "
                         f"it has {[tensor for tensor, *_ in found]}.")
    order = list(by_tensor)
    found = sorted(found, key=lambda t: order.index(t[0]) if t[0] in by_tensor else len(order))
    tensors = []
    for tensor, shape, dtype, quantisation in found:
        entry = by_tensor.get(tensor, {})
        value_range = tuple(entry["range"]) if entry.get("range") else None
        tensors.append(TensorInfo(entry.get("name", tensor), tensor, shape, dtype, value_range, quantisation))
    return tensors


def prepare_input(model, info, value):
    """Return ``value`` as the model's input ``info`` takes it: cast, quantised, or refused with a message
    naming the expected input."""
    x, dtype = np.asarray(value), np.dtype(info.dtype)
    problem = None
    if not shape_fits(x.shape, info.shape):
        problem = f"shape {x.shape}"
        if shape_fits((1,) + x.shape, info.shape):
            problem += "; add the batch axis with x[None]"
    elif x.dtype.kind == "f" and not (dtype.kind == "f" or info.quantisation):
        problem = f"{x.dtype} values"  # floats for an integer tensor that stands for integers
    elif x.dtype.kind != "f" and (x.dtype != dtype or dtype.kind == "f"):
        problem = f"{x.dtype} values"  # integers are passed only as they are, to an integer tensor
    elif x.dtype.kind == "f" and info.range and x.size:
        low, high = info.range
        slack = RANGE_SLACK * (high - low)
        if x.min() < low - slack or x.max() > high + slack:
            problem = f"values from {x.min():g} to {x.max():g}"
    if problem:
        raise ValueError(f"{model}'s input {info.name!r} must be {info.expected()}; got {problem}.")
    if x.dtype.kind != "f":
        return x
    if info.quantisation:
        scale, zero_point = info.quantisation
        limits = np.iinfo(info.dtype)
        return np.clip(np.round(x / scale + zero_point), limits.min, limits.max).astype(info.dtype)
    return x.astype(info.dtype)


def finish_output(info, value):
    """Return an output as floats: dequantised when ``info`` is quantised, else as the model gave it."""
    if info.quantisation:
        scale, zero_point = info.quantisation
        return (np.asarray(value, np.float32) - zero_point) * np.float32(scale)
    return np.asarray(value)


def shape_fits(shape, expected):
    """True when ``shape`` matches ``expected`` (``None`` matches any shape, a ``None`` axis any length)."""
    return expected is None or (len(shape) == len(expected) and
                                all(e is None or s == e for s, e in zip(shape, expected)))


def shape_text(shape):
    """``(1, 257, 257, 3)``; a free axis shows as ``any``, an unknown shape as ``(set by the input)``."""
    if shape is None:
        return "(set by the input)"
    return "(" + ", ".join("any" if n is None else str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


@contextmanager
def stderr_without(pattern):
    """Run the block with file descriptor 2 captured, then pass on every line except those ``pattern`` matches.

    C++ libraries write notices straight to descriptor 2, past Python's ``sys.stderr``, and Jupyter stores
    what arrives there in the notebook; real errors still appear, after the block.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            kept = [line for line in log.read().decode(errors="replace").splitlines()
                    if line.strip() and not pattern.search(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


def open_tflite(path, info, keep_tensors=False):
    """Open a ``.tflite`` model; return ``(run, inputs, outputs, tensors, read)``: ``tensors`` gives every tensor's
    shape by name, ``read(name)`` its float value after a run (``None`` unless ``keep_tensors``)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    with warnings.catch_warnings(), stderr_without(XNNPACK_NOTICE):
        # tf.lite.Interpreter says it is deprecated in favour of ai_edge_litert, used above where installed.
        warnings.filterwarnings("ignore", r"\s*Warning: tf\.lite\.Interpreter is deprecated", UserWarning)
        # keep_tensors is what lesson 09 needs, not a debugging session: its memory note is chatter.
        warnings.filterwarnings("ignore", r"\s*Warning: Enabling `experimental_preserve_all_tensors`", UserWarning)
        interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=keep_tensors)
        interpreter.allocate_tensors()
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()

    def summary(detail):
        scale, zero_point = detail["quantization"]
        return (detail["name"], tuple(int(n) for n in detail["shape"]), np.dtype(detail["dtype"]).name,
                (float(scale), int(zero_point)) if scale else None)

    def run(feed):
        for detail in inputs:
            interpreter.set_tensor(detail["index"], feed[detail["name"]])
        interpreter.invoke()
        return {detail["name"]: interpreter.get_tensor(detail["index"]) for detail in outputs}

    details = {d["name"]: d for d in interpreter.get_tensor_details()}

    def read(name):
        detail = details[name]
        value = interpreter.get_tensor(detail["index"])
        scales, zero_points = (detail["quantization_parameters"][k] for k in ("scales", "zero_points"))
        if not len(scales):
            return value.astype(np.float32)
        axis = detail["quantization_parameters"]["quantized_dimension"]
        shape = [-1 if d == axis else 1 for d in range(value.ndim)] if len(scales) > 1 else [1] * value.ndim
        return ((value.astype(np.float32) - zero_points.reshape(shape)) * scales.reshape(shape)).astype(np.float32)

    shapes = {name: tuple(int(n) for n in d["shape"]) for name, d in details.items()}
    return (run, [summary(d) for d in inputs], [summary(d) for d in outputs], shapes,
            read if keep_tensors else None)


def open_savedmodel(path, info):
    """Open a SavedModel archive (``.tar.gz``) through its ``signature`` (default ``serving_default``)."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(unpack_savedmodel(path, info)))
    signature = info.get("signature", "serving_default")
    if signature not in loaded.signatures:
        raise ValueError(f"signature must be one of {', '.join(loaded.signatures)}; got {signature!r}.")
    function = loaded.signatures[signature]

    def summary(key, spec):
        return key, None if spec.shape.rank is None else tuple(spec.shape.as_list()), spec.dtype.name, None

    def run(feed):
        # Looked up on ``loaded`` at each call: a signature's variables live only as long as ``loaded`` does.
        results = loaded.signatures[signature](**{key: tf.constant(value) for key, value in feed.items()})
        return {key: value.numpy() for key, value in results.items()}

    return (run, [summary(k, s) for k, s in function.structured_input_signature[1].items()],
            [summary(k, s) for k, s in function.structured_outputs.items()], {}, None)


def unpack_savedmodel(archive, info):
    """Unpack a SavedModel archive once into the cache; return the folder holding ``saved_model.pb``.

    The archive is unpacked beside its final place and renamed into it, so an interrupted unpack never
    leaves a half model; the folder name carries the archive's sha256, so a new version unpacks afresh.
    """
    target = cache_dir() / "savedmodels" / f"{info['file'].removesuffix('.tar.gz')}-{info['sha256'][:12]}"
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        part = tempfile.mkdtemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
        try:
            with tarfile.open(archive, "r:*") as tar:
                # The "data" filter (Python >= 3.10.12, 3.11.4) refuses links and paths that leave the folder;
                # older Pythons unpack without it, trusting the archive's sha256 from the registry.
                tar.extractall(part, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
            os.replace(part, target)
        except OSError:
            if not target.is_dir():  # else another process unpacked it first
                raise
        finally:
            shutil.rmtree(part, ignore_errors=True)
    found = sorted(target.rglob("saved_model.pb"))
    if not found:
        raise ValueError(f"{archive} must hold a SavedModel (saved_model.pb and variables/); it holds none.")
    return found[0].parent


def open_onnx(path, info):
    """Open an ONNX model with OpenCV's DNN module; its inputs (shape, dtype) come from the registry."""
    import cv2

    net = cv2.dnn.readNetFromONNX(str(path))
    names = list(net.getUnconnectedOutLayersNames())

    def run(feed):
        for tensor, value in feed.items():
            net.setInput(value, tensor)
        return dict(zip(names, net.forward(names)))

    inputs = [(d["tensor"], tuple(d["shape"]), d["dtype"], None) for d in info["inputs"]]
    return run, inputs, [(name, None, "float32", None) for name in names], {}, None


OPENERS = {"tflite": open_tflite, "savedmodel": open_savedmodel, "onnx": open_onnx}
