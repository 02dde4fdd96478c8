import numpy as np
import pytest

from course_utils.exercises.core import (Array, Choices, Function, Incorrect, Mistake, NotAttempted, Question, Value,
                                        ____, is_placeholder)
from tests.conftest import message, status


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


# question types: a declaration of the right answer and a catalogue of known mistakes

class Count(Question):
    checks = {"n": Value(448, mistakes=(Mistake(like=432, say="432 forgets the biases."),
                                        Mistake(when=lambda c: c.got < 0, say="{got:g} is negative.")),
                         otherwise="{got:g} is not right.")}


def test_value():
    assert Count("q").variables == ("n",)
    assert status(Count("q"), n=448.0000001) == "correct"
    assert message(Count("q"), n=432) == "432 forgets the biases."
    assert message(Count("q"), n=-3) == "-3 is negative."
    assert message(Count("q"), n=7) == "7 is not right."
    assert "shape ()" in message(Count("q"), n=[448])
    assert "numeric" in message(Count("q"), n="many")
    assert status(Count("q"), n=____) == "not attempted"


def test_value_of_a_string_or_bool():
    assert Value("conv2")("conv2", "layer") is None
    with pytest.raises(Incorrect, match="should be a string"):
        Value("conv2")(2, "layer")
    with pytest.raises(Incorrect, match="True or False"):
        Value(True)("yes", "hit")


def test_array_recognises_a_mistake_by_its_shape():
    check = Array(np.ones((2, 3)), mistakes=(Mistake(when=lambda c: c.got.shape == (3, 2), say="transposed"),))
    check(np.ones((2, 3)), "x")
    with pytest.raises(Incorrect, match="transposed"):
        check(np.ones((3, 2)), "x")
    with pytest.raises(Incorrect, match=r"`x` should have shape \(2, 3\), but yours has shape \(6,\)"):
        check(np.ones(6), "x")


class Halve(Question):
    checks = {"halve": Function(lambda xs: xs / 2, [(np.array([2.0, 4.0]),), (np.array([1.0]),)], mistakes=(
        Mistake(like=lambda xs: xs // 2, say="for xs = {xs} you rounded down."),
    ), otherwise=lambda c: f"`{c.name}` gives {c.got.tolist()} for {c.xs.tolist()}.")}


def test_function():
    assert status(Halve("q"), halve=lambda xs: xs * 0.5) == "correct"
    assert message(Halve("q"), halve=lambda xs: xs // 2) == "for xs = [1.] you rounded down."
    assert message(Halve("q"), halve=lambda xs: xs + 1) == "`halve(xs)` gives [3.0, 5.0] for [2.0, 4.0]."
    assert "ZeroDivisionError" in message(Halve("q"), halve=lambda xs: 1 / 0)
    assert status(Halve("q"), halve=lambda xs: ____) == "not attempted"


def test_function_gets_copies_of_the_arguments():
    def in_place(xs):
        xs /= 2
        return xs
    assert status(Halve("q"), halve=in_place) == "correct"


class Heads(Question):
    checks = {"heads": Choices({"A", "C"}, {"A": "A is right.", "B": "B is wrong.", "C": "C is right."},
                               items="letters", where="one of the heads", missed="you missed: ")}


def test_choices():
    assert status(Heads("q"), heads={"a", "C"}) == "correct"
    assert status(Heads("q"), heads="A, c") == "correct"
    assert message(Heads("q"), heads={"A", "B", "C"}) == "B is wrong."
    assert message(Heads("q"), heads=["A"]) == "you missed: C is right."
    assert message(Heads("q"), heads={"A", "Z"}) == "Z is not one of the heads; choose from 'A', 'B', 'C'."
    assert message(Heads("q"), heads=3) == '`heads` should be a set of letters such as {"A", "B"}; got a int.'


def test_questions_declare_what_their_answer_needs():
    assert Count("q").setup() == {}
