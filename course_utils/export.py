"""Export a Keras model to TensorFlow Lite, as float32 or quantised to int8 after training (lesson 12).

A phone or a microcontroller runs a ``.tflite`` file, not Keras. Post-training int8 quantisation stores
each weight in one byte instead of four and computes with 8-bit integers; a few hundred calibration
images give every activation its range (``scale`` and ``zero_point``). ``load_tflite`` opens the file
the same way lessons 08-11 open published TFLite models, so it is called with float pixels.
"""
import io
import os
import re
import tempfile
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from .validate import check

# What the converter says while it works: notices, not problems (it prints the SavedModel it wrote on the
# way, and one line with its quantisation settings to file descriptor 2).
CONVERTER_NOTICE = re.compile(r"^fully_quantize: |^INFO: |^Estimated count of arithmetic ops")


def export_tflite(model, path, calibration=None):
    """Write ``model`` to ``path`` as TensorFlow Lite; return the path.

    Args:
        model: a Keras model taking float images.
        path: the ``.tflite`` file to write (its folder is created; an existing file is replaced only
            once the new one is complete).
        calibration: ``None`` keeps float32 weights and arithmetic. Images (``(N, H, W, C)``, as the model
            takes them; a few hundred are plenty) quantise weights and activations to int8, with uint8
            pixels in and int8 logits out; the images set each activation's range.
    """
    import tensorflow as tf

    from .pretrained import stderr_without

    path = Path(path)
    check("path", path, path.suffix == ".tflite", "a file name ending in .tflite")
    if calibration is not None:
        calibration = np.asarray(calibration, np.float32)
        check("calibration", calibration.shape, calibration.ndim == 4 and len(calibration) > 0,
              "a non-empty batch of images (N, H, W, C)")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if calibration is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([image[None]] for image in calibration)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type, converter.inference_output_type = tf.uint8, tf.int8
    with warnings.catch_warnings(), redirect_stdout(io.StringIO()), stderr_without(CONVERTER_NOTICE):
        # The input's range is known from the calibration images; the converter still asks for it.
        warnings.filterwarnings("ignore", "Statistics for quantized inputs were expected", UserWarning)
        flat = converter.convert()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tflite.part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(flat)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_tflite(path, name=None):
    """Open a ``.tflite`` file you exported as a ``PretrainedModel`` (call it with float images, get floats back)."""
    from .pretrained import PretrainedModel, name_tensors, open_tflite

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No TFLite file at {path}; write one with export_tflite(model, {str(path)!r}).")
    run, inputs, outputs, tensors, _ = open_tflite(path, {})
    name = name or path.stem
    info = {"format": "tflite", "credit": "exported with course_utils.export_tflite"}
    return PretrainedModel(name, info, run, name_tensors(name, inputs, []), name_tensors(name, outputs, []),
                           path=path, source=str(path), tensors=tensors)
