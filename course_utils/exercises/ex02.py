"""Lesson 02 exercises: a feature-map model, indexing the maps, one step of activation maximisation."""
import warnings

import numpy as np

from .core import Incorrect, NotAttempted, Question, ____, as_array, call_learner, is_placeholder

__all__ = ["q1", "q2", "q3", "____"]


def _find_keras_model(value, name):
    import keras

    if is_placeholder(value):
        raise NotAttempted(f"`{name}` still holds ____; replace it with your answer.")
    if not isinstance(value, keras.Model):
        raise Incorrect(f"`{name}` should be a keras.Model, but it is a {type(value).__name__}. "
                        "Build it with keras.Model(inputs, outputs).")
    return value


class FeatureModel(Question):
    variables = ("model", "feature_model")
    hints = (
        "A feature-map model is a new keras.Model with the same input as `model` and a layer's output as its output.",
        "The input is model.inputs[0] (model.input raises on a Sequential model); the output is "
        "model.get_layer(\"conv2\").output.",
    )
    answer = """
        feature_model = keras.Model(model.inputs[0], model.get_layer("conv2").output)
    """
    praise = "your model returns conv2's feature maps, the same numbers the full model computes inside."
    layer = "conv2"

    def setup(self):
        """A stand-in for the notebook's digit model: the answer only needs its layer "conv2"."""
        import keras
        from keras import layers

        return {"model": keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="conv1"),
                                           layers.Conv2D(16, 3, name="conv2"), layers.Flatten(),
                                           layers.Dense(10, name="logits")])}

    def verify(self, model, feature_model):
        import keras

        model = _find_keras_model(model, "model")
        feature_model = _find_keras_model(feature_model, "feature_model")
        names = [layer.name for layer in model.layers]
        if self.layer not in names:
            raise Incorrect(f"`model` has no layer named '{self.layer}' (its layers: {', '.join(names)}). "
                            "Re-run the cell that builds `model`.")
        if len(feature_model.outputs) != 1:
            raise Incorrect(f"`feature_model` has {len(feature_model.outputs)} outputs; give it only one, "
                            f"the output of layer '{self.layer}' (not a list of outputs).")
        if len(feature_model.inputs) != 1:
            raise Incorrect(f"`feature_model` has {len(feature_model.inputs)} inputs; it should have one, "
                            "model.inputs[0].")
        shape = tuple(model.inputs[0].shape[1:])
        x = np.random.default_rng(2).uniform(0, 1, (2, *shape)).astype("float32")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = as_array(feature_model(x, training=False), "feature_model(x)")
        if any("structure" in str(w.message) for w in caught):
            raise Incorrect("calling your model gives a UserWarning about the structure of `inputs`: you passed "
                            "the list model.inputs. Pass the single tensor model.inputs[0] instead.")
        # the output of every layer, to recognise a wrong layer by its values
        every = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
        outputs = {n: np.asarray(o) for n, o in zip(names, every(x, training=False))}
        expected = outputs[self.layer]
        if got.shape == expected.shape and np.allclose(got, expected, atol=1e-5):
            return
        for n, value in outputs.items():
            if got.shape == value.shape and np.allclose(got, value, atol=1e-5):
                final = " (the model's final output)" if n == names[-1] else ""
                raise Incorrect(f"your model outputs layer '{n}'{final}, shape {got.shape[1:]}; "
                                f"the question asks for layer '{self.layer}', shape {expected.shape[1:]}.")
        raise Incorrect(f"your model's output (shape {got.shape}) differs from layer '{self.layer}' of `model` "
                        f"(shape {expected.shape}). Build it from `model` itself, so it shares its weights.")


class ThirdMap(Question):
    variables = ("maps", "third_map")
    hints = (
        "`maps` has shape (images, height, width, channels). You want image 0 and channel number 3 "
        "when counting 1, 2, 3.",
        "Python counts from 0: the first map is channel 0, the second is channel 1, the third is ...",
    )
    answer = """
        third_map = maps[0, :, :, 2]
    """
    praise = "maps[0, :, :, 2] is the third map of the first image: indices start at 0."

    def setup(self):
        """The notebook's `maps` (conv1's maps of 4 digits), as random numbers of the same shape."""
        return {"maps": np.random.default_rng(0).uniform(0, 1, (4, 26, 26, 8)).astype("float32")}

    def verify(self, maps, third_map):
        maps = as_array(maps, "maps")
        if maps.ndim != 4 or maps.shape[-1] < 4:
            raise Incorrect(f"`maps` should be a batch of feature maps, shape (images, height, width, channels); "
                            f"it has shape {maps.shape}. Re-run the cell that computes it.")
        got = as_array(third_map, "third_map")
        expected = maps[0, :, :, 2]
        if got.shape == expected.shape and np.allclose(got, expected):
            return
        if got.shape == expected.shape:
            for c in range(maps.shape[-1]):
                if np.allclose(got, maps[0, :, :, c]):
                    ordinal = {0: "first", 1: "second", 3: "fourth", 4: "fifth"}.get(c, f"number {c + 1}")
                    raise Incorrect(f"that is maps[0, :, :, {c}], the {ordinal} map. Indices start at 0, so the "
                                    "third map is channel 2.")
            for i in range(1, maps.shape[0]):
                if np.allclose(got, maps[i, :, :, 2]):
                    raise Incorrect(f"that is the third map of image {i}; the question asks for image 0.")
        if got.shape == maps.shape[:3] and np.allclose(got, maps[:, :, :, 2]):
            raise Incorrect(f"that is the third map of every image (shape {got.shape}); pick image 0 only.")
        if got.shape == maps.shape[1:] and np.allclose(got, maps[2]):
            raise Incorrect("maps[2] is all the maps of image 2. Index all four axes: image, row, column, channel.")
        raise Incorrect(f"`third_map` should be one 2-D map of shape {expected.shape}; yours has shape {got.shape} "
                        "and does not match any map of image 0.")


def _checker_model(scale=1.0):
    """A tiny random conv net (fixed weights) whose last layer has no ReLU, so gradients never vanish.

    Its ``predicted`` turns True when the learner calls its ``predict``, whose NumPy output no tape can follow.
    """
    import keras

    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Conv2D(6, 3, activation="relu", name="conv1"),
        keras.layers.Conv2D(4, 3, name="conv2"),
    ], name="checker_net")
    rng = np.random.default_rng(7)
    for layer, s in zip(model.layers, (1.0, scale)):
        kernel, bias = layer.get_weights()
        layer.set_weights([s * rng.normal(0, 0.3, kernel.shape).astype("float32"),
                           s * rng.normal(0, 0.1, bias.shape).astype("float32")])
    predict = model.predict

    def noting_predict(*args, **kwargs):
        model.predicted = True
        return predict(*args, **kwargs)

    model.predicted, model.predict = False, noting_predict
    return model


class AscentStep(Question):
    variables = ("ascent_step",)
    hints = (
        "Inside `with tf.GradientTape() as tape:` watch the image, run feature_model(image, training=False) and "
        "take the mean of channel `channel`: activations[..., channel].",
        "tape.gradient(score, image) points uphill. Divide it by its length, e.g. tf.norm(grads) + 1e-8, so every "
        "step has the same length whatever the gradient's scale.",
        "Return image + step_size * normalised_gradient (plus, not minus: we climb).",
    )
    answer = """
        def ascent_step(image, feature_model, channel, step_size):
            image = tf.convert_to_tensor(image)
            with tf.GradientTape() as tape:
                tape.watch(image)
                activations = feature_model(image, training=False)
                score = tf.reduce_mean(activations[..., channel])
            grads = tape.gradient(score, image)
            grads = grads / (tf.norm(grads) + 1e-8)
            return image + step_size * grads
    """
    praise = "one normalised uphill step: the channel's mean activation rises, by a step of the same length " \
             "whatever the gradient's scale."

    def verify(self, ascent_step):
        import tensorflow as tf

        model = _checker_model()
        image = np.random.default_rng(3).uniform(-0.5, 0.5, (1, 16, 16, 3)).astype("float32")

        def mean_activation(m, x, channel):
            return float(np.mean(np.asarray(m(x, training=False))[..., channel]))

        steps = {}
        for channel, step_size, scale in ((1, 0.05, 1.0), (1, 0.1, 1.0), (1, 0.05, 10.0), (3, 0.05, 1.0)):
            m = model if scale == 1.0 else _checker_model(scale)
            try:
                step = call_learner(ascent_step, tf.constant(image), m, channel, step_size)
            except Incorrect as err:
                if m.predicted:
                    raise Incorrect("you called feature_model.predict(...). predict returns a NumPy array, computed "
                                    "outside the tape, so the tape cannot trace the score back to the image and "
                                    "tape.gradient gives None. Call the model directly: "
                                    "feature_model(image, training=False).") from err
                raise
            new = as_array(step, "ascent_step(image, feature_model, channel, step_size)", shape=image.shape)
            if not np.all(np.isfinite(new)):
                raise Incorrect("the returned image contains NaN or inf; guard the division with a small "
                                "number, e.g. grads / (tf.norm(grads) + 1e-8).")
            steps[channel, step_size, scale] = new - image
            before, after = mean_activation(m, image, channel), mean_activation(m, new.astype("float32"), channel)
            if np.allclose(new, image):
                raise Incorrect("the returned image equals the input; add step_size times the normalised gradient.")
            if after <= before:
                raise Incorrect(f"the mean activation of channel {channel} went down ({before:.3f} -> {after:.3f}). "
                                "Gradient ascent adds the gradient: image + step_size * grads.")
            with tf.GradientTape() as tape:
                x = tf.constant(image)
                tape.watch(x)
                score = tf.reduce_mean(m(x, training=False)[..., channel])
            grads = tape.gradient(score, x).numpy().ravel()
            delta = steps[channel, step_size, scale].ravel()
            cosine = float(delta @ grads / (np.linalg.norm(delta) * np.linalg.norm(grads) + 1e-12))
            if cosine < 0.98 and np.allclose(np.abs(delta), np.abs(delta).max(), rtol=1e-3):
                raise Incorrect("every pixel moved by the same amount: that is tf.sign(grads), which keeps only the "
                                "gradient's signs. Divide the gradient by its norm instead, so the step follows it.")
            if cosine < 0.98:
                raise Incorrect(f"your step does not point along the gradient of channel {channel}'s mean activation "
                                f"(cosine similarity {cosine:.2f}, should be about 1). Take the gradient of "
                                "tf.reduce_mean(activations[..., channel]) with respect to the image.")
        size = {k: np.linalg.norm(v) for k, v in steps.items()}
        if not np.isclose(size[1, 0.1, 1.0], 2 * size[1, 0.05, 1.0], rtol=0.05):
            raise Incorrect("doubling step_size should double the step, but your step changed by a factor "
                            f"{size[1, 0.1, 1.0] / size[1, 0.05, 1.0]:.2f}. Multiply the normalised gradient by step_size.")
        ratio = size[1, 0.05, 10.0] / size[1, 0.05, 1.0]
        if not np.isclose(ratio, 1.0, rtol=0.05):
            raise Incorrect(f"when the gradient is 10 times larger your step is {ratio:.1f} times longer; normalise "
                            "the gradient (divide it by its norm) so the step length depends only on step_size.")


q1 = FeatureModel("q1")
q2 = ThirdMap("q2")
q3 = AscentStep("q3")
