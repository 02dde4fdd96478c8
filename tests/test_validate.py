import numpy as np
import pytest

from course_utils.validate import (
    check,
    check_choice,
    check_int_in_range,
    check_positive_int,
    check_same_shape,
    is_positive_int,
    is_shape,
)


def test_check_says_what_was_expected_and_what_was_given():
    check("alpha", 0.5, True, "in [0, 1]")
    with pytest.raises(ValueError, match=r"^alpha must be in \[0, 1\]; got 2\.$"):
        check("alpha", 2, False, "in [0, 1]")


def test_check_choice_lists_the_options():
    check_choice("kind", "steps", {"epochs": 1, "steps": 2})
    with pytest.raises(ValueError, match="^size must be one of 128, 224; got 100.$"):
        check_choice("size", 100, (128, 224))


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_positive_ints_pass(value):
    check_positive_int("n", value)
    assert is_positive_int(value)


@pytest.mark.parametrize("value", [0, -2, 2.0, True, "3", None])
def test_anything_else_is_not_a_positive_int(value):
    assert not is_positive_int(value)
    with pytest.raises(ValueError, match=f"n must be a positive int; got {value!r}"):
        check_positive_int("n", value)


def test_int_in_range_includes_both_ends():
    for value in (16, 1024):
        check_int_in_range("size", value, 16, 1024)
    for value in (15, 1025, 64.0, False):
        with pytest.raises(ValueError, match="size must be an int from 16 to 1024; got"):
            check_int_in_range("size", value, 16, 1024)


def test_is_shape_wants_a_tuple_of_positive_ints():
    assert is_shape((28, 28, 1), 3) and is_shape((48, 80), 2)
    assert not any([is_shape([28, 28], 2), is_shape((28, 28), 3), is_shape((28, 0), 2), is_shape((28, True), 2)])


def test_check_same_shape_names_the_axes():
    check_same_shape("a and b", np.zeros((2, 3, 3)), np.ones((2, 3, 3)), "NHW")
    message = r"a and b must have the same shape \(N, H, W\); got \(2, 3, 3\) and \(2, 4, 4\)"
    with pytest.raises(ValueError, match=message):
        check_same_shape("a and b", np.zeros((2, 3, 3)), np.zeros((2, 4, 4)), "NHW")
    with pytest.raises(ValueError, match="same shape"):
        check_same_shape("a and b", np.zeros((3, 3)), np.zeros((3, 3)), "NHW")
