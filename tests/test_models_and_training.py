"""The CNN designs, the training helper (also under MirroredStrategy), and the course checkpoints."""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from course_utils import checkpoints, models
from course_utils.datasets import Dataset
from course_utils.training import epochs_within, flip_accuracy, one_cycle_schedule, train_classifier


def toy_data(n=2048, shape=(28, 28)):
    """Images whose brightness encodes the label: learnable in a few steps."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = (y.reshape(-1, *[1] * len(shape)) * 25 + rng.integers(0, 6, (n, *shape))).astype(np.uint8)
    return Dataset("toy", x[: n * 3 // 4], y[: n * 3 // 4], x[n * 3 // 4:], y[n * 3 // 4:], list("0123456789"), "toy")


def test_classic_cnn_matches_the_tutorial_network():
    model = models.build_classic_cnn((32, 32, 3))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"]
    assert model.count_params() == 122_570  # the TensorFlow CNN tutorial's count
    assert model.get_layer("last_conv").output.shape[1:] == (4, 4, 64) and model.get_layer("logits").units == 10


def test_classic_cnn_with_batch_norm():
    model = models.build_classic_cnn((28, 28, 1), batch_norm=True)
    names = [layer.name for layer in model.layers]
    assert {"bn1", "bn2", "bn3", "relu3"} <= set(names) and names[-1] == "logits"


def test_improved_cnn_pools_inside_each_block():
    model = models.build_improved_cnn(widths=(8, 16, 32))
    assert model.get_layer("last_conv").output.shape[1:] == (4, 4, 32)
    assert model.get_layer("block1_bn1").input.shape[1:] == (16, 16, 8)  # normalised after pooling
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 10)
    bns = [layer for layer in model.layers if "BatchNormalization" in type(layer).__name__]
    assert len(bns) == 6 and {layer.momentum for layer in bns} == {0.9}
    assert models.build_improved_cnn().count_params() == 296_002


def test_improved_cnn_standardises_cifar_pixels(offline_pack):
    from course_utils.datasets import load_dataset

    x = load_dataset("cifar10", profile="smoke").x_train.astype("float32")
    out = models.build_improved_cnn().get_layer("standardise")(x).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=0.1)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=0.1)


def test_whitening_kernel_makes_patches_uncorrelated_with_unit_variance(offline_pack):
    import keras

    from course_utils.datasets import load_dataset

    x = load_dataset("cifar10", profile="smoke").x_train.astype("float32")
    kernel = models.whitening_kernel(x, eps=0)
    assert kernel.shape == (2, 2, 3, 24) and kernel.dtype == np.float32
    np.testing.assert_array_equal(kernel[..., 12:], -kernel[..., :12])  # each filter with its negative
    model = models.build_improved_cnn(stem_kernel=kernel)
    stem = keras.Model(model.inputs[0], model.get_layer("stem_conv").output)
    bias = model.get_layer("stem_conv").bias.numpy()
    out = (stem(x).numpy() - bias)[:, :31, :31, :12].reshape(-1, 12)  # whole 2x2 windows, one sign
    np.testing.assert_allclose(np.cov(out, rowvar=False), np.eye(12), atol=0.02)
    with pytest.raises(ValueError, match="images must be shape"):
        models.whitening_kernel(x[:, :16])


def test_a_fixed_stem_is_left_out_of_training_but_saved(tmp_path):
    kernel = np.random.default_rng(0).normal(size=(2, 2, 3, 24)).astype("float32")
    model = models.build_improved_cnn(widths=(8, 16, 32), stem_kernel=kernel)
    assert model.get_layer("stem_conv").kernel.path not in {v.path for v in model.trainable_variables}
    trained, _ = train_classifier(lambda: models.build_improved_cnn(widths=(8, 16, 32), stem_kernel=kernel),
                                  toy_data(256, (32, 32, 3)), epochs=1, batch_size=32, verbose=0)
    np.testing.assert_array_equal(trained.get_layer("stem_conv").kernel.numpy(), kernel)
    trained.save_weights(tmp_path / "m.weights.h5")
    plain = models.build_improved_cnn(widths=(8, 16, 32))  # a checkpoint loads into the plain builder
    plain.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(plain.get_layer("stem_conv").kernel.numpy(), kernel)


def test_gap_cnn_feeds_global_average_pooling_into_the_logits():
    model = models.build_gap_cnn(widths=(8, 16, 32))
    names = [layer.name for layer in model.layers]
    assert names[-3:] == ["last_conv", "gap", "logits"]
    assert model.get_layer("last_conv").output.shape[1:] == (7, 7, 32)
    assert model(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 10)


@pytest.mark.parametrize("call, message", [
    (lambda: models.build_classic_cnn((28, 28)), "input_shape must be"),
    (lambda: models.build_gap_cnn(widths=()), "widths must be"),
    (lambda: models.build_improved_cnn(widths=(32, 0)), "widths must be"),
    (lambda: one_cycle_schedule(0, 10), "need peak > 0"),
    (lambda: train_classifier(lambda: None, toy_data(), epochs=0), "positive number"),
    (lambda: train_classifier(lambda: None, toy_data(), epochs=1, optimizer="rmsprop"), "'adam' or 'sgd'"),
    (lambda: train_classifier(lambda: None, toy_data(), epochs=1, batch_size=0), "batch_size must be"),
    (lambda: train_classifier(lambda: None, toy_data(), epochs=1, rounds=0), "rounds must be"),
    (lambda: train_classifier(lambda: None, toy_data(), epochs=1, precision="half"), "precision must be"),
    (lambda: epochs_within(0, lambda: None, toy_data()), "need seconds > 0"),
    (lambda: epochs_within(1e-6, lambda: models.build_classic_cnn((28, 28, 1)), toy_data()), "give more seconds"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_cycle_schedule_rises_then_falls_to_zero():
    schedule = one_cycle_schedule(0.4, 100)
    rates = [float(schedule(step)) for step in (0, 10, 20, 60, 100)]
    assert rates[0] == 0 and rates[1] == pytest.approx(0.2) and rates[2] == pytest.approx(0.4)
    assert rates[2] > rates[3] > rates[4] and rates[4] == pytest.approx(0, abs=1e-6)


def test_train_classifier_learns_and_returns_the_plain_model():
    model, result = train_classifier(lambda: models.build_classic_cnn((28, 28, 1)), toy_data(), epochs=3,
                                     batch_size=32, augment=models.digit_augmentation, verbose=0)
    assert result["test_accuracy"] > 0.5 and result["seconds"] > 0 and len(result["history"]["loss"]) == 3
    assert model.name == "classic_cnn" and not any("random" in layer.name for layer in model.layers)


def test_train_classifier_measures_validation_photos_instead_of_the_test_split():
    data = toy_data()
    shifted = (data.y_test + 1) % 10  # labels it cannot get right: a measurement on these is near 0
    _, result = train_classifier(lambda: models.build_classic_cnn((28, 28, 1)), data, epochs=3, batch_size=32,
                                 validation=(data.x_test, shifted), verbose=0)
    assert "test_accuracy" not in result and result["train_accuracy"] > 0.5 and result["val_accuracy"] < 0.3


def test_mixed_precision_trains_in_bfloat16_and_hands_back_a_float32_model():
    import keras

    from course_utils import training

    build = lambda: models.build_classic_cnn((28, 28, 1))  # noqa: E731
    model, trainer = training._compile(build, precision="mixed_bfloat16")
    assert model.get_layer("conv1").compute_dtype == "bfloat16" and model.get_layer("conv1").kernel.dtype == "float32"
    assert trainer.outputs[0].dtype == "float32"  # the logits are cast back before the loss
    assert keras.mixed_precision.global_policy().name == "float32"  # the global policy is put back
    model, result = train_classifier(build, toy_data(), epochs=3, batch_size=32, precision="mixed_bfloat16", verbose=0)
    assert result["precision"] == "mixed_bfloat16" and result["test_accuracy"] > 0.5
    assert model.get_layer("conv1").compute_dtype == "float32"  # the network lessons load, with the trained weights
    data = toy_data()
    assert result["test_accuracy"] == checkpoints.accuracy_on(model, data.x_test, data.y_test)


def test_fastest_precision_needs_native_bfloat16(tmp_path, monkeypatch):
    from course_utils import training

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16\n")
    assert {"avx512f", "avx512_bf16"} <= training.read_cpu_flags(cpuinfo)
    assert training.read_cpu_flags(tmp_path / "missing") == set()
    cases = ({"avx512_bf16"}, "mixed_bfloat16"), ({"amx_bf16"}, "mixed_bfloat16"), ({"avx2"}, "float32")
    for flags, expected in cases:
        monkeypatch.setattr(training, "read_cpu_flags", lambda flags=flags: flags)
        assert training.fastest_precision() == expected


def test_fractional_epochs_are_split_into_equal_rounds():
    data = toy_data()
    _, result = train_classifier(lambda: models.build_classic_cnn((28, 28, 1)), data, epochs=1.5, batch_size=32,
                                 verbose=0)
    steps_per_epoch = len(data.x_train) // 32
    assert len(result["history"]["loss"]) == 2 and result["epochs"] == round(2 * round(0.75 * steps_per_epoch)
                                                                             / steps_per_epoch, 2)


def test_rounds_set_how_often_training_stops_to_measure():
    _, result = train_classifier(lambda: models.build_classic_cnn((28, 28, 1)), toy_data(), epochs=2, rounds=1,
                                 batch_size=32, verbose=0)
    assert len(result["history"]["val_accuracy"]) == 1 and result["epochs"] == 2


def test_epochs_within_scales_with_the_budget():
    build = lambda: models.build_classic_cnn((28, 28, 1))  # noqa: E731
    # Budgets well above the probe's own start-up (tracing, the test pass): with two training runs sharing the 2-core
    # machine, 2 s left only 0.49 epochs of this toy data, and the test failed once under such load.
    few, more = (epochs_within(seconds, build, toy_data(), batch_size=32) for seconds in (10, 100))
    assert 0.1 <= few < more
    with pytest.raises(ValueError, match="rounds must be"):
        epochs_within(20, build, toy_data(), rounds=1.5)


def test_flip_accuracy_votes_with_the_left_right_mirror():
    """A model that misreads the left column and reads the right one well is put right by the mirror image."""
    import keras

    x = np.zeros((3, 2, 2), np.uint8)
    x[:, :, 0] = 255  # a bright left column: class 1
    y = np.ones(3, int)
    model = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(2, use_bias=False)])
    left, right = [0.1, -0.1], [-1, 1]  # pixels in Flatten order: top-left, top-right, bottom-left, bottom-right
    model.layers[-1].set_weights([np.array([left, right, left, right], "float32")])
    assert np.argmax(model.predict(x[..., None].astype("float32"), verbose=0), axis=1).tolist() == [0, 0, 0]
    assert flip_accuracy(model, x, y) == 1.0


def test_training_under_mirrored_strategy_with_two_cpus():
    script = textwrap.dedent("""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from tests.test_models_and_training import toy_data
        from course_utils.models import build_classic_cnn
        from course_utils.training import train_classifier
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        model, result = train_classifier(lambda: build_classic_cnn((28, 28, 1)), toy_data(), epochs=3,
                                         batch_size=32, strategy=strategy, verbose=0)
        print(type(strategy).__name__, strategy.num_replicas_in_sync, result["test_accuracy"])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         cwd=checkpoints.CHECKPOINT_DIR.parents[1])
    assert out.returncode == 0, out.stderr[-2000:]
    name, replicas, accuracy = out.stdout.split()[-3:]
    assert (name, replicas) == ("MirroredStrategy", "2") and float(accuracy) > 0.5


def test_choose_strategy_on_this_machine(capsys):
    from course_utils.strategy import choose_strategy

    strategy = choose_strategy()
    assert strategy.num_replicas_in_sync >= 1 and "tf.distribute:" in capsys.readouterr().out


def test_reference_training_writes_a_checkpoint_that_loads(tmp_path, empty_cache, offline_pack, capsys):
    model, record = checkpoints.train_checkpoint("mnist", epochs=1, directory=tmp_path)
    assert record["test_accuracy"] > 0.9 and record["recipe"]["epochs"] == 1
    assert record["train_images"] == 8000 and "TEST split only" in record["data_source"]
    capsys.readouterr()
    loaded, same = checkpoints.load_checkpoint("mnist", tmp_path, verbose=False)
    assert capsys.readouterr().out == ""
    assert same == record == json.loads((tmp_path / "mnist.json").read_text())
    assert record["file"] == "mnist.weights.h5" and record["check"]["test_images"] == checkpoints.CHECK_IMAGES
    x = np.zeros((1, 28, 28, 1), "float32")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), atol=1e-6)


def test_damaged_or_missing_checkpoint_is_refused(tmp_path, empty_cache, offline_pack):
    with pytest.raises(FileNotFoundError, match="python -m course_utils.tools.train_checkpoint mnist"):
        checkpoints.load_checkpoint("mnist", tmp_path)
    _, record = checkpoints.train_checkpoint("mnist", epochs=1, directory=tmp_path, unit=20.0)
    assert record["seed_cnn_epoch_seconds"] == 20.0  # given a unit, the record states the training time in it
    assert abs(record["training_units"] - record["training_seconds"] / 20.0) <= 0.06  # both rounded in the record
    path = tmp_path / "mnist.weights.h5"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match the sha256"):
        checkpoints.load_checkpoint("mnist", tmp_path)
    with pytest.raises(ValueError, match="name must be one of"):
        checkpoints.load_checkpoint("imagenet", tmp_path)


@pytest.mark.parametrize("name", tuple(checkpoints.RECIPES))
def test_committed_checkpoints_are_real(name, empty_cache, offline_pack, monkeypatch):
    """The checkpoints later lessons load give their recorded accuracy on this Keras (CI runs it on Colab's too)."""
    from course_utils.datasets import load_dataset

    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    model, record = checkpoints.load_checkpoint(name)
    data = load_dataset(name)
    assert len(data.x_test) == record["check"]["test_images"] == checkpoints.CHECK_IMAGES
    accuracy = checkpoints.accuracy_on(model, data.x_test, data.y_test)
    assert abs(accuracy - record["check"]["test_accuracy"]) <= 0.002, (accuracy, record["check"])  # 2 images
    assert abs(accuracy - record["test_accuracy"]) < 0.04, (accuracy, record["test_accuracy"])
    assert record["file"].endswith(".weights.h5") and model.name == record["model"]


def test_load_or_train_trains_into_the_cache_when_no_checkpoint(tmp_path, empty_cache, offline_pack, monkeypatch,
                                                                capsys):
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path / "none")
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    model, record = checkpoints.load_or_train("mnist")
    assert (empty_cache / "checkpoints" / "mnist.weights.h5").is_file() and record["recipe"]["epochs"] == 1
    assert "Training a mnist checkpoint now" in capsys.readouterr().out
    again, same = checkpoints.load_or_train("mnist")  # now found in the cache
    assert same == record
    with pytest.raises(ValueError, match="name must be one of"):
        checkpoints.load_or_train("imagenet")
