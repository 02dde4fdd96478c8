"""Lesson 04 exercises: parameters of the baseline and its batch-normalised version, a warm-up + cosine
learning-rate schedule, augmentation for upright photos, and per-class accuracy from a confusion matrix."""
import math

import numpy as np

from .core import Function, Incorrect, Mistake, Question, Value, ____, as_array, call_learner

__all__ = ["q1", "q2", "q3", "q4", "____"]

BASELINE_PARAMS = 3 * 3 * 3 * 32 + 32 + 3 * 3 * 32 * 64 + 64 + 3 * 3 * 64 * 64 + 64 + 4 * 4 * 64 * 64 + 64 + 64 * 10 + 10
CONV_CHANNELS = 32 + 64 + 64
BN_PARAMS = BASELINE_PARAMS - CONV_CHANNELS + 4 * CONV_CHANNELS


class Parameters(Question):
    checks = {
        "baseline_params": Value(BASELINE_PARAMS, mistakes=(
            Mistake(like=93_322, say="93,322 is the MNIST network (28x28x1 input). CIFAR photos are 32x32 with 3 "
                                     "channels."),
            Mistake(like=93_322 - 320 + 896, say="right first layer, but Flatten now gives 4 * 4 * 64 values, not "
                                                 "3 * 3 * 64: the dense layer has 4 * 4 * 64 * 64 + 64 parameters."),
            Mistake(like=65_600, say="65,600 is the dense layer alone; add the three convolutions and the logits "
                                     "layer."),
            Mistake(like=BASELINE_PARAMS - (32 + 64 + 64 + 64 + 10),
                    say="that counts the weights only; every filter and every unit also has a bias."),
        ), otherwise="{got:,.0f} is not the baseline's total. Count each layer: conv1 sees 3 channels "
                     "(3 * 3 * 3 * 32 + 32), and Flatten gives 4 * 4 * 64 values to dense."),
        "bn_params": Value(BN_PARAMS, mistakes=(
            Mistake(like=BASELINE_PARAMS, say="batch normalisation changes the count: each conv loses its bias and "
                                              "gains a BatchNormalization layer with numbers of its own."),
            Mistake(when=lambda c: c.got in (BASELINE_PARAMS + 2 * CONV_CHANNELS, BASELINE_PARAMS + CONV_CHANNELS),
                    say="gamma and beta are 2 numbers per channel, but the layer also stores a running mean and "
                        "variance per channel (not trained, but counted by count_params())."),
            Mistake(like=BASELINE_PARAMS + 4 * CONV_CHANNELS,
                    say="with batch_norm=True the convolutions have use_bias=False: BN's beta does the bias's job, so "
                        "160 biases go."),
        ), otherwise="{got:,.0f} is not right for build_classic_cnn((32, 32, 3), batch_norm=True). Start from the "
                     "baseline, remove the conv biases, add BN's numbers per channel."),
    }
    hints = (
        "Count layer by layer: a convolution has 3 * 3 * in_channels * filters weights plus one bias per filter; "
        "a dense layer has inputs * units weights plus one bias per unit. CIFAR photos have 3 channels, and "
        "Flatten gives 4 * 4 * 64 values.",
        "baseline: 896 + 18,496 + 36,928 + 65,600 + 650. With batch_norm=True each convolution loses its bias "
        "(use_bias=False) and gets a BatchNormalization layer.",
        "A BatchNormalization layer holds 4 numbers per channel: the learned scale (gamma) and shift (beta), and "
        "the running mean and variance it uses at test time. The three convolutions have 32 + 64 + 64 channels.",
    )
    answer = """
        baseline_params = (3*3*3*32 + 32) + (3*3*32*64 + 64) + (3*3*64*64 + 64) + (4*4*64*64 + 64) + (64*10 + 10)  # 122,570
        bn_params = baseline_params - (32 + 64 + 64) + 4 * (32 + 64 + 64)  # no conv biases; 4 numbers per channel: 123,050
    """
    praise = f"the baseline has {BASELINE_PARAMS:,} parameters; batch normalisation drops 160 conv biases and adds " \
             f"4 x 160 numbers (gamma, beta, running mean and variance), {BN_PARAMS:,} in all, " \
             f"of which {BN_PARAMS - 2 * CONV_CHANNELS:,} are trained."


def _reference_rate(step, peak, total_steps, warmup_steps):
    if step < warmup_steps:
        return peak * step / warmup_steps
    progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


class WarmupCosine(Question):
    variables = ("warmup_cosine",)
    hints = (
        "Two pieces. While step < warmup_steps the rate rises in a straight line: peak * step / warmup_steps. "
        "After that it follows half a cosine wave from peak down to 0.",
        "For the cosine part, measure progress from the end of the warm-up: "
        "progress = (step - warmup_steps) / (total_steps - warmup_steps), which runs from 0 to 1.",
        "peak * 0.5 * (1 + cos(pi * progress)) is peak at progress 0 and 0 at progress 1 (use math.cos, math.pi).",
    )
    answer = """
        def warmup_cosine(step, peak, total_steps, warmup_steps):
            if step < warmup_steps:
                return peak * step / warmup_steps
            progress = (step - warmup_steps) / (total_steps - warmup_steps)
            return peak * 0.5 * (1 + math.cos(math.pi * progress))
    """
    praise = "a straight ramp up to the peak, then half a cosine down to 0: the same numbers as " \
             "course_utils.training.one_cycle_schedule."

    CASES = ((0.4, 100, 20), (0.1, 50, 5), (1.0, 10, 1))

    def verify(self, warmup_cosine):
        for peak, total, warmup in self.CASES:
            got = []
            for step in range(total + 1):
                value = call_learner(warmup_cosine, step, peak, total, warmup)
                got.append(float(as_array(value, f"warmup_cosine({step}, {peak}, {total}, {warmup})", shape=())))
            got = np.array(got)
            want = np.array([_reference_rate(s, peak, total, warmup) for s in range(total + 1)])
            if np.allclose(got, want, atol=1e-6):
                continue
            where = f"(peak={peak}, total_steps={total}, warmup_steps={warmup})"
            if abs(got[0]) > 1e-6:
                raise Incorrect(f"at step 0 the rate should be 0 (the warm-up starts from nothing); yours is "
                                f"{got[0]:.4g} {where}.")
            if not np.allclose(got[:warmup], want[:warmup], atol=1e-6):
                raise Incorrect(f"the warm-up is off: at steps 0..{warmup - 1} the rate should rise in a straight line "
                                f"from 0 towards {peak} {where}; yours gives {np.round(got[:min(warmup, 6)], 4).tolist()}"
                                f"{'...' if warmup > 6 else ''}.")
            if abs(got[-1]) > 1e-6:
                raise Incorrect(f"at the last step ({total}) the rate should have reached 0; yours is {got[-1]:.4g} "
                                f"{where}. Measure the cosine's progress over total_steps - warmup_steps steps.")
            mid = warmup + (total - warmup) // 2
            raise Incorrect(f"the decay is off: at step {mid} the rate should be {want[mid]:.4g}, yours is "
                            f"{got[mid]:.4g} {where}. Use peak * 0.5 * (1 + cos(pi * progress)).")


def _test_images(n=64):
    """Upright test photos: a bright top half (sky), a dark bottom, and a brighter left edge."""
    rng = np.random.default_rng(5)
    x = np.full((n, 32, 32, 3), 40.0, dtype="float32")
    x[:, :16] = 200.0
    x[:, :, :8] += 50.0
    x += rng.uniform(-5, 5, x.shape).astype("float32")
    return x


def _apply(layers_, x, training):
    for layer in layers_:
        x = layer(x, training=training)
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype="float32")


class PhotoAugmentation(Question):
    variables = ("augment",)
    hints = (
        "A list of two Keras preprocessing layers: one for random left-right flips, one for small random shifts.",
        "layers.RandomFlip(\"horizontal\") mirrors left-right only; \"vertical\" or \"horizontal_and_vertical\" "
        "would turn photos upside down.",
        "layers.RandomTranslation(0.0625, 0.0625, fill_mode=\"reflect\") shifts by up to 2 of 32 pixels each way and "
        "fills the uncovered border with a mirror image of the photo.",
    )
    answer = """
        augment = [layers.RandomFlip("horizontal"),
                   layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect")]
    """
    praise = "flips left-right and small shifts: the photos change every time, stay upright, and pass through " \
             "untouched at test time."

    def verify(self, augment):
        import keras

        if isinstance(augment, keras.Sequential):
            raise Incorrect("`augment` should be a list of layers, not a keras.Sequential: the exercise asks for a "
                            "list, and the next cell applies its layers one by one. Write [layers.RandomFlip(...), "
                            "...] without keras.Sequential.")
        if not isinstance(augment, list):
            raise Incorrect(f"`augment` should be a list of layers, e.g. [layers.RandomFlip(...), ...]; got a "
                            f"{type(augment).__name__}.")
        if not augment:
            raise Incorrect("`augment` is an empty list; put two augmentation layers in it.")
        if not all(isinstance(layer, keras.layers.Layer) for layer in augment):
            raise Incorrect("every item of `augment` should be a Keras layer (an instance: layers.RandomFlip(...), "
                            "with the brackets).")
        x = _test_images()
        try:
            outputs = [_apply(augment, x, training=True) for _ in range(3)]
            plain = _apply(augment, x, training=False)
        except Exception as err:
            raise Incorrect(f"applying your layers raised {type(err).__name__}: {err}") from err
        if plain.shape != x.shape or not np.allclose(plain, x, atol=1e-3):
            raise Incorrect("with training=False (testing) the images must come out unchanged; use only random "
                            "augmentation layers, which switch themselves off at test time.")
        out = np.concatenate(outputs)
        if out.shape != (3 * len(x),) + x.shape[1:]:
            raise Incorrect(f"the images should keep their shape {x.shape[1:]}; yours come out as {out.shape[1:]}. "
                            "(Random crops or resizing change it; shift instead.)")
        clean = np.concatenate([x] * 3)
        if np.allclose(out, clean, atol=1e-3):
            raise Incorrect("with training=True the images should change; yours came out exactly as they went in.")
        top, bottom = out[:, :16].mean(axis=(1, 2, 3)), out[:, 16:].mean(axis=(1, 2, 3))
        if np.any(top < bottom + 40):
            raise Incorrect("some photos lost their bright top: they were flipped upside down or moved or turned "
                            "too far. Photos are upright: flip only left-right, and shift only a few pixels.")
        left, right = out[:, :, :8].mean(axis=(1, 2, 3)), out[:, :, -8:].mean(axis=(1, 2, 3))
        flipped = right > left + 20
        if not flipped.any():
            raise Incorrect("no photo was mirrored left-right. Add layers.RandomFlip(\"horizontal\").")
        if flipped.all():
            raise Incorrect("every photo was mirrored: a flip should happen at random, about half of the time.")
        mirror = clean[:, :, ::-1]
        same = np.array([np.allclose(o, c, atol=1e-3) or np.allclose(o, m, atol=1e-3)
                         for o, c, m in zip(out, clean, mirror)])
        if same.all():
            raise Incorrect("the photos are only flipped. Add small random shifts as well, e.g. "
                            "layers.RandomTranslation(0.0625, 0.0625, fill_mode=\"reflect\").")


def _per_class_cases():
    """A small and a 10-class confusion matrix, neither symmetric (so rows and columns differ)."""
    return [(np.array([[8, 2, 0], [1, 5, 4], [0, 0, 10]]),),
            (np.diag(np.arange(10, 20)) + np.eye(10, k=1, dtype=int) * 3 + np.eye(10, k=-2, dtype=int) * 7,)]


class PerClassAccuracy(Question):
    checks = {"per_class_accuracy": Function(lambda cm: np.diag(cm) / cm.sum(axis=1), _per_class_cases(), mistakes=(
        Mistake(like=lambda cm: np.diag(cm) / cm.sum(axis=0),
                say="you divided by the column sums (everything PREDICTED as each class: that is precision). "
                    "Accuracy per class divides by the row sums, the images truly in it."),
        Mistake(like=np.diag, say="those are counts of correct answers; divide each by the number of images in its "
                                  "row to get a fraction."),
        Mistake(like=lambda cm: 100 * np.diag(cm) / cm.sum(axis=1),
                say="those are percentages; return fractions between 0 and 1."),
    ), otherwise=lambda c: f"for cm = {c.cm.tolist()} the answer is {np.round(c.want, 3).tolist()}, yours is "
                           f"{np.round(c.got, 3).tolist()}.")}
    hints = (
        "Row i of the confusion matrix holds every test image whose TRUE class is i; the diagonal cell (i, i) "
        "counts the ones predicted right.",
        "np.diag(cm) / cm.sum(axis=1): correct answers divided by the number of images in each row.",
    )
    answer = """
        def per_class_accuracy(cm):
            cm = np.asarray(cm, dtype="float64")
            return np.diag(cm) / cm.sum(axis=1)
    """
    praise = "the diagonal divided by the row sums: for each true class, the share of its images the model got right."


q1 = Parameters("q1")
q2 = WarmupCosine("q2")
q3 = PhotoAugmentation("q3")
q4 = PerClassAccuracy("q4")
