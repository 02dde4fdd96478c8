import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import environment, plots, widgets  # noqa: E402


def test_image_grid_shows_64_maps_as_8x8():
    fig = plots.plot_image_grid(np.random.rand(64, 7, 7), ncols=8, show=False)
    assert len(fig.axes) == 64 and sum(bool(ax.images) for ax in fig.axes) == 64


def test_image_grid_leaves_spare_cells_empty():
    fig = plots.plot_image_grid(np.random.rand(5, 4, 4, 3), titles=list("abcde"), ncols=4, show=False)
    assert len(fig.axes) == 8 and sum(bool(ax.images) for ax in fig.axes) == 5
    assert fig.axes[4].get_title() == "e"


@pytest.mark.parametrize("kwargs, message", [
    ({"images": []}, "images is empty"),
    ({"images": np.zeros((2, 4, 4, 5))}, "expected \\(H, W\\), \\(H, W, 1\\) or \\(H, W, 3\\)"),
    ({"images": np.zeros((2, 4, 4)), "titles": ["a"]}, "got 1 titles for 2 images"),
    ({"images": np.zeros((2, 4, 4)), "cmap": "jet"}, "'jet' is not perceptually uniform"),
    ({"images": np.zeros((2, 4, 4)), "ncols": 0}, "ncols must be a positive int"),
])
def test_image_grid_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_image_grid(show=False, **kwargs)


def test_heatmap_overlay_stretches_and_scales_the_heatmap():
    fig = plots.plot_heatmap_overlay(np.zeros((40, 60, 3), np.uint8), np.arange(12.0).reshape(3, 4), show=False)
    overlay = fig.axes[0].images[1].get_array()
    assert overlay.shape == (40, 60) and overlay.min() == 0 and overlay.max() == 1


@pytest.mark.parametrize("image, heatmap, kwargs, message", [
    (np.zeros((4, 4, 3)), np.zeros((2, 2, 1)), {}, "heatmap must be 2-D"),
    (np.zeros(4), np.zeros((2, 2)), {}, "image must be"),
    (np.zeros((4, 4)), np.zeros((2, 2)), {"alpha": 2}, "alpha must be in"),
    (np.zeros((4, 4)), np.zeros((2, 2)), {"cmap": "ocean"}, "'ocean' is not perceptually uniform"),
])
def test_heatmap_overlay_rejects_bad_input(image, heatmap, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_heatmap_overlay(image, heatmap, show=False, **kwargs)


def test_training_curves_pair_train_and_validation():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
    fig = plots.plot_training_curves(history, show=False)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert all(len(ax.lines) == 2 for ax in fig.axes)


def test_training_curves_reject_bad_history():
    with pytest.raises(ValueError, match="Keras History or a non-empty dict"):
        plots.plot_training_curves([0.1, 0.2], show=False)


def test_environment_report(offline_pack, capsys):
    facts = environment.report_environment()
    out = capsys.readouterr().out
    assert facts["keras backend"] == "tensorflow" and facts["profile"] in ("full", "workshop", "smoke")
    assert facts["assets available offline"] == facts["assets registered"]
    assert "tensorflow" in out and "offline pack" in out


def test_tensorflow_starts_quietly():
    """A lesson's set-up cell in a fresh process: TensorFlow loads and runs with nothing on stderr."""
    script = ("import course_utils as cu\ncu.quiet_tensorflow_startup()\nimport keras, tensorflow as tf\n"
              "print(float(tf.reduce_sum(tf.ones(3))))")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # as in a learner's kernel
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0 and out.stdout.split()[-1] == "3.0", out.stderr[-2000:]
    assert out.stderr == "", out.stderr


def test_startup_filter_keeps_real_errors():
    text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            "I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on. You may see ...\n"
            "E0000 00:00:2.0 1 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n\n"
            "E0000 00:00:3.0 1 some_op.cc:7] could not open file: permission denied\n")
    assert environment.drop_startup_noise(text) == "E0000 00:00:3.0 1 some_op.cc:7] could not open file: permission denied"


def test_report_shortens_paths_without_losing_them(monkeypatch, tmp_path):
    """The home folder is written ~, a folder near the working one relatively (lesson 00's stored report shows no
    maintainer's path), anything else in full."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert environment.shorten_path(tmp_path / ".cache" / "how-cnns-see") == "~/.cache/how-cnns-see"
    assert environment.shorten_path("/opt/offline-pack") == "/opt/offline-pack"  # far from the working folder
    (tmp_path / "course" / "notebooks").mkdir(parents=True)
    (tmp_path / "shared" / "offline-pack").mkdir(parents=True)
    monkeypatch.setattr(environment.Path, "home", lambda: tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path / "course" / "notebooks")
    assert environment.shorten_path(tmp_path / "shared" / "offline-pack") == "../../shared/offline-pack"


def test_version_warnings():
    old = {"tensorflow": "2.15.0", "keras": "2.15.0", "keras backend": "jax"}
    warnings = environment.version_warnings(old)
    assert len(warnings) == 3 and "2.19 or newer" in warnings[0] and "KERAS_BACKEND" in warnings[2]
    current = {"tensorflow": "2.21.0", "keras": "3.15.1", "keras backend": "tensorflow"}
    assert environment.version_warnings(current) == []


def test_headless_widget_draws_the_static_figure_once(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    calls = []
    widgets.show_interactive(lambda size, cmap: calls.append((size, cmap)), {"size": (1, 9), "cmap": ["viridis"]},
                             {"size": 3, "cmap": "viridis"})
    assert calls == [(3, "viridis")] and widgets.STATIC_NOTE in capsys.readouterr().out


def test_interactive_when_not_headless(monkeypatch):
    monkeypatch.setenv("COURSE_HEADLESS", "0")
    assert widgets.interactive_enabled()


def test_static_values_must_cover_every_control():
    with pytest.raises(ValueError, match="static must give a value for every control"):
        widgets.show_interactive(print, {"a": (0, 1), "b": (0, 1)}, {"a": 0})


def test_segmentation_plot_colours_each_class_once_with_a_legend():
    images = np.zeros((2, 8, 8), np.uint8)
    maps = np.zeros((2, 8, 8), np.uint8)
    maps[0, :2], maps[1, :2], maps[1, 4:] = 3, 3, 1
    maps[0, 7] = 255  # an ignored pixel: white, not a class
    fig = plots.plot_segmentation(images, maps, ["background", "a", "b", "c"], titles=["x", "y"], show=False)
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["a", "c"]  # only the classes present, in class order
    overlay = fig.axes[0].get_images()[1].get_array()
    assert tuple(overlay[0, 0, :3]) == matplotlib.colors.to_rgb(plots.CLASS_COLOURS[1])  # class 3 is the 2nd present
    assert tuple(overlay[7, 0, :3]) == (1, 1, 1) and overlay[4, 0, 3] == 0  # outline white, background clear
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("maps, message", [
    (np.zeros((2, 8, 9), np.uint8), r"label_maps\[0\] must be int class ids of the image's size \(8, 8\)"),
    (np.zeros((2, 8, 8), np.float32), "int class ids"),
    (np.full((2, 8, 8), 7, np.uint8), "class ids from 0 to 3"),
    (np.zeros((1, 8, 8), np.uint8), "label_maps must be 2 maps, one per image"),
])
def test_segmentation_plot_refuses_bad_maps(maps, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_segmentation(np.zeros((2, 8, 8), np.uint8), maps, ["background", "a", "b", "c"], show=False)
