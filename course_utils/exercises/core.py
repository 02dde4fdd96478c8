"""The checker engine (introduced in lesson 00): placeholders, results, and the Question base class.

A checker never raises on learner input: an untouched ``____`` reports "not attempted", a wrong
answer says what is wrong, and anything unexpected (an exception in the learner's function, a
value of the wrong type) becomes an "incorrect" message that names the problem.
"""
import sys
import textwrap
from dataclasses import dataclass

import numpy as np


class Placeholder:
    """The ``____`` a learner replaces. Arithmetic, calls and indexing on it return it again, so
    ``x = ____ * 2`` or ``return ____`` still reach the checker as "not attempted"."""

    def __repr__(self):
        return "____"

    def _same(self, *args, **kwargs):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __pow__ = __neg__ = _same
    __matmul__ = __rmatmul__ = __call__ = __getitem__ = _same


____ = Placeholder()


def is_placeholder(value):
    """True if ``value`` is, or contains, the ``____`` placeholder."""
    if isinstance(value, Placeholder):
        return True
    if isinstance(value, (list, tuple, set)):
        return any(is_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(is_placeholder(v) for v in value.values())
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(is_placeholder(v) for v in value.flat)
    return False


class NotAttempted(Exception):
    """Raised inside a checker when the learner's answer still holds a placeholder."""


class Incorrect(Exception):
    """Raised inside a checker with a message saying what is wrong and how to fix it."""


@dataclass(frozen=True)
class Result:
    """The outcome of a check: ``status`` is "correct", "incorrect" or "not attempted"."""

    status: str
    message: str

    def __str__(self):
        label = {"correct": "Correct", "incorrect": "Incorrect", "not attempted": "Not attempted yet"}[self.status]
        return f"{label}: {self.message}" if self.message else label


def call_learner(function, *args, **kwargs):
    """Call a learner's function inside a checker, turning problems into clear outcomes."""
    if not callable(function):
        raise Incorrect(f"expected a function, but got a {type(function).__name__}.")
    try:
        value = function(*args, **kwargs)
    except Exception as err:
        raise Incorrect(f"your function raised {type(err).__name__}: {err}") from err
    if is_placeholder(value):
        raise NotAttempted("your function still returns ____; replace it with your code.")
    return value


def as_array(value, name, shape=None):
    """Convert a learner's value to a float array, checking its shape; say what was expected."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError) as err:
        raise Incorrect(f"`{name}` should be numeric (an array or a number), got {type(value).__name__}.") from err
    if shape is not None and array.shape != tuple(shape):
        raise Incorrect(f"`{name}` should have shape {tuple(shape)}, but yours has shape {array.shape}.")
    return array


def as_choices(value, name, options, where, items, example):
    """A learner's set of picks from ``options`` (one pick may be given alone), matched case-insensitively.

    ``where`` completes "X is not ..." for an unknown pick (e.g. ``"one of the heads"``); ``items`` and
    ``example`` describe the expected value (e.g. ``"letters"``, ``'{"A", "B"}'``). Returns the picks spelled
    as in ``options``.
    """
    if isinstance(value, str):
        value = {value}
    if not isinstance(value, (set, frozenset, list, tuple)):
        raise Incorrect(f"`{name}` should be a set of {items} such as {example}; got a {type(value).__name__}.")
    lookup = {option.lower(): option for option in options}
    chosen = {str(pick).strip() for pick in value}
    unknown = sorted(pick for pick in chosen if pick.lower() not in lookup)
    if unknown:
        raise Incorrect(f"{', '.join(unknown)} is not {where}; choose from {', '.join(map(repr, options))}.")
    return {lookup[pick.lower()] for pick in chosen}


class Question:
    """One auto-checked question. Subclasses set the class attributes and write ``verify``.

    Attributes:
        variables: names the learner must define, passed to ``verify`` as keyword arguments.
        hints: progressively more revealing hints.
        answer: the solution code shown by ``solution()``.
        praise: extra text shown with "Correct".
    """

    variables = ()
    hints = ()
    answer = ""
    praise = ""

    def __init__(self, name):
        self.name = name
        self._hints_shown = 0

    def verify(self, **values):  # pragma: no cover - every question overrides it
        raise NotImplementedError

    def evaluate(self, namespace):
        """Check the learner's variables in ``namespace`` and return a ``Result``; never raises."""
        missing = [v for v in self.variables if v not in namespace]
        if missing:
            names = ", ".join(f"`{v}`" for v in missing)
            return Result("not attempted", f"{names} is not defined yet; run the cell where you define it.")
        values = {v: namespace[v] for v in self.variables}
        if any(is_placeholder(v) for v in values.values()):
            return Result("not attempted", "replace the ____ with your answer, run that cell, then check again.")
        try:
            self.verify(**values)
        except NotAttempted as err:
            return Result("not attempted", str(err))
        except (Incorrect, AssertionError) as err:
            return Result("incorrect", str(err))
        except Exception as err:  # the checker met input it did not foresee: report, don't crash
            return Result("incorrect", f"checking your answer raised {type(err).__name__}: {err}")
        return Result("correct", self.praise)

    def check(self):
        """Check the answer defined in the notebook and print the result."""
        result = self.evaluate(sys._getframe(1).f_globals)
        print(f"{self.name}: {result}")
        return None

    def hint(self, number=None):
        """Print the next hint (or hint ``number``); each call reveals a little more."""
        if not self.hints:
            print(f"{self.name}: there are no hints for this question.")
            return
        if number is None:
            self._hints_shown = min(self._hints_shown + 1, len(self.hints))
            number = self._hints_shown
        if not isinstance(number, int) or not 1 <= number <= len(self.hints):
            print(f"{self.name}: hints are numbered 1 to {len(self.hints)}; got {number!r}.")
            return
        more = f" (call {self.name}.hint() again for the next)" if number < len(self.hints) else \
            f" (last hint; {self.name}.solution() shows the answer)"
        print(f"{self.name} hint {number}/{len(self.hints)}: {self.hints[number - 1]}{more}")

    def solution(self):
        """Print a worked solution."""
        print(f"{self.name} solution:\n{textwrap.dedent(self.answer).strip()}")
