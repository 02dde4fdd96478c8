"""Explainers on models whose right answer is known by hand (lessons 05–07)."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402, I001

from course_utils import explain  # noqa: E402
from course_utils.models import build_classic_cnn  # noqa: E402

RNG = np.random.default_rng(0)


def linear_model():
    """Flatten + Dense without bias: the score of class c is <W[:, c], x>, so its gradient is W[:, c]."""
    model = keras.Sequential([keras.Input((6, 5, 2)), layers.Flatten(), layers.Dense(3, use_bias=False, name="logits")])
    model.get_layer("logits").set_weights([RNG.normal(size=(60, 3)).astype("float32")])
    return model


def gap_model():
    """conv -> ReLU maps -> global average pooling -> Dense: the model CAM was made for.

    Positive class weights, so every class has some positive evidence and no map is all zero.
    """
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="last_conv")(inputs)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, layers.Dense(3, name="logits")(x))
    kernel, bias = model.get_layer("logits").get_weights()
    model.get_layer("logits").set_weights([np.abs(kernel) + 0.1, bias])
    return model


def images(n, shape=(8, 8, 3)):
    return RNG.uniform(0, 1, size=(n, *shape)).astype("float32")


def by_hand_cam(model, x, class_ids):
    maps = keras.Model(model.inputs[0], model.get_layer("last_conv").output)(x).numpy()
    weights = model.get_layer("logits").get_weights()[0]
    cam = np.maximum(np.einsum("nhwc,cn->nhw", maps, weights[:, class_ids]), 0)
    peak = cam.max(axis=(1, 2), keepdims=True)
    return np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)  # a class with no positive evidence: all 0


def test_vanilla_gradient_of_a_linear_model_is_its_weight_map():
    model = linear_model()
    weights = model.get_layer("logits").get_weights()[0]
    for c in range(3):
        expected = np.abs(weights[:, c].reshape(6, 5, 2)).max(axis=-1)
        heatmap = explain.vanilla_gradient(model, images(2, (6, 5, 2)), class_index=c)
        np.testing.assert_allclose(heatmap, np.stack([expected / expected.max()] * 2), rtol=1e-5)


def test_smoothgrad_without_noise_is_the_vanilla_gradient_and_batching_changes_nothing():
    model, x = gap_model(), images(3)
    np.testing.assert_allclose(explain.smoothgrad(model, x, samples=3, noise=0.0),
                               explain.vanilla_gradient(model, x), atol=1e-5)
    np.testing.assert_allclose(explain.smoothgrad(model, x, samples=5, batch_size=1),
                               explain.smoothgrad(model, x, samples=5, batch_size=64), atol=1e-5)


def test_integrated_gradients_are_complete():
    """Attributions add up to f(x) - f(baseline) within 1% (Sundararajan et al.'s completeness axiom)."""
    model = build_classic_cnn((28, 28, 1))
    x = RNG.uniform(0, 255, size=(2, 28, 28, 1)).astype("float32")
    attributions, total, difference = explain.integrated_gradients_attributions(model, x, steps=64)
    assert attributions.shape == x.shape
    np.testing.assert_allclose(total, difference, rtol=0.01)
    np.testing.assert_allclose(total, attributions.reshape(2, -1).sum(axis=1), rtol=1e-5)


def test_integrated_gradients_of_a_linear_model_are_exact_and_report_completeness(capsys):
    model = linear_model()
    x = images(1, (6, 5, 2))
    attributions, _, _ = explain.integrated_gradients_attributions(model, x, class_index=1, steps=4)
    np.testing.assert_allclose(attributions[0], x[0] * model.get_layer("logits").get_weights()[0][:, 1].reshape(6, 5, 2),
                               rtol=1e-4, atol=1e-6)
    explain.integrated_gradients(model, x, class_index=1, steps=4)
    assert "IG completeness, image 0" in capsys.readouterr().out


def test_cam_of_a_gap_model_is_the_weighted_sum_of_its_maps():
    model, x = gap_model(), images(4)
    ids = np.argmax(model(x).numpy(), axis=1)
    np.testing.assert_allclose(explain.cam(model, x), by_hand_cam(model, x, ids), atol=1e-5)
    np.testing.assert_allclose(explain.cam(model, x, class_index=2), by_hand_cam(model, x, [2] * 4), atol=1e-5)


def test_grad_cam_of_a_gap_linear_model_equals_cam():
    model, x = gap_model(), images(4)
    for c in range(3):
        np.testing.assert_allclose(explain.grad_cam(model, x, c), explain.cam(model, x, c), atol=1e-5)


def test_nested_base_model_gives_the_same_maps_as_the_flat_one():
    flat, x = gap_model(), images(2)
    nested = keras.Sequential([keras.Input((8, 8, 3)),
                               keras.Model(flat.inputs[0], flat.get_layer("last_conv").output, name="base"),
                               flat.get_layer("gap"), flat.get_layer("logits")])
    for method in (explain.cam, explain.grad_cam, explain.grad_cam_plus_plus, explain.vanilla_gradient):
        np.testing.assert_allclose(method(nested, x, 1), method(flat, x, 1), atol=1e-5)


def test_grad_cam_on_a_sequential_model_built_with_add():
    """Sequential.add rebuilds the graph per layer, so last_conv.output is a stale tensor: Grad-CAM must replay."""
    keras.utils.set_random_seed(0)
    model, x = build_classic_cnn((28, 28, 1)), RNG.uniform(0, 255, size=(2, 28, 28, 1)).astype("float32")
    replayed = keras.Sequential([keras.Input((28, 28, 1)), *model.layers])  # the same layers, built in one go
    for method in (explain.grad_cam, explain.grad_cam_plus_plus):
        heatmaps = np.stack([method(model, x, c) for c in range(10)])  # before the fix: the gradient was None
        assert heatmaps.shape == (10, 2, 28, 28) and heatmaps.max() > 0
        np.testing.assert_allclose(heatmaps, np.stack([method(replayed, x, c) for c in range(10)]), atol=1e-5)


def test_every_explainer_has_the_same_call_shape():
    model, x = gap_model(), images(3)
    options = {"Integrated Gradients": {"steps": 4, "report": False}, "SmoothGrad": {"samples": 2}}
    for name, method in explain.EXPLAINERS.items():
        heatmaps = method(model, x, **options.get(name, {}))
        assert heatmaps.shape == (3, 8, 8), name
        assert heatmaps.min() >= 0 and np.isclose(heatmaps.max(), 1), name
        assert method(model, x[0], **options.get(name, {})).shape == (1, 8, 8), name  # one image, no batch axis


def test_occlusion_finds_the_only_pixels_that_matter():
    """A model that sums the top-left 4x4 square: hiding it drops the score, hiding the rest does not."""
    inputs = keras.Input((16, 16, 1))
    region = layers.Cropping2D(((0, 12), (0, 12)))(inputs)
    score = layers.Dense(1, use_bias=False, kernel_initializer="ones")(layers.Flatten()(region))
    model = keras.Model(inputs, score)
    heatmap = explain.occlusion(model, np.ones((1, 16, 16, 1), "float32"), class_index=0, patch=4, stride=4)[0]
    assert heatmap[:4, :4].min() == 1 and heatmap[4:, :].max() == 0 and heatmap[:, 4:].max() == 0


def test_occlusion_of_a_linear_model_is_its_weighted_input():
    """Hiding one pixel (fill 0) of <W_c, x> drops the score by that pixel's sum of W_c * x over channels."""
    model, x = linear_model(), images(2, (6, 5, 2))
    weights = model.get_layer("logits").get_weights()[0][:, 2].reshape(6, 5, 2)
    drop = np.maximum((x * weights).sum(axis=-1), 0)
    expected = drop / drop.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(explain.occlusion(model, x, class_index=2, patch=1, stride=1), expected, atol=1e-5)


def test_sanity_randomisation_runs_top_down_and_leaves_the_model_alone():
    model = gap_model()
    model.set_weights([w + 0.5 for w in model.get_weights()])  # as if trained: biases are not 0
    before = [w.copy() for w in model.get_weights()]
    names = []
    for name, randomized in explain.randomize_layers(model):
        names.append(name)
        assert randomized is not model
    assert names == ["logits", "last_conv"]
    changed = [not np.allclose(a, b) for a, b in zip(randomized.get_weights(), before)]
    assert changed == [True, True, True, True]  # cascading: every layer re-initialised at the end, biases too
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_independent_randomisation_restores_the_previous_layer():
    model = gap_model()
    steps = explain.randomize_layers(model, cascade=False)
    next(steps)
    _, randomized = next(steps)  # now only last_conv is random
    logits_before = model.get_layer("logits").get_weights()
    for a, b in zip(randomized.get_layer("logits").get_weights(), logits_before):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(randomized.get_layer("last_conv").get_weights()[0], model.get_layer("last_conv").get_weights()[0])


def test_rank_correlation():
    a = RNG.normal(size=(2, 5, 5))
    np.testing.assert_allclose(explain.rank_correlation(a, a), [1, 1])
    np.testing.assert_allclose(explain.rank_correlation(a, -a), [-1, -1])
    np.testing.assert_allclose(explain.rank_correlation(a, a ** 3 + 7), [1, 1])  # ranks, not values
    ties = np.array([[[0, 0, 1, 2]]], float)
    np.testing.assert_allclose(explain.rank_correlation(ties, np.array([[[0, 1, 2, 3]]], float)), [0.9486833], rtol=1e-6)
    assert np.isnan(explain.rank_correlation(np.zeros((1, 2, 2)), a[:1, :2, :2]))[0]


def test_deletion_and_insertion_reward_the_right_map():
    """For a model that only looks at the top-left corner, the map that points there is the faithful one."""
    inputs = keras.Input((8, 8, 1))
    corner = layers.Flatten()(layers.Cropping2D(((0, 6), (0, 6)))(inputs))
    logits = layers.Dense(2, kernel_initializer=keras.initializers.Constant([[1, -1]] * 4))(corner)
    model = keras.Model(inputs, logits)
    x = np.zeros((1, 8, 8, 1), "float32")
    x[0, :2, :2] = 1
    right = np.zeros((1, 8, 8))
    right[0, :2, :2] = 1
    wrong = 1 - right
    fractions, deleted_right = explain.deletion_curve(model, x, right, class_index=0, steps=8)
    _, deleted_wrong = explain.deletion_curve(model, x, wrong, class_index=0, steps=8)
    assert fractions[0] == 0 and fractions[-1] == 1 and deleted_right.shape == (1, 9)
    assert explain.area_under_curve(fractions, deleted_right) < explain.area_under_curve(fractions, deleted_wrong)
    _, inserted_right = explain.insertion_curve(model, x, right, class_index=0, steps=8, blur=8)
    _, inserted_wrong = explain.insertion_curve(model, x, wrong, class_index=0, steps=8, blur=8)
    assert explain.area_under_curve(fractions, inserted_right) > explain.area_under_curve(fractions, inserted_wrong)


def test_area_under_curve_uses_the_trapezoid_rule():
    np.testing.assert_allclose(explain.area_under_curve([0, 0.5, 1], [[1, 1, 1], [1, 0, 0]]), [1, 0.25])


def test_pointing_game_and_mask_iou():
    masks = np.zeros((2, 6, 6), bool)
    masks[:, :3, :3] = True
    heat = np.zeros((2, 6, 6))
    heat[0, 1, 1] = 1  # on the object
    heat[1, 5, 5] = 1  # far away
    assert explain.pointing_game(heat, masks).tolist() == [True, False]
    assert explain.pointing_game(heat, masks, tolerance=5).tolist() == [True, True]
    np.testing.assert_allclose(explain.mask_iou(heat, masks), [1 / 9, 0])
    np.testing.assert_allclose(explain.mask_iou(masks.astype(float), masks), [1, 1])


@pytest.mark.parametrize("call, error, message", [
    (lambda m: explain.grad_cam(m, images(1), layer="conv9"), ValueError, "No feature-map layer named 'conv9'.*last_conv"),
    (lambda m: explain.vanilla_gradient(m, images(1, (9, 9, 3))), ValueError, r"shape \(N, 8, 8, 3\).*got \(1, 9, 9, 3\)"),
    (lambda m: explain.vanilla_gradient(m, images(1), class_index=3), ValueError, r"class_index must be None, an int in \[0, 2\]"),
    (lambda m: explain.vanilla_gradient(m, images(2), class_index=[0]), ValueError, "2 such ints"),
    (lambda m: explain.vanilla_gradient(m, "cat.jpg"), TypeError, "images must be an array of pixels"),
    (lambda m: explain.smoothgrad(m, images(1), samples=0), ValueError, "samples must be a positive int"),
    (lambda m: explain.integrated_gradients(m, images(1), baseline=np.zeros((2, 2))), ValueError, "baseline must be"),
    (lambda m: explain.occlusion(m, images(1), patch=20), ValueError, "patch must be an int from 1 to 8"),
    (lambda m: explain.deletion_curve(m, images(1), np.zeros((1, 4, 4))), ValueError, "heatmaps must have shape"),
    (lambda m: explain.rank_correlation(np.zeros((1, 2, 2)), np.zeros((1, 3, 3))), ValueError, "same shape"),
    (lambda m: explain.mask_iou(np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), threshold=2), ValueError, "threshold"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call(gap_model())


def test_cam_on_a_model_without_global_average_pooling_says_why():
    with pytest.raises(ValueError, match="CAM needs .*GlobalAveragePooling2D.*Flatten, Dense, Dense.*grad_cam"):
        explain.cam(build_classic_cnn((28, 28, 1)), np.zeros((1, 28, 28, 1)))


def test_cam_on_the_imagenet_mobilenet_equals_grad_cam(empty_cache, offline_pack):
    """MobileNet ends in GAP -> 1x1 conv: CAM applies, and Grad-CAM on its logits is the same map."""
    from course_utils.imagenet import load_imagenet_model

    model = load_imagenet_model(128, logits=True)
    x = RNG.uniform(-1, 1, size=(2, 128, 128, 3)).astype("float32")
    np.testing.assert_allclose(explain.cam(model, x), explain.grad_cam(model, x), atol=1e-4)
    assert explain.cam(model, x).shape == (2, 128, 128)
