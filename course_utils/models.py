"""The course's CNN designs, shared by lessons 03–04 and the checkpoint trainer (``course_utils.train``).

Lessons build each design inline first; these builders are the same networks, so the checkpoints
that later lessons load are exactly the models the learner built. Augmentation is not part of a
model: ``train_classifier`` puts it in front during training only, so saved models stay plain.
Every model takes raw pixels
(0..255) and rescales them itself, names its last convolution ``last_conv`` and outputs logits from
a layer named ``logits`` (lessons 05–07 depend on these names).
"""
from keras import layers

import keras


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
    """Lesson 04's augmentation: random left-right flips and shifts of up to 4 pixels (reflected borders)."""
    return [layers.RandomFlip("horizontal", name="random_flip"),
            layers.RandomTranslation(0.125, 0.125, fill_mode="reflect", name="random_shift")]


def conv_block(x, filters, name, bn_momentum=0.99):
    """3x3 convolution, batch normalisation, ReLU: the unit every improved design is built from."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn")(x)
    return layers.ReLU(name=name)(x)


def residual(x, filters, name, bn_momentum=0.99):
    """Two conv blocks whose output is added to their input: a shortcut that makes depth cheap to train."""
    y = conv_block(conv_block(x, filters, f"{name}_a", bn_momentum), filters, f"{name}_b", bn_momentum)
    return layers.Add(name=f"{name}_add")([x, y])


def build_residual_cnn(width=16, input_shape=(32, 32, 3), bn_momentum=0.99, name="residual_cnn"):
    """Lesson 04's improved CIFAR-10 design: a small ResNet (the "ResNet-9" layout of D. Page, 2018).

    Stages of ``width``, 2x, 4x and 8x filters at 32, 16, 8 and 4 pixels, with a residual pair of conv
    blocks after the second and the fourth, global max pooling and one dense layer. ``bn_momentum`` is
    Keras's default 0.99; runs of a few hundred steps need about 0.9 for the running averages to settle
    (lesson 04's pitfall).
    """
    _check_shape(input_shape)
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive int; got {width!r}.")
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    x = conv_block(x, width, "prep", bn_momentum)
    x = layers.MaxPooling2D(name="pool1")(conv_block(x, 2 * width, "stage1", bn_momentum))
    x = residual(x, 2 * width, "res1", bn_momentum)
    x = layers.MaxPooling2D(name="pool2")(conv_block(x, 4 * width, "stage2", bn_momentum))
    x = layers.MaxPooling2D(name="pool3")(conv_block(x, 8 * width, "stage3", bn_momentum))
    x = residual(x, 8 * width, "res2", bn_momentum)
    x = layers.Activation("linear", name="last_conv")(x)
    x = layers.GlobalMaxPooling2D(name="pool")(x)
    return keras.Model(inputs, layers.Dense(10, name="logits")(x), name=name)


def build_gap_cnn(input_shape=(28, 28, 1), widths=(32, 64, 128), name="gap_cnn"):
    """Lesson 06's CAM-ready CNN: conv blocks, then global average pooling straight into the logits.

    Two conv blocks and a pooling per stage except the last, whose single block is ``last_conv``.
    Because the class score is a weighted sum of ``last_conv``'s averaged maps, the same weights map
    where the evidence is: the class activation map (Zhou et al. 2016).
    """
    _check_shape(input_shape)
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError(f"widths must be a non-empty sequence of positive ints; got {widths!r}.")
    inputs = keras.Input(input_shape)
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    for i, width in enumerate(widths[:-1], start=1):
        x = conv_block(conv_block(x, width, f"block{i}a"), width, f"block{i}b")
        x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = conv_block(x, widths[-1], "last_conv")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, layers.Dense(10, name="logits")(x), name=name)


def _check_shape(input_shape):
    if (not isinstance(input_shape, tuple) or len(input_shape) != 3
            or not all(isinstance(s, int) and s > 0 for s in input_shape)):
        raise ValueError(f"input_shape must be (height, width, channels) of positive ints; got {input_shape!r}.")
