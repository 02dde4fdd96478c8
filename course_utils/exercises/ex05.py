"""Lesson 05 exercises: a saliency function checked on models whose answer is known, the colour-channel
reduction (max |gradient| against the signed sum), Integrated Gradients with its completeness gap, and
SmoothGrad's noise level in the units of the model's input."""
import numpy as np

from .core import Function, Incorrect, Mistake, Question, ____, as_array, call_learner

__all__ = ["____", "channel_gradients", "q1", "q2", "q3", "q4"]

_MODELS = {}


def _model(kind):
    """Small Keras models with fixed weights, built once: "linear", "conv" (ReLU) and "smooth" (tanh)."""
    if kind in _MODELS:
        return _MODELS[kind]
    import keras
    from keras import layers

    rng = np.random.default_rng({"linear": 51, "conv": 52, "smooth": 53}[kind])
    if kind == "linear":  # score of class k = <W[:, k], x>, so its gradient is W[:, k] for every image
        model = keras.Sequential([keras.Input((6, 5, 3)), layers.Flatten(),
                                  layers.Dense(4, use_bias=False, name="logits")], name="linear")
    elif kind == "conv":
        model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                                  layers.Flatten(), layers.Dense(3, name="logits")], name="small_cnn")
    else:
        model = keras.Sequential([keras.Input((4, 4, 2)), layers.Flatten(), layers.Dense(8, activation="tanh"),
                                  layers.Dense(3, name="logits")], name="smooth")
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    _MODELS[kind] = model
    return model


def _gradient(model, image, class_index, probabilities=False):
    """The reference: gradient (H, W, C) of one image's class logit (or probability)."""
    import tensorflow as tf

    x = tf.convert_to_tensor(image[None].astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        if probabilities:
            out = tf.nn.softmax(out)
        score = out[0, class_index]
    return tape.gradient(score, x)[0].numpy().astype("float64")


def _same_up_to_scale(got, want, atol=1e-4):
    """True if ``got`` is ``want`` times a positive number (or min-max scaled to [0, 1])."""
    got, want = np.asarray(got, "float64"), np.asarray(want, "float64")
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return False
    g_peak, w_peak = np.abs(got).max(), np.abs(want).max()
    if w_peak == 0:
        return g_peak == 0
    if g_peak > 0 and np.allclose(got / g_peak, want / w_peak, atol=atol):
        return True
    span = want.max() - want.min()
    return span > 0 and np.allclose(got, (want - want.min()) / span, atol=atol)


def _learner_error(err):
    """The message for an exception raised by the learner's tape code, with the usual fix when it is one."""
    cause = err.__cause__
    text = f"{cause}" if cause is not None else str(err)
    if "ndarray" in text or "_id" in text:
        return (f"your function raised {type(cause).__name__}: the tape got a NumPy array where it needs a tensor. "
                "Use x = tf.convert_to_tensor(...), tape.watch(x), and model(x, training=False) (never model.predict) "
                "inside the tape.")
    return str(err) if len(str(err)) < 400 else str(err)[:400] + "..."


class SaliencyMap(Question):
    variables = ("saliency_map",)
    hints = (
        ("Four steps: make a batch of one tensor from the image, watch it on a tape, take the class's logit from "
        "model(x, training=False), and ask the tape for the gradient of that logit with respect to x."),
        ("x = tf.convert_to_tensor(image[None], tf.float32); inside `with tf.GradientTape() as tape:` call "
        "tape.watch(x) and score = model(x, training=False)[0, class_index]; then grads = tape.gradient(score, x)."),
        ("grads has shape (1, H, W, C). Simonyan et al. keep the largest absolute value over the colour channels: "
        "tf.reduce_max(tf.abs(grads), axis=-1)[0] gives (H, W)."),
    )
    answer = """
        def saliency_map(model, image, class_index):
            x = tf.convert_to_tensor(image[None], tf.float32)
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = model(x, training=False)[0, class_index]
            grads = tape.gradient(score, x)
            return tf.reduce_max(tf.abs(grads), axis=-1)[0].numpy()
    """
    praise = "on a linear model the saliency of class k is max over channels of |W_k|, the model's own weights, " \
             "and on a small ReLU CNN your maps match explain.vanilla_gradient."

    def verify(self, saliency_map):
        rng = np.random.default_rng(7)
        cases = [("linear", rng.uniform(0, 1, (6, 5, 3)), (0, 2, 3)),
                 ("conv", rng.uniform(0, 1, (8, 8, 3)), (1, 2))]
        for kind, image, classes in cases:
            model = _model(kind)
            h, w, c = image.shape
            for k in classes:
                try:
                    got = call_learner(saliency_map, model, image.astype("float32").copy(), k)
                except Incorrect as err:
                    raise Incorrect(_learner_error(err)) from err
                if got is None:
                    raise Incorrect("your function returned None. If tape.gradient gave None, the tape did not "
                                    "record the image: call tape.watch(x) on the tensor inside the tape.")
                got = as_array(got, f"saliency_map(model, image, {k})")
                if got.shape in ((1, h, w), (1, h, w, c)):
                    got = got[0]
                if got.shape == (h, w, c):
                    raise Incorrect(f"your map still has the colour axis, shape {got.shape}. Reduce the three channels "
                                    "to one number per pixel: the largest absolute value.")
                if got.shape != (h, w):
                    raise Incorrect(f"for an image of shape {image.shape} the map should have shape {(h, w)}, one "
                                    f"number per pixel; yours has shape {got.shape}.")
                grad = _gradient(model, image, k)
                if _same_up_to_scale(got, np.abs(grad).max(axis=-1)):
                    continue
                where = f"(the {model.name} model, class_index={k})"
                if _same_up_to_scale(got, grad.sum(axis=-1)) or _same_up_to_scale(got, np.abs(grad.sum(axis=-1))):
                    raise Incorrect(f"you summed the signed gradients over the channels {where}: signs cancel and "
                                    "negative effects look unimportant. Take the largest |gradient| instead.")
                if _same_up_to_scale(got, np.abs(grad).sum(axis=-1)):
                    raise Incorrect(f"you summed (or averaged) |gradient| over the channels {where}; Simonyan et al. "
                                    "take the largest |gradient| of the three: tf.reduce_max(tf.abs(grads), axis=-1).")
                if _same_up_to_scale(got, grad.max(axis=-1)) or _same_up_to_scale(got, np.abs(grad.max(axis=-1))):
                    raise Incorrect(f"you took the largest signed gradient {where}; a large negative gradient matters "
                                    "as much as a positive one. Take the absolute value first, then the max.")
                if _same_up_to_scale(got, np.abs(_gradient(model, image, k, probabilities=True)).max(axis=-1)):
                    raise Incorrect(f"that is the gradient of the softmax probability {where}. Explain the logit: "
                                    "model(x, training=False)[0, class_index] of a model that outputs logits.")
                for other in range(int(model.outputs[0].shape[-1])):
                    if other != k and _same_up_to_scale(got, np.abs(_gradient(model, image, other)).max(axis=-1)):
                        raise Incorrect(f"that is the map of class {other}, not of class_index={k} {where}. Use the "
                                        "class_index argument to pick the score.")
                raise Incorrect(f"your map is not the gradient saliency {where}. For a linear model the answer is the "
                                "largest |weight| over the channels at each pixel; compare yours with that.")


def channel_gradients():
    """The gradient (5, 5, 3) of one class score for a 5x5 colour image, for question q2.

    At most pixels the three channels agree in sign. One pixel has channels that cancel exactly, and one
    has three large negative gradients.
    """
    rng = np.random.default_rng(5)
    size = rng.uniform(0.02, 0.3, (5, 5, 1))
    sign = rng.choice([-1.0, 1.0], (5, 5, 1))
    grads = sign * size * rng.uniform(0.7, 1.3, (5, 5, 3))
    grads[1, 3] = [0.9, -0.9, 0.0]  # the channels cancel: signed sum 0, largest |gradient| 0.9
    grads[3, 1] = [-0.6, -0.5, -0.55]  # a strong negative effect: the lowest signed sum
    return np.round(grads, 3)


class ChannelReduction(Question):
    variables = ("simonyan_map", "signed_map", "cancelled_pixel", "negative_pixel")
    hints = (
        ("simonyan_map: one number per pixel, the largest absolute value over the last axis. signed_map: the "
        "plain signed sum over the last axis."),
        ("np.abs(G).max(axis=-1) and G.sum(axis=-1), both of shape (5, 5). A pixel is (row, column): "
        "np.unravel_index(np.argmax(m), m.shape) turns the position of a maximum into that pair."),
        ("cancelled_pixel is where simonyan_map is largest (its signed sum is 0); negative_pixel is where signed_map "
        "is smallest (np.argmin)."),
    )
    answer = """
        G = channel_gradients()
        simonyan_map = np.abs(G).max(axis=-1)
        signed_map = G.sum(axis=-1)
        cancelled_pixel = np.unravel_index(np.argmax(simonyan_map), simonyan_map.shape)  # (1, 3)
        negative_pixel = np.unravel_index(np.argmin(signed_map), signed_map.shape)  # (3, 1)
    """
    praise = "pixel (1, 3) has the largest gradient of all and a signed sum of exactly 0, and pixel (3, 1), the " \
             "second most important, is the darkest pixel of the signed map. max |gradient| shows both."

    @staticmethod
    def _pixel(value, name):
        pixel = as_array(value, name)
        if pixel.shape != (2,) or not np.allclose(pixel, np.round(pixel)):
            raise Incorrect(f"`{name}` should be a (row, column) pair of ints, like (2, 4); got {value!r}.")
        return tuple(int(v) for v in np.round(pixel))

    def verify(self, simonyan_map, signed_map, cancelled_pixel, negative_pixel):
        grads = channel_gradients()
        want_simonyan, want_signed = np.abs(grads).max(axis=-1), grads.sum(axis=-1)
        simonyan = as_array(simonyan_map, "simonyan_map")
        signed = as_array(signed_map, "signed_map")
        for name, got in (("simonyan_map", simonyan), ("signed_map", signed)):
            if got.shape != (5, 5):
                raise Incorrect(f"`{name}` should have shape (5, 5), one number per pixel (reduce the last axis, the "
                                f"colour channels); yours has shape {got.shape}.")
        if np.allclose(simonyan, want_signed, atol=1e-6) and np.allclose(signed, want_simonyan, atol=1e-6):
            raise Incorrect("the two maps are swapped: simonyan_map is the max of |G|, signed_map the plain sum.")
        if not np.allclose(simonyan, want_simonyan, atol=1e-6):
            if np.allclose(simonyan, grads.max(axis=-1), atol=1e-6):
                raise Incorrect("simonyan_map: take the absolute value before the max, or strong negative "
                                "gradients vanish.")
            if np.allclose(simonyan, np.abs(grads).sum(axis=-1), atol=1e-6):
                raise Incorrect("simonyan_map: that is the sum of |G| over the channels; Simonyan et al. take the max.")
            raise Incorrect("simonyan_map should be np.abs(G).max(axis=-1), the largest |gradient| at each pixel.")
        if not np.allclose(signed, want_signed, atol=1e-6):
            if np.allclose(signed, np.abs(want_signed), atol=1e-6):
                raise Incorrect("signed_map: keep the sign, it is the point of this map. Sum G over the last axis.")
            raise Incorrect("signed_map should be G.sum(axis=-1), the plain signed sum over the channels.")
        cancelled = self._pixel(cancelled_pixel, "cancelled_pixel")
        negative = self._pixel(negative_pixel, "negative_pixel")
        if cancelled == (3, 1) and negative == (1, 3):
            raise Incorrect("the two pixels are swapped: the cancelled one is where max |G| is largest, the negative "
                            "one where the signed sum is lowest.")
        if cancelled == (3, 1) or negative == (1, 3):
            raise Incorrect("pixels are (row, column), the order of G[row, column]; check that you did not write "
                            "(column, row).")
        if cancelled != (1, 3):
            raise Incorrect(f"at {cancelled} simonyan_map is {want_simonyan[cancelled]:.2f}, not its largest value. "
                            "Find the largest with np.argmax and convert with np.unravel_index.")
        if negative != (3, 1):
            raise Incorrect(f"at {negative} the signed sum is {want_signed[negative]:.2f}, not its lowest value. "
                            "Use np.argmin on signed_map.")


def _reference_ig(model, image, baseline, class_index, steps, rule="trapezoid"):
    import tensorflow as tf

    alphas = np.linspace(0, 1, steps + 1)
    path = tf.convert_to_tensor((baseline + alphas[:, None, None, None] * (image - baseline)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(path)
        scores = model(path, training=False)[:, class_index]
    grads = tape.gradient(scores, path).numpy().astype("float64")
    average = {"trapezoid": ((grads[:-1] + grads[1:]) / 2).mean(axis=0), "left": grads[:-1].mean(axis=0),
               "right": grads[1:].mean(axis=0), "all points": grads.mean(axis=0)}[rule]
    return (image - baseline) * average, grads


def _completeness_gap(attributions, f_x, f_baseline):
    return abs(np.sum(attributions) - (f_x - f_baseline)) / abs(f_x - f_baseline)


def _gap_setting(c):
    return f"for attributions summing to {c.attributions.sum():g}, f_x = {c.f_x:g}, f_baseline = {c.f_baseline:g}"


class IntegratedGradients(Question):
    variables = ("integrated_gradients", "completeness_gap")
    checks = {"completeness_gap": Function(_completeness_gap, [
        (np.array([[4.0, 5.0]]), 10.0, 0.0), (np.array([-2.0, -7.0, 0.5]), 1.0, 11.0),
        (np.array([3.0, -1.0]), 2.0, 0.0),
    ], mistakes=(
        Mistake(like=lambda attributions, f_x, f_baseline: -_completeness_gap(attributions, f_x, f_baseline),
                say=lambda c: f"{_gap_setting(c)} your gap is {c.got:g}: take the absolute value, so a gap is never "
                              "negative."),
        Mistake(like=lambda attributions, f_x, f_baseline: abs(np.sum(attributions) - (f_x - f_baseline)),
                say=lambda c: f"{_gap_setting(c)} you return the absolute gap {c.got:g}; divide by |f_x - f_baseline| "
                              "to make it relative (0.05 = 5%)."),
        Mistake(like=lambda attributions, f_x, f_baseline: _completeness_gap(np.abs(attributions), f_x, f_baseline),
                say="sum the attributions with their signs: completeness is about sum(attributions), negative ones "
                    "included."),
    ), otherwise=lambda c: f"{_gap_setting(c)} the relative gap is {c.want:g}; yours is {c.got:g}.", tolerance=1e-9)}
    hints = (
        ("completeness_gap: the attributions should add up to f_x - f_baseline. Divide the size of the difference "
        "between the two by the size of f_x - f_baseline."),
        ("integrated_gradients: make steps + 1 images on the straight line from baseline to image "
        "(alphas = np.linspace(0, 1, steps + 1)), and compute the class logit's gradient for all of them in one tape."),
        ("Trapezoid rule: average = ((grads[:-1] + grads[1:]) / 2).mean(axis=0). The attributions are "
        "(image - baseline) * average, shape (H, W, C)."),
    )
    answer = """
        def integrated_gradients(model, image, baseline, class_index, steps=50):
            alphas = np.linspace(0, 1, steps + 1, dtype="float32")
            path = tf.convert_to_tensor(baseline + alphas[:, None, None, None] * (image - baseline))
            with tf.GradientTape() as tape:
                tape.watch(path)
                scores = model(path, training=False)[:, class_index]
            grads = tape.gradient(scores, path).numpy()
            average = ((grads[:-1] + grads[1:]) / 2).mean(axis=0)
            return (image - baseline) * average

        def completeness_gap(attributions, f_x, f_baseline):
            difference = f_x - f_baseline
            return abs(np.sum(attributions) - difference) / abs(difference)
    """
    praise = "your attributions match the course's trapezoid rule and add up to f(image) - f(baseline): " \
             "completeness holds, and your gap function measures it."

    def verify(self, integrated_gradients, completeness_gap):
        super().verify(completeness_gap=completeness_gap)
        model = _model("smooth")
        rng = np.random.default_rng(11)
        image = rng.uniform(0, 1, (4, 4, 2)).astype("float32")
        for baseline, k, steps in ((np.zeros_like(image), 0, 32), (np.full_like(image, 0.5), 2, 16)):
            try:
                got = call_learner(integrated_gradients, model, image.copy(), baseline.copy(), k, steps)
            except Incorrect as err:
                raise Incorrect(_learner_error(err)) from err
            got = as_array(got, "integrated_gradients(...)")
            if got.shape == (1,) + image.shape:
                got = got[0]
            if got.shape != image.shape:
                raise Incorrect(f"the attributions should have the image's shape {image.shape} (one number per pixel "
                                f"and channel); yours have shape {got.shape}.")
            want, grads = _reference_ig(model, image, baseline, k, steps)
            setting = f"(baseline {float(baseline.flat[0]):g} everywhere, class {k}, {steps} steps)"
            if np.allclose(got, want, atol=1e-4 * np.abs(want).max() + 1e-7):
                continue

            def close(other, got=got):
                return np.allclose(got, other, atol=1e-4 * np.abs(other).max() + 1e-7)

            if close(want / (image - baseline + 1e-12) * (np.abs(image - baseline) > 1e-6)):
                raise Incorrect(f"you return the average gradient {setting}; multiply it by (image - baseline).")
            if close(want * steps) or close(want * (steps + 1)):
                raise Incorrect(f"your attributions are about {steps} times too large {setting}: average the "
                                "gradients along the path (mean), don't add them up.")
            if close((image - baseline) * grads[-1]):
                raise Incorrect(f"that is the gradient at the image times (image - baseline) {setting}; IG averages "
                                "the gradient over the whole path from the baseline to the image.")
            if close(image * ((grads[:-1] + grads[1:]) / 2).mean(axis=0)):
                raise Incorrect(f"you multiplied by the image instead of (image - baseline) {setting}; with a "
                                "non-zero baseline that breaks completeness.")
            rules = {"left": "the gradients at the left end of each interval (a left Riemann sum)",
                     "right": "the gradients at the right end of each interval (a right Riemann sum)",
                     "all points": "all steps + 1 gradients"}
            for rule, described in rules.items():
                if close(_reference_ig(model, image, baseline, k, steps, rule)[0]):
                    raise Incorrect(f"close, but that is a plain average of {described} {setting}. The trapezoid "
                                    "rule averages neighbouring pairs, ((grads[:-1] + grads[1:]) / 2).mean(axis=0), "
                                    "so the two ends count half.")
            difference = float(model(image[None], training=False)[0, k] - model(baseline[None], training=False)[0, k])
            gap = abs(got.sum() - difference) / abs(difference)
            raise Incorrect(f"your attributions are not the trapezoid-rule IG {setting}; they sum to {got.sum():.4f} "
                            f"where f(image) - f(baseline) is {difference:.4f} (gap {gap:.1%}).")


class SmoothGradNoise(Question):
    variables = ("sigma_cifar", "sigma_mobilenet")
    hints = (
        ("SmoothGrad's noise is a fraction of the input's value range: sigma = 0.15 * (largest - smallest input "
        "value). The answer is in the model's own input units."),
        "The CIFAR-10 model takes raw pixels, 0 to 255: a range of 255. MobileNet takes -1 to 1: a range of 2.",
    )
    answer = """
        sigma_cifar = 0.15 * (255 - 0)     # 38.25 grey levels
        sigma_mobilenet = 0.15 * (1 - -1)  # 0.3
    """
    praise = "noise is set as a fraction of the input range, so the same 15% means 38 grey levels for raw pixels " \
             "and 0.3 for MobileNet's -1..1 inputs."

    def verify(self, sigma_cifar, sigma_mobilenet):
        cifar = float(as_array(sigma_cifar, "sigma_cifar", shape=()))
        mobile = float(as_array(sigma_mobilenet, "sigma_mobilenet", shape=()))
        if np.isclose(cifar, 0.3) and np.isclose(mobile, 38.25):
            raise Incorrect("the two are swapped: the CIFAR-10 model takes 0..255 pixels, MobileNet -1..1.")
        if np.isclose(cifar, 15) or np.isclose(mobile, 15):
            raise Incorrect("15 is the percentage; turn it into a fraction (0.15) times the input range.")
        if np.isclose(cifar, 0.15):
            raise Incorrect("sigma_cifar: 0.15 is the fraction, not the noise level. The CIFAR-10 model takes raw "
                            "0..255 pixels, so 0.15 would be a fraction of one grey level: no noise at all.")
        if np.isclose(cifar, 0.15 * 256) or np.isclose(cifar, 0.15 * 127.5):
            raise Incorrect("sigma_cifar: the range of 0..255 pixels is 255 - 0 = 255.")
        if not 0.1 * 255 <= cifar <= 0.2 * 255:
            raise Incorrect(f"sigma_cifar = {cifar:g} is {cifar / 255:.1%} of the 0..255 range; 15% is what we "
                            "asked for (10-20% works).")
        if np.isclose(mobile, 0.15):
            raise Incorrect("sigma_mobilenet: the range of -1..1 is 2, not 1, so 15% of it is 0.15 * 2.")
        if np.isclose(mobile, 38.25):
            raise Incorrect("sigma_mobilenet: MobileNet does not see 0..255 pixels; preprocess_input has mapped them "
                            "to -1..1.")
        if not 0.1 * 2 <= mobile <= 0.2 * 2:
            raise Incorrect(f"sigma_mobilenet = {mobile:g} is {mobile / 2:.1%} of the -1..1 range; 15% is what we "
                            "asked for (10-20% works).")


q1 = SaliencyMap("q1")
q2 = ChannelReduction("q2")
q3 = IntegratedGradients("q3")
q4 = SmoothGradNoise("q4")

