"""Screenshots of the clinic page in headless Chromium: the viewport and the whole page at 1280x800 and at tablet
width (820x1180), and the clinician and handout tabs. Writes into screenshots/ (git-ignored); `make screenshots`.

Usage: python benchmarks/screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from outcomes.app import browser as b

SIZES = ((1280, 800), (820, 1180))


def full_height(driver) -> int:
    js = "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
    return int(driver.execute_script(js))


def tab(driver, label: str) -> None:
    driver.execute_script(
        "const t = window.ocAll('.bk-tab').find(e => e.textContent.trim() === arguments[0]); if (t) t.click();", label
    )
    time.sleep(1.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="screenshots")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with b.AppServer() as url:
        for w, h in SIZES:
            with b.browser(w, h) as d:
                d.get(url)
                b.wait_ready(d)
                b.click_answer(d, 1, "No")  # questions answered, so the fit and its reasons show
                b.click_other_answer(d, 0, "10")
                time.sleep(0.5)
                d.save_screenshot(str(out / f"app-{w}x{h}.png"))
                d.set_window_size(w, full_height(d) + 40)
                time.sleep(1.0)
                d.save_screenshot(str(out / f"app-{w}x{h}-full.png"))
                for label, name in (("For the clinician", "clinician"), ("Handout", "handout")):
                    d.set_window_size(w, h)
                    tab(d, label)
                    d.set_window_size(w, full_height(d) + 40)
                    time.sleep(1.0)
                    d.save_screenshot(str(out / f"{name}-{w}x{h}-full.png"))
                    tab(d, "Decision aid")
    for p in sorted(out.glob("*.png")):
        print(p)


if __name__ == "__main__":
    main()
