"""Lesson 06 exercises: a class activation map with einsum, Grad-CAM's channel weights, which heads allow
CAM, and which MobileNet layers have a grid fine enough for a small object."""
import numpy as np

from .core import Choices, Function, Incorrect, Mistake, NotAttempted, Question, ____, as_array, is_placeholder

__all__ = ["HEADS", "MOBILENET_MAPS", "____", "q1", "q2", "q3", "q4"]


def _cases():
    """Feature maps (N, h, w, c), dense weights (c, classes) and one class id per image, fixed seeds."""
    rng = np.random.default_rng(6)
    small = (rng.normal(size=(3, 4, 5, 6)), rng.normal(size=(6, 7)), np.array([2, 0, 6]))
    relu = (np.maximum(rng.normal(size=(2, 7, 7, 8)), 0), rng.normal(size=(8, 10)), np.array([9, 4]))
    return small, relu


def _cam(maps, weights, class_ids):
    return np.einsum("nhwc,cn->nhw", maps, weights[:, class_ids])


def _changed(change):
    """A wrong answer: the right maps, changed by ``change``."""
    return lambda maps, weights, class_ids: change(_cam(maps, weights, class_ids))


_SCALED = "you scaled the map. Return the raw weighted sum; scaling is for display."
_MEAN = "your map is the right one divided by a constant: a weighted SUM over the channels, not a mean."


class ClassActivationMap(Question):
    checks = {"class_activation_map": Function(_cam, _cases(), mistakes=(
        Mistake(when=lambda c: c.got.shape in (c.maps.shape[:3] + c.weights.shape[1:],
                                               c.maps.shape[:1] + c.weights.shape[1:] + c.maps.shape[1:3]),
                say="you returned a map for every class, shape {got.shape}; return only each image's own class "
                    "(class_ids[n]), shape {want.shape}."),
        Mistake(when=lambda c: c.got.shape == c.maps.shape,
                say="your result still has the channel axis, shape {got.shape}: sum the weighted channels to get one "
                    "map per image, shape {want.shape}."),
        Mistake(when=lambda c: c.got.shape != c.want.shape,
                say="for maps of shape {maps.shape} the result should have shape {want.shape} (one map per image); "
                    "yours has {got.shape}."),
        Mistake(like=_changed(lambda cam: np.maximum(cam, 0)),
                say="you applied a ReLU. Return the plain weighted sum, negative values included: its mean is the "
                    "class score. (The ReLU comes later, when the map is drawn.)"),
        Mistake(like=_changed(lambda cam: cam / (cam.shape[1] * cam.shape[2])), say=_MEAN),
        Mistake(like=lambda maps, weights, class_ids: _cam(maps, weights, class_ids) / maps.shape[3], say=_MEAN),
        Mistake(like=_changed(lambda cam: (cam - cam.min(axis=(1, 2), keepdims=True))
                             / np.ptp(cam, axis=(1, 2), keepdims=True)), say=_SCALED),
        Mistake(like=_changed(lambda cam: cam / np.abs(cam).max(axis=(1, 2), keepdims=True)), say=_SCALED),
        Mistake(like=lambda maps, weights, class_ids: np.einsum("nhwc,c->nhw", maps, weights[:, class_ids[0]]),
                say="every image got the weights of class_ids[0]; use each image's own class (weights[:, class_ids] "
                    "gives one column per image)."),
    ), otherwise="not the weighted sum of the maps: for image 0 at position (0, 0) the map should be "
                 "{want[0][0][0]:.4f}, yours is {got[0][0][0]:.4f}. Sum weights[k, class_ids[n]] * maps[n, :, :, k] "
                 "over the channels k.")}
    hints = (
        ("For image n, the map is a weighted sum of its channels: sum over k of weights[k, class_ids[n]] * "
         "maps[n, :, :, k]. The result has one (h, w) map per image."),
        ("weights[:, class_ids] picks each image's class column: shape (c, N). np.einsum can then multiply and sum "
         "over the channel axis in one call."),
        ("np.einsum(\"nhwc,cn->nhw\", maps, weights[:, class_ids]). Keep the negative values: the ReLU and the "
         "scaling to [0, 1] come afterwards, for display."),
    )
    answer = """
        def class_activation_map(maps, weights, class_ids):
            return np.einsum("nhwc,cn->nhw", maps, weights[:, class_ids])
    """
    praise = "one einsum: each image's feature maps weighted by its class's column of the dense weights. Its mean " \
             "over the positions is the class score (without the bias)."


_SIGN = "keep the sign: a negative weight means the channel speaks against the class."
_RELU = "no ReLU on the weights: Grad-CAM averages the raw gradients and applies its ReLU to the final weighted map."


class GradCamWeights(Question):
    checks = {"grad_cam_weights": Function(lambda grads: grads.mean(axis=(1, 2)), [
        (np.random.default_rng(7).normal(size=(2, 4, 6, 5)),),
    ], mistakes=(
        Mistake(when=lambda c: c.got.shape == (2, 4, 6),
                say="you averaged over the channels; average over the positions (axes 1 and 2) and keep one weight "
                    "per channel, shape (N, c)."),
        Mistake(when=lambda c: c.got.shape == (5,),
                say="you averaged over the images too; each image has its own weights, shape (N, c)."),
        Mistake(when=lambda c: c.got.shape in ((2, 6, 5), (2, 4, 5)),
                say="you averaged over one position axis only; average over both h and w (axis=(1, 2))."),
        Mistake(when=lambda c: c.got.shape != c.want.shape,
                say="for gradients of shape (N, h, w, c) = {grads.shape} the weights should have shape {want.shape}; "
                    "yours have {got.shape}."),
        Mistake(like=lambda grads: grads.sum(axis=(1, 2)),
                say="that is the sum over the positions; Grad-CAM takes the mean (divide by h * w). The map would look "
                    "the same after scaling, but the weights are defined as an average."),
        Mistake(like=lambda grads: np.abs(grads).mean(axis=(1, 2)), say=_SIGN),
        Mistake(like=lambda grads: np.abs(grads.mean(axis=(1, 2))), say=_SIGN),
        Mistake(like=lambda grads: np.maximum(grads, 0).mean(axis=(1, 2)), say=_RELU),
        Mistake(like=lambda grads: np.maximum(grads.mean(axis=(1, 2)), 0), say=_RELU),
        Mistake(like=lambda grads: grads.max(axis=(1, 2)),
                say="that is the largest gradient of each channel; Grad-CAM averages them."),
    ), otherwise="for image 0, channel 0 the weight should be {want[0][0]:.4f}, yours is {got[0][0]:.4f}.")}
    hints = (
        ("Grad-CAM gives each channel one number: how much the class score rises, on average over the map, when "
         "that channel's activations rise."),
        "grads has shape (N, h, w, c); average over the two position axes and keep one weight per image and channel.",
        ("grads.mean(axis=(1, 2)), shape (N, c). Keep the sign: negative weights mark channels that speak against "
         "the class."),
    )
    answer = """
        def grad_cam_weights(grads):
            return grads.mean(axis=(1, 2))
    """
    praise = "the mean gradient over the positions, one weight per channel (Selvaraju et al. 2017, eq. 1). On a " \
             "GAP + dense head every position has the same gradient, w[k, class] / (h * w), so Grad-CAM is CAM."


HEADS = {
    "A": "last_conv -> GlobalAveragePooling2D -> Dense(10)",
    "B": "last_conv -> Flatten -> Dense(10)",
    "C": "last_conv -> GlobalAveragePooling2D -> Dense(64, relu) -> Dense(10)",
    "D": "last_conv -> GlobalMaxPooling2D -> Dense(10)",
    "E": "last_conv -> GlobalAveragePooling2D -> Dropout -> Conv2D(1000, 1x1) -> Reshape -> Softmax",
    "F": "last_conv -> GlobalAveragePooling2D -> Dense(10, softmax)",
}
CAM_HEADS = {"A", "E", "F"}
ABOUT = {
    "A": "A allows CAM: it is exactly the head CAM was made for.",
    "B": "B does not allow CAM: Flatten -> Dense gives every position its own weights, so there is no single weight "
         "per channel.",
    "C": "C does not allow CAM: it has a hidden Dense layer with a ReLU between the pooling and the logits, so the "
         "score is no longer a weighted sum of the averaged maps.",
    "D": "D does not allow CAM: it pools with the maximum, not the average, so the score depends on one position per "
         "map, not on the map's mean, and weighting the whole map by the dense weights does not give the score.",
    "E": "E allows CAM too: it is MobileNet's head, where Dropout does nothing at test time, a 1x1 Conv2D on a 1x1 "
         "map is a Dense layer, and Reshape and softmax keep the ranking.",
    "F": "F allows CAM too: it is A with a softmax, which does not change which positions raise a class's score (CAM "
         "uses the scores before it).",
}


class CamHeads(Question):
    checks = {"cam_heads": Choices(CAM_HEADS, ABOUT, items="letters", where="one of the heads")}
    hints = (
        ("CAM needs the class score to be a weighted sum of the channels' AVERAGES: pooling by the mean, then one "
         "linear layer. Anything that only rescales or passes values through (Dropout at test time, Reshape, a "
         "softmax) can sit around it."),
        ("Flatten keeps every position separately; a hidden layer with a ReLU breaks linearity; the max of a map is "
         "not its mean. A 1x1 convolution on a 1x1x(channels) map is a Dense layer."),
    )
    answer = """
        cam_heads = {"A", "E", "F"}
    """
    praise = "A, E and F: global AVERAGE pooling straight into one linear layer (Dropout, Reshape and a softmax " \
             "change nothing about where the evidence is). For B, C and D use Grad-CAM."


MOBILENET_MAPS = {  # layer: (height, width, channels) of its output for a 224x224 input
    "conv_pw_1_relu": (112, 112, 16),
    "conv_pw_3_relu": (56, 56, 32),
    "conv_pw_5_relu": (28, 28, 64),
    "conv_pw_11_relu": (14, 14, 128),
    "conv_pw_13_relu": (7, 7, 256),
}
PIXELS = {name: 224 // h for name, (h, _, _) in MOBILENET_MAPS.items()}  # spacing of neighbouring cells
_FIELD = {"conv_pw_1_relu": 7, "conv_pw_3_relu": 19, "conv_pw_5_relu": 43, "conv_pw_11_relu": 219,
          "conv_pw_13_relu": 315}  # the input window one cell sees (receptive field); tests check it on the model


class LayerForGoal(Question):
    variables = ("pixels_per_cell", "layer_for_20px")
    hints = (
        ("Each stride-2 layer doubles the distance between neighbouring cells. A map of h x h cells on a 224 x 224 "
         "input has its cells 224 / h pixels apart in each direction."),
        ("conv_pw_13_relu: 224 / 7 = 32 pixels between cells, too coarse a grid to give a 20-pixel object a cell of "
         "its own; deeper layers are more class-specific. So take the deepest layer whose cells are no further "
         "apart than the object is wide."),
        ("A 32-pixel grid is too coarse for a 20-pixel object; a 16-pixel grid fits, and conv_pw_11_relu is the "
         "deepest layer with cells 16 pixels apart."),
    )
    answer = """
        pixels_per_cell = {name: 224 // h for name, (h, w, c) in MOBILENET_MAPS.items()}
        layer_for_20px = "conv_pw_11_relu"
    """
    praise = "cells 8, 16 and 32 pixels apart for the three layers of the lesson; conv_pw_11_relu is the deepest " \
             "layer whose grid is fine enough for a 20-pixel object. That makes it the layer to try first, not a " \
             "promise: each of its cells sees a window of about 219 pixels, and in lesson 06 (section 7) its maps " \
             "did not yet tell the malamute from the bicycle. Check its map before you trust it."

    def verify(self, pixels_per_cell, layer_for_20px):
        if not isinstance(pixels_per_cell, dict):
            raise Incorrect(f"`pixels_per_cell` should be a dict {{layer name: pixels}}; got a "
                            f"{type(pixels_per_cell).__name__}.")
        missing = [name for name in MOBILENET_MAPS if name not in pixels_per_cell]
        if missing:
            raise Incorrect(f"`pixels_per_cell` has no entry for {', '.join(missing)}; give one for every layer of "
                            "MOBILENET_MAPS.")
        for name, want in PIXELS.items():
            value = pixels_per_cell[name]
            if is_placeholder(value):
                raise NotAttempted(f"pixels_per_cell[{name!r}] is still ____.")
            got = float(as_array(value, f"pixels_per_cell[{name!r}]", shape=()))
            h = MOBILENET_MAPS[name][0]
            if np.isclose(got, h):
                raise Incorrect(f"{got:g} is the height of {name}'s map in cells; how many input pixels apart are "
                                f"two neighbouring cells? (224 / {h})")
            if np.isclose(got, h * h) or np.isclose(got, (224 / h) ** 2):
                raise Incorrect(f"give the distance between neighbouring cells in pixels along one direction, not an "
                                f"area: for {name} that is 224 / {h}.")
            if np.isclose(got, h / 224):
                raise Incorrect(f"upside down: neighbouring cells of {name} are 224 / {h} pixels apart, not "
                                f"{h} / 224.")
            if np.isclose(got, _FIELD[name]) and not np.isclose(want, _FIELD[name]):
                raise Incorrect(f"{got:g} pixels is the window one cell of {name} sees (its receptive field), not "
                                f"the distance between neighbouring cells: that is 224 / {h}.")
            if not np.isclose(got, want):
                raise Incorrect(f"pixels_per_cell[{name!r}] should be {want} (224 / {h}); yours is {got:g}.")
        if not isinstance(layer_for_20px, str):
            raise Incorrect(f"`layer_for_20px` should be a layer name (a string); got a "
                            f"{type(layer_for_20px).__name__}.")
        if layer_for_20px not in MOBILENET_MAPS:
            raise Incorrect(f"{layer_for_20px!r} is not one of {', '.join(MOBILENET_MAPS)}.")
        if PIXELS[layer_for_20px] > 20:
            raise Incorrect(f"{layer_for_20px}'s cells are {PIXELS[layer_for_20px]} pixels apart, larger than the "
                            "20-pixel object: its grid cannot give the object a cell of its own, so the map smears "
                            "it together with its surroundings.")
        if layer_for_20px != "conv_pw_11_relu":
            raise Incorrect(f"{layer_for_20px}'s grid ({PIXELS[layer_for_20px]} pixels between cells) is fine enough "
                            "for the object, but a deeper layer's grid is fine enough too, and deeper features are "
                            "more about the class. Take the deepest layer whose grid fits.")


q1 = ClassActivationMap("q1")
q2 = GradCamWeights("q2")
q3 = CamHeads("q3")
q4 = LayerForGoal("q4")
