"""Interactive controls that fall back to one static figure when run headless (lesson 01)."""
import os

STATIC_NOTE = ("Fixed settings: the figure stored with the notebook. Run the cell in JupyterLab or Colab (with "
               "ipywidgets installed) to get the controls.")


def interactive_enabled():
    """True when ipywidgets can be shown: it is installed and ``COURSE_HEADLESS`` is not set.

    Tests, the benchmark and the stored notebook outputs run with ``COURSE_HEADLESS=1``, so a
    notebook read on GitHub shows the static figure instead of a dead slider.
    """
    if os.environ.get("COURSE_HEADLESS", "").strip() not in ("", "0"):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def show_interactive(draw, controls, static):
    """Show ``draw`` with widget controls, or call it once with ``static`` values headless.

    Args:
        draw: a function that makes a figure from keyword arguments.
        controls: ``{argument: ipywidgets widget or interact abbreviation}``.
        static: ``{argument: value}`` used for the static figure; must name every control.
    """
    if set(static) != set(controls):
        raise ValueError(f"static must give a value for every control; controls {sorted(controls)}, "
                         f"static {sorted(static)}.")
    if interactive_enabled():
        import ipywidgets

        ipywidgets.interact(draw, **controls)
    else:
        print(STATIC_NOTE)
        draw(**static)
