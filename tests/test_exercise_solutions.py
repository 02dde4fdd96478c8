"""Every question's own solution passes its own checker, run as the notebook runs it: after the notebook's
imports and ``from course_utils.exercises.exNN import *``, with the earlier variables its ``setup()`` declares."""
import importlib
import math
import os
import pkgutil
import textwrap

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

import course_utils as cu
from course_utils import exercises
from course_utils.exercises.core import Question
from tests.conftest import PACK

NOTEBOOK_IMPORTS = {"np": np, "math": math, "tf": tf, "keras": keras, "layers": keras.layers, "cu": cu}
MODULES = [importlib.import_module(f"{exercises.__name__}.{info.name}")
           for info in pkgutil.iter_modules(exercises.__path__) if info.name.startswith("ex")]
QUESTIONS = [(module, name) for module in MODULES for name in module.__all__
             if isinstance(getattr(module, name), Question)]


@pytest.mark.parametrize("module, name", QUESTIONS,
                         ids=[f"{module.__name__.rsplit('.', 1)[1]}-{name}" for module, name in QUESTIONS])
def test_solution_passes_its_checker(module, name, monkeypatch):
    if (PACK / "manifest.json").is_file():  # answers that load a dataset use the pack, not the network
        monkeypatch.setenv("COURSE_OFFLINE_PACK", str(PACK))
    question = getattr(module, name)
    namespace = {**NOTEBOOK_IMPORTS, **{n: getattr(module, n) for n in module.__all__}, **question.setup()}
    exec(textwrap.dedent(question.answer), namespace)
    result = question.evaluate(namespace)
    assert result.status == "correct", f"{question.name}: {result}"


def test_every_exercise_module_is_found():
    """Guards the discovery above: a module whose questions went unfound would pass silently."""
    assert MODULES and {module for module, _ in QUESTIONS} == set(MODULES)
