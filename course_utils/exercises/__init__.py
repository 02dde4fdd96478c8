"""Auto-checked exercises: ``q1.check()``, progressive ``q1.hint()``, ``q1.solution()``.

An exercise notebook starts with ``from course_utils.exercises.ex01 import *``, which gives it the
questions and the ``____`` placeholder. The engine is in ``core``; each ``exNN`` module holds one
lesson's questions.
"""
