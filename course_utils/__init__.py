"""Helpers shared by the How CNNs See lessons.

Each helper's docstring names the lesson that introduces it; lessons teach the idea inline first.
"""
from .datasets import Dataset, load_dataset
from .environment import quiet_tensorflow_startup, report_environment
from .fetch import AssetUnavailableError, fetch_file
from .imagenet import imagenet_class_names, load_imagenet_model, top_classes
from .photos import list_photos, load_photo, photo_credit
from .plots import plot_detections, plot_heatmap_overlay, plot_image_grid, plot_segmentation, plot_training_curves
from .pretrained import list_pretrained, load_labels, load_pretrained
from .settings import cap, current_profile
from .widgets import show_interactive

__all__ = [
    "AssetUnavailableError", "Dataset", "cap", "current_profile", "fetch_file", "imagenet_class_names",
    "list_photos", "list_pretrained", "load_dataset", "load_imagenet_model", "load_labels", "load_photo",
    "load_pretrained", "photo_credit",
    "plot_detections", "plot_heatmap_overlay", "plot_image_grid", "plot_segmentation", "plot_training_curves",
    "quiet_tensorflow_startup",
    "report_environment", "show_interactive", "top_classes",
]
