"""The HTML reports in a real headless Chromium, driven over the DevTools protocol (stdlib only).

Chromium's --remote-debugging-pipe reads commands on fd 3 and writes replies on fd 4, each a JSON
message ended by NUL. We check what a reader sees (innerText), that the page logs no console error
and fetches nothing, and keep a full-page screenshot under artifacts/.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import signal
import time

import pytest

from auditor.reporters import report
from test_report_support import ARTIFACTS, sample_reports, tool  # noqa: F401

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe", "--enable-logging=stderr", "--v=0"]


class Chromium:
    """Just enough of a DevTools client: send a command, wait for its reply, keep the events."""

    def __init__(self, exe: str, profile, log):
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()
        # Move the child's ends above 4, so that placing them on 3 and 4 cannot overwrite one another.
        hi_r, hi_w = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
        actions = [(os.POSIX_SPAWN_DUP2, hi_r, 3), (os.POSIX_SPAWN_DUP2, hi_w, 4),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, str(log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
        argv = [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        self.pid = os.posix_spawn(exe, argv, dict(os.environ), file_actions=actions, setpgroup=0)
        for fd in (to_child, from_child, hi_r, hi_w):
            os.close(fd)
        self._buf, self._id, self.events = b"", 0, []

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, timeout: float = 30, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            self.events.append(self._read(deadline))

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, TimeoutError, EOFError, RuntimeError):
            pass
        for _ in range(50):
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.1)
        else:
            os.killpg(self.pid, signal.SIGKILL)  # its own process group: only what we started
            os.waitpid(self.pid, 0)
        os.close(self._in)
        os.close(self._out)


@pytest.fixture
def browser(tmp_path):
    exe = tool("chromium")
    chrome = Chromium(exe, tmp_path / "profile", tmp_path / "chromium.log")
    yield chrome
    chrome.close()


def visit(chrome: Chromium, path) -> tuple[str, str]:
    """Open a report; return its visible text and the session."""
    target = chrome.send("Target.createTarget", url="about:blank")["targetId"]
    session = chrome.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        chrome.send(f"{domain}.enable", session)
    chrome.send("Emulation.setDeviceMetricsOverride", session, width=1000, height=1400, deviceScaleFactor=1,
                mobile=False)
    chrome.send("Page.navigate", session, url=path.as_uri())
    chrome.wait_for("Page.loadEventFired")
    text = chrome.send("Runtime.evaluate", session, expression="document.body.innerText", returnByValue=True)
    return text["result"]["value"], session


def evaluate(chrome, session, expression):
    return chrome.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"]["value"]


def problems(chrome: Chromium) -> list:
    bad = []
    for e in chrome.events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            bad.append(params)
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            bad.append(params)
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            bad.append(params["entry"])
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                bad.append(f"fetched {url}")
    return bad


def test_organisation_report_reads_well_in_a_browser(browser, sample_reports, tmp_path):
    doc = json.loads((sample_reports / "report.json").read_text("utf-8"))
    text, session = visit(browser, sample_reports / "report.ja.html")
    for heading in ("情報セキュリティ監査報告書", "付録A 計画（Plan）", "付録B 実施（Do）", "1. 評価（Check）", "2. 改善（Act）",
                    "令和7年度", "指摘事項", "前回までの指摘の対応状況", "重大な不適合", "軽微な不適合"):
        assert heading in text, heading
    for finding in doc["check"]["findings"]:
        assert finding["id"] in text and finding["message"]["ja"] in text
    assert evaluate(browser, session, "document.documentElement.lang") == "ja"
    assert evaluate(browser, session, "document.scripts.length") == 0
    assert evaluate(browser, session, "document.querySelectorAll('svg.chart rect').length") > 20
    # the charts and tables fit the page: nothing wider than the viewport
    assert evaluate(browser, session, "document.documentElement.scrollWidth <= window.innerWidth")
    height = evaluate(browser, session, "document.documentElement.scrollHeight")
    browser.send("Emulation.setDeviceMetricsOverride", session, width=1000, height=min(height, 16000),
                 deviceScaleFactor=1, mobile=False)
    shot = browser.send("Page.captureScreenshot", session, format="png", timeout=60)["data"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-ja.png").write_bytes(base64.b64decode(shot))
    assert (ARTIFACTS / "report-ja.png").stat().st_size > 50_000
    assert problems(browser) == []
    log = (tmp_path / "chromium.log").read_text(errors="replace")
    assert "Uncaught" not in log and ":CONSOLE" not in log


def test_department_report_in_english(browser, sample_reports):
    folder = sample_reports / "departments" / report.folder_name({"code": "0320", "name": "税務課"})
    doc = json.loads((folder / "report.json").read_text("utf-8"))
    text, session = visit(browser, folder / "report.en.html")
    for heading in ("Information-security audit report (department)", "Summary: what this department must do", "Appendix A: Plan",
                    "1. Check", "2. Act",
                    "Organisation-wide totals (numbers only)", "税務課"):
        assert heading in text, heading
    assert doc["check"]["findings"] and all(f["message"]["en"] in text for f in doc["check"]["findings"])
    assert evaluate(browser, session, "document.documentElement.lang") == "en"
    shot = browser.send("Page.captureScreenshot", session, format="png")["data"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-department-en.png").write_bytes(base64.b64decode(shot))
    assert problems(browser) == []


def test_the_browser_checks_can_fail(browser, tmp_path):
    """The detector itself: hidden text is not 'visible', and errors and fetches are caught."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="ja"><body><p style="display:none">隠れた文</p><p>見える文</p>'
                    '<img src="http://127.0.0.1:9/x.png"><script>console.error("boom"); missing();</script>'
                    "</body></html>", encoding="utf-8")
    text, _ = visit(browser, page)
    assert "見える文" in text and "隠れた文" not in text
    found = [str(p) for p in problems(browser)]
    assert any("fetched http://127.0.0.1:9/x.png" in p for p in found)
    assert any("boom" in p for p in found) and any("missing" in p for p in found)
