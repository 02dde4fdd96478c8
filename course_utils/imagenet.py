"""The ImageNet MobileNet used on real photos, and its class names (introduced in lesson 02).

Offline the weights come from the pack (MobileNet v1, alpha 0.25: fast on a CPU, about 50% top-1);
online they come from ``keras.applications``.
"""
import json

import numpy as np

from .fetch import AssetUnavailableError, fetch_file, keras_download, mute_unless
from .validate import check_choice, check_int_in_range

INPUT_SIZES = (128, 160, 192, 224)


def load_imagenet_model(input_size=224, logits=False, *, verbose=True):
    """Return ``keras.applications.MobileNet(alpha=0.25)`` with ImageNet weights.

    The model outputs softmax probabilities for the 1,000 ImageNet classes (or, with ``logits``, the
    scores before the softmax, which explainers need: lesson 05) and expects images prepared with
    ``keras.applications.mobilenet.preprocess_input`` (pixels scaled to [-1, 1]).

    Args:
        input_size: side of the square input, one of 128, 160, 192, 224.
        logits: output logits instead of probabilities.
        verbose: print where the weights came from; ``False`` prints nothing.
    """
    import keras

    check_choice("input_size", input_size, INPUT_SIZES)
    with mute_unless(verbose):
        try:
            weights = fetch_file("mobilenet_025_imagenet")
            path, source = str(weights.path), weights.source
        except AssetUnavailableError:
            path, source = "imagenet", "keras.applications (download)"
        with keras_download("Loading the MobileNet weights (not in the cache or the offline pack) "
                            "from keras.applications"):
            model = keras.applications.MobileNet(alpha=0.25, input_shape=(input_size, input_size, 3), weights=path,
                                                 classifier_activation=None if logits else "softmax")
        print(f"ImageNet MobileNet (alpha 0.25, {input_size}x{input_size}{', logits out' if logits else ''}): "
              f"weights from {source}, {model.count_params():,} parameters.")
    return model


def imagenet_class_names():
    """Return the 1,000 ImageNet class names, indexed by class id (e.g. 281 -> 'tabby')."""
    with open(fetch_file("imagenet_class_index").path, encoding="utf-8") as f:
        index = json.load(f)
    return [index[str(i)][1] for i in range(len(index))]


def top_classes(probabilities, top=5):
    """Return ``[(class_id, name, probability), ...]`` for the ``top`` classes of one prediction."""
    check_int_in_range("top", top, 1, 1000)
    probabilities = np.asarray(probabilities).reshape(-1)
    if probabilities.shape != (1000,):
        raise ValueError(f"expected 1,000 ImageNet scores for one image; got shape {np.shape(probabilities)}.")
    names = imagenet_class_names()
    ids = np.argsort(probabilities)[::-1][:top]
    return [(int(i), names[i], float(probabilities[i])) for i in ids]
