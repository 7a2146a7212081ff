"""The first lesson in a real browser: JupyterLab on loopback, headless Chromium via Playwright.

Follows RECIPES.md ("JupyterLab in a real browser"): Debian's ``chromium`` (never
``playwright install``), JupyterLab on 127.0.0.1 with a token and its files in a temporary
HOME, ``lessons/00-tour.ipynb`` run through the Run menu. Checks what only a browser can: the
widget manager really draws the cluster SVG (with the lesson's pods as ``g.lk-pod`` shapes), and
a click on the panel's "fail node" button (then "+1 min") reaches the kernel and changes the
picture. The screenshot path is printed (CI keeps it as an artifact).

Skipped, with the reason, when chromium, playwright or jupyterlab is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LESSON = "00-tour.ipynb"
#: Pods the lesson's last picture holds: three web replicas and the evicted one still Terminating,
#: the two CoreDNS replicas with the evicted one still Terminating, and a kube-proxy pod on each of
#: the three nodes (it tolerates every taint, so the failed node keeps its own).
EXPECTED_PODS = 10
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("LABKUBE_ARTIFACTS", tempfile.gettempdir())) / "labkube-browser"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; never `playwright install`)"
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        return "jupyterlab is not installed in this environment"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)  # waiting for a real server process to come up
    raise TimeoutError(f"jupyter lab did not answer {url} in {timeout} s")


def _start_session(base: str, token: str) -> None:
    """Start the lesson's kernel through the REST API, so the page attaches to it instead of
    racing to start one (a fresh JupyterLab may otherwise start two and keep the wrong one)."""
    body = json.dumps({"path": LESSON, "type": "notebook", "name": LESSON,
                       "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{base}/api/sessions?token={token}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        json.load(response)


def _run_all(page, panel: str) -> None:
    """Run every cell from the Run menu; once more if the kernel missed the first request."""
    for attempt in range(2):
        _accept_kernel_dialog(page, wait_ms=500)
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        try:
            page.wait_for_selector(f"{panel} .lk-cluster-view svg", timeout=30_000)
            return
        except Exception:
            if attempt:
                raise


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of lessons/, its files kept in a temp HOME."""
    home = tmp_path_factory.mktemp("home")
    notebooks = tmp_path_factory.mktemp("lessons")
    shutil.copy(REPO / "lessons" / LESSON, notebooks / LESSON)
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    overrides = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
    settings.mkdir(parents=True, exist_ok=True)
    override_file = settings / "overrides.json"
    if not override_file.exists():
        override_file.write_text(json.dumps(overrides))
    port, token = _free_port(), "labkube-browser-test"
    log = open(home / "jupyter.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--ip", "127.0.0.1",
         "--port", str(port), f"--ServerApp.token={token}", "--allow-root",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--ServerApp.root_dir={notebooks}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=notebooks)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(f"{base}/api/status?token={token}", server)
        _start_session(base, token)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _pods(page) -> int:
    return page.locator(".jp-NotebookPanel:visible .lk-cluster-view svg").first.locator("g.lk-pod").count()


def _svg(page) -> str:
    return page.locator(".jp-NotebookPanel:visible .lk-cluster-view svg").first.inner_html()


def _wait_for_kernel(page, panel: str) -> None:
    """Wait for an idle kernel; on a fresh HOME JupyterLab may also ask which kernel to use
    (sometimes only after the kernel reported idle), so wait for that dialog a little too."""
    page.wait_for_selector(f"{panel} .jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=60_000)
    _accept_kernel_dialog(page, wait_ms=3_000)


def _accept_kernel_dialog(page, wait_ms: int) -> None:
    try:
        page.wait_for_selector(".jp-Dialog:has-text('Select Kernel')", timeout=wait_ms)
    except Exception:
        return
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=10_000)


def test_the_tour_draws_the_cluster_and_the_fail_node_button_changes_the_picture(lab, capsys):
    from playwright.sync_api import sync_playwright

    base, token = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "00-tour.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{LESSON}?token={token}&reset")
            panel = ".jp-NotebookPanel:visible"
            _wait_for_kernel(page, panel)
            try:
                _run_all(page, panel)
            except Exception:
                page.screenshot(path=str(shot), full_page=True)
                with capsys.disabled():  # straight to the CI log, not captured
                    print(f"\nscreenshot: {shot}")
                (ARTIFACTS / "page.html").write_text(page.content())
                raise
            # The kernel is done when the last cell's output (the inspector's report) is there.
            page.wait_for_selector(f"{panel} .jp-OutputArea-output:has-text('Owner chain:')", timeout=60_000)
            page.wait_for_function(
                "n => { const s = document.querySelector('.jp-NotebookPanel .lk-cluster-view svg');"
                " return s && s.querySelectorAll('g.lk-pod').length === n; }", arg=EXPECTED_PODS, timeout=30_000)
            assert _pods(page) == EXPECTED_PODS
            before = _svg(page)
            controls = page.locator(f"{panel} .lk-controls").first
            controls.locator(".lk-action-fail-node").click()
            controls.locator(".lk-action-step-60").click()
            page.wait_for_function(
                "before => { const s = document.querySelector('.jp-NotebookPanel .lk-cluster-view svg');"
                " return s && s.innerHTML !== before; }", arg=before, timeout=30_000)
            after = _svg(page)
            page.screenshot(path=str(shot), full_page=True)
            with capsys.disabled():  # straight to the CI log, not captured
                print(f"\nscreenshot: {shot}")
        finally:
            browser.close()
    assert after != before
    # node-1 (the panel's first node) stopped heartbeating: a minute later it is drawn NotReady/Unknown.
    assert 'id="node-node-1"' in after and "lk-node-ready" in before
    node_1 = after.split('id="node-node-1"', 1)[1][:200]
    assert "unknown" in node_1 or "notready" in node_1.lower()
