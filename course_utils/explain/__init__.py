"""Explainers and their tests of trust (lessons 05–07).

Every explainer has one call shape, so comparing methods is a loop::

    heatmaps = method(model, images, class_index=None, **options)   # (N, H, W) in [0, 1]

``model`` is a Keras model that outputs logits (Sequential, Functional, or with a nested base
model); ``images`` are what the model takes; ``class_index`` None explains each image's top class.
"""
from ._core import class_indices, resize_maps, scale_to_unit
from .cam import cam, grad_cam, grad_cam_plus_plus
from .gradients import integrated_gradients, integrated_gradients_attributions, smoothgrad, vanilla_gradient
from .metrics import area_under_curve, deletion_curve, insertion_curve, mask_iou, pointing_game
from .occlusion import occlusion
from .sanity import randomize_layers, rank_correlation

EXPLAINERS = {
    "vanilla gradient": vanilla_gradient,
    "SmoothGrad": smoothgrad,
    "Integrated Gradients": integrated_gradients,
    "occlusion": occlusion,
    "CAM": cam,
    "Grad-CAM": grad_cam,
    "Grad-CAM++": grad_cam_plus_plus,
}

__all__ = [
    "EXPLAINERS", "area_under_curve", "cam", "class_indices", "deletion_curve", "grad_cam", "grad_cam_plus_plus",
    "insertion_curve", "integrated_gradients", "integrated_gradients_attributions", "mask_iou", "occlusion",
    "pointing_game", "randomize_layers", "rank_correlation", "resize_maps", "scale_to_unit", "smoothgrad",
    "vanilla_gradient",
]
