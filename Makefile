# The two set-up commands (README): `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lab test benchmark notebooks exercises

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

install: $(STAMP)

lab: install
	TF_CPP_MIN_LOG_LEVEL=$${TF_CPP_MIN_LOG_LEVEL:-2} $(BIN)/jupyter lab --ServerApp.root_dir=. notebooks/00_start_here.ipynb

test: install
	$(BIN)/python -m pytest

# Maintainers: time every lesson (PROFILE=workshop|smoke|full), re-run lessons to store outputs,
# and regenerate exercises/ from solutions/.
benchmark: install
	$(BIN)/python -m course_utils.tools.benchmark --profile $(or $(PROFILE),workshop)

notebooks: install
	$(BIN)/python -m course_utils.tools.execute notebooks/*.ipynb solutions/*.ipynb

exercises: install
	$(BIN)/python -m course_utils.tools.build_exercises
