import numpy as np
import pytest

from course_utils.exercises.core import Incorrect, NotAttempted, Question, ____, is_placeholder


class Double(Question):
    variables = ("double",)
    hints = ("Multiply by two.", "return x * 2")
    answer = "def double(x):\n    return x * 2"

    def verify(self, double):
        if double(3) != 6:
            raise Incorrect(f"double(3) should be 6, got {double(3)!r}.")


class Crashes(Question):
    variables = ("x",)

    def verify(self, x):
        raise RuntimeError("checker bug")


@pytest.mark.parametrize("value", [____, ____ * 2, 1 + ____, [1, ____], {"a": ____}, np.array([____, 1], dtype=object),
                                   ____(3), ____[0]])
def test_placeholders_are_found_wherever_they_hide(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", [0, None, "____", [1, 2], np.zeros(3)])
def test_ordinary_values_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_outcomes():
    q = Double("q1")
    assert q.evaluate({"double": lambda x: x * 2}).status == "correct"
    wrong = q.evaluate({"double": lambda x: x + 2})
    assert wrong.status == "incorrect" and "should be 6, got 5" in wrong.message
    assert q.evaluate({"double": ____}).status == "not attempted"
    assert q.evaluate({}).status == "not attempted"


def test_checker_never_raises_on_odd_input():
    assert Double("q1").evaluate({"double": "not a function"}).status == "incorrect"
    result = Crashes("q2").evaluate({"x": 1})
    assert result.status == "incorrect" and "RuntimeError: checker bug" in result.message


def test_check_reads_the_callers_variables(capsys):
    namespace = {"double": lambda x: x * 2, "q": Double("q1")}
    exec("q.check()", namespace)
    assert capsys.readouterr().out.strip() == "q1: Correct"


def test_hints_are_progressive(capsys):
    q = Double("q1")
    q.hint()
    q.hint()
    q.hint()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("q1 hint 1/2: Multiply by two.") and "again for the next" in out[0]
    assert out[1].startswith("q1 hint 2/2: return x * 2") and "solution()" in out[1]
    assert out[2].startswith("q1 hint 2/2")
    q.hint(5)
    assert "hints are numbered 1 to 2" in capsys.readouterr().out


def test_solution_is_shown(capsys):
    Double("q1").solution()
    assert "return x * 2" in capsys.readouterr().out


def test_not_attempted_signal_from_a_checker():
    class Partial(Question):
        variables = ("x",)

        def verify(self, x):
            raise NotAttempted("finish part b first.")

    assert Partial("q").evaluate({"x": 1}).status == "not attempted"
