"""Lesson 00's practice question: shows how checkers, hints and solutions behave."""
from .core import Function, Question, ____

__all__ = ["q1", "____"]


class DoubleIt(Question):
    checks = {"double": Function(lambda x: 2 * x, cases=[(0,), (3,), (-2.5,)],
                                 otherwise="double({x}) should be {want}, but yours returns {value!r}.")}
    hints = ("Multiply x by a number.", "return 2 * x")
    answer = """
        def double(x):
            return 2 * x
    """
    praise = "double works for zero, positive and negative numbers."


q1 = DoubleIt("q1")
