"""Check in a real browser that the lesson widgets work for a learner (maintainers; not run by pytest).

It copies the lessons to a temporary folder, starts JupyterLab from the course venv on a free port
(kernel "python3", COURSE_PROFILE=smoke), and drives headless Chromium as a learner would. First it opens
every lesson and checks that none opens as modified (JupyterLab marks a notebook it would save differently),
and that the same check does see a change (lesson 00 again, after inserting a cell; autosave is off, so nothing is
written).
Then, for lessons 01, 02 and 05: open the notebook, Run > Run All Cells, wait for the widget, change it, and
check that the figure changes. It prints PASS/FAIL per check with what it measured; screenshots go to
/tmp/widgetcheck/.

Install its driver outside the course venv (Debian's Chromium; Playwright's own browser download is
not needed):

    apt-get install -y chromium
    python3 -m venv /tmp/pw-venv && /tmp/pw-venv/bin/pip install playwright

Run from the repository root (after `make install`):

    COURSE_OFFLINE_PACK=/path/to/offline-pack /tmp/pw-venv/bin/python tests/browser_widgets_check.py

CHROMIUM=/path/to/chrome picks another browser; SHOTS=/some/dir moves the screenshots.
"""
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
JUPYTER = REPO / ".venv" / "bin" / "jupyter"
SHOTS = Path(os.environ.get("SHOTS", "/tmp/widgetcheck"))
RUN_TIMEOUT_S = 600     # Run All up to the widget, on 2 slow cores
REDRAW_TIMEOUT_S = 60
SETTINGS = {  # no news prompt, no update check, no autosave: nothing pops up, nothing is written
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "docmanager-extension/plugin": {"autosave": False},
}
LESSONS = [  # notebook, what the widget cell contains, the control, how a learner changes it
    ("02_feature_maps.ipynb", "channel_slider = widgets.IntSlider", ".widget-slider .noUi-handle", "slider"),
    ("01_convolution.ipynb", "kernel_box = widgets.Textarea", ".widget-textarea textarea", "kernel"),
    ("05_saliency_maps.ipynb", "squirrel_top = [(label, c)", ".widget-dropdown select", "method"),
]
WIDGET_NAMES = {"slider": "channel slider", "kernel": "kernel box", "method": "method menu"}
IDLE = "() => document.querySelector('.jp-StatusBar-Widget')?.innerText.includes('| Idle')"
EDGE_KERNEL = "0 1 0\n1 -4 1\n0 1 0"   # Laplacian edge detector, replacing the stored Sobel kernel


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root, port, token):
    """Start JupyterLab on ``root`` with throw-away settings; return the process once it answers."""
    settings = root / ".lab-settings"
    for name, values in SETTINGS.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if k != "COURSE_HEADLESS"}   # headless would hide widgets
    env.update(TF_CPP_MIN_LOG_LEVEL="2", COURSE_PROFILE="smoke",
               COURSE_OFFLINE_PACK=os.environ.get("COURSE_OFFLINE_PACK", "/work/shared/offline-pack"))
    log = open(SHOTS / "jupyter.log", "w")
    proc = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0", "--allow-root",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={root / '.lab-workspaces'}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"JupyterLab exited; see {SHOTS / 'jupyter.log'}")
            time.sleep(1)
    sys.exit(f"JupyterLab did not answer in 120 s; see {SHOTS / 'jupyter.log'}")


def kernel_commands(server_pid):
    """Command lines of the kernels the server started (to show they run the venv's python)."""
    out = subprocess.run(["ps", "-o", "args=", "--ppid", str(server_pid)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if "ipykernel" in line]


def watch_errors(page):
    """Collect the browser console's errors and failed requests (not those a page load aborts) in a list."""
    errors = []
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and errors.append(m.text[:200]))
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and errors.append(f"{r.failure} {r.url[:100]}"))
    return errors


def cell_state(page, marker):
    """Execution counts, errors, and the widget cell's locator."""
    counts = page.eval_on_selector_all(
        ".jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent.trim())")
    errors = page.eval_on_selector_all(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]',
        "els => els.map(e => e.innerText.slice(0, 300))")
    cell = page.locator(".jp-CodeCell", has_text=marker)
    return counts, errors, cell


def last_count(prompts):
    """The highest execution count among prompts like '[12]:' (0 when none ran yet)."""
    return max([int(p.strip("[]: ")) for p in prompts if p.strip("[]: ").isdigit()], default=0)


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
    box.click()
    box.press("ControlOrMeta+a")
    box.type(EDGE_KERNEL)
    box.evaluate("el => el.blur()")   # continuous_update=False: the value is sent when the box loses focus
    return "kernel " + EDGE_KERNEL.replace("\n", "; ")


def check_opens_clean(page, base, notebook, edit=False):
    """Open a notebook without running it; return (clean, report line): clean means no dirty marker on its tab.

    ``edit=True`` inserts a cell first (command mode, key B): the control that shows the marker is detected.
    """
    page.goto(f"{base}/lab/tree/{notebook}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_timeout(3000)    # JupyterLab marks a notebook dirty while it loads it, if ever
    if edit:
        page.locator(".jp-NotebookPanel .jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.wait_for_timeout(1000)
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").first
    dirty = "jp-mod-dirty" in (tab.get_attribute("class") or "")
    cells = page.locator(".jp-NotebookPanel .jp-Cell").count()
    state = "as modified" if dirty else "unmodified"
    return not dirty, f"{notebook} {'shows ' + state + ' after an inserted cell' if edit else 'opens ' + state} " \
                      f"({cells} cells shown)"


def check_lesson(page, base, notebook, marker, control, how, console):
    """Run one lesson in the browser and return (passed, report line)."""
    label = f"lesson {notebook[:2]} {WIDGET_NAMES[how]}"
    page.goto(f"{base}/lab/tree/{notebook}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)    # the kernel has started
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    start = time.monotonic()
    shot = SHOTS / f"{notebook[:2]}"
    while True:
        counts, errors, cell = cell_state(page, marker)
        if cell.locator(control).count():
            break
        dialog = page.locator(".jp-Dialog")
        if errors or dialog.count() or time.monotonic() - start > RUN_TIMEOUT_S:
            page.screenshot(path=f"{shot}_fail.png")
            why = (f"error output: {errors[0]!r}" if errors else
                   f"dialog: {dialog.first.inner_text()!r}" if dialog.count() else "timed out")
            return False, (f"{label}: widget not rendered after {time.monotonic() - start:.0f} s; {why}; "
                           f"last execution count {last_count(counts)}; browser errors: {console[-3:]}")
        if int(time.monotonic() - start) % 30 < 2:   # a progress line and picture every 30 s
            print(f"  ... {time.monotonic() - start:.0f} s: last execution count {last_count(counts)}", flush=True)
            page.screenshot(path=f"{shot}_progress.png")
        time.sleep(2)
    rendered = time.monotonic() - start
    cell.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({IDLE})() && ![...document.querySelectorAll('.jp-InputPrompt')]"
                           ".some(e => e.textContent.includes('*'))", timeout=RUN_TIMEOUT_S * 1000)  # Run All done
    before = figure_src(cell)
    cell.locator(".jp-Cell-outputWrapper").screenshot(path=f"{shot}_before.png")
    new_value = change_widget(page, cell, how)
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while (after := figure_src(cell)) in ("", before) and time.monotonic() < deadline:
        time.sleep(1)
    page.wait_for_timeout(1000)
    cell.locator(".jp-Cell-outputWrapper").screenshot(path=f"{shot}_after.png")
    _, errors, _ = cell_state(page, marker)
    stderr = cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    refused = [line for line in cell.locator(".jp-OutputArea").first.inner_text().splitlines()
               if line.startswith("Could not read")]       # the kernel box's message for a bad kernel
    problems = errors + stderr + refused
    changed = bool(before) and after not in ("", before)
    prompt = cell.locator(".jp-InputPrompt").first.inner_text().strip()
    return changed and not problems, (
        f"{label}: cell {prompt} rendered in {rendered:.0f} s after Run All; image changed after moving to "
        f"{new_value}: {'yes' if changed else 'no'}; errors: {problems or 'none'}")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    originals = {path.name: path for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
    hashes = {name: sha256(path) for name, path in originals.items()}
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="widgetcheck-") as tmp:
        root = Path(tmp)
        for name, path in originals.items():
            shutil.copy(path, root / name)
        port, token = free_port(), secrets.token_hex(16)
        server = start_lab(root, port, token)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
                print(f"chromium {browser.version}")
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                console = watch_errors(page)
                page.goto(f"http://127.0.0.1:{port}/lab?token={token}")   # logs in (sets the cookie)
                for name in originals:
                    passed, line = check_opens_clean(page, f"http://127.0.0.1:{port}", name)
                    results.append(passed)
                    print(("PASS " if passed else "FAIL ") + line, flush=True)
                clean, line = check_opens_clean(page, f"http://127.0.0.1:{port}", "00_start_here.ipynb", edit=True)
                results.append(not clean)   # the control: an edited notebook must show as modified
                print(("PASS " if not clean else "FAIL ") + "control: " + line, flush=True)
                for lesson in LESSONS:
                    passed, line = check_lesson(page, f"http://127.0.0.1:{port}", *lesson, console)
                    results.append(passed)
                    print(("PASS " if passed else "FAIL ") + line, flush=True)
                print(f"browser errors: {len(console)} {sorted(set(console))[:5]}")
                print("kernels:", "; ".join(kernel_commands(server.pid)) or "none found")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        copies_same = all(sha256(root / name) == hashes[name] for name in originals)
    originals_same = all(sha256(path) == hashes[name] for name, path in originals.items())
    print(f"notebooks unchanged on disk: repo {originals_same}, temporary copies {copies_same}")
    print(f"screenshots: {SHOTS}/*.png; took {time.monotonic() - started:.0f} s")
    sys.exit(0 if all(results) and originals_same else 1)


if __name__ == "__main__":
    main()
