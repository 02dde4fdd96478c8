"""The lessons in a real browser, as a learner uses them: JupyterLab and headless Chromium.

The lessons are copied to a temporary folder and served by JupyterLab from this environment (on 127.0.0.1,
with a token, kernel "python3", COURSE_PROFILE=smoke); Playwright drives Debian's Chromium. The tests check
that every lesson opens unmodified (JupyterLab marks a notebook it would save differently; the control
inserts a cell and sees the mark), that the widgets of lessons 01, 02 and 05 redraw their figure when a
learner changes them after Run All, that no test causes a browser console error or asks for an outside
address other than the lessons' two badges, and that nothing on disk changed.

Needs Playwright (``pip install -r tests/requirements-browser.txt``) and Chromium (``apt-get install
chromium``; ``CHROMIUM=/path`` picks another). Without them the tests are skipped, unless
``COURSE_REQUIRE_BROWSER=1`` (CI) makes that a failure. Screenshots and JupyterLab's log are kept in
pytest's temporary folder (the failure message names it): ``pytest tests/test_browser.py -n 0`` runs them alone.
"""
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]  # no calls home on a closed network
RUN_TIMEOUT_S = 600     # Run All up to the widget, on 2 busy cores
REDRAW_TIMEOUT_S = 60
LAB_SETTINGS = {  # no news prompt, no update check, no autosave: nothing pops up, nothing is written; and every
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},   # cell is drawn, not
    "docmanager-extension/plugin": {"autosave": False},                                    # only those in view
    "notebook-extension/tracker": {"windowingMode": "none"},
}
EXTERNAL_ALLOWED = {  # the badges at the top of each lesson (stamp_notebooks): images from outside, aborted here
    "https://colab.research.google.com/assets/colab-badge.svg",
    "https://img.shields.io/badge/View%20on-GitHub-181717?logo=github"}
WIDGETS = [  # notebook, text of the widget cell, the control, how a learner changes it
    ("01_convolution.ipynb", "kernel_box = widgets.Textarea", ".widget-textarea textarea", "kernel"),
    ("02_feature_maps.ipynb", "channel_slider = widgets.IntSlider", ".widget-slider .noUi-handle", "slider"),
    ("05_saliency_maps.ipynb", "squirrel_top = [(label, c)", ".widget-dropdown select", "method"),
]
IDLE = "() => document.querySelector('.jp-StatusBar-Widget')?.innerText.includes('| Idle')"
RUN_ALL_DONE = (f"() => ({IDLE})() && ![...document.querySelectorAll('.jp-InputPrompt')]"
                ".some(e => e.textContent.includes('*'))")
EDGE_KERNEL = "0 1 0\n1 -4 1\n0 1 0"   # Laplacian edge detector, replacing the stored Sobel kernel


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_driver():
    """Skip (or, with COURSE_REQUIRE_BROWSER=1, fail) when Playwright or Chromium is missing."""
    missing = [] if CHROMIUM else ["Chromium (apt-get install chromium, or set CHROMIUM=/path/to/chrome)"]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install -r tests/requirements-browser.txt)")
    if missing and os.environ.get("COURSE_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail("COURSE_REQUIRE_BROWSER is set, but the browser tests need " + " and ".join(missing), pytrace=False)
    if missing:
        pytest.skip("browser tests need " + " and ".join(missing))


class Lab:
    """A JupyterLab server on a copy of the lessons, with throw-away settings, and the page driving it."""

    def __init__(self, folder):
        self.root, self.shots = folder / "notebooks", folder / "screenshots"
        self.root.mkdir()
        self.shots.mkdir()
        self.hashes = {path.name: sha256(path) for path in LESSONS}
        for path in LESSONS:
            shutil.copy(path, self.root / path.name)
        settings = folder / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "COURSE_HEADLESS"}   # headless would hide the widgets
        env.update(TF_CPP_MIN_LOG_LEVEL="2", COURSE_PROFILE="smoke")
        self.log = folder / "jupyterlab.log"
        self.log_file = self.log.open("w")
        self.server = subprocess.Popen(   # in its own process group, so that stop() also ends its kernels
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
             "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={folder / 'lab-workspaces'}"],
            cwd=self.root, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.wait_for_server()
        except BaseException:
            self.stop()
            raise

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.base}/api/{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def wait_for_server(self, timeout_s=180):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                return self.api("status")
            except OSError:
                if self.server.poll() is not None:
                    pytest.fail(f"JupyterLab exited; see {self.log}", pytrace=False)
                time.sleep(1)
        pytest.fail(f"JupyterLab did not answer in {timeout_s} s; see {self.log}", pytrace=False)

    def shut_down_kernels(self):
        """Stop every kernel: a finished lesson's kernel would hold memory and CPU while the next one runs."""
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self):
        """End the server and its kernels (killed if they do not stop in 30 s); close the log."""
        try:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
        except ProcessLookupError:
            pass
        finally:
            self.log_file.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_driver()
    server = Lab(tmp_path_factory.mktemp("browser"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(lab):
    """The page, with the console errors and the requests that left 127.0.0.1 (aborted: CI has no internet)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.set_default_navigation_timeout(120_000)
        page.errors, page.external = [], []

        def leave_local(route):
            page.external.append(route.request.url)
            route.abort()
        page.route(lambda url: urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost"), leave_local)
        page.on("console", lambda m: m.type == "error" and not _is_aborted_external(m, page.external)
                and page.errors.append(m.text[:300]))
        page.on("pageerror", lambda error: page.errors.append(f"uncaught: {str(error)[:300]}"))
        page.on("requestfailed", lambda r: r.url not in page.external and r.failure != "net::ERR_ABORTED"
                and page.errors.append(f"{r.failure} {r.url[:150]}"))
        page.goto(f"{lab.base}/lab?token={lab.token}")   # logs in (sets the cookie)
        yield page
        chromium.close()


@pytest.fixture(autouse=True)
def leave_lesson(request, lab):
    """After each browser test: leave the page, stop the kernels the test started (a finished lesson's kernel
    would hold memory and CPU while the next one runs), and fail that test on any console error it caused."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    yield
    page.goto("about:blank")    # first leave, so that no page sees its kernel die
    lab.shut_down_kernels()
    errors, external = page.errors[:], set(page.external) - EXTERNAL_ALLOWED
    page.errors.clear()
    assert not errors, f"browser console errors: {errors}; screenshots in {lab.shots}"
    assert not external, f"the page asked for outside addresses: {external}"


def _is_aborted_external(message, external):
    """A 'Failed to load resource' console line for a request the test itself aborted (an outside address)."""
    return message.text.startswith("Failed to load resource") and (message.location or {}).get("url") in external


def open_notebook(page, lab, name):
    page.goto(f"{lab.base}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.wait_for_function(IDLE)    # its kernel has started


def shows_modified(page):
    """Whether the current tab carries JupyterLab's unsaved-changes mark (after the notebook has settled)."""
    page.wait_for_function(IDLE)
    page.wait_for_timeout(3000)    # JupyterLab marks a notebook dirty while it loads it, if ever
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").first
    return "jp-mod-dirty" in (tab.get_attribute("class") or "")


def test_every_lesson_opens_unmodified(page, lab):
    modified = []
    for path in LESSONS:
        open_notebook(page, lab, path.name)
        if shows_modified(page):
            page.screenshot(path=lab.shots / f"{path.stem}_modified.png")
            modified.append(path.name)
    assert not modified, (f"JupyterLab would save these lessons differently (run `python -m "
                          f"course_utils.tools.execute` on them): {modified}; screenshots in {lab.shots}")


def test_an_inserted_cell_shows_as_modified(page, lab):
    """The control for the test above: its check does see a change (autosave is off: nothing is written)."""
    open_notebook(page, lab, LESSONS[0].name)
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    assert shows_modified(page), f"no unsaved-changes mark after inserting a cell; screenshots in {lab.shots}"


def cell_index(notebook, marker):
    """The position of the cell whose source contains ``marker`` (found in the file: the editor in the page draws
    only the lines near the view, so the cell's text cannot be searched there)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return next(i for i, cell in enumerate(cells) if marker in "".join(cell["source"]))


def figure_src(cell):
    """The data URL of the figure under the widget (empty when there is none)."""
    images = cell.locator(".widget-output img, .widget-interact img")
    return images.first.get_attribute("src") if images.count() else ""


def change_widget(page, cell, how):
    """Change the control as a learner would; return a description of the new value."""
    if how == "slider":
        track = cell.locator(".widget-slider .noUi-target").first.bounding_box()
        handle = cell.locator(".widget-slider .noUi-handle").first.bounding_box()
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] * 0.3, track["y"] + track["height"] / 2, steps=10)
        page.mouse.up()
        return "channel " + cell.locator(".widget-readout").first.inner_text().strip()
    if how == "method":
        cell.locator(".widget-dropdown select").first.select_option(label="vanilla gradient")
        return "method vanilla gradient"
    box = cell.locator(".widget-textarea textarea").first
    box.fill(EDGE_KERNEL)
    box.evaluate("el => el.blur()")   # continuous_update=False: the value is sent when the box loses focus
    return "kernel " + EDGE_KERNEL.replace("\n", "; ")


def run_all_until(page, lab, cell, control, shot):
    """Run > Run All Cells, then wait until ``control`` shows in ``cell``; fail on an error output or a dialog."""
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    start = time.monotonic()
    while not cell.locator(control).count() or not figure_src(cell):
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        dialog = page.locator(".jp-Dialog")
        if errors.count() or dialog.count() or time.monotonic() - start > RUN_TIMEOUT_S:
            page.screenshot(path=shot)
            why = (f"error output {errors.first.inner_text()[:300]!r}" if errors.count() else
                   f"dialog {dialog.first.inner_text()!r}" if dialog.count() else "timed out")
            pytest.fail(f"widget and figure not shown {time.monotonic() - start:.0f} s after Run All: {why}; "
                        f"screenshot {shot}; JupyterLab log {lab.log}", pytrace=False)
        time.sleep(2)
    left_ms = max(1, RUN_TIMEOUT_S - (time.monotonic() - start)) * 1000
    page.wait_for_function(RUN_ALL_DONE, timeout=left_ms)


@pytest.mark.parametrize("notebook, marker, control, how", WIDGETS, ids=[w[3] for w in WIDGETS])
def test_widget_redraws_its_figure(page, lab, notebook, marker, control, how):
    shot = lab.shots / f"{notebook[:2]}_{how}"
    open_notebook(page, lab, notebook)
    cell = page.locator(".jp-NotebookPanel .jp-Cell").nth(cell_index(lab.root / notebook, marker))
    run_all_until(page, lab, cell, control, f"{shot}_run.png")
    cell.scroll_into_view_if_needed()
    before = figure_src(cell)
    cell.locator(".jp-Cell-outputWrapper").screenshot(path=f"{shot}_before.png")
    new_value = change_widget(page, cell, how)
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while (after := figure_src(cell)) in ("", before) and time.monotonic() < deadline:
        time.sleep(1)
    page.wait_for_timeout(1000)
    cell.locator(".jp-Cell-outputWrapper").screenshot(path=f"{shot}_after.png")
    output = cell.locator(".jp-OutputArea").first.inner_text()
    problems = (cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
                + cell.locator('[data-mime-type="application/vnd.jupyter.error"]').all_inner_texts()
                + [line for line in output.splitlines() if line.startswith("Could not read")])  # kernel box refusal
    assert before, f"no figure under the widget after Run All; see {shot}_before.png"
    assert after not in ("", before), f"the figure did not change after moving to {new_value}; see {shot}_*.png"
    assert not problems, f"the widget cell printed {problems}; see {shot}_after.png"


def test_nothing_changed_on_disk(lab):
    """Runs after the others (pytest keeps a module's order): none of them saved or added a file."""
    assert {path.name: sha256(path) for path in LESSONS} == lab.hashes, "a lesson in notebooks/ changed"
    added = sorted(p.name for p in lab.root.iterdir()   # JupyterLab copies each notebook it opens there (gitignored)
                   if p.name not in lab.hashes and p.name != ".ipynb_checkpoints")
    assert not added, f"the browser session wrote {added} beside the lessons in {lab.root}"
    assert {name: sha256(lab.root / name) for name in lab.hashes} == lab.hashes, (
        "the browser session saved a lesson (autosave is off; nothing should be written)")
