"""The committee report `sgfund demo` writes, in a real browser: headless Chromium opens it from
a file with no console error and no request leaving the file, prints it to A4 and takes a
full-page screenshot.

Chromium is driven over its DevTools pipe (``--remote-debugging-pipe``: JSON messages ended by
a NUL byte on file descriptors 3 and 4), so the test needs nothing but Debian's ``chromium``.
Without it the test is skipped locally and fails in CI (``CI=true``), where .ci/run installs it.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from sgfund.workflow import demo_plugin_manager, run_demo

pytestmark = pytest.mark.slow

A4 = (595.28, 841.89)  # points
WAIT = 60.0  # seconds before a silent browser counts as hung (a guard, not a measurement)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:  # as conftest.py reads it
        pytest.fail(
            "chromium is not installed, and CI must run the browser test (.ci/run installs it)"
        )
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI runs this test")


class DevTools:
    """A headless Chromium and a page in it, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, self._out = os.pipe()
        self._in, from_browser_w = os.pipe()

        def pipes_as_3_and_4():
            # Out of the way first (the pipes may be 3 or 4 already), then onto 3 and 4,
            # which dup2 leaves open across exec.
            read_end = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",  # the tests run as root in CI
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=pipes_as_3_and_4,  # a test: nothing else runs in the child first
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict:
        deadline = time.monotonic() + WAIT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"chromium said nothing for {WAIT:.0f} seconds")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise AssertionError(f"chromium closed the pipe (exit {self.proc.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def open_page(self) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except AssertionError:
            pass
        finally:
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            os.close(self._in)
            os.close(self._out)


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """The report `sgfund demo` writes, opened in Chromium: its events, PDF, screenshot, checks."""
    executable = chromium()
    folder = tmp_path_factory.mktemp("browser")
    summary = run_demo(folder / "demo", pm=demo_plugin_manager())
    (page,) = [p for p in summary.files if p.name == "mayor-scf-2022-report.html"]
    browser = DevTools(executable, folder / "profile")
    try:
        browser.open_page()
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        browser.send("Page.navigate", {"url": page.as_uri()})
        browser.wait_for("Page.loadEventFired")
        height = browser.send("Page.getLayoutMetrics")["cssContentSize"]["height"]
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1100, "height": height, "scale": 1},
            },
        )
        # The optional script: a heading sorts the awards (twice: largest first).
        sorted_amounts = browser.send(
            "Runtime.evaluate",
            {
                "expression": (
                    "(() => { const b = document.querySelectorAll('#table-awards thead button')[2];"
                    " b.click(); b.click();"
                    " return [...document.querySelectorAll('#table-awards tbody tr')]"
                    ".map(r => r.cells[2].getAttribute('data-sort')); })()"
                ),
                "returnByValue": True,
            },
        )["result"]["value"]
        # A4 less the page margins is about 700 CSS pixels wide: nothing may stick out.
        browser.send("Emulation.setEmulatedMedia", {"media": "print"})
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 700, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        )
        overflow = browser.send(
            "Runtime.evaluate",
            {
                "expression": (
                    "[...document.querySelectorAll('table, svg, figure, p, h1, h2')]"
                    ".filter(e => e.getBoundingClientRect().right > "
                    "document.documentElement.clientWidth + 1)"
                    ".map(e => e.tagName + '#' + e.id)"
                ),
                "returnByValue": True,
            },
        )["result"]["value"]
        browser.send("Emulation.clearDeviceMetricsOverride")
        browser.send("Emulation.setEmulatedMedia", {"media": ""})
        pdf = browser.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
    finally:
        browser.close()
    (folder / "report.png").write_bytes(base64.b64decode(shot["data"]))
    (folder / "report.pdf").write_bytes(base64.b64decode(pdf["data"]))
    return {
        "url": page.as_uri(),
        "events": browser.events,
        "png": folder / "report.png",
        "pdf": folder / "report.pdf",
        "overflow": overflow,
        "height": height,
        "sorted_amounts": sorted_amounts,
    }


LOUD = {"error", "warning", "assert"}


def complaints(events):
    """Console errors and warnings, uncaught exceptions and the browser's own error logs."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in LOUD:
            found.append(params)
        if method == "Runtime.exceptionThrown":
            found.append(params)
        if method == "Log.entryAdded" and params["entry"]["level"] in LOUD:
            found.append(params["entry"])
    return found


def test_no_console_error_and_no_exception(shown):
    assert complaints(shown["events"]) == []


def test_no_request_leaves_the_file(shown):
    requests = [
        e["params"]["request"]["url"]
        for e in shown["events"]
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert shown["url"] in requests  # the monitoring saw the page itself
    assert [u for u in requests if u != shown["url"] and not u.startswith("data:")] == []


def test_the_pdf_is_a_few_a4_pages_with_the_headline_first(shown):
    from pypdf import PdfReader

    reader = PdfReader(shown["pdf"])
    assert 3 <= len(reader.pages) <= 16, len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert abs(size[0] - A4[0]) < 2 and abs(size[1] - A4[1]) < 2, (number, size)
    first = " ".join(reader.pages[0].extract_text().split())
    assert "awarded £534,286 to 100 projects" in first
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "£534,286.00" in last  # the list of awards ends with its total, not cut off


def test_a_heading_sorts_the_list_of_awards(shown):
    from decimal import Decimal

    amounts = [Decimal(a) for a in shown["sorted_amounts"]]
    assert len(amounts) == 100
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[0] == Decimal("6000.00")


def test_nothing_is_wider_than_an_a4_page(shown):
    assert shown["overflow"] == []


def test_the_screenshot_shows_the_page_and_its_charts(shown):
    from PIL import Image

    image = Image.open(io.BytesIO(shown["png"].read_bytes())).convert("RGB")
    assert image.width == 1100
    assert image.height == pytest.approx(shown["height"], abs=2)
    assert image.height > 3000  # the full page, not one screen
    small = image.resize((image.width // 4, image.height // 4))
    raw = small.tobytes()
    pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    inked = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
    assert inked > 0.02, f"only {inked:.1%} of the page is not white"
    blue = sum(1 for r, g, b in pixels if b > 150 and r < 40 and 90 < g < 140)  # #0072b2 bars
    orange = sum(1 for r, g, b in pixels if r > 200 and 140 < g < 180 and b < 40)  # #e69f00
    assert blue > 50 and orange > 20, (blue, orange)
