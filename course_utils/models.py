"""The course's CNN designs, shared by lessons 03–04 and the checkpoint trainer (``course_utils.checkpoints``).

Lessons build each design inline first; these builders are the same networks, so the checkpoints
that later lessons load are exactly the models the learner built. Augmentation is not part of a
model: ``train_classifier`` puts it in front during training only, so saved models stay plain.
Every model takes raw pixels (0..255) and rescales them itself, names its last feature maps
``last_conv`` and outputs logits from a layer named ``logits`` (lessons 05–07 depend on these names).
"""
import keras
from keras import layers

from .validate import check, is_positive_int, is_shape


def build_classic_cnn(input_shape, batch_norm=False, name="classic_cnn"):
    """The classic small CNN of the TensorFlow tutorial (lesson 03 on MNIST, lesson 04's baseline).

    Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dense10, all 3x3 convolutions with ReLU, logits out.

    Args:
        input_shape: ``(28, 28, 1)`` for MNIST, ``(32, 32, 3)`` for CIFAR-10.
        batch_norm: add batch normalisation after each convolution (lesson 04).
    """
    _check_shape(input_shape)
    model = keras.Sequential([keras.Input(input_shape), layers.Rescaling(1 / 255, name="rescale")], name=name)
    for i, filters in enumerate((32, 64, 64), start=1):
        last = i == 3
        model.add(layers.Conv2D(filters, 3, use_bias=not batch_norm, name="last_conv" if last else f"conv{i}",
                                activation=None if batch_norm else "relu"))
        if batch_norm:
            model.add(layers.BatchNormalization(name=f"bn{i}"))
            model.add(layers.ReLU(name=f"relu{i}"))
        if not last:
            model.add(layers.MaxPooling2D(name=f"pool{i}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(64, activation="relu", name="dense"))
    model.add(layers.Dense(10, name="logits"))
    return model


def digit_augmentation():
    """Lesson 03's augmentation: shifts of up to 8% and turns of up to 0.03 of a full turn (about 11°)."""
    return [layers.RandomTranslation(0.08, 0.08, fill_mode="constant", name="random_shift"),
            layers.RandomRotation(0.03, fill_mode="constant", name="random_rotation")]


def photo_augmentation():
    """Lesson 04's augmentation: random left-right flips and shifts of up to 2 pixels (reflected borders).

    Two pixels, not the usual four: with the same seed and 9 epochs of the CIFAR-10 recipe (learning rate 0.1), the
    checkpoint's network (with GELU then) reached 84.87% test accuracy with 2 and 84.32% with 4."""
    return [layers.RandomFlip("horizontal", name="random_flip"),
            layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect", name="random_shift")]


def conv_block(x, filters, name):
    """3x3 convolution, batch normalisation, ReLU: the unit of lesson 06's CAM-ready CNN."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=name)(x)


def pooled_block(x, filters, name, bn_momentum=0.9):
    """Lesson 04's improved unit: 3x3 conv, 2x2 max pooling, BN + ReLU, then a second 3x3 conv, BN + ReLU.

    Pooling right after the first convolution means the normalisation, the activations and the second
    convolution all run on a quarter of the positions: most of a CPU's time goes to those passes.
    """
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv1")(x)
    x = layers.MaxPooling2D(name=f"{name}_pool")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn1")(x)
    x = layers.ReLU(name=f"{name}_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn2")(x)
    return layers.ReLU(name=name)(x)


CIFAR10_MEAN, CIFAR10_STD = (125.3, 123.0, 113.9), (63.0, 62.1, 66.7)  # per colour channel, training photos


def build_improved_cnn(widths=(32, 64, 128), bn_momentum=0.9, stem_kernel=None, name="improved_cnn"):
    """Lesson 04's improved CIFAR-10 design, after K. Jordan's "airbench" (2024), made small for CPUs.

    32x32 colour photos in, standardised with CIFAR-10's channel statistics; a 2x2 "stem" convolution
    with 24 filters; one ``pooled_block`` per width (32, 16 and 8 pixels in, half that out; the last is
    ``last_conv``, 4x4); global max pooling and one dense layer. ``bn_momentum`` 0.9 lets the running
    averages settle within a few hundred steps (lesson 04's pitfall); Keras's default is 0.99.
    ``stem_kernel`` (from ``whitening_kernel``) fixes the stem's filters: they are set and never trained.
    ReLU where airbench uses GELU: on the course's 2-core CPU GELU took a quarter of every training step, and in the
    same time ReLU's extra epochs scored higher (lesson 04, section 5).
    """
    _check_widths(widths)
    inputs = keras.Input((32, 32, 3))
    x = layers.Normalization(mean=CIFAR10_MEAN, variance=[s * s for s in CIFAR10_STD], name="standardise")(inputs)
    stem = layers.Conv2D(24, 2, padding="same", name="stem_conv")
    x = layers.ReLU(name="stem")(stem(x))
    if stem_kernel is not None:
        stem.kernel.assign(stem_kernel)
        stem.kernel.trainable = False
    for i, width in enumerate(widths, start=1):
        x = pooled_block(x, width, "last_conv" if i == len(widths) else f"block{i}", bn_momentum)
    x = layers.GlobalMaxPooling2D(name="pool")(x)
    return keras.Model(inputs, layers.Dense(10, name="logits")(x), name=name)


def whitening_kernel(images, eps=5e-4, patches=5_000):
    """Stem filters that whiten the 2x2 patches of CIFAR-10 photos (lesson 04, after airbench).

    Neighbouring pixels and colour channels are strongly correlated, so a patch's 12 numbers (2x2 pixels x
    3 channels, standardised as the model does) carry a few strong directions and many weak ones. Each
    eigenvector of the patches' covariance, divided by the square root of its eigenvalue, reads one direction
    at unit variance: the first layer starts out seeing edges and colour differences as loudly as brightness.
    Each filter comes with its negative (ReLU passes one sign), so 12 directions make the stem's 24 filters.

    Args:
        images: training photos, uint8 or float, shape ``(n, 32, 32, 3)``; the first ``patches`` are used.
        eps: added to each eigenvalue, so that near-constant directions are not blown up into noise.

    Returns:
        a float32 kernel of shape ``(2, 2, 3, 24)`` for ``build_improved_cnn(stem_kernel=...)``.
    """
    import numpy as np

    images = np.asarray(images[:patches], "float32")
    check("images", images.shape, images.ndim == 4 and images.shape[1:] == (32, 32, 3), "shape (n, 32, 32, 3)")
    x = (images - np.array(CIFAR10_MEAN, "float32")) / np.array(CIFAR10_STD, "float32")
    # Every 2x2 window, its 12 values in the kernel's (row, column, channel) order.
    windows = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(1, 2))  # (n, 31, 31, 3, 2, 2)
    rows = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, 12)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(rows, rowvar=False))
    filters = eigenvectors / np.sqrt(eigenvalues + eps)
    return np.concatenate([filters, -filters], axis=1).reshape(2, 2, 3, 24).astype("float32")


def build_gap_cnn(input_shape=(28, 28, 1), widths=(32, 64, 128), name="gap_cnn"):
    """Lesson 06's CAM-ready CNN: conv blocks, then global average pooling straight into the logits.

    Two conv blocks and a pooling per stage except the last, whose single block is ``last_conv``.
    Because the class score is a weighted sum of ``last_conv``'s averaged maps, the same weights map
    where the evidence is: the class activation map (Zhou et al. 2016).
    """
    _check_shape(input_shape)
    _check_widths(widths)
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    for i, width in enumerate(widths[:-1], start=1):
        x = conv_block(conv_block(x, width, f"block{i}a"), width, f"block{i}b")
        x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = conv_block(x, widths[-1], "last_conv")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, layers.Dense(10, name="logits")(x), name=name)


def _check_shape(input_shape):
    check("input_shape", input_shape, is_shape(input_shape, 3), "(height, width, channels) of positive ints")


def _check_widths(widths):
    check("widths", widths, len(widths) > 0 and all(map(is_positive_int, widths)),
          "a non-empty sequence of positive ints")
