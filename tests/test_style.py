"""Lesson 11's helpers: the Gram matrix against a hand-computed case, the Magenta pair through style_vector and
stylise, blending, and the errors for wrong input."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

import course_utils as cu
from course_utils.style import blend_styles, gram_matrix, style_vector, stylise


def test_gram_matrix_by_hand():
    # two channels on a 2x2 map: channel 0 = [[1, 2], [3, 4]], channel 1 = [[1, 0], [0, 1]]
    features = np.stack([np.array([[1, 2], [3, 4]]), np.array([[1, 0], [0, 1]])], axis=-1).astype("float32")
    # G[0,0] = (1 + 4 + 9 + 16) / 4, G[0,1] = (1 + 4) / 4, G[1,1] = 2 / 4
    expected = np.array([[30, 5], [5, 2]]) / 4
    np.testing.assert_allclose(np.asarray(gram_matrix(features)), expected)
    np.testing.assert_allclose(np.asarray(gram_matrix(features[None]))[0], expected)


def test_gram_matrix_ignores_where_features_are():
    rng = np.random.default_rng(0)
    features = rng.random((1, 5, 7, 3)).astype("float32")
    shuffled = features.reshape(1, 35, 3)[:, rng.permutation(35)].reshape(1, 5, 7, 3)
    np.testing.assert_allclose(np.asarray(gram_matrix(features)), np.asarray(gram_matrix(shuffled)), rtol=1e-5)


def test_gram_matrix_has_gradients():
    import tensorflow as tf

    x = tf.Variable(np.ones((1, 3, 3, 2), "float32"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(gram_matrix(x))
    assert np.all(np.isfinite(tape.gradient(loss, x).numpy()))


def test_gram_matrix_refuses_flat_features():
    with pytest.raises(ValueError, match=r"feature maps of shape \(N, H, W, C\)"):
        gram_matrix(np.zeros((4, 3)))


@pytest.fixture(scope="module")
def dog():
    return cu.load_photo("dog", verbose=False)


@pytest.fixture(scope="module")
def van_gogh():
    return style_vector(cu.load_photo("starry_night", verbose=False))


def test_style_vector_and_stylise(dog, van_gogh):
    assert van_gogh.shape == (100,) and van_gogh.dtype == np.float32
    painted = stylise(dog, van_gogh)
    assert painted.shape == (384, 384, 3) and painted.dtype == np.uint8 and painted.std() > 10
    np.testing.assert_array_equal(painted, stylise(dog, van_gogh))          # deterministic
    np.testing.assert_array_equal(van_gogh, style_vector(cu.load_photo("starry_night", verbose=False)))
    own = stylise(dog, style_vector(dog))
    assert np.abs(painted.astype(int) - own).mean() > 10                     # the style matters


def test_blending(dog, van_gogh):
    own = style_vector(dog)
    np.testing.assert_array_equal(blend_styles(van_gogh, own, 0), own)
    np.testing.assert_allclose(blend_styles(van_gogh, own, 1), van_gogh)
    np.testing.assert_allclose(blend_styles(van_gogh, own, 0.25), 0.25 * van_gogh + 0.75 * own, rtol=1e-6)
    with pytest.raises(ValueError, match="weight must be a number from 0 to 1"):
        blend_styles(van_gogh, own, 1.5)
    with pytest.raises(ValueError, match=r"two style vectors of shape \(100,\)"):
        blend_styles(van_gogh, own[:50], 0.5)


@pytest.mark.parametrize("image", [
    np.zeros((64, 64), np.uint8),                 # greyscale
    np.zeros((64, 64, 3), np.float32),            # floats: the helper wants 0-255 pixels
    np.zeros((64, 64, 4), np.uint8),              # RGBA
])
def test_wrong_images_get_a_clear_message(image, van_gogh):
    with pytest.raises(ValueError, match="an RGB uint8 image"):
        stylise(image, van_gogh)
    with pytest.raises(ValueError, match="an RGB uint8 image"):
        style_vector(image)


def test_wrong_style_vector(dog):
    with pytest.raises(ValueError, match=r"style vector of shape \(100,\)"):
        stylise(dog, np.zeros((1, 1, 1, 99)))
