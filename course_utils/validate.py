"""Argument checks shared by course_utils, so every bad argument is refused in the same words.

Each check raises ``ValueError("<name> must be <expected>; got <value>.")``: a learner calling a
helper from a notebook sees at once what was expected and what was given. A value of the wrong type
(``2.5`` or ``"224"`` where an int belongs) gets the same ValueError, so one ``except`` covers both.
"""
import numpy as np


def check(name, value, ok, expected):
    """Raise ``ValueError("<name> must be <expected>; got <value>.")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"{name} must be {expected}; got {value!r}.")


def check_choice(name, value, options):
    """Check that ``value`` is one of ``options`` (any container; the message lists them)."""
    check(name, value, value in options, f"one of {', '.join(map(str, options))}")


def check_positive_int(name, value):
    """Check that ``value`` is an int >= 1 (Python or NumPy)."""
    check(name, value, is_positive_int(value), "a positive int")


def check_int_in_range(name, value, low, high):
    """Check that ``value`` is an int from ``low`` to ``high``, both included."""
    check(name, value, _is_int(value) and low <= value <= high, f"an int from {low} to {high}")


def check_same_shape(names, a, b, axes):
    """Check that arrays ``a`` and ``b`` have one shape whose axes are named by ``axes`` (e.g. ``"NHW"``)."""
    if a.ndim != len(axes) or a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape ({', '.join(axes)}); got {a.shape} and {b.shape}.")


def is_positive_int(value):
    """True for an int >= 1 (Python or NumPy)."""
    return _is_int(value) and value >= 1


def is_shape(value, ndim):
    """True for a tuple of ``ndim`` positive ints, such as ``(height, width)``."""
    return isinstance(value, tuple) and len(value) == ndim and all(map(is_positive_int, value))


def _is_int(value):
    """True for Python and NumPy ints, but not for bools (which Python counts as ints)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
