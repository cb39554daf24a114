"""Driving the clinic page in headless Chromium: for the browser tests, the benchmark and the screenshots.

Panel draws every component in its own shadow root, so the helpers find elements with a JavaScript query that
walks into shadow roots (``DEEP_QUERY``). ``AppServer`` starts ``outcomes app`` in a child process on a free
port and stops it; ``chrome`` makes a headless Chromium driver (selenium is a test dependency, imported here
only when a driver is made).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

DEEP_QUERY = """
window.ocAll = function(sel, root) {
  root = root || document; const out = [];
  const walk = (node) => {
    if (node.querySelectorAll) { node.querySelectorAll(sel).forEach(e => out.push(e)); }
    const all = node.querySelectorAll ? node.querySelectorAll('*') : [];
    all.forEach(e => { if (e.shadowRoot) walk(e.shadowRoot); });
  };
  walk(root); return out;
};
window.ocOne = function(sel) { const a = window.ocAll(sel); return a.length ? a[0] : null; };
window.ocField = function(name, tag) {
  const host = window.ocOne('.oc-field-' + name);
  if (!host) return null;
  const inner = host.shadowRoot ? window.ocAll(tag, host.shadowRoot) : [];
  return inner.length ? inner : Array.from(host.querySelectorAll(tag));
};
window.ocState = function(kind) {
  const e = window.ocOne('.oc-state[data-kind="' + kind + '"]');
  return e ? Object.assign({}, e.dataset) : null;
};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """``outcomes app`` in a child process on a free port (``with AppServer() as url: ...``)."""

    def __init__(self, args: Sequence[str] = (), *, timeout: float = 180.0) -> None:
        self.port = free_port()
        self.args = list(args)
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__; read by output())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> str:
        cmd = [sys.executable, "-m", "outcomes", "app", "--port", str(self.port), *self.args]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"outcomes app exited with {self.proc.returncode}: {self.output()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url, timeout=5) as r:
                if r.status == 200:
                    return self.url
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"outcomes app did not start within {self.timeout:.0f} s: {self.output()}")

    def output(self) -> str:
        if self.log.closed:
            return ""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def chrome(width: int = 1280, height: int = 800, profile_dir: Path | None = None) -> Any:
    """A headless Chromium driver of the given window size."""
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if CHROMIUM is None or DRIVER is None:
        raise RuntimeError("Chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile_dir = profile_dir or Path(tempfile.mkdtemp(prefix="oc-chrome-"))
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile_dir}",
        f"--window-size={width},{height}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_script_timeout(60)
    return driver


def wait_ready(driver: Any, timeout: float = 60.0) -> dict:
    """Wait until the page has drawn its results; returns the results marker's data."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = driver.execute_script(DEEP_QUERY + "return window.ocState('results');")
        if state:
            driver.execute_script(DEEP_QUERY)  # keep the helpers on the window
            return state
        time.sleep(0.2)
    raise TimeoutError("the page did not draw its results")


def state(driver: Any, kind: str = "results") -> dict:
    return driver.execute_script("return window.ocState(arguments[0]);", kind)


SET_AND_WAIT = """
const [name, tag, value, kind, done] = [arguments[0], arguments[1], arguments[2], arguments[3], arguments[4]];
const els = window.ocField(name, tag);
if (!els || !els.length) { done({error: 'no field ' + name}); return; }
const el = els[0];
const before = window.ocState(kind);
const seq0 = before ? Number(before.seq) : -1;
let t0 = 0;
const check = () => {
  const s = window.ocState(kind);
  if (s && Number(s.seq) > seq0) {
    const t1 = performance.now();
    requestAnimationFrame(() => done({ms: t1 - t0, paint_ms: performance.now() - t0, state: s}));
    return true;
  }
  return false;
};
const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
const host = window.ocOne('.oc-state[data-kind="' + kind + '"]');
const root = host ? host.getRootNode() : document;
obs.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
setTimeout(() => { obs.disconnect(); done({error: 'timeout', state: window.ocState(kind)}); }, 30000);
t0 = performance.now();
if (tag === 'select') { el.value = value; el.dispatchEvent(new Event('change', {bubbles: true})); }
else if (el.type === 'checkbox') { el.checked = value; el.dispatchEvent(new Event('change', {bubbles: true})); }
else { el.value = value; el.dispatchEvent(new Event('change', {bubbles: true})); }
"""


def set_field(driver: Any, name: str, value: Any, tag: str = "input", kind: str = "results") -> dict:
    """Set a form field in the browser and wait for the page's update; returns {ms, paint_ms, state}."""
    return driver.execute_async_script(SET_AND_WAIT, name, tag, value, kind)


CLICK_AND_WAIT = """
const [cls, label, kind, done] = [arguments[0], arguments[1], arguments[2], arguments[3]];
const host = window.ocOne('.' + cls);
if (!host) { done({error: 'no ' + cls}); return; }
const buttons = window.ocAll('button', host.shadowRoot || host);
const b = buttons.find(x => x.textContent.trim() === label);
if (!b) { done({error: 'no button ' + label}); return; }
const before = window.ocState(kind); const seq0 = before ? Number(before.seq) : -1;
let t0 = 0;
const obs = new MutationObserver(() => {
  const s = window.ocState(kind);
  if (s && Number(s.seq) > seq0) { obs.disconnect(); done({ms: performance.now() - t0, state: s}); }
});
const marker = window.ocOne('.oc-state[data-kind="' + kind + '"]');
obs.observe(marker ? marker.getRootNode() : document, {subtree: true, childList: true, attributes: true});
setTimeout(() => { obs.disconnect(); done({error: 'timeout'}); }, 30000);
t0 = performance.now();
b.click();
"""


def click_answer(driver: Any, trade: int, answer: str) -> dict:
    """Click an answer of a preference question and wait for the update."""
    return driver.execute_async_script(CLICK_AND_WAIT, f"oc-q-{trade}", answer, "preference")


def click_other_answer(driver: Any, index: int, answer: str) -> dict:
    """Click an answer of the ``index``-th other-harm question (how much a minor harm counts) and wait."""
    return driver.execute_async_script(CLICK_AND_WAIT, f"oc-other-{index}", answer, "preference")


def text_of(driver: Any, selector: str) -> str:
    """The visible text of the first element matching ``selector`` (inside shadow roots too)."""
    return driver.execute_script(
        """const h = window.ocOne(arguments[0]); if (!h) return null;
        if (!h.shadowRoot) return h.innerText;
        return Array.from(h.shadowRoot.children).filter(c => !['STYLE', 'LINK'].includes(c.tagName))
          .map(c => c.innerText).join('\\n').trim();""",
        selector,
    )


@contextlib.contextmanager
def browser(width: int = 1280, height: int = 800) -> Iterator[Any]:
    d = chrome(width, height)
    try:
        yield d
    finally:
        d.quit()
