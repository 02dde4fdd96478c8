"""Figures used across lessons, with colour-blind-safe defaults (introduced in lessons 01–03).

Image colormaps are perceptually uniform (viridis, magma, cividis; RdBu for signed values) and
line colours come from the Okabe–Ito palette, which stays distinct for colour-blind readers.
"""
import math

import matplotlib
import matplotlib.patches
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .validate import check, check_positive_int

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Class colours for label maps: Okabe-Ito without black, then Paul Tol's "muted" colours that differ from them.
CLASS_COLOURS = OKABE_ITO[:7] + ["#882255", "#44AA99", "#999933", "#332288", "#DDCC77", "#AA4499"]
BANNED_CMAPS = ("jet", "ocean", "rainbow", "hsv", "nipy_spectral", "gist_rainbow")


def plot_image_grid(images, titles=None, ncols=8, cmap="viridis", suptitle=None, cell_size=1.6, show=True):
    """Show images in a grid, e.g. the 64 feature maps of a conv layer as 8x8 (lesson 02).

    Args:
        images: array ``(N, H, W)``, ``(N, H, W, 3)``, or a list of such images.
        titles: optional list of N short titles.
        ncols: images per row.
        cmap: colormap for single-channel images (each image uses its own value range).
        suptitle: a title for the whole figure, saying what to look at.
        cell_size: inches per grid cell.
        show: call ``plt.show()`` (default); ``False`` returns the figure instead.
    """
    images = [np.asarray(im) for im in images]
    if not images:
        raise ValueError("images is empty; expected at least one image.")
    for i, im in enumerate(images):
        if im.ndim not in (2, 3) or (im.ndim == 3 and im.shape[-1] not in (1, 3)):
            raise ValueError(f"image {i} has shape {im.shape}; expected (H, W), (H, W, 1) or (H, W, 3).")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images.")
    _check_cmap(cmap)
    check_positive_int("ncols", ncols)
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, im) in enumerate(zip(axes.flat, images)):
        ax.imshow(im.squeeze(-1) if im.ndim == 3 and im.shape[-1] == 1 else im, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    return _finish(fig, show)


def plot_heatmap_overlay(image, heatmap, alpha=0.5, cmap="viridis", title=None, ax=None, show=True):
    """Draw a heatmap (e.g. a saliency map) over an image, resized to the image (lessons 05–07).

    Args:
        image: ``(H, W)`` or ``(H, W, 3)`` array (uint8, or float in [0, 1]).
        heatmap: 2-D array of any size; it is stretched to the image and scaled to [0, 1].
        alpha: opacity of the heatmap, in [0, 1].
        cmap: a perceptually uniform colormap; the default viridis keeps strong responses bright (yellow)
            over a photo, where magma's pale top end would vanish.
        title: what the viewer should notice.
        ax: draw into this axes instead of a new figure.
        show: call ``plt.show()`` when a new figure was made.
    """
    import cv2

    image, heatmap = np.asarray(image), np.asarray(heatmap, dtype="float32")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, 3); got shape {image.shape}.")
    if heatmap.ndim != 2:
        raise ValueError(f"heatmap must be 2-D (H, W); got shape {heatmap.shape}.")
    check("alpha", alpha, 0 <= alpha <= 1, "in [0, 1]")
    _check_cmap(cmap)
    heatmap = cv2.resize(heatmap, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    span = heatmap.max() - heatmap.min()
    heatmap = (heatmap - heatmap.min()) / span if span > 0 else np.zeros_like(heatmap)
    new_figure = ax is None
    if new_figure:
        fig, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
    overlay = ax.imshow(heatmap, cmap=cmap, alpha=alpha, vmin=0, vmax=1)
    ax.figure.colorbar(overlay, ax=ax, fraction=0.046, pad=0.04)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return _finish(ax.figure, show) if new_figure else None


def plot_segmentation(images, label_maps, class_names, titles=None, alpha=0.6, ignore=255, ncols=6, suptitle=None,
                      cell_size=2.4, show=True):
    """Draw label maps over their images, one colour per class, with a legend (lesson 08).

    Class 0 (background) stays uncoloured and ``ignore`` pixels (e.g. the pets' outline, 255) are drawn
    white. Colours go to the classes present in the figure, in class order, so up to 13 classes in one
    figure stay colour-blind-safe and every panel uses the same colour for the same class.

    Args:
        images: ``(N, H, W)`` or ``(N, H, W, 3)`` (uint8, or float in [0, 1]), or a list of such images.
        label_maps: ``(N, H, W)`` int class ids, the images' size.
        class_names: one name per class id, background first.
        titles: optional list of N short titles.
        alpha: opacity of the colours, in [0, 1].
        ignore: a label drawn white, not as a class (``None``: none).
        ncols: panels per row.
    """
    images = [np.asarray(im) for im in images]
    label_maps = [np.asarray(labels) for labels in label_maps]
    check("label_maps", len(label_maps), len(label_maps) == len(images) > 0, f"{len(images)} maps, one per image")
    for i, (im, labels) in enumerate(zip(images, label_maps)):
        check(f"label_maps[{i}]", labels.shape, labels.shape == im.shape[:2] and labels.dtype.kind in "iub",
              f"int class ids of the image's size {im.shape[:2]}")
        outside = set(np.unique(labels).tolist()) - set(range(len(class_names))) - {ignore}
        check(f"label_maps[{i}]", sorted(outside), not outside, f"class ids from 0 to {len(class_names) - 1}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images.")
    check("alpha", alpha, 0 <= alpha <= 1, "in [0, 1]")
    check_positive_int("ncols", ncols)
    present = sorted(set().union(*(np.unique(labels).tolist() for labels in label_maps)) - {0, ignore})
    check("classes shown", len(present), len(present) <= len(CLASS_COLOURS), f"at most {len(CLASS_COLOURS)}")
    colours = {c: matplotlib.colors.to_rgb(colour) for c, colour in zip(present, CLASS_COLOURS)}
    if ignore is not None:
        colours[ignore] = (1.0, 1.0, 1.0)

    ncols = min(len(images), ncols)
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows + 0.6), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, im, labels) in enumerate(zip(axes.flat, images, label_maps)):
        ax.imshow(im, cmap="gray" if im.ndim == 2 else None)
        overlay = np.zeros(labels.shape + (4,))
        for c, rgb in colours.items():
            overlay[labels == c] = (*rgb, alpha)
        ax.imshow(overlay)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    handles = [matplotlib.patches.Patch(color=colours[c], label=class_names[c]) for c in present]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 7), frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return _finish(fig, show)


def plot_detections(image, boxes, labels, scores=None, *, linestyle="-", tags=True, title=None, ax=None, show=True):
    """Draw boxes with their labels (and scores) over an image, one colour per label (lesson 09).

    Args:
        image: ``(H, W)`` or ``(H, W, 3)`` array (uint8, or float in [0, 1]).
        boxes: ``(N, 4)`` boxes ``[ymin, xmin, ymax, xmax]`` normalised to the image, as the COCO SSD gives them.
        labels: N class names. Colours go to labels in order of first appearance in the figure, so a label keeps
            its colour in every panel and over boxes drawn before (e.g. dashed boxes drawn by hand).
        scores: optional N scores, printed after the labels.
        linestyle: ``"-"`` for detections, ``"--"`` for boxes drawn by hand, for example.
        tags: write each box's label (and score) at its top left; ``False`` draws the boxes only.
        title: what the viewer should notice.
        ax: draw into this axes (e.g. over boxes drawn before) instead of a new figure.
        show: call ``plt.show()`` when a new figure was made.
    """
    image, boxes = np.asarray(image), np.asarray(boxes, dtype="float64").reshape(-1, 4)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, 3); got shape {image.shape}.")
    check("labels", len(labels), len(labels) == len(boxes), f"one label per box ({len(boxes)})")
    check("scores", None if scores is None else len(scores), scores is None or len(scores) == len(boxes),
          f"None or one score per box ({len(boxes)})")
    height, width = image.shape[:2]
    new_figure = ax is None
    if new_figure:
        fig, ax = plt.subplots(figsize=(6, 6 * height / width))
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        ax.axis("off")
    colours = ax.figure.__dict__.setdefault("_detection_colours", {})  # label -> colour, shared by the figure's panels
    for k, ((top, left, bottom, right), label) in enumerate(zip(boxes, labels)):
        colour = colours.setdefault(str(label), CLASS_COLOURS[len(colours) % len(CLASS_COLOURS)])
        ax.add_patch(matplotlib.patches.Rectangle((left * width, top * height), (right - left) * width,
                                                  (bottom - top) * height, fill=False, edgecolor=colour, lw=2,
                                                  linestyle=linestyle))
        if tags:
            text = str(label) if scores is None else f"{label} {scores[k]:.2f}"
            inside = top * height < 0.05 * height  # no room above the box: write just inside it
            light = np.dot(matplotlib.colors.to_rgb(colour), (0.299, 0.587, 0.114)) > 0.6
            ax.text(left * width, top * height, text, fontsize=8, color="black" if light else "white",
                    va="top" if inside else "bottom", clip_on=True,
                    bbox={"facecolor": colour, "edgecolor": "none", "pad": 1, "alpha": 0.85})
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(ax.figure, show) if new_figure else None


def plot_training_curves(history, title="Training curves", show=True):
    """Plot loss and every metric per epoch, training vs validation (lesson 03).

    Args:
        history: a Keras ``History`` or its ``.history`` dict, e.g. ``{"loss": [...], "val_loss": [...]}``.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"history must be a Keras History or a non-empty dict of lists; got {type(history).__name__}.")
    metrics = [k for k in logs if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False, layout="constrained")
    for ax, metric in zip(axes.flat, metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", color=OKABE_ITO[0], label="train")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", color=OKABE_ITO[1], label="validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return _finish(fig, show)


def _check_cmap(cmap):
    if str(cmap).removesuffix("_r") in BANNED_CMAPS:
        raise ValueError(f"colormap {cmap!r} is not perceptually uniform and misleads colour-blind readers; "
                         "use 'viridis', 'magma', 'cividis' or (signed values) 'RdBu'.")


def _finish(fig, show):
    if show:
        plt.show()
        return None
    return fig
