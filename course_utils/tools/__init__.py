"""Maintainer tools, not for learners: run and store notebooks (``execute``), time lessons and
training (``benchmark``), derive ``exercises/`` from ``solutions/`` (``build_exercises``) and retrain
the course checkpoints (``train_checkpoint``). Each runs as ``python -m course_utils.tools.<name>``.
"""
