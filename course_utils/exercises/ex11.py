"""Lesson 11 exercises: a Gram matrix by hand, the strength of a style as a blend of style vectors, the layers that
carry style, each network's value range and input size, and what the texture-bias measurement supports."""
import numpy as np

from .core import Array, Choices, Incorrect, Mistake, Question, ____

__all__ = ["FEATURES", "LAYERS", "MAP_CORRELATION", "MODELS", "ON_ANIMAL", "OWN", "PAINTING", "PETS", "SPECIES_KEPT",
           "STATEMENTS", "TOP_CLASS_KEPT", "____", "q1", "q2", "q3", "q4", "q5"]

# q1: a feature map of H = 2 rows, W = 3 columns and C = 2 channels; its Gram matrix is [[2, 1], [1, 3]]
FEATURES = np.array([[[3, 1], [1, 0], [1, 3]],
                     [[1, 0], [0, 2], [0, 2]]])
_FLAT = FEATURES.reshape(-1, 2)                  # (6, 2): one row per position
_POSITIONS = len(_FLAT)
_SUMS = _FLAT.T @ _FLAT
_GRAM = _SUMS / _POSITIONS
_ROWS_AS_CHANNELS = FEATURES.reshape(2, -1)      # (2, 6) without moving the channel axis: a row of the image each


def _wrong_entry(c):
    row, column = np.argwhere(~np.isclose(c.got, c.want, rtol=0, atol=1e-3))[0]
    return f"entry [{row}, {column}] is wrong: it should be the mean over the {_POSITIONS} positions of channel " \
           f"{row}'s value times channel {column}'s value at the same position."


_Q1 = {
    "gram": Array(_GRAM, mistakes=(
        Mistake(like=_SUMS, say=f"you summed over the {_POSITIONS} positions; the lesson's Gram matrix is their MEAN, "
                                "so that maps of any size compare: divide by H x W = 6."),
        Mistake(like=_SUMS / 2, say="you divided by C = 2, the number of channels; divide by the number of positions, "
                                    "H x W = 2 x 3 = 6."),
        Mistake(like=_SUMS / 12, say="you divided by H x W x C = 12. Some papers do; the lesson's Gram matrix (and "
                                     "gram_matrix) is the mean over the H x W = 6 positions only."),
        Mistake(like=np.cov(_FLAT.T, bias=True),
                say="you subtracted each channel's mean first: that is a covariance matrix. The Gram matrix "
                    "multiplies the raw activations, which are never negative after a ReLU."),
        Mistake(like=_ROWS_AS_CHANNELS @ _ROWS_AS_CHANNELS.T / _POSITIONS,
                say="FEATURES.reshape(2, -1) cuts the map into its two ROWS, not its two channels: Keras keeps the "
                    "channels on the LAST axis. Use FEATURES.reshape(-1, 2), one row per position, or FEATURES[..., c] "
                    "for channel c."),
        Mistake(when=lambda c: c.got.shape == (_POSITIONS, _POSITIONS),
                say="your matrix is 6 x 6, positions x positions: that is F F^T. The Gram matrix is channels x "
                    "channels, F^T F / (H W), with F the (6, 2) matrix of one row per position."),
    ), otherwise=_wrong_entry, tolerance=1e-3),
    "gram_shape": Array((32, 32), mistakes=(
        Mistake(like=(56, 56), say="(56, 56) is the size of each map, H x W. The Gram matrix pairs CHANNELS, and in "
                                   "(56, 56, 32) the channels are the last number (Keras puts them last)."),
        Mistake(like=(56 * 56, 56 * 56), say="that is positions x positions, F F^T; the Gram matrix is channels x "
                                             "channels."),
        Mistake(like=(56, 56, 32), say="that is the shape of the map itself; its Gram matrix has one row and one "
                                       "column per channel."),
        Mistake(like=(2, 2), say="(2, 2) is the shape for FEATURES, which has 2 channels; the MobileNet map has 32."),
        Mistake(when=lambda c: c.got.shape != (2,), say="give `gram_shape` as a pair (rows, columns), like (10, 10)."),
    ), otherwise="{value!r} is not the shape of the Gram matrix of a (56, 56, 32) map. It has one row and one column "
                 "per channel."),
}


class GramByHand(Question):
    checks = _Q1
    hints = (
        ("Read FEATURES as 6 positions (2 rows x 3 columns), each with 2 channel values: (3, 1), (1, 0), (1, 3) in "
         "the first row, (1, 0), (0, 2), (0, 2) in the second. G[c, d] is the mean over the 6 positions of (channel c) "
         "x (channel d). A Gram matrix has one row and one column per channel; in an (H, W, C) map, C comes last."),
        ("In NumPy, flat = FEATURES.reshape(-1, 2) has one row per position and one column per channel; flat.T @ flat "
         "sums the products of each pair of channels over the positions. Then make the sums means."),
        ("G[0, 0] = (3² + 1² + 1² + 1² + 0² + 0²) / 6 = 2 and G[0, 1] = (3·1 + 1·0 + 1·3 + 1·0 + 0·2 + 0·2) / 6 = 1. "
         "For the (56, 56, 32) map: (C, C) with C = 32."),
    )
    answer = """
        flat = FEATURES.reshape(-1, FEATURES.shape[-1])  # (6, 2): one row per position, one column per channel
        gram = flat.T @ flat / len(flat)                  # [[2, 1], [1, 3]]: channels x channels
        gram_shape = (32, 32)                             # C x C for a (56, 56, 32) map
    """
    praise = "G = [[2, 1], [1, 3]]: each channel's mean square on the diagonal, and off it how much the two " \
             "channels fire together. A (56, 56, 32) map has a 32 x 32 Gram matrix, and so does a map of any other " \
             "size from that layer: 1,024 numbers (528 distinct, as it is symmetric) that keep which features occur " \
             "together and forget where."


# q2: The Starry Night's style vector and the farm photo's own, from style_vector (rounded to 2 decimals)
PAINTING = np.array([
    0.14, 0.44, 0.82, 0.20, -1.03, -0.24, 0.26, 0.83, 1.25, 0.04, 0.60, -0.82, 0.56, 0.06, 0.95, 0.06, 0.93, 0.34,
    2.19, 0.89, -0.87, 0.83, 0.54, -0.46, -0.28, 0.60, -0.16, -0.89, 0.48, 0.04, -1.17, 0.74, 0.38, 0.20, -0.54, 0.38,
    0.89, 0.58, 1.11, 1.17, 0.72, -1.01, -0.64, 0.22, -0.24, -0.28, 1.77, 0.66, 0.34, -0.28, 1.17, 1.09, -0.36, -0.40,
    -0.06, 0.40, 0.42, 1.23, -0.18, 0.58, 1.59, 0.93, -1.13, -0.34, -0.28, 0.04, 0.08, -0.04, 0.22, -0.18, -1.23,
    -0.54, -0.22, 1.05, -0.91, 0.08, -1.49, -0.38, -0.30, -1.05, 0.06, 1.09, -0.26, -0.02, 1.15, 0.44, 0.28, 0.66,
    1.07, -0.58, 0.89, -0.26, 1.23, 0.68, -1.05, -0.91, 0.52, -0.14, -0.50, 0.78])
OWN = np.array([
    0.36, 0.04, 0.78, -0.24, -0.56, 0.16, 0.80, 0.80, 0.54, 0.38, 0.54, -0.95, 0.42, -0.34, 1.39, -0.02, 0.80, 0.46,
    1.75, 0.34, -0.89, 0.64, -0.04, -0.42, -0.12, 0.26, -0.38, -0.14, 0.99, 0.12, -0.66, -0.32, 0.58, 0.72, -0.48,
    0.32, 0.99, 0.83, 0.70, 0.42, 0.50, -1.17, -0.72, 0.40, -0.34, -0.02, 2.01, 0.93, 0.10, 0.06, 1.33, 1.07, -0.54,
    -0.42, 0.26, -0.04, 0.74, 1.43, 0.12, 0.99, 2.23, 1.07, -1.11, -0.80, -0.22, 0.18, 0.12, 0.02, -0.04, -0.74, -1.07,
    0.14, -0.52, 0.87, -0.95, -0.42, -1.49, -0.46, -0.89, -1.03, 0.10, 0.62, -0.66, 0.20, 0.89, 0.58, 0.10, 0.89, 1.15,
    -0.99, 0.24, -0.42, 0.70, 0.28, -1.21, -1.39, 0.60, -0.60, -0.38, 0.56])


def _blend(weight):
    return weight * PAINTING + (1 - weight) * OWN


def _weights(vector):
    """The (a, b) for which a x PAINTING + b x OWN is closest to ``vector``, and whether it is exactly that."""
    basis = np.stack([PAINTING, OWN], axis=1)
    weights = np.linalg.lstsq(basis, vector, rcond=None)[0]
    return weights, np.allclose(basis @ weights, vector, atol=1e-3)


def _rescaled(vector, weight):
    """True if ``vector`` is the blend at ``weight`` made longer or shorter (normalised, say)."""
    (a, b), exact = _weights(vector)
    return exact and abs(a + b) > 0.01 and abs(a / (a + b) - weight) < 0.01 and abs(a + b - 1) > 0.01


def _blend_says(c, weight):
    (a, b), exact = _weights(c.got)
    if not exact:
        return f"`{c.name}` is not a blend of PAINTING and OWN; make it from those two vectors only."
    return f"your `{c.name}` is {a:.2f} x PAINTING {'-' if b < 0 else '+'} {abs(b):.2f} x OWN; {weight:.0%} strength " \
           f"is {weight:g} x PAINTING + {1 - weight:g} x OWN."


def _strength(weight, mistakes):
    """The check of the blend at ``weight``: its catalogued ``mistakes``, then those any blend can make."""
    return Array(_blend(weight), mistakes=(
        *mistakes,
        Mistake(when=lambda c: c.got.shape == (), say="`{name}` should be a style vector, 100 numbers like PAINTING, "
                                                      "not a weight: blend PAINTING and OWN."),
        Mistake(like=PAINTING, say=f"that is PAINTING itself, full strength; {weight:.0%} strength blends it with "
                                   "OWN."),
        Mistake(like=OWN, say=f"that is OWN itself, strength 0; {weight:.0%} strength blends it with PAINTING."),
        Mistake(like=100 * _blend(weight), say="the weights of a blend are fractions (0.5 for 50%), not percentages."),
        Mistake(when=lambda c: c.got.shape == PAINTING.shape and _rescaled(c.got, weight),
                say="your vector has the right mix but another length: you rescaled or normalised it. Don't: the "
                    "weights of a blend add up to 1, which keeps the vector's size, and the transfer network reads "
                    "its size too."),
    ), otherwise=lambda c: _blend_says(c, weight), tolerance=1e-3)


_Q2 = {
    "half": _strength(0.5, (
        Mistake(like=PAINTING + OWN, say="you added the two vectors. A blend weights them so that the weights add up "
                                         "to 1: 0.5 x PAINTING + 0.5 x OWN."),
        Mistake(like=0.5 * PAINTING, say="you left out the photo's own style: the other half of the blend is "
                                         "0.5 x OWN."),
    )),
    "quarter": _strength(0.25, (
        Mistake(like=_blend(0.75), say="that is 75% painting: the weight 0.25 goes to PAINTING and 0.75 to OWN, as in "
                                       "blend_styles(PAINTING, OWN, 0.25), whose weight is its first argument's."),
        Mistake(like=_blend(0.5), say="that is the 50% blend, the mean of the two vectors; 25% strength is "
                                      "0.25 x PAINTING + 0.75 x OWN."),
        Mistake(like=0.25 * PAINTING, say="you left out the photo's own style: 0.75 x OWN makes up the rest."),
        Mistake(like=0.25 * PAINTING + OWN, say="the weights of a blend add up to 1: add 0.75 x OWN, not all of OWN."),
    )),
}


class StyleStrength(Question):
    checks = _Q2
    hints = (
        ("blend_styles(style, other, weight) is weight x style + (1 - weight) x other. Strength 0 paints the photo in "
         "its own style (OWN), strength 1 in the painting's (PAINTING)."),
        ("Which vector gets the weight? At 25% strength a quarter of the result comes from PAINTING and three quarters "
         "from OWN; the two weights always add up to 1."),
        "half = 0.5 * PAINTING + 0.5 * OWN; quarter = blend_styles(PAINTING, OWN, 0.25), that is 0.25 * PAINTING + ...",
    )
    answer = """
        half = 0.5 * PAINTING + 0.5 * OWN        # blend_styles(PAINTING, OWN, 0.5)
        quarter = 0.25 * PAINTING + 0.75 * OWN   # blend_styles(PAINTING, OWN, 0.25)
    """
    praise = "a blend is a point on the straight line from OWN (strength 0) to PAINTING (strength 1): `quarter` is a " \
             "quarter of the way along. Any point of that line is a style vector the transfer network can paint " \
             "with, which is why one slider sets the strength."


# q3: MobileNet layers and the distance ratios of their Gram matrices in lesson 11's section 3 (its stored output), on
# the colour images and on greyscale copies
_RATIOS = {"conv_pw_1_relu": 3.81, "conv_pw_2_relu": 4.46, "conv_pw_3_relu": 3.82, "conv_pw_7_relu": 1.49,
           "conv_pw_11_relu": 1.56, "conv_pw_13_relu": 1.40}
_GREY_RATIOS = {"conv_pw_1_relu": 1.15, "conv_pw_2_relu": 1.36, "conv_pw_3_relu": 2.12}
_EARLY = "its channels respond to colours, edges and small textures, what a painter's style is made of"
_DEEP = "there crops of one image differ almost as much as crops of different images, as its channels respond to " \
        "parts of objects"
_ABOUT_LAYERS = {
    "conv_pw_1_relu": f"conv_pw_1_relu carries style: ratio {_RATIOS['conv_pw_1_relu']:.2f}; {_EARLY}.",
    "conv_pw_2_relu": f"conv_pw_2_relu carries style: ratio {_RATIOS['conv_pw_2_relu']:.2f}, the highest; {_EARLY}.",
    "conv_pw_3_relu": f"conv_pw_3_relu carries style: ratio {_RATIOS['conv_pw_3_relu']:.2f}; {_EARLY}.",
    "conv_pw_7_relu": f"conv_pw_7_relu does not: ratio {_RATIOS['conv_pw_7_relu']:.2f}; {_DEEP}.",
    "conv_pw_11_relu": f"conv_pw_11_relu does not: ratio {_RATIOS['conv_pw_11_relu']:.2f}; {_DEEP}.",
    "conv_pw_13_relu": f"conv_pw_13_relu does not: ratio {_RATIOS['conv_pw_13_relu']:.2f}, MobileNet's last feature "
                       f"maps; {_DEEP}.",
    "predictions": "predictions does not: its 1,000 class probabilities have no positions, so no Gram matrix; they "
                   "say what is in the image, not how it is painted.",
}
LAYERS = tuple(_ABOUT_LAYERS)
_STYLE_LAYERS = {"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu"}


class StyleLayers(Question):
    checks = {"style_layers": Choices(_STYLE_LAYERS, _ABOUT_LAYERS, items="layer names", where="one of LAYERS",
                                      missed="you missed one: ")}
    hints = (
        ("A layer carries style when the Gram matrices of crops of ONE image are close and those of DIFFERENT images "
         "far apart: a high ratio in the colour bars of the lesson's section 3."),
        ("Early layers see small patches (colours, edges, fine texture); deep layers see parts of objects. And a "
         "Gram matrix needs positions to average over."),
        "The lesson measured 3.8 to 4.5 for the first three pointwise layers, and 1.4 to 1.6 for the deeper ones.",
    )
    answer = """
        style_layers = {"conv_pw_1_relu", "conv_pw_2_relu", "conv_pw_3_relu"}
    """
    praise = "the first three pointwise layers, where the Gram matrices of crops of one image agree and those of " \
             "different images do not. On the lesson's greyscale copies their ratios fall to " \
             f"{', '.join(f'{r:.2f}' for r in _GREY_RATIOS.values())}: there, much of a style is its colours. The " \
             "lesson's optimisation took its style from these layers and conv_pw_4_relu."


# q4: what each network of lesson 11 takes
MODELS = ("style network", "transfer network", "ImageNet MobileNet")
_UINT8 = "(0, 255) is how the photos arrive, as uint8; no network here takes it. Scale to [0, 1] for Magenta's " \
         "networks (divide by 255), to [-1, 1] for MobileNet (x / 127.5 - 1)."
_PAIR = Mistake(when=lambda c: c.got.shape != (2,), say="give `{name}` as a pair (low, high), like (-5, 5).")
_LOW_FIRST = Mistake(when=lambda c: c.got[0] > c.got[1], say="give `{name}` low first: (low, high).")
_MAGENTA_RANGE = Array((0, 1), mistakes=(
    _PAIR, Mistake(like=(0, 255), say=_UINT8), _LOW_FIRST,
    Mistake(like=(-1, 1), say="(-1, 1) is MobileNet's range; Magenta's networks take floats in [0, 1], as their "
                              "describe() says."),
), otherwise="{value!r} is not the range of Magenta's networks: the lesson's describe() prints it.")
_RANGES = {
    "style network": _MAGENTA_RANGE,
    "transfer network": _MAGENTA_RANGE,
    "ImageNet MobileNet": Array((-1, 1), mistakes=(
        _PAIR, Mistake(like=(0, 255), say=_UINT8), _LOW_FIRST,
        Mistake(like=(0, 1), say="(0, 1) is Magenta's range; the ImageNet MobileNet of lessons 02-07 takes [-1, 1]: "
                                 "x / 127.5 - 1, as the lesson's `crops` and `top_class` scale it."),
    ), otherwise="{value!r} is not MobileNet's range: the lesson's `crops` scales the pixels for it (x / 127.5 - 1)."),
}
_ONE_NUMBER = Mistake(when=lambda c: c.got.shape != (), say="give `{name}` as one number: the inputs are square.")
_DESCRIBED = "the lesson's describe() prints its input shape"
_SIDES = {
    "style network": Array(256, mistakes=(_ONE_NUMBER, Mistake(
        like=384, say="384 is the transfer network's side; the style network reads the painting at 256 x 256."),
    ), otherwise=f"{{got:g}} is not the style network's side: {_DESCRIBED}."),
    "transfer network": Array(384, mistakes=(_ONE_NUMBER, Mistake(
        like=256, say="256 is the style network's side; the transfer network paints at 384 x 384 (its picture comes "
                      "out that size)."),
    ), otherwise=f"{{got:g}} is not the transfer network's side: {_DESCRIBED}."),
    "ImageNet MobileNet": Array(224, mistakes=(_ONE_NUMBER, Mistake(
        when=lambda c: c.got in (128, 160, 192), say="MobileNet comes at sides 128, 160, 192 and 224; the lesson loads "
                                                     "the largest."),
    ), otherwise="{got:g} is not MobileNet's side: it is the number the lesson passes to cu.load_imagenet_model."),
}


def _entries(value, name):
    """The learner's dict ``name`` keyed by MODELS (whatever the case of its keys); say what is missing."""
    if not isinstance(value, dict):
        raise Incorrect(f"`{name}` should be a dict with one entry per model, {{\"style network\": ..., ...}}; got a "
                        f"{type(value).__name__}.")
    models = {model.lower(): model for model in MODELS}
    given = {str(key).strip().lower(): entry for key, entry in value.items()}
    unknown = sorted(set(given) - set(models))
    if unknown:
        raise Incorrect(f"`{name}` has an entry {unknown[0]!r}, which is not one of MODELS: {', '.join(MODELS)}.")
    missing = [model for model in MODELS if model.lower() not in given]
    if missing:
        raise Incorrect(f"`{name}` has no entry for {missing[0]!r}; give one for each of MODELS.")
    return {models[key]: entry for key, entry in given.items()}


class RangesAndSizes(Question):
    variables = ("ranges", "sides")
    hints = (
        ("Lesson 11's section 1 printed both Magenta networks' describe(): each input's shape and value range. "
         "MobileNet is the ImageNet classifier of lessons 02-07, loaded with cu.load_imagenet_model(...)."),
        ("Magenta's two networks take the same range, and different sides: one reads a painting, one paints the photo "
         "(the bigger picture). MobileNet's range is centred on 0."),
        "Ranges: (0, 1), (0, 1) and (-1, 1). Sides: 256 for the painting, 384 for the photo, and MobileNet's 224.",
    )
    answer = """
        ranges = {"style network": (0, 1), "transfer network": (0, 1), "ImageNet MobileNet": (-1, 1)}
        sides = {"style network": 256, "transfer network": 384, "ImageNet MobileNet": 224}
    """
    praise = "one photo, three conversions: / 255 at 256 x 256 for the style network, / 255 at 384 x 384 for the " \
             "transfer network, / 127.5 - 1 at 224 x 224 for MobileNet. The course's loaders refuse floats outside " \
             "a TFLite model's range; a Keras model takes any numbers and quietly answers wrong, so convert at each " \
             "border, once."

    def verify(self, ranges, sides):
        ranges, sides = _entries(ranges, "ranges"), _entries(sides, "sides")
        for model in MODELS:
            _RANGES[model](ranges[model], f'ranges["{model}"]')
        for model in MODELS:
            _SIDES[model](sides[model], f'sides["{model}"]')


# q5: lesson 11's section 5 output (its stored run): of the 18 pets whose species MobileNet named, the share that
# keep their species, and their exact top class, after each change; the share of Grad-CAM's mass on the animal, and
# the median correlation of a pet's two Grad-CAM maps (original and Van Gogh)
PETS = 18
SPECIES_KEPT = {"own style (control)": 0.83, "starry_night": 0.33, "scream": 0.39, "Van Gogh's texture only": 0.72,
                "Van Gogh's colours only": 0.78}
TOP_CLASS_KEPT = {"own style (control)": 0.44, "starry_night": 0.06, "scream": 0.00, "Van Gogh's texture only": 0.22,
                  "Van Gogh's colours only": 0.56}
ON_ANIMAL = {"original": 0.60, "starry_night": 0.63, "centred blob (lesson 07)": 0.62}
MAP_CORRELATION = 0.84
STATEMENTS = {
    "A": "Repainting a pet in its own style already costs MobileNet some of its answers.",
    "B": "After stylisation, MobileNet no longer looks at the animal.",
    "C": "The fall from the control to the paintings (83% to 33% and 39% of the species kept) comes from the "
         "paintings' style, their colours and textures, not from the painting network's own damage.",
    "D": "MobileNet recognises cats and dogs mostly by their shape.",
    "E": "These numbers show that ImageNet CNNs in general are biased towards texture.",
    "F": "The Starry Night hides a pet's species better than The Scream does.",
    "G": "Van Gogh's texture alone, on the photo's own colours, does most of the damage of his full style.",
}
_ABOUT_STATEMENTS = {
    "A": "A is supported: in the control only 83% keep their species and 44% their exact class, although no "
         "painting's texture was added: the painting network costs answers by itself.",
    "B": "B is not supported: a pet's two Grad-CAM maps stay alike (median correlation 0.84), so where MobileNet finds "
         "its evidence hardly moved; what it reads there changed. (The share on the animal, 60% and 63%, could not "
         "tell either way: a centred blob scores 62%.)",
    "C": "C is supported: the control and the paintings go through the same network and keep the same shapes; only "
         "the style vector differs, so the control's 83% is the baseline the paintings' 33% and 39% fall from.",
    "D": "D is not supported: stylisation keeps the shapes (a person still sees the animal), yet MobileNet loses the "
         "species of most pets. Had it gone by shape, the species would have survived.",
    "E": "E is not supported by these numbers: 18 photos and one small network are a sketch, and a drop in accuracy "
         "cannot by itself tell 'relies on texture' from 'confused by an unusual image'. Geirhos et al. (2019) used "
         "cue-conflict images on several networks; this agrees with them but could not show it alone.",
    "F": f"F is not supported: 33% and 39% of {PETS} pets are 6 and 7 pets, one photo apart, and the exact class "
         "points the other way (6% and 0%). So few photos cannot tell the two paintings apart.",
    "G": "G is not supported: with Van Gogh's texture alone 72% keep their species, with his colours alone 78%, and "
         "only with both together 33%. Neither does most of the damage by itself.",
}


class TextureBias(Question):
    checks = {"supported": Choices({"A", "C"}, _ABOUT_STATEMENTS, items="letters", where="one of the statements",
                                   missed="these numbers support more: ")}
    hints = (
        ("For each statement, ask which number would show it. The control measures what the painting network does by "
         "itself; Grad-CAM's maps say where MobileNet finds its evidence, not what it sees there."),
        (f"Count photos: with {PETS} pets, one photo is 5.6 percentage points. A claim about all CNNs needs more than "
         "one network."),
        "Two statements are supported: one about the control alone, one about the control next to the paintings.",
    )
    answer = """
        supported = {"A", "C"}
    """
    praise = "A and C. The control turns 'the paintings cost 61 to 67 points of species' into 'the painting network " \
             "costs 17 and the paintings' style 44 to 50 more'. Each number answers one question, and needs its " \
             "baseline: the control for the species kept, a centred blob (62%) for Grad-CAM's share on the animal. " \
             "None of them answers 'all CNNs'."


q1 = GramByHand("q1")
q2 = StyleStrength("q2")
q3 = StyleLayers("q3")
q4 = RangesAndSizes("q4")
q5 = TextureBias("q5")
