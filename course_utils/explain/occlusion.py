"""Occlusion sensitivity (lesson 05): hide a patch, see how much the class score drops.

Zeiler and Fergus (2014). No gradients: it treats the model as a black box, so it is slow
(one forward pass per patch position, batched) but easy to trust.
"""
import numpy as np

from ..validate import check_int_in_range
from ._core import as_batch, class_indices, class_scores, forward, in_batches, scale_to_unit


def occlusion(model, images, class_index=None, patch=None, stride=None, fill=0.0, batch_size=64):
    """Heatmap of the score drop when a ``patch`` x ``patch`` square at each position is set to ``fill``.

    Args:
        patch: side of the square in pixels (default: an eighth of the image side).
        stride: step between positions (default: half the patch).
        fill: the value hidden pixels get, in the model's input space (0 is black for raw pixels,
            grey for inputs scaled to [-1, 1]).

    Each pixel gets the mean drop over the patches that covered it; increases count as no evidence.
    """
    x = as_batch(model, images).numpy()
    ids = class_indices(model, x, class_index)
    height, width = x.shape[1:3]
    patch = patch or max(1, min(height, width) // 8)
    stride = stride or max(1, patch // 2)
    check_int_in_range("patch", patch, 1, min(height, width))
    check_int_in_range("stride", stride, 1, min(height, width))
    corners = [(r, c) for r in _starts(height, patch, stride) for c in _starts(width, patch, stride)]
    heatmaps = np.zeros(x.shape[:3], "float32")
    counts = np.zeros((height, width), "float32")
    for r, c in corners:
        counts[r:r + patch, c:c + patch] += 1
    for i, image in enumerate(x):
        base_score = float(class_scores(forward(model, image[None]), ids[i:i + 1])[0])

        def drops(a, b, image=image, target=ids[i], base_score=base_score):
            batch = np.repeat(image[None], b - a, axis=0)
            for j, (r, c) in enumerate(corners[a:b]):
                batch[j, r:r + patch, c:c + patch] = fill
            return base_score - class_scores(forward(model, batch), np.full(b - a, target)).numpy()

        for (r, c), drop in zip(corners, in_batches(drops, len(corners), batch_size)):
            heatmaps[i, r:r + patch, c:c + patch] += drop
    return scale_to_unit(heatmaps / counts)


def _starts(size, patch, stride):
    """Patch positions that cover the whole side, the last one flush with the edge."""
    starts = list(range(0, size - patch + 1, stride))
    return starts if starts[-1] == size - patch else starts + [size - patch]
