"""Lesson 08 exercises: IoU and Dice of one class by hand, the shapes inside a U-Net decoder block, a decoder
block written in Keras, the interpolation that keeps label maps valid, and what pixel accuracy and mean IoU say
about a model that predicts background everywhere."""
import enum
import re

import numpy as np

from .core import Choices, Incorrect, Mistake, Question, Result, Value, ____, as_array, call_learner

__all__ = ["FILTERS", "INTERPOLATIONS", "MASK_PRED", "MASK_TRUE", "SKIP_SHAPE", "X_SHAPE", "____",
           "q1", "q2", "q3", "q4", "q5"]

# q1: two 6x6 masks of one class: 10 true pixels, 9 predicted, 6 in both, 13 in either
MASK_TRUE = np.array([
    [0, 0, 0, 0, 0, 0],
    [0, 1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
], np.uint8)
MASK_PRED = np.array([
    [0, 0, 0, 0, 0, 0],
    [0, 0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
], np.uint8)


def _counts(true, pred):
    """|T|, |P|, |T and P|, |T or P| and the number of pixels, for two 0/1 masks."""
    t, p = np.asarray(true, bool), np.asarray(pred, bool)
    return int(t.sum()), int(p.sum()), int((t & p).sum()), int((t | p).sum()), t.size


_T, _P, _BOTH, _EITHER, _PIXELS = _counts(MASK_TRUE, MASK_PRED)
_IOU, _DICE = _BOTH / _EITHER, 2 * _BOTH / (_T + _P)
_ACCURACY = (MASK_TRUE == MASK_PRED).mean()
_BG_T, _BG_P, _BG_BOTH, _BG_EITHER, _ = _counts(1 - MASK_TRUE, 1 - MASK_PRED)
_COUNTS = f"|T| = {_T}, |P| = {_P}, |T ∩ P| = {_BOTH}, |T ∪ P| = {_EITHER}"


def _q1_mistakes(name):
    """The catalogue shared by `iou` and `dice`: wrong formulas, each recognised by its value."""
    other = "dice" if name == "iou" else "iou"
    return (
        Mistake(like=_ACCURACY, say=f"{_ACCURACY:.3f} is the pixel accuracy: it counts the {_PIXELS - _EITHER} "
                                    "pixels that both masks call background as right answers. IoU and Dice look only "
                                    "at the class's own pixels: those in T, in P, or in both."),
        Mistake(like=_BOTH / _T, say=f"{_BOTH / _T:.3f} is |T ∩ P| / |T|, the share of the true pixels that were "
                                     "found (recall). It ignores the predicted pixels that are wrong."),
        Mistake(like=_BOTH / _P, say=f"{_BOTH / _P:.3f} is |T ∩ P| / |P|, the share of the predicted pixels that are "
                                     "right (precision). It ignores the true pixels that were missed."),
        Mistake(like=_BG_BOTH / _BG_EITHER, say="that is the IoU of the background (the 0s); score the class, the 1s."),
        Mistake(like=2 * _BG_BOTH / (_BG_T + _BG_P), say="that is the Dice of the background (the 0s); score the "
                                                         "class, the 1s."),
        Mistake(like=_BOTH / _PIXELS, say=f"you divided by all {_PIXELS} pixels; the background that neither mask "
                                          "marks does not count."),
        Mistake(when=lambda c: np.isclose(c.got, 100 * (_IOU if name == "iou" else _DICE), atol=0.5),
                say=f"give `{name}` as a fraction between 0 and 1, not a percentage."),
        Mistake(when=lambda c: float(c.got) in (_T, _P, _BOTH, _EITHER, _T + _P, 2 * _BOTH),
                say="{got:g} is a count of pixels; `" + name + "` is a ratio of two counts, between 0 and 1."),
        Mistake(like=_DICE if name == "iou" else _IOU,
                say=f"that is the {'Dice score' if name == 'iou' else 'IoU'}, the value of `{other}`. "
                    + ("IoU = |T ∩ P| / |T ∪ P|." if name == "iou" else "Dice = 2 |T ∩ P| / (|T| + |P|).")),
    )


_Q1 = {
    "iou": Value(_IOU, _q1_mistakes("iou") + (
        Mistake(like=_BOTH / (_T + _P),
                say=f"you divided by |T| + |P| = {_T + _P}, which counts the {_BOTH} pixels in both masks twice. "
                    f"The union |T ∪ P| counts them once: {_T} + {_P} - {_BOTH} = {_EITHER}."),
    ), otherwise="{got:.3f} is not the IoU. Count the pixels: IoU = |T ∩ P| / |T ∪ P|.", tolerance=0.005),
    "dice": Value(_DICE, _q1_mistakes("dice") + (
        Mistake(like=_BOTH / (_T + _P), say=f"{_BOTH / (_T + _P):.3f} is |T ∩ P| / (|T| + |P|): Dice doubles "
                                            "the intersection, 2 |T ∩ P| / (|T| + |P|), so that two equal masks "
                                            "score 1."),
        Mistake(like=2 * _BOTH / _EITHER, say="Dice divides twice the intersection by |T| + |P|, not by the union."),
    ), otherwise="{got:.3f} is not the Dice score. Dice = 2 |T ∩ P| / (|T| + |P|).", tolerance=0.005),
}


class IouAndDice(Question):
    checks = _Q1
    hints = (
        ("Count four numbers in the printed masks: |T| (1s in MASK_TRUE), |P| (1s in MASK_PRED), |T ∩ P| (1 in "
         "both) and |T ∪ P| (1 in either). The 0s that both masks share play no part."),
        ("IoU = |T ∩ P| / |T ∪ P| and Dice = 2 |T ∩ P| / (|T| + |P|). The union is |T| + |P| - |T ∩ P|: the "
         "pixels in both must not be counted twice."),
        (f"{_COUNTS}. So IoU = {_BOTH}/{_EITHER} and Dice = {2 * _BOTH}/{_T + _P}."),
    )
    answer = f"""
        # {_COUNTS}
        iou = {_BOTH} / {_EITHER}
        dice = 2 * {_BOTH} / ({_T} + {_P})
        # or with NumPy: t, p = MASK_TRUE == 1, MASK_PRED == 1
        # iou = (t & p).sum() / (t | p).sum();  dice = 2 * (t & p).sum() / (t.sum() + p.sum())
    """
    praise = f"IoU {_BOTH}/{_EITHER} = {_IOU:.3f} and Dice {2 * _BOTH}/{_T + _P} = {_DICE:.3f}. Dice is always the " \
             "larger of the two for a partial overlap (Dice = 2 IoU / (1 + IoU)), and both ignore the background, " \
             f"which pixel accuracy ({_ACCURACY:.3f} here) counts."

    def verify(self, iou, dice):
        got_iou = float(as_array(iou, "iou", shape=()))
        got_dice = float(as_array(dice, "dice", shape=()))
        if np.isclose(got_iou, _DICE, atol=0.005) and np.isclose(got_dice, _IOU, atol=0.005):
            raise Incorrect("`iou` and `dice` are swapped: IoU divides by the union, Dice doubles the intersection "
                            "and divides by |T| + |P|, which makes Dice the larger one.")
        super().verify(iou=iou, dice=dice)


# q2: the shapes inside a decoder block
X_SHAPE, SKIP_SHAPE, FILTERS = (None, 8, 8, 64), (None, 16, 16, 24), 32
_UP = (16, 16, FILTERS)
_JOINED = (16, 16, FILTERS + SKIP_SHAPE[-1])
_OUT = (16, 16, FILTERS)


def _as_shape(value, name):
    """A learner's shape as a tuple of 3 ints (a leading None, the batch axis as Keras prints it, is dropped)."""
    if hasattr(value, "as_list"):  # a tf.TensorShape
        value = value.as_list()
    if not isinstance(value, (tuple, list)):
        raise Incorrect(f"`{name}` should be a tuple (height, width, channels), like (4, 4, 8); got a "
                        f"{type(value).__name__}.")
    items = list(value)
    if len(items) == 4 and items[0] is None:
        items = items[1:]
    elif len(items) == 4:
        raise Incorrect(f"`{name}` has four numbers: leave out the batch axis and give (height, width, channels) "
                        "(or write the batch axis as None, as Keras prints it).")
    if len(items) != 3:
        raise Incorrect(f"`{name}` should hold three numbers, (height, width, channels); yours holds {len(items)}.")
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        raise Incorrect(f"`{name}` should hold three whole numbers (height, width, channels); got {value!r}.")
    return tuple(int(v) for v in items)


_NO_UP = "the height and width are still x's 8x8: the transposed convolution with strides=2 doubles them, to 16x16."
_Q2 = {
    "up_shape": (_UP, {
        (8, 8, FILTERS): _NO_UP,
        (8, 8, 64): "that is x itself, (8, 8, 64). Conv2DTranspose(32, 2, strides=2) doubles the height and width "
                    "and gives 32 channels, one per filter.",
        (16, 16, 64): "Conv2DTranspose(filters, ...) outputs one channel per filter, 32, whatever x had; 64 was x's "
                      "channel count.",
        (4, 4, FILTERS): "a transposed convolution with strides=2 doubles the height and width; it is pooling that "
                         "halves them.",
        (32, 32, FILTERS): "the height and width double once, from 8 to 16, not twice.",
    }),
    "joined_shape": (_JOINED, {
        (16, 16, 64 + SKIP_SHAPE[-1]): "you kept x's 64 channels, but the concatenation joins the UPSAMPLED maps, "
                                       "which have 32 channels (one per filter of Conv2DTranspose): 32 + 24.",
        (16, 16, FILTERS): "concatenating keeps the channels of both inputs side by side: their numbers add up, "
                           "32 + 24 (it is addition that keeps one set of channels).",
        (16, 16, SKIP_SHAPE[-1]): "concatenating keeps the channels of both inputs side by side: 32 upsampled + 24 "
                                  "from the skip.",
        (16, 16, FILTERS * SKIP_SHAPE[-1]): "the channels add up, they do not multiply: 32 + 24.",
        (32, 16, FILTERS): "Concatenate joins along the last axis, the channels (axis=-1); the height and width stay "
                           "16x16.",
        (8, 8, FILTERS + SKIP_SHAPE[-1]): "the concatenation comes after the upsampling: both inputs are 16x16 then "
                                          "(concatenating 8x8 maps with 16x16 ones would raise an error).",
        (8, 8, 64 + SKIP_SHAPE[-1]): "x must be upsampled to 16x16 before it can be concatenated with the 16x16 "
                                     "skip (and the upsampling gives it 32 channels).",
    }),
    "out_shape": (_OUT, {
        _JOINED: "that is the concatenation's shape; the conv block after it has `filters` = 32 filters, so the "
                 "block gives 32 channels.",
        (16, 16, SKIP_SHAPE[-1]): "24 is the skip's channel count; the conv block at the end has 32 filters.",
        (16, 16, 64): "64 is x's channel count; the conv block at the end has `filters` = 32 filters.",
        (8, 8, FILTERS): _NO_UP,
        (32, 32, FILTERS): "the conv block's 3x3 convolutions use padding=\"same\": they keep the height and width "
                           "(16x16); only the transposed convolution doubles them.",
        (12, 12, FILTERS): "with padding=\"same\" the 3x3 convolutions keep 16x16 (it is padding=\"valid\" that "
                           "loses a pixel on each side).",
        (14, 14, FILTERS): "with padding=\"same\" the 3x3 convolutions keep 16x16 (it is padding=\"valid\" that "
                           "loses a pixel on each side).",
    }),
}


class DecoderShapes(Question):
    variables = ("up_shape", "joined_shape", "out_shape")
    hints = (
        ("Follow x through the three steps. Conv2DTranspose(filters, 2, strides=2) doubles the height and width and "
         "gives `filters` channels; Concatenate stacks the channels of its inputs; the conv block keeps the height "
         "and width (padding=\"same\") and gives `filters` channels."),
        ("The upsampled maps: 16x16 with 32 channels. The skip: 16x16 with 24 channels. Joined side by side: how "
         "many channels?"),
        f"up_shape = {_UP}, joined_shape = {_JOINED}: 32 + 24 channels. What does conv_block(joined, 32) give?",
    )
    answer = f"""
        up_shape = {_UP}       # doubled height and width, one channel per filter
        joined_shape = {_JOINED}   # the channels add up: 32 + 24
        out_shape = {_OUT}      # conv_block(joined, 32): same size, 32 channels
    """
    praise = "upsample to the skip's size, stack the channels (32 + 24 = 56), and let the conv block mix them " \
             "down to `filters` = 32. Each decoder block doubles the size and, in a U-Net, halves the channels " \
             "on the way back up."

    def verify(self, up_shape, joined_shape, out_shape):
        for name, value in (("up_shape", up_shape), ("joined_shape", joined_shape), ("out_shape", out_shape)):
            got = _as_shape(value, name)
            want, mistakes = _Q2[name]
            if got == want:
                continue
            if got in mistakes:
                raise Incorrect(f"`{name}` = {got}: {mistakes[got]}")
            if got[1:] + got[:1] in {want, *mistakes}:
                raise Incorrect(f"`{name}` = {got} puts the channels first; channels come last in Keras: "
                                "(height, width, channels).")
            if got[:2] != want[:2]:
                raise Incorrect(f"`{name}`: the height and width should be {want[:2]}, yours are {got[:2]}.")
            raise Incorrect(f"`{name}`: the height and width are right, but the channels should be {want[2]}, "
                            f"not {got[2]}.")


# q3: a decoder block in Keras
def _conv_block(x, filters):
    """The lesson's conv block (the notebook defines the same one above q3)."""
    from keras import layers

    for _ in range(2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
    return x


_UPSAMPLERS = {"Conv2DTranspose", "UpSampling2D", "Resizing", "Resize"}
_IGNORES = {  # q3: a block whose output does not depend on one of its inputs
    "skip": "your block's output does not depend on `skip`: without the skip connection the decoder must guess the "
            "fine detail from the small maps alone. Join the skip with layers.Concatenate()([x, skip]) after "
            "upsampling x.",
    "x": "your block's output does not depend on `x`, the decoder's maps from below: upsample x and concatenate it "
         "with the skip.",
}
_CONCATENATE = "U-Net concatenates: layers.Concatenate()([x, skip]) keeps the encoder's channels next to the " \
               "decoder's, so the convolutions after it can weigh each set on its own, and the two may have any " \
               "number of channels."


def _explain_build_error(err, x_shape, skip_shape):
    """A clearer message for the errors a decoder block typically raises while it is built."""
    text = str(err.__cause__ or err)
    received = re.search(r"Received: input_shape=(\[.*?\])", text)
    if "Concatenate` layer requires inputs with matching shapes" in text:
        shapes = f" (it received {received.group(1)})" if received else ""
        return (f"your Concatenate got maps of different sizes{shapes}. Everything but the channels must match: "
                f"upsample x ({x_shape[0]}x{x_shape[1]}) to the skip's {skip_shape[0]}x{skip_shape[1]} first, with "
                "layers.Conv2DTranspose(filters, 2, strides=2, padding=\"same\").")
    if "incompatible shapes" in text or "Cannot broadcast" in text:
        return ("adding x and the skip failed: addition needs the same height, width AND number of channels. "
                + _CONCATENATE)
    if "KerasTensor cannot be used as input to a TensorFlow function" in text:
        return ("x and skip are symbolic Keras tensors: build the block from Keras layers (layers.Conv2DTranspose, "
                "layers.Concatenate), not from tf functions such as tf.concat.")
    if "name 'conv_block' is not defined" in text:
        return "conv_block is not defined: run the cell above q3 that defines it, then run your cell again."
    return str(err)


def _relus(operations):
    """How many ReLUs the block applies: ReLU layers, Activation("relu") and convolutions with activation="relu"."""
    count = 0
    for op in operations:
        name = type(op).__name__
        activation = getattr(getattr(op, "activation", None), "__name__", "")
        count += name in ("ReLU", "Relu") or (name != "Conv2DTranspose" and activation == "relu")
    return count


class DecoderBlock(Question):
    checks = {}
    variables = ("decoder_block",)
    hints = (
        ("Three steps, in order: make x as large as the skip, join the two along the channels, then convolve. "
         "Everything but the channels must match before joining."),
        ("layers.Conv2DTranspose(filters, 2, strides=2, padding=\"same\")(x) doubles the height and width; "
         "layers.Concatenate()([x, skip]) stacks the channels (it takes a list)."),
        "Finish with the conv block defined above: return conv_block(x, filters).",
    )
    answer = """
        def decoder_block(x, skip, filters):
            x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)  # 2x larger, `filters` channels
            x = layers.Concatenate()([x, skip])                                    # the skip connection
            return conv_block(x, filters)                                          # two 3x3 conv + BN + ReLU
    """
    praise = "a transposed convolution doubles the size, Concatenate brings back the encoder's maps of that size, " \
             "and the conv block mixes the two."

    def setup(self):
        return {"conv_block": _conv_block}

    def evaluate(self, namespace):
        self._note = ""
        result = super().evaluate(namespace)
        if result.status == "correct" and self._note:  # the note replaces the praise, which is about Conv2DTranspose
            return Result("correct", self._note)
        return result

    def _build(self, decoder_block, x_shape, skip_shape, filters):
        """Call the learner's block on keras.Input tensors; return (inputs, output, model)."""
        import keras

        x_in, skip_in = keras.Input(x_shape, name="x"), keras.Input(skip_shape, name="skip")
        try:
            out = call_learner(decoder_block, x_in, skip_in, filters)
        except Incorrect as err:
            raise Incorrect(_explain_build_error(err, x_shape, skip_shape)) from err
        if isinstance(out, (tuple, list)):
            raise Incorrect(f"return one tensor, the block's output; yours returns a {type(out).__name__} of "
                            f"{len(out)}.")
        if not isinstance(out, keras.KerasTensor):
            raise Incorrect(f"decoder_block should return the Keras tensor its last layer outputs; got a "
                            f"{type(out).__name__}.")
        try:
            model = keras.Model([x_in, skip_in], out)
        except Exception as err:
            for ignored, used in (("skip", x_in), ("x", skip_in)):  # Keras < 3.15 refuses an unused input here
                try:
                    keras.Model(used, out)
                except Exception:
                    continue
                raise Incorrect(_IGNORES[ignored]) from err
            raise Incorrect("your output is not computed from the x and skip given to the function (build it from "
                            f"them, not from a new keras.Input): {type(err).__name__}: {err}") from err
        return (x_in, skip_in), out, model

    @staticmethod
    def _outputs(model, x, skip):
        return np.asarray(model([x.astype("float32"), skip.astype("float32")], training=False))

    def verify(self, decoder_block):
        # case 1: the skip has `filters` channels, so that a block that ADDS the skip builds and can be recognised
        x_shape, skip_shape, filters = (4, 4, 7), (8, 8, 3), 3
        _, out, model = self._build(decoder_block, x_shape, skip_shape, filters)
        ops = [op for op in model.operations if type(op).__name__ != "InputLayer"]
        names = [type(op).__name__ for op in ops]
        rng = np.random.default_rng(8)
        x, skip = rng.normal(size=(2,) + x_shape), rng.normal(size=(2,) + skip_shape)
        try:
            y = self._outputs(model, x, skip)
            uses_skip = not np.allclose(y, self._outputs(model, x, skip + rng.normal(size=skip.shape)))
            uses_x = not np.allclose(y, self._outputs(model, x + rng.normal(size=x.shape), skip))
        except Exception as err:
            raise Incorrect(f"running your block on numbers raised {type(err).__name__}: {err}") from err
        if "Add" in names and "Concatenate" not in names:
            raise Incorrect("you add the skip to the upsampled maps. Adding is how ResNets and feature pyramids "
                            "merge maps, but it forces both to have the same channels and mixes them before any "
                            "layer can tell them apart. " + _CONCATENATE)
        if not uses_skip:
            raise Incorrect(_IGNORES["skip"])
        if not uses_x:
            raise Incorrect(_IGNORES["x"])
        if "Concatenate" not in names:
            raise Incorrect(f"your block combines x and skip without a Concatenate ({', '.join(names)}). "
                            + _CONCATENATE)
        for op in ops:
            if type(op).__name__ == "Concatenate" and getattr(op, "axis", -1) not in (-1, 3):
                raise Incorrect(f"you concatenate along axis {op.axis}; join along the channels, the last axis "
                                "(axis=-1, Concatenate's default).")
        if tuple(out.shape[1:3]) != skip_shape[:2]:
            size = f"{out.shape[1]}x{out.shape[2]}"
            if out.shape[1] is not None and out.shape[1] < skip_shape[0] and _UPSAMPLERS & set(names):
                raise Incorrect(f"your block outputs {size} maps for a skip of {skip_shape[0]}x{skip_shape[1]}: its "
                                "convolutions shrink the maps. Use padding=\"same\" (conv_block above does).")
            if out.shape[1] is not None and out.shape[1] < skip_shape[0]:
                raise Incorrect(f"your block outputs {size} maps, x's size; it should output the skip's size, "
                                f"{skip_shape[0]}x{skip_shape[1]}: upsample x by 2 (don't shrink the skip).")
            raise Incorrect(f"for x of {x_shape[0]}x{x_shape[1]} and a skip of {skip_shape[0]}x{skip_shape[1]}, "
                            f"the block should output {skip_shape[0]}x{skip_shape[1]} maps (upsample once, by 2); "
                            f"yours are {size}.")
        threes = [op for op in ops if type(op).__name__ == "Conv2D" and tuple(op.kernel_size) == (3, 3)]
        if not threes:
            raise Incorrect("after concatenating, the block needs its two 3x3 convolutions, which mix the upsampled "
                            "channels with the skip's: return conv_block(x, filters).")
        if len(threes) == 1:
            raise Incorrect("your block has one 3x3 convolution; the lesson's conv block has two (each followed by "
                            "batch normalisation and a ReLU): return conv_block(x, filters).")
        if len(threes) > 2:
            raise Incorrect(f"your block has {len(threes)} 3x3 convolutions; the lesson's decoder block has one conv "
                            "block (two convolutions) after the concatenation: return conv_block(x, filters) once.")
        joined = self._joined(ops)
        if threes[0].kernel.shape[2] not in joined:
            raise Incorrect("the first 3x3 convolution should read the concatenation (upsampled x and skip "
                            "together); convolve after concatenating, not before.")
        if out.shape[-1] != filters:  # here 2 * filters = 3 + 3, the concatenation's: case 2 tells the two apart
            self._second_case(decoder_block, first=(out.shape[-1], filters))
            raise Incorrect(self._channels_message(out.shape[-1], x_shape, skip_shape, filters, joined))
        if names.count("BatchNormalization") < 2 or _relus(ops) < 2:
            raise Incorrect("your convolutions need what the lesson's conv block gives them: each followed by "
                            "BatchNormalization and a ReLU. Call conv_block(x, filters), defined above.")
        self._second_case(decoder_block)
        if "Conv2DTranspose" not in names:
            layer = next((n for n in names if n in _UPSAMPLERS), "your upsampling")
            self._note = (f"{layer} doubles the size, Concatenate brings back the encoder's maps of that size, and "
                          "the conv block mixes the two. You upsampled without Conv2DTranspose: that works too, and "
                          "avoids checkerboard artefacts; the lesson, like the original U-Net, uses a learned 2x2 "
                          "transposed convolution.")

    def _second_case(self, decoder_block, first=None):
        """Case 2: every channel count different, so a block that uses the wrong one says which. ``first`` is case
        1's (channels, filters) when its channels were wrong: it tells a fixed number from a multiple of filters."""
        x_shape, skip_shape, filters = (4, 4, 6), (8, 8, 5), 4
        _, out, model = self._build(decoder_block, x_shape, skip_shape, filters)
        if tuple(out.shape[1:]) != skip_shape[:2] + (filters,):
            raise Incorrect(self._channels_message(out.shape[-1], x_shape, skip_shape, filters,
                                                   self._joined(model.operations), first)
                            if tuple(out.shape[1:3]) == skip_shape[:2] else
                            f"for x {x_shape}, skip {skip_shape} and filters={filters} your block outputs "
                            f"{tuple(out.shape[1:])}; it should output {skip_shape[:2] + (filters,)}.")
        rng = np.random.default_rng(8)
        self._outputs(model, rng.normal(size=(1,) + x_shape), rng.normal(size=(1,) + skip_shape))

    @staticmethod
    def _joined(ops):
        """The channel counts of the block's concatenations."""
        return [op.output.shape[-1] for op in ops if type(op).__name__ == "Concatenate"]

    @staticmethod
    def _channels_message(channels, x_shape, skip_shape, filters, joined, first=None):
        """What a wrong channel count says; ``first`` is (channels, filters) in another case, if known."""
        setting = f"with x {x_shape}, skip {skip_shape} and filters={filters}, your block outputs {channels} channels"
        if channels in joined:
            return f"{setting}, the concatenation's: the conv block after it should give `filters` channels."
        if channels == skip_shape[-1]:
            return f"{setting}, the skip's channel count; the block should output `filters` = {filters} channels."
        if channels == x_shape[-1]:
            return f"{setting}, x's channel count; the block should output `filters` = {filters} channels."
        if first is not None and first[0] != channels:
            times = channels / filters
            if times == first[0] / first[1] and times == int(times) and times > 1:
                return (f"{setting}, {int(times)} x `filters`: use exactly `filters` filters in the conv block, not "
                        "a multiple of it.")
            return f"{setting}; it should output `filters` = {filters}."
        return f"{setting}; it should output `filters` = {filters}: use the argument, not a fixed number."


# q4: the interpolation for label maps
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "area", "lanczos")
_RESIZE = {
    "nearest": "nearest copies, for every new pixel, the label of the closest old pixel: every value it writes is a "
               "label that was there, and edges stay sharp.",
    "bilinear": "bilinear is for photos, not labels: it blends the two or four nearest pixels, so between the cat "
                "(1) and the outline (255) it writes every value in between, including 2, which reads as 'dog'.",
    "bicubic": "bicubic blends a 4x4 neighbourhood with weights that can be negative: besides in-between values it "
               "can overshoot, so labels appear that lie outside the range of the old ones.",
    "area": "area averages the old pixels that each new pixel covers: good for shrinking photos, but at every edge "
            "of a label map it writes the average of two labels, which is a third label or none at all.",
    "lanczos": "lanczos blends an 8x8 neighbourhood with a windowed sinc: fine for photos, but for labels it writes "
               "in-between and overshooting values along every edge.",
}


# cv2's INTER_* flags (the lesson resizes with cv2), and other names for the options, read as the option they name
_CV2_FLAGS = {0: "nearest", 1: "bilinear", 2: "bicubic", 3: "area", 4: "lanczos", 5: "bilinear", 6: "nearest"}
_ALIASES = {"nearest neighbour": "nearest", "nearest neighbor": "nearest", "nearest exact": "nearest",
            "linear": "bilinear", "linear exact": "bilinear", "cubic": "bicubic", "lanczos3": "lanczos",
            "lanczos4": "lanczos", "lanczos5": "lanczos"}
_ONE_NAME = "`mask_interpolation` should be one interpolation name, a string such as \"bilinear\"."


def _interpolation(pick):
    """One pick as an option of ``INTERPOLATIONS`` where it names one (cv2.INTER_AREA, "INTER_AREA", "Nearest
    neighbour", PIL's Resampling.BILINEAR); else the pick as written, for Choices to say it is no option."""
    if isinstance(pick, enum.Enum):  # PIL's Image.Resampling members: read by name
        pick = pick.name
    if isinstance(pick, (int, np.integer)) and not isinstance(pick, (bool, np.bool_)):
        if int(pick) not in _CV2_FLAGS:
            raise Incorrect(f"{pick} is not one of cv2's interpolation flags (cv2.INTER_NEAREST is 0, "
                            f"cv2.INTER_LINEAR 1, ...). " + _ONE_NAME)
        return _CV2_FLAGS[int(pick)]
    if not isinstance(pick, str):
        raise Incorrect(_ONE_NAME)
    key = re.sub(r"[\s_-]+", " ", pick.strip().lower().removeprefix("cv2.")).removeprefix("inter ")
    return key if key in INTERPOLATIONS else _ALIASES.get(key, pick)


class OneInterpolation(Choices):
    """The options of ``Choices``, also named by cv2's INTER_* flags and names, or the long names."""

    def __call__(self, value, name):
        picks = value.split(",") if isinstance(value, str) else \
            list(value) if isinstance(value, (set, frozenset, list, tuple)) else [value]
        super().__call__({_interpolation(pick) for pick in picks}, name)


class MaskInterpolation(Question):
    checks = {"mask_interpolation": OneInterpolation({"nearest"}, _RESIZE, items="interpolation names",
                                                     where="one of the interpolations")}
    hints = (
        ("A label map holds names, not amounts: 1 means 'cat', 2 'dog', 255 'outline'. What is the average of "
         "'cat' and 'outline'?"),
        ("Only one interpolation never computes anything from the labels: it copies one of them. Which one never "
         "writes a value that was not in the map?"),
    )
    answer = """
        mask_interpolation = "nearest"   # or cv2.INTER_NEAREST; tf.image.resize(..., method="nearest")
    """
    praise = "nearest neighbour only ever copies an existing label. (Resize the photo itself with area or bilinear " \
             "interpolation; only the labels need nearest.)"


# q5: a model that predicts background everywhere
_KINDS = ("background", "top", "trousers", "footwear", "bag")
_ROUNDED = 0.005  # as in q1: an answer rounded to two decimals is right


def _close_to(want):
    """An answer near ``want`` but rounded too far (0.81 for 0.815): the method is right, the rounding is not."""
    return Mistake(when=lambda c: abs(c.got - want) <= 0.01,
                   say=lambda c: f"Close: give three decimals ({want:.3f} rather than {c.got:g}).")


class LazyModel(Question):
    variables = ("label_maps", "lazy_accuracy", "lazy_mean_iou")
    hints = (
        ("The lazy model's label map is np.zeros_like(label_maps). It is right exactly on the background pixels: "
         "its pixel accuracy is the share of background."),
        ("score_segmentation(label_maps, np.zeros_like(label_maps), num_classes=5) gives both numbers. By hand: the "
         "background's IoU is also the share of background (the model predicts background everywhere), and every "
         "garment kind that is in the truth gets an IoU of 0."),
        ("A kind that is in neither map has no IoU (nan) and is left out of the mean: mean IoU = the background's "
         "IoU divided by the number of classes present in the truth, background included."),
    )
    answer = """
        lazy = score_segmentation(label_maps, np.zeros_like(label_maps), num_classes=5)
        lazy_accuracy = lazy.pixel_accuracy
        lazy_mean_iou = lazy.mean_iou
        # by hand: lazy_accuracy = np.mean(label_maps == 0)
        #          lazy_mean_iou = lazy_accuracy / len(np.unique(label_maps))   # background + the kinds present
    """
    praise = "the lazy model is right on most pixels and finds no garment at all: pixel accuracy rewards it for the " \
             "background, mean IoU gives every class present the same weight and exposes it."

    def setup(self):
        """A stand-in for the notebook's composites: two 8x8 label maps with tops (1) and bags (4) only."""
        from ..segmentation import score_segmentation

        maps = np.zeros((2, 8, 8), np.uint8)
        maps[0, 1:4, 2:6], maps[1, 4:7, 1:3], maps[1, 0:2, 5:8] = 1, 4, 1
        return {"label_maps": maps, "score_segmentation": score_segmentation}

    def verify(self, label_maps, lazy_accuracy, lazy_mean_iou):
        maps = np.asarray(label_maps)
        if maps.ndim < 2 or maps.dtype.kind not in "iu" or maps.min() < 0 or maps.max() >= len(_KINDS):
            raise Incorrect("`label_maps` should be the composites' label maps (ints from 0 to 4); run the cell "
                            "that makes them again.")
        accuracy = float(np.mean(maps == 0))
        classes = sorted(set(np.unique(maps).tolist()) | {0})
        absent = [_KINDS[k] for k in range(len(_KINDS)) if k not in classes]
        mean_iou = accuracy / len(classes)
        per_map = np.mean([np.mean(m == 0) / len(set(np.unique(m).tolist()) | {0}) for m in maps]) \
            if maps.ndim == 3 else mean_iou
        got_accuracy = float(as_array(lazy_accuracy, "lazy_accuracy", shape=()))
        got_iou = float(as_array(lazy_mean_iou, "lazy_mean_iou", shape=()))
        if np.isclose(got_accuracy, mean_iou, atol=_ROUNDED) and np.isclose(got_iou, accuracy, atol=_ROUNDED) \
                and len(classes) > 1:
            raise Incorrect("the two are swapped: pixel accuracy is the larger one here, the share of pixels the "
                            "model gets right.")
        Value(accuracy, mistakes=(
            _close_to(accuracy),
            Mistake(like=1 - accuracy, say="{got:.3f} is the share of garment pixels, the ones the lazy model gets "
                                           "wrong; pixel accuracy is the share it gets right."),
            Mistake(like=100 * accuracy, say="give `lazy_accuracy` as a fraction between 0 and 1, not a percentage."),
            Mistake(like=float(np.sum(maps == 0)), say="{got:g} is a count of pixels; divide by the number of pixels, "
                                                       "label_maps.size."),
        ), otherwise="{got:.4f} is not the lazy model's pixel accuracy: it is right on the background pixels, so "
                     "its accuracy is the share of background in label_maps.", tolerance=_ROUNDED)(got_accuracy,
                                                                                               "lazy_accuracy")
        names = ", ".join(_KINDS[k] for k in classes)
        Value(mean_iou, mistakes=(
            _close_to(mean_iou),
            Mistake(when=lambda c: np.isnan(c.got), say="nan: a class in neither map has no IoU; leave it out of the "
                                                        "mean (np.nanmean, or score_segmentation's mean_iou)."),
            Mistake(like=accuracy / len(_KINDS),
                    say=f"you averaged over all {len(_KINDS)} classes, counting {' and '.join(absent)} as 0. They are "
                        "in neither map: no IoU at all (nan), so they are left out of the mean, as in "
                        "keras.metrics.MeanIoU."),
            Mistake(like=accuracy, say="{got:.3f} is the background's IoU alone (the same as the pixel accuracy "
                                       f"here). Mean IoU averages over every class in either map: {names}; the "
                                       "kinds the model never predicts score 0."),
            Mistake(like=0.0, say=f"the garment kinds score 0, but mean IoU counts the background too: average "
                                  f"over {names}."),
            Mistake(when=lambda c: len(classes) > 2 and np.isclose(c.got, accuracy / (len(classes) - 1), atol=_ROUNDED),
                    say="you divided by the number of garment kinds present; the background is a class too, and "
                        "counts in the mean."),
            Mistake(when=lambda c: len(classes) != 2 and np.isclose(c.got, accuracy / 2, atol=_ROUNDED),
                    say="that is the mean IoU of 'object or not', two classes; score the five kinds (num_classes=5)."),
            Mistake(when=lambda c: not np.isclose(per_map, mean_iou, atol=_ROUNDED)
                    and np.isclose(c.got, per_map, atol=_ROUNDED),
                    say="you averaged the mean IoU of each canvas; score all the canvases together, as "
                        "score_segmentation(label_maps, ...) does."),
            Mistake(like=100 * mean_iou, say="give `lazy_mean_iou` as a fraction between 0 and 1, not a percentage."),
        ), otherwise="{got:.4f} is not the lazy model's mean IoU. Its IoU is the share of background for the "
                     "background and 0 for every kind in the truth; kinds in neither map are left out.",
            tolerance=_ROUNDED)(got_iou, "lazy_mean_iou")


q1 = IouAndDice("q1")
q2 = DecoderShapes("q2")
q3 = DecoderBlock("q3")
q4 = MaskInterpolation("q4")
q5 = LazyModel("q5")
