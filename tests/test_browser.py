"""The report in a real browser: headless Chromium renders the page with all its images."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from outcomes.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)",
    ),
]


def test_report_renders_with_all_images(tmp_path):
    from outcomes.app.browser import chrome

    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--draws", "500"]) == 0
    driver = chrome(1200, 2400, tmp_path / "profile")  # the one headless-Chromium set-up of the package
    try:
        driver.get((out / "report.html").as_uri())
        n_images = driver.execute_script("return document.images.length")
        loaded = driver.execute_script(
            "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 100).length"
        )
        title = driver.title
        body = driver.find_element("tag name", "body").text
        shot = Path(os.environ.get("OUTCOMES_SCREENSHOT", tmp_path / "report.png"))
        assert driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    assert n_images == 4 and loaded == 4
    assert "Treatment options" in title
    assert "out of the same 100 people" in body.replace("\n", " ")
    assert shot.stat().st_size > 20_000
