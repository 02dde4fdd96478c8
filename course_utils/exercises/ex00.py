"""Lesson 00's practice question: shows how checkers, hints and solutions behave."""
from .core import Incorrect, Question, ____, call_learner

__all__ = ["q1", "____"]


class DoubleIt(Question):
    variables = ("double",)
    hints = ("Multiply x by a number.", "return 2 * x")
    answer = """
        def double(x):
            return 2 * x
    """
    praise = "double works for zero, positive and negative numbers."

    def verify(self, double):
        for x in (0, 3, -2.5):
            got = call_learner(double, x)
            if got != 2 * x:
                raise Incorrect(f"double({x}) should be {2 * x}, but yours returns {got!r}.")


q1 = DoubleIt("q1")
