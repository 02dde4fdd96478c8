"""The checker engine (introduced in lesson 00): placeholders, results, question types, and the Question class.

A checker never raises on learner input: an untouched ``____`` reports "not attempted", a wrong
answer says what is wrong, and anything unexpected (an exception in the learner's function, a
value of the wrong type) becomes an "incorrect" message that names the problem.

Most questions are declarations: a ``Question`` whose ``checks`` give each variable a type (``Value``,
``Array``, ``Choices`` or ``Function``) holding the right answer and a catalogue of known ``Mistake``s.
A question whose mistakes involve several variables at once writes its own ``verify``.
"""
import copy
import inspect
import sys
import textwrap
from dataclasses import dataclass
from types import SimpleNamespace

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


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and what to say about it.

    ``like`` is the wrong answer itself, compared as the right one is (for a ``Function``: a wrong function of the
    same arguments). ``when`` instead tests the context ``c`` of the check: ``c.value`` (the learner's value),
    ``c.got`` (it converted, of any shape), ``c.want``, ``c.name``, and a ``Function``'s arguments by name.
    ``say`` is the message: a ``str.format`` template of those fields, or a function of ``c``.
    """

    say: object
    like: object = None
    when: object = None


def _close(got, want, tolerance):
    """True if ``got`` is ``want``: the same string, or numbers of the same shape within ``tolerance``."""
    if isinstance(got, str) or isinstance(want, str):
        return got == want
    got, want = np.asarray(got, "float64"), np.asarray(want, "float64")
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=0, atol=tolerance))


def _as_answer(value, name, want, shape):
    """A learner's value in the form of ``want``: a string, a bool, or numbers (a float, or an array of ``shape``)."""
    if isinstance(want, str):
        if not isinstance(value, str):
            raise Incorrect(f"`{name}` should be a string; got a {type(value).__name__}.")
        return value
    if isinstance(want, (bool, np.bool_)):
        if isinstance(value, (bool, np.bool_)) or (np.ndim(value) == 0 and value in (0, 1)):
            return bool(value)
        raise Incorrect(f"`{name}` should be True or False; got {value!r}.")
    array = as_array(value, name, shape)
    return array[()] if array.ndim == 0 else array


class Value:
    """One number (right within ``tolerance``), bool or string: ``expected``.

    When the answer is wrong, the first of ``mistakes`` that matches says why; if none does, ``otherwise`` is said
    (like a ``Mistake``'s ``say``: a template or a function of the context).
    """

    def __init__(self, expected, mistakes=(), otherwise="{value!r} is not the right value for `{name}`.",
                 tolerance=1e-6):
        self.expected, self.mistakes, self.otherwise, self.tolerance = expected, mistakes, otherwise, tolerance

    def __call__(self, value, name):
        """Raise ``Incorrect``, saying why, unless the learner's ``value`` of variable ``name`` is right."""
        self._judge(value, name, self.expected, lambda wrong: wrong)

    def _convert(self, value, name, want):
        return _as_answer(value, name, want, shape=np.shape(want))

    def _judge(self, value, name, want, resolve, **arguments):
        """Compare ``value`` with ``want``; ``resolve`` turns a mistake's ``like`` into the wrong answer."""
        got = self._convert(value, name, want)
        if _close(got, want, self.tolerance):
            return
        c = SimpleNamespace(name=name, value=value, got=got, want=want, **arguments)
        say = next((m.say for m in self.mistakes if self._matches(m, c, resolve)), None)
        if say is None:
            if np.shape(got) != np.shape(want):
                raise Incorrect(f"`{name}` should have shape {np.shape(want)}, but yours has shape {np.shape(got)}.")
            say = self.otherwise
        raise Incorrect(say(c) if callable(say) else say.format_map(vars(c)))

    def _matches(self, mistake, c, resolve):
        with np.errstate(all="ignore"):  # a wrong formula may divide by zero where the right one does not
            return mistake.when(c) if mistake.when else _close(c.got, resolve(mistake.like), self.tolerance)


class Array(Value):
    """Numbers of the shape of ``expected``, right within ``tolerance``. The shape is checked after the mistakes,
    so a mistake can be recognised by its shape (say, a channel axis left in)."""

    def _convert(self, value, name, want):
        return _as_answer(value, name, want, shape=None)


class Function(Array):
    """A function that returns what ``reference`` returns for each of ``cases`` (tuples of arguments).

    The learner's function gets copies of the arguments. A ``Mistake``'s ``like`` is a wrong function of the same
    arguments, and its context holds the arguments under the names of ``reference``'s parameters.
    """

    def __init__(self, reference, cases, mistakes=(), otherwise="`{name}` returns {value!r}, not {want!r}.",
                 tolerance=1e-6):
        super().__init__(reference, mistakes, otherwise, tolerance)
        self.cases = cases
        self.parameters = tuple(inspect.signature(reference).parameters)

    def __call__(self, function, name):
        call = f"{name}({', '.join(self.parameters)})"
        for arguments in self.cases:
            value = call_learner(function, *copy.deepcopy(arguments))
            self._judge(value, call, self.expected(*arguments), lambda wrong: wrong(*arguments),
                        **dict(zip(self.parameters, arguments)))


class Choices:
    """A set of picks from the options of ``about``, matched case-insensitively (a string may hold one pick, or
    several separated by commas).

    ``about`` gives each option a full sentence saying why it is right or wrong: a wrong pick is answered with its
    sentence, a missed one with ``missed`` followed by its sentence. ``items`` and ``where`` name the options in
    messages about the form of the answer (e.g. ``"letters"``, ``"one of the heads"``).
    """

    def __init__(self, expected, about, items, where, missed=""):
        self.expected, self.about, self.items, self.where, self.missed = set(expected), about, items, where, missed

    def __call__(self, value, name):
        """Raise ``Incorrect``, saying why, unless the learner's picks are exactly ``expected``."""
        options = list(self.about)
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, (set, frozenset, list, tuple)):
            example = "{" + ", ".join(f'"{option}"' for option in options[:2]) + "}"
            raise Incorrect(f"`{name}` should be a set of {self.items} such as {example}; "
                            f"got a {type(value).__name__}.")
        lookup = {option.lower(): option for option in options}
        picks = {str(pick).strip() for pick in value} - {""}
        unknown = sorted(pick for pick in picks if pick.lower() not in lookup)
        if unknown:
            raise Incorrect(f"{', '.join(unknown)} is not {self.where}; choose from {', '.join(map(repr, options))}.")
        chosen = {lookup[pick.lower()] for pick in picks}
        wrong, missed = sorted(chosen - self.expected), sorted(self.expected - chosen)
        if wrong:
            raise Incorrect(" ".join(self.about[option] for option in wrong))
        if missed:
            raise Incorrect(self.missed + " ".join(self.about[option] for option in missed))


class Question:
    """One auto-checked question. Subclasses set the class attributes, and write ``verify`` only when ``checks``
    cannot say what is wrong (a mistake that involves several variables at once).

    Attributes:
        checks: each variable's check (a ``Value``, ``Array``, ``Choices`` or ``Function``), run in order.
        variables: names the learner must define, passed to ``verify`` as keyword arguments (default: those of
            ``checks``).
        hints: progressively more revealing hints.
        answer: the solution code shown by ``solution()``.
        praise: extra text shown with "Correct".
    """

    checks = {}
    variables = ()
    hints = ()
    answer = ""
    praise = ""

    def __init__(self, name):
        self.name = name
        self.variables = self.variables or tuple(self.checks)
        self._hints_shown = 0

    def setup(self):
        """The notebook's earlier variables that ``answer`` uses, by name (most answers use none): a test runs the
        answer with them and checks that it passes."""
        return {}

    def verify(self, **values):
        """Raise ``Incorrect`` or ``NotAttempted`` unless the learner's values are right."""
        for variable, check in self.checks.items():
            check(values[variable], variable)

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
