"""The clinic page's speed: the time from an input change to the updated chart, measured in the browser; the same
for a full ``outcomes report`` rerun (the reference); and a load test of concurrent sessions.

0. Charts: the static matplotlib icon arrays and benefit-and-harm chart (drawn and saved as PNG) against the
   page's inline SVG of the same charts, for one profile (why the live page does not use matplotlib).
1. Browser (headless Chromium): the page is served by ``outcomes app`` (default model: 4000 draws x 100 patients);
   the age field is set to a new value each time (every value new, so no cached result is reused), the change
   event is dispatched, and a MutationObserver waits for the results pane's ``data-seq`` to change; the time
   runs from the change event to the next animation frame after that mutation (``performance.now()``).
   Preference answers are timed the same way on the preference pane. Prints update_ms_median, update_ms_p95
   (targets 150 and 300 ms) and the preference figures.
2. Reference: the same change made the old way: the profile file edited, ``outcomes report`` run as a command,
   and the report page reloaded in the same browser until its images have loaded.
3. Load: N sessions at once (default 20) for S seconds (default 60), each changing the age, the number of
   earlier operations or a preference answer about once a second and waiting for its page's update. The
   sessions are websocket clients speaking Bokeh's protocol (``bokeh.client``: the same messages a browser
   sends and receives, without drawing): 20 Chromium processes on this 2-core machine would measure Chromium's
   own contention, not the server. Each session has its own label, so every update it receives must carry the
   digest of its own profile: a digest of another session's profile would be state leaking between sessions.
   Prints the errors, leaks, updates and latency under load (median, p95).

Usage: python benchmarks/app.py [--changes 40] [--sessions 20] [--seconds 60] [--think 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import html
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from outcomes.app import browser as b
from outcomes.app.form import profile_yaml
from outcomes.profile import load_profile

MARK = re.compile(r'data-kind="(\w+)" data-seq="(\d+)" data-digest="(\w+)"')


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def chart_speed(repeats: int = 3) -> tuple[float, float]:
    """(matplotlib ms, inline SVG ms) to draw the icon arrays and the benefit-and-harm chart for one profile."""
    import io

    from outcomes.cliutil import headless_matplotlib

    headless_matplotlib()
    import matplotlib.pyplot as plt

    from outcomes.app import render
    from outcomes.app.engine import ProfileResult, load_evidence
    from outcomes.charts.benefit_harm import plot_benefit_harm
    from outcomes.charts.icon_array import plot_icon_arrays

    live = ProfileResult.compute(load_evidence(), load_profile()).at(1.0)
    full = live.full()
    mpl, svg = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        icons = render.icon_outcomes(live.model)  # the benefit and each weighed harm, as the page shows
        for fig in (
            plot_icon_arrays(full, outcomes=icons).flat[0].get_figure(root=True),
            plot_benefit_harm(full).figure,
        ):
            fig.savefig(io.BytesIO(), format="png", dpi=110)
            plt.close(fig)
        mpl.append(1000 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        strategies = list(live.result.strategies)
        render.icon_arrays_html(live, strategies) + render.benefit_harm_svg(live, strategies)
        svg.append(1000 * (time.perf_counter() - t0))
    return statistics.median(mpl), statistics.median(svg)


def browser_updates(url: str, changes: int) -> tuple[list[float], list[float], list[float]]:
    """(field update ms, their server compute ms, preference update ms), measured in the browser."""
    field, server, pref = [], [], []
    with b.browser(1280, 900) as d:
        d.get(url)
        b.wait_ready(d)
        b.set_field(d, "age", "61")  # warm-up (first update loads code paths)
        for i in range(changes):
            r = b.set_field(d, "age", str(20 + i))
            if "error" in r:
                raise RuntimeError(f"update failed: {r}")
            field.append(r["paint_ms"])
            server.append(float(r["state"]["ms"]))
        for i in range(max(10, changes // 2)):
            j, k = divmod(i, 5)  # every click a change: the trade questions in turn, then the minor-harm one
            if k == 4:
                r = b.click_other_answer(d, 0, ("1", "2", "5", "10", "20")[j % 5])
            else:
                r = b.click_answer(d, (1, 2, 5, 10)[k], ("Yes", "No")[j % 2])
            if "error" in r:
                raise RuntimeError(f"preference update failed: {r}")
            pref.append(r["ms"])
    return field, server, pref


def report_reference(runs: int) -> list[float]:
    """Edit the profile file, run `outcomes report`, reload the report in the browser: ms per change."""
    out = []
    with tempfile.TemporaryDirectory() as tmp, b.browser(1280, 900) as d:
        folder = Path(tmp)
        for i in range(runs):
            t0 = time.perf_counter()
            prof = load_profile().replace(age=40 + i)
            (folder / "p.yaml").write_bytes(profile_yaml(prof))
            cmd = [sys.executable, "-m", "outcomes", "report", "--profile", str(folder / "p.yaml")]
            subprocess.run([*cmd, "--out", str(folder / "r")], check=True, capture_output=True)
            d.get((folder / "r" / "report.html").as_uri())
            d.execute_async_script(
                "const done = arguments[0]; const ok = () => Array.from(document.images).every(i => i.complete);"
                "const t = setInterval(() => { if (ok()) { clearInterval(t); requestAnimationFrame(() => done(1)); } },"
                " 5);"
            )
            out.append(1000 * (time.perf_counter() - t0))
    return out


@dataclasses.dataclass
class SessionResult:
    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    leaks: int = 0


def _models(doc):
    by_class = {}
    for m in doc.models:
        for c in getattr(m, "css_classes", None) or []:
            by_class.setdefault(c, m)
    return by_class


def setter(model, attr: str, value):
    return lambda: setattr(model, attr, value)


def load_session(url: str, k: int, seconds: float, think: float, start: threading.Barrier, res: SessionResult) -> None:
    """One websocket session: its own label, then changes for ``seconds``; checks every update is its own."""
    import panel.models  # noqa: F401 (registers Panel's model types, which the page's document uses)
    from bokeh.client import pull_session
    from tornado.ioloop import IOLoop

    asyncio.set_event_loop(asyncio.new_event_loop())
    loop = IOLoop.current()
    try:
        session = pull_session(url=url, io_loop=loop)
    except Exception as exc:  # a refused session counts as an error
        res.errors.append(f"connect: {type(exc).__name__}: {exc}")
        start.wait()
        return
    conn = session._connection
    models = _models(session.document)
    results, pref_pane = models["oc-results-pane"], models["oc-preference-pane"]

    def marker(model) -> tuple[int, str]:
        m = MARK.search(html.unescape(model.text))
        return (int(m.group(2)), m.group(3)) if m else (-1, "")

    profile = dataclasses.replace(load_profile(), label=f"load session {k:02d}")
    rng = np.random.default_rng(k)

    def change(kind: str, apply, expect_digest: str | None) -> None:
        pane = results if kind == "results" else pref_pane
        seq0 = max(marker(results)[0], marker(pref_pane)[0])
        t0 = time.perf_counter()
        apply()
        deadline = t0 + 30

        def done() -> bool:
            return marker(pane)[0] > seq0 or time.perf_counter() > deadline

        conn._loop_until(done)
        seq, digest = marker(pane)
        if seq <= seq0:
            res.errors.append(f"session {k}: no update within 30 s")
            return
        res.latencies.append(1000 * (time.perf_counter() - t0))
        if expect_digest is not None and digest != expect_digest:
            res.leaks += 1

    try:
        change("results", lambda: setattr(models["oc-field-label"], "value", profile.label), profile.digest())
        start.wait()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            what = rng.integers(3)
            if what == 0:
                # always a new value: an unchanged value sends nothing, and no update would come back
                profile = profile.replace(age=18 + (profile.age - 18 + int(rng.integers(1, 83))) % 83)
                change("results", setter(models["oc-field-age"], "value", str(profile.age)), profile.digest())
            elif what == 1:
                n = (profile.prior_surgeries + int(rng.integers(1, 7))) % 7
                profile = profile.replace(prior_surgeries=n)
                v = str(profile.prior_surgeries)
                change("results", setter(models["oc-field-prior_surgeries"], "value", v), profile.digest())
            else:
                which = int(rng.integers(5))  # a serious-harm trade question, or the minor-harm question
                q = models["oc-other-0" if which == 4 else f"oc-q-{(1, 2, 5, 10)[which]}"]
                k_opts = 6 if which == 4 else 3
                change("preference", setter(q, "active", int((q.active + 1 + rng.integers(k_opts - 1)) % k_opts)), None)
                # the preference pane carries the digest too: it must still be this session's profile
                if marker(pref_pane)[1] != profile.digest():
                    res.leaks += 1
            time.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as exc:
        res.errors.append(f"session {k}: {type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(Exception):
            session.close()


def load_test(url: str, sessions: int, seconds: float, think: float) -> list[SessionResult]:
    results = [SessionResult() for _ in range(sessions)]
    start = threading.Barrier(sessions + 1)
    threads = [
        threading.Thread(target=load_session, args=(url, k, seconds, think, start, results[k]), daemon=True)
        for k in range(sessions)
    ]
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join(seconds + 120)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=40, help="timed field changes in the browser (default 40)")
    ap.add_argument("--reference-runs", type=int, default=3, help="timed `outcomes report` reruns (default 3)")
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions in the load test (default 20)")
    ap.add_argument("--seconds", type=float, default=60.0, help="load test duration (default 60)")
    ap.add_argument("--think", type=float, default=1.0, help="mean pause between a session's changes, s (default 1)")
    args = ap.parse_args()

    mpl_ms, svg_ms = chart_speed()
    print(f"charts of one update: matplotlib (icon arrays + benefit-harm, PNG) {mpl_ms:.0f} ms; SVG {svg_ms:.1f} ms")
    server = b.AppServer()
    with server as url:
        field, compute, pref = browser_updates(url, args.changes)
        print(f"update_ms_median {statistics.median(field):.0f}")
        print(f"update_ms_p95 {pct(field, 95):.0f}   (targets: median <= 150, p95 <= 300; {len(field)} field changes)")
        print(f"  of which server compute (simulation + summaries + HTML), median {statistics.median(compute):.0f} ms")
        print(f"preference_update_ms_median {statistics.median(pref):.0f}   p95 {pct(pref, 95):.0f}")
        ref = report_reference(args.reference_runs)
        print(
            f"reference: edit the profile file + `outcomes report` + reload, median {statistics.median(ref):.0f} ms "
            f"({len(ref)} runs); the page is {statistics.median(ref) / statistics.median(field):.0f}x faster"
        )
        t0 = time.perf_counter()
        res = load_test(url, args.sessions, args.seconds, args.think)
        wall = time.perf_counter() - t0
        lat = [x for r in res for x in r.latencies]
        errors = [e for r in res for e in r.errors]
        leaks = sum(r.leaks for r in res)
        print(
            f"load: {args.sessions} sessions x {args.seconds:.0f} s (about one change per {args.think:g} s each): "
            f"{len(lat)} updates in {wall:.0f} s, errors {len(errors)}, state leaks {leaks}"
        )
        print(f"load_update_ms_median {statistics.median(lat) if lat else float('nan'):.0f}   p95 {pct(lat, 95):.0f}")
        for e in errors[:5]:
            print("  error:", e)
        log = server.output()
        tracebacks = log.count("Traceback") + log.count("callback failed")
        print(f"server log: {tracebacks} tracebacks or failed callbacks")
    sys.exit(1 if errors or leaks or tracebacks else 0)


if __name__ == "__main__":
    main()
