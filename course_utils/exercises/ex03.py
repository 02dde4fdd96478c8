"""Lesson 03 exercises: shapes and parameters of the CIFAR-10 CNN, confidence from logits, a confusion
matrix and its most common mistake, and adapting the CIFAR-10 model to MNIST."""

import numpy as np

from .core import (Function, Incorrect, Mistake, NotAttempted, Question, Value, ____, as_array, call_learner,
                   is_placeholder)

__all__ = ["q1", "q2", "q3", "q4", "q5", "____"]

# q5: accuracy a briefly trained MNIST model must reach on held-out digits, by profile
# (the solution trains for cu.cap(3, "epochs") epochs: 1 epoch on 1,000 digits in smoke, 3 on 8,000 in workshop).
MIN_ACCURACY = {"full": 0.98, "workshop": 0.95, "smoke": 0.5}
N_HELD_OUT = 1000


class CifarShapes(Question):
    variables = ("last_conv_shape", "dense_params")
    checks = {"dense_params": Value(4 * 4 * 64 * 64 + 64, mistakes=(
        Mistake(like=4 * 4 * 64 * 64, say="65,536 counts the weights only; each of the 64 units also has a bias."),
        Mistake(like=576 * 64 + 64, say="36,928 is MNIST's dense layer (576 inputs). With 32x32 inputs Flatten gives "
                                        "4*4*64."),
        Mistake(like=64 * 64 + 64, say="4,160 treats dense's input as 64 values; it gets all 4 * 4 * 64 = 1,024 "
                                       "values that Flatten lays out."),
    ), otherwise="{got:g} is not right: dense gets 4 * 4 * 64 inputs and has 64 units; count one weight per input "
                 "and unit, plus one bias per unit.")}
    hints = (
        "Follow the image through the layers: each 3x3 convolution without padding takes 2 pixels off each side "
        "(n - 3 + 1), and each 2x2 pooling halves the size, rounding down.",
        "32 -> 30 -> 15 -> 13 -> 6 -> 4, and last_conv has 64 filters. Flatten then gives 4 * 4 * 64 values.",
        "dense has 64 units: one weight per input value and unit, plus one bias per unit: 1024 * 64 + 64.",
    )
    answer = """
        last_conv_shape = (4, 4, 64)   # 32 -> conv 30 -> pool 15 -> conv 13 -> pool 6 -> conv 4
        dense_params = 4 * 4 * 64 * 64 + 64  # = 65,600
    """
    praise = "32 -> 30 -> 15 -> 13 -> 6 -> 4, so last_conv gives 4x4x64 = 1,024 values and dense has " \
             "1,024 x 64 + 64 = 65,600 parameters (model.summary() agrees)."

    def verify(self, last_conv_shape, dense_params):
        try:
            shape = tuple(last_conv_shape)
        except TypeError:
            raise Incorrect(f"`last_conv_shape` should be a tuple such as (height, width, channels), "
                            f"not a {type(last_conv_shape).__name__}.") from None
        if len(shape) == 4 and shape[0] is None:
            shape = shape[1:]  # a batch axis written as None is fine
        try:
            shape = tuple(int(v) for v in shape)
        except (TypeError, ValueError):
            raise Incorrect(f"`last_conv_shape` should hold whole numbers, got {last_conv_shape!r}.") from None
        if len(shape) != 3:
            raise Incorrect(f"`last_conv_shape` should have 3 numbers (height, width, channels), yours has "
                            f"{len(shape)}: {shape}.")
        if shape == (3, 3, 64):
            raise Incorrect("(3, 3, 64) is the MNIST shape, for 28x28 inputs. Start again from 32x32.")
        if shape == (5, 5, 64):
            raise Incorrect("pooling rounds down: 13 pixels pooled 2x2 give 6, not 7, so last_conv gives 6 - 2 = 4.")
        if shape[2] != 64:
            raise Incorrect(f"last_conv has 64 filters, so its output has 64 channels, not {shape[2]}.")
        if shape != (4, 4, 64):
            raise Incorrect(f"{shape} is not right. Follow 32 pixels through conv (n - 2), pool (n // 2), conv, "
                            "pool, conv.")
        super().verify(dense_params=dense_params)


def _reference_confidence(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return logits.argmax(axis=1), probs.max(axis=1)


class Confidence(Question):
    variables = ("predict_from_logits",)
    hints = (
        "The predicted class is the index of the largest logit in each row: argmax over axis 1.",
        "The confidence is the softmax probability of that class. Softmax of a row: exp(z) / sum(exp(z)), "
        "computed per row (axis=1, keepdims=True).",
        "exp(1000) overflows to inf. Subtract each row's maximum before exp: it does not change the softmax. "
        "(tf.nn.softmax does this for you.)",
    )
    answer = """
        def predict_from_logits(logits):
            logits = np.asarray(logits, dtype="float64")
            z = logits - logits.max(axis=1, keepdims=True)     # safe: no overflow
            probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            return logits.argmax(axis=1), probs.max(axis=1)
    """
    praise = "argmax for the class, and the softmax probability of that class as its confidence, safe even for " \
             "huge logits."

    def verify(self, predict_from_logits):
        rng = np.random.default_rng(3)
        cases = [rng.normal(0, 3, (6, 10)), np.array([[0.0, 0, 0, 20, 0, 0, 0, 0, 0, 0]]),
                 np.array([[1000.0, 990, 0, 0, 0, 0, 0, 0, 0, 0], [-5.0, 2, 2, 0, 0, 0, 0, 0, 0, 1]])]
        for logits in cases:
            with np.errstate(all="ignore"):  # an overflowing softmax is reported below, not as a warning
                out = call_learner(predict_from_logits, logits.astype("float32"))
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise Incorrect("return two things, `return classes, confidence`: the predicted class of each row "
                                "and its probability.")
            classes = as_array(out[0], "classes", shape=(len(logits),))
            confidence = as_array(out[1], "confidence", shape=(len(logits),))
            expected_classes, expected_conf = _reference_confidence(logits)
            if not np.array_equal(classes, expected_classes):
                raise Incorrect(f"for logits {np.round(logits[0], 2).tolist()}... the predicted classes should be "
                                f"{expected_classes.tolist()}, yours are {classes.astype(int).tolist()}. Take the "
                                "argmax of each row (axis=1).")
            if not np.all(np.isfinite(confidence)):
                raise Incorrect("your confidence contains nan or inf for large logits such as 1000: exp(1000) "
                                "overflows. Subtract each row's maximum before taking exp.")
            if np.allclose(confidence, logits.max(axis=1)):
                raise Incorrect("that is the largest logit, not a probability. Apply the softmax first.")
            if not np.allclose(confidence, expected_conf, atol=1e-4):
                column_softmax = np.exp(logits - logits.max(axis=0)) / np.exp(logits - logits.max(axis=0)).sum(axis=0)
                if len(logits) > 1 and np.allclose(confidence, column_softmax.max(axis=1), atol=1e-4):
                    raise Incorrect("your softmax runs down the columns (axis 0). Each row is one image: divide by "
                                    "the sum over axis=1.")
                raise Incorrect(f"the confidences should be {np.round(expected_conf, 3).tolist()}, yours are "
                                f"{np.round(confidence, 3).tolist()}. Confidence = softmax probability of the "
                                "predicted class.")


def _reference_confusion(y_true, y_pred):
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def _confusion_case():
    """300 digits, 70% predicted right, with mistakes that make the matrix clearly non-symmetric."""
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 10, 300)
    y_pred = np.where(rng.uniform(size=300) < 0.7, y_true, rng.integers(0, 10, 300))
    y_pred[:5] = (y_true[:5] + 1) % 10
    y_pred[5:12] = 4
    y_true[5:12] = 9
    return y_true, y_pred


def _miscounted(c):
    fewer = (" Repeated (true, predicted) pairs are counted only once by matrix[y_true, y_pred] += 1; use np.add.at."
             if c.got.sum() < len(c.y_true) else "")
    return f"your matrix counts {c.got.sum():g} digits, but there are {len(c.y_true)}.{fewer}"


class ConfusionMatrix(Question):
    checks = {"confusion": Function(_reference_confusion, [_confusion_case()], mistakes=(
        Mistake(like=lambda y_true, y_pred: _reference_confusion(y_true, y_pred).T,
                say="your matrix is transposed: rows should be the TRUE digits and columns the predictions."),
        Mistake(when=lambda c: c.got.shape == c.want.shape and c.got.sum() != len(c.y_true), say=_miscounted),
    ), otherwise="your counts differ from the expected ones: entry [i, j] should count the digits with true label i "
                 "predicted as j.")}
    hints = (
        "Start from np.zeros((10, 10), dtype=int) and add 1 at [true, predicted] for every digit.",
        "np.add.at(matrix, (y_true, y_pred), 1) does the loop in one line. (matrix[y_true, y_pred] += 1 does not: "
        "repeated pairs are counted only once.)",
    )
    answer = """
        def confusion(y_true, y_pred):
            matrix = np.zeros((10, 10), dtype=int)
            np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
            return matrix
    """
    praise = "rows are true digits, columns are predictions, and every digit is counted once."


class MostCommonMistake(Question):
    variables = ("cm", "most_common_mistake")
    hints = (
        "Mistakes are the entries off the diagonal. Copy the matrix and set the diagonal to 0 (np.fill_diagonal).",
        "np.unravel_index(errors.argmax(), errors.shape) turns the position of the largest entry into (row, column), "
        "that is (true digit, predicted digit).",
    )
    answer = """
        errors = cm.copy()
        np.fill_diagonal(errors, 0)
        most_common_mistake = tuple(int(i) for i in np.unravel_index(errors.argmax(), errors.shape))
    """
    praise = "the largest entry off the diagonal: (true digit, predicted digit)."

    def setup(self):
        """A confusion matrix like the notebook's `cm`, whose most common mistake is a 4 read as a 9."""
        cm = np.diag(np.full(10, 90))
        cm[4, 9], cm[9, 4], cm[7, 2], cm[3, 5] = 9, 5, 6, 4
        return {"cm": cm}

    def verify(self, cm, most_common_mistake):
        if is_placeholder(cm):
            raise NotAttempted("`cm` still holds ____: finish q3 first, then compute cm.")
        cm = as_array(cm, "cm", shape=(10, 10))
        try:
            pair = tuple(int(v) for v in np.asarray(most_common_mistake).ravel())
        except (TypeError, ValueError):
            raise Incorrect("`most_common_mistake` should be a pair of digits, (true, predicted).") from None
        if len(pair) != 2:
            raise Incorrect(f"`most_common_mistake` should be two digits, (true, predicted); yours is {pair}.")
        if not all(0 <= v <= 9 for v in pair):
            raise Incorrect(f"{pair} is not a pair of digits 0-9.")
        errors = cm.copy()
        np.fill_diagonal(errors, 0)
        if errors.max() == 0:
            raise Incorrect("`cm` has no mistakes at all, so there is nothing to find. Re-run the cell that computes it.")
        true, predicted = pair
        if true == predicted:
            raise Incorrect(f"({true}, {predicted}) is on the diagonal: those are correct answers. Set the diagonal "
                            "to 0 before looking for the largest entry.")
        best = errors.max()
        if errors[true, predicted] == best:
            return
        if errors[predicted, true] == best:
            raise Incorrect(f"you have it the wrong way round: {true} read as {predicted} happened "
                            f"{errors[true, predicted]:g} times; rows are the true digits, so give (row, column).")
        raise Incorrect(f"a true {true} read as {predicted} happened {errors[true, predicted]:g} times, but another "
                        f"mistake happened {best:g} times.")


_HELD_OUT = {}


def _held_out():
    """Up to 1,000 MNIST test digits (raw 0..255, shape (N, 28, 28, 1)) and labels, loaded quietly once."""
    if "data" not in _HELD_OUT:
        from ..datasets import load_dataset

        mnist = load_dataset("mnist", verbose=False)
        _HELD_OUT["data"] = (mnist.x_test[:N_HELD_OUT, :, :, None].astype("float32"), mnist.y_test[:N_HELD_OUT])
    return _HELD_OUT["data"]


def _accuracy(model, x, y):
    predictions = [np.asarray(model(x[i:i + 250], training=False)) for i in range(0, len(x), 250)]
    return float(np.mean(np.concatenate(predictions).argmax(axis=1) == y))


class MnistFromCifar(Question):
    variables = ("mnist_model",)
    hints = (
        "Only the input changes: MNIST digits are 28x28 with ONE grey channel, so keras.Input((28, 28, 1)). "
        "Everything else, including the 10 logits at the end, stays.",
        "The MNIST arrays are (N, 28, 28): give them a channel axis with x[..., None] before fit.",
        "Compile with keras.losses.SparseCategoricalCrossentropy(from_logits=True) (the model outputs logits) and "
        "fit for a few epochs on mnist.x_train[..., None], mnist.y_train.",
    )
    answer = """
        def build_mnist_cnn():
            return keras.Sequential([
                keras.Input((28, 28, 1)),          # was (32, 32, 3)
                layers.Rescaling(1 / 255),
                layers.Conv2D(32, 3, activation="relu"),
                layers.MaxPooling2D(),
                layers.Conv2D(64, 3, activation="relu"),
                layers.MaxPooling2D(),
                layers.Conv2D(64, 3, activation="relu"),
                layers.Flatten(),
                layers.Dense(64, activation="relu"),
                layers.Dense(10),
            ])

        mnist_model = build_mnist_cnn()
        mnist_model.compile(optimizer="adam", metrics=["accuracy"],
                            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        mnist_model.fit(mnist.x_train[..., None], mnist.y_train, epochs=cu.cap(3, "epochs"), batch_size=32, verbose=2)
    """
    praise = "your model takes 28x28x1 digits, returns 10 logits, and clears the accuracy bar on 1,000 held-out " \
             "test digits."

    def setup(self):
        """The notebook's `mnist` (as many digits as the profile allows), with a fixed seed for the short training."""
        import keras

        from ..datasets import load_dataset

        keras.utils.set_random_seed(0)
        return {"mnist": load_dataset("mnist", verbose=False)}

    def verify(self, mnist_model):
        import keras

        from ..settings import current_profile

        if not isinstance(mnist_model, keras.Model):
            raise Incorrect(f"`mnist_model` should be a Keras model, but it is a {type(mnist_model).__name__}. "
                            "Assign the model itself: mnist_model = build_mnist_cnn().")
        try:
            shape = tuple(mnist_model.inputs[0].shape[1:])
        except (AttributeError, IndexError, ValueError, TypeError):
            raise Incorrect("`mnist_model` has no defined input. Start it with keras.Input((28, 28, 1)).") from None
        if shape == (32, 32, 3):
            raise Incorrect("the input is still CIFAR-10's (32, 32, 3). MNIST digits are 28x28 with 1 channel.")
        if shape == (28, 28):
            raise Incorrect("the input (28, 28) has no channel axis; Conv2D needs (28, 28, 1).")
        if shape == (28, 28, 3):
            raise Incorrect("MNIST digits are grey: 1 channel, not 3. Use keras.Input((28, 28, 1)).")
        if shape != (28, 28, 1):
            raise Incorrect(f"the input shape is {shape}; MNIST digits are (28, 28, 1).")
        x, y = _held_out()
        out = np.asarray(mnist_model(x[:8], training=False))
        if out.shape != (8, 10):
            raise Incorrect(f"for 8 digits the model returns shape {out.shape}; it should return 10 numbers per "
                            "digit, (8, 10): keep the final Dense(10).")
        if np.all(out >= 0) and np.all(out <= 1) and np.allclose(out.sum(axis=1), 1, atol=1e-3):
            raise Incorrect("your model outputs probabilities (its rows sum to 1): it ends with a softmax. Keep the "
                            "last layer Dense(10) without activation, so it outputs logits, and train with "
                            "from_logits=True.")
        accuracy = _accuracy(mnist_model, x, y)
        profile = current_profile()
        needed = MIN_ACCURACY[profile]
        if accuracy >= needed:
            return
        if _accuracy(mnist_model, x / 255.0, y) > max(accuracy + 0.2, needed):
            raise Incorrect(f"on raw 0..255 digits your model gets only {accuracy:.1%} right, but far more on digits "
                            "divided by 255. Keep the Rescaling(1 / 255) layer in the model and train on raw pixels, "
                            "so the model scales its input itself.")
        raise Incorrect(f"your model gets {accuracy:.1%} of {len(y):,} held-out test digits right; the {profile} "
                        f"profile asks for at least {needed:.0%}. Train it (fit) for a few epochs, with the loss "
                        "SparseCategoricalCrossentropy(from_logits=True).")


q1 = CifarShapes("q1")
q2 = Confidence("q2")
q3 = ConfusionMatrix("q3")
q4 = MostCommonMistake("q4")
q5 = MnistFromCifar("q5")
