"""The course's reference models: their recipes, training them, and loading them (lesson 04).

Lessons 04–07 call ``load_or_train(name)``. Maintainers retrain a checkpoint with
``python -m course_utils.tools.train_checkpoint cifar10`` (or ``mnist``, ``fashion_mnist``), which
writes ``data/checkpoints/<name>.weights.h5`` and ``<name>.json``: accuracy, data source, epochs,
training seconds, versions, the accuracy on the first ``CHECK_IMAGES`` test images, and the file's
sha256, which ``load_checkpoint`` checks before it trusts the file.

The file holds weights only; the architecture comes from the recipe's builder in ``models``. A whole-
model ``.keras`` file stores each layer's config as the saving Keras wrote it, and an older Keras
refuses keys it does not know (Keras 3.13 on Colab cannot read 3.15's initializer configs), while a
weights file holds plain arrays that every Keras 3 reads.
"""
import datetime
import json
import os
import platform
from functools import partial
from pathlib import Path

from .fetch import DATA_DIR, sha256_of
from .models import (build_classic_cnn, build_gap_cnn, build_improved_cnn, digit_augmentation, photo_augmentation,
                     whitening_kernel)
from .validate import check_choice

CHECKPOINT_DIR = DATA_DIR / "checkpoints"
SEED = 0
CHECK_IMAGES = 1_000  # the test images a load is checked on: the smoke profile's test set

RECIPES = {  # dataset, network builder, train_classifier options ("augment" is recorded by name), whitened stem
    "mnist": {"dataset": "mnist", "build": partial(build_classic_cnn, (28, 28, 1)),
              "train": {"epochs": 12, "batch_size": 16, "optimizer": "adam", "learning_rate": 3e-3,
                        "schedule": True, "warmup_fraction": 0.1, "augment": digit_augmentation}},
    "fashion_mnist": {"dataset": "fashion_mnist", "build": partial(build_gap_cnn, widths=(16, 32, 64)),
                      "train": {"epochs": 8, "batch_size": 64, "optimizer": "adam", "learning_rate": 3e-3,
                                "schedule": True}},
    "cifar10": {"dataset": "cifar10", "build": partial(build_improved_cnn, widths=(32, 96, 192)), "whiten": True,
                "train": {"epochs": 9, "batch_size": 128, "optimizer": "sgd", "learning_rate": 0.2,
                          "schedule": True, "label_smoothing": 0.2, "weight_decay": 5e-4,
                          "augment": photo_augmentation, "precision": "auto"}},
}


def recipe_of(name):
    """The recipe of checkpoint ``name``, or a ValueError naming the checkpoints there are."""
    check_choice("name", name, RECIPES)
    return RECIPES[name]


def training_build(recipe, data):
    """The recipe's network builder for training on ``data``: with the stem fixed to whiten the patches of
    ``data``'s training photos when the recipe says ``"whiten"`` (lesson 04). A saved checkpoint holds the
    stem's weights, so loading one needs the plain builder only."""
    if recipe.get("whiten"):
        return partial(recipe["build"], stem_kernel=whitening_kernel(data.x_train))
    return recipe["build"]


def train_checkpoint(name, epochs=None, directory=CHECKPOINT_DIR, unit=None):
    """Train reference model ``name`` on its full dataset, save its weights and record; return both.

    Args:
        name: a key of ``RECIPES``.
        epochs: override the recipe's epoch count (e.g. for a quick check).
        directory: where to write ``<name>.weights.h5`` and ``<name>.json``.
        unit: this machine's seed-CNN epoch in seconds (``training.measure_seed_cnn_epoch``), measured in the same
            run; the record then also gives the training time in those units.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from .datasets import load_dataset
    from .training import train_classifier

    recipe = recipe_of(name)
    options = dict(recipe["train"], epochs=epochs or recipe["train"]["epochs"])
    keras.utils.set_random_seed(SEED)
    data = load_dataset(recipe["dataset"], profile="full")  # reference models see every image
    model, result = train_classifier(training_build(recipe, data), data, **options)

    export = recipe["build"]()  # the same network without optimizer state: smaller, and loads anywhere
    export.set_weights(model.get_weights())
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.weights.h5"
    export.save_weights(path)
    record = {
        "name": name,
        "model": export.name,
        "parameters": int(export.count_params()),
        "test_accuracy": round(result["test_accuracy"], 4),
        "train_accuracy": round(result["train_accuracy"], 4),
        "training_seconds": round(result["seconds"], 1),
        **({"seed_cnn_epoch_seconds": round(unit, 2), "training_units": round(result["seconds"] / unit, 1)}
           if unit else {}),
        "data_source": data.source,
        "train_images": len(data.x_train),
        "test_images": len(data.x_test),
        "check": {"test_images": CHECK_IMAGES,
                  "test_accuracy": round(accuracy_on(export, data.x_test[:CHECK_IMAGES], data.y_test[:CHECK_IMAGES]), 4)},
        "recipe": {k: getattr(v, "__name__", v) for k, v in options.items()},
        "precision": result["precision"],
        "whitened_stem": bool(recipe.get("whiten")),
        "seed": SEED,
        "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}, "
                   f"{len(tf.config.list_physical_devices('GPU'))} GPUs",
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        "date": datetime.date.today().isoformat(),
        "file": path.name,
        "sha256": sha256_of(path),
    }
    (directory / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"{name}: test accuracy {record['test_accuracy']:.2%} after {options['epochs']} epochs, "
          f"{record['training_seconds']:.0f} s of training. Saved {path}.")
    return export, record


def load_checkpoint(name, directory=CHECKPOINT_DIR, *, verbose=True):
    """Build the recipe's network and load the checkpoint's weights, after checking their sha256.

    Prints what was loaded (its record's summary) unless ``verbose`` is False.

    Returns:
        ``(model, record)``. Raises ``FileNotFoundError`` (missing) or ``ValueError`` (damaged file)
        with the command that retrains it.
    """
    build = recipe_of(name)["build"]
    directory = Path(directory)
    record_path, model_path = directory / f"{name}.json", directory / f"{name}.weights.h5"
    retrain = f"Retrain it with: python -m course_utils.tools.train_checkpoint {name}"
    if not record_path.is_file() or not model_path.is_file():
        raise FileNotFoundError(f"No {name} checkpoint in {directory}. {retrain}")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    if sha256_of(model_path) != record["sha256"]:
        raise ValueError(f"{model_path} does not match the sha256 in {record_path.name}: the file is damaged "
                         f"or was replaced. {retrain}")
    model = build()
    model.load_weights(model_path)
    if verbose:
        print(f"{name} checkpoint: {record['model']}, test accuracy {record['test_accuracy']:.2%} "
              f"({record['data_source']}), trained {record['recipe']['epochs']} epochs in "
              f"{record['training_seconds']:.0f} s on {record['machine']}.")
    return model, record


def accuracy_on(model, x, y):
    """The fraction of images ``x`` whose largest logit is the label ``y`` (a record's check)."""
    import numpy as np

    x = np.asarray(x, "float32")
    logits = model.predict(x.reshape(*x.shape[:3], -1), verbose=0)  # digits (n, 28, 28) get their channel axis
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(y)))


def load_or_train(name, *, verbose=True):
    """Load the course checkpoint ``name``; if it is missing or damaged, train one (lessons 04–07).

    A checkpoint trained here goes to the cache folder (``COURSE_CACHE``), never over the course's
    files, with the recipe's epochs limited by the profile. ``verbose=False`` keeps quiet unless it
    has to train.
    """
    from .settings import cache_dir, cap

    recipe = recipe_of(name)
    for directory in (CHECKPOINT_DIR, cache_dir() / "checkpoints"):
        try:
            return load_checkpoint(name, directory, verbose=verbose)
        except (FileNotFoundError, ValueError) as err:
            if verbose:
                print(err)
    epochs = cap(recipe["train"]["epochs"], "epochs")
    print(f"Training a {name} checkpoint now ({epochs} epochs) into {cache_dir() / 'checkpoints'}.")
    return train_checkpoint(name, epochs, cache_dir() / "checkpoints")

