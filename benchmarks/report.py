"""Whole `outcomes report` on the default profile against a minimal matplotlib process.

Prints ``report_vs_baseline: X``: the median wall time of ``outcomes report`` (fresh process, default profile,
4000 draws) over the median of a process that imports numpy and matplotlib and saves one PNG, measured in
alternating runs in the same session. Target <= 2.5.
Run: ``.venv/bin/python benchmarks/report.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = (
    "import numpy as np, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; "
    "fig, ax = plt.subplots(); ax.plot(np.arange(10)); fig.savefig(%r)"
)


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = dict(os.environ, MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory() as tmp:
        png = str(Path(tmp) / "one.png")
        report = [sys.executable, "-m", "outcomes", "report", "--out", str(Path(tmp) / "report")]
        baseline = [sys.executable, "-c", BASELINE % png]
        timed(report, env)  # warm the disk cache and the maxent cache once
        timed(baseline, env)
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(timed(report, env))
            base.append(timed(baseline, env))
    print(f"report_seconds: {statistics.median(ours):.3f}")
    print(f"baseline_seconds: {statistics.median(base):.3f}")
    print(f"report_vs_baseline: {statistics.median(ours) / statistics.median(base):.2f}")


if __name__ == "__main__":
    main()
