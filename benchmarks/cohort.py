"""Cohort throughput and memory (``outcomes cohort``), as ratios against references measured in the same run.

Prints one ``name: value`` line per figure:

* ``profiles_per_s``             patients summarised per second by ``run_cohort`` on Dask's local threaded
                                 scheduler, everything included (validation pass, draws, Parquet written)
* ``speedup_vs_loop``            seconds per profile of looping the one-profile comparison (``pipeline.compare``,
                                 the same draws, seed and evidence, default simulated patients) over a small sample
                                 of the same profiles, over seconds per profile of the cohort run (target >= 100)
* ``two_worker_speedup``         a ``LocalCluster`` of 2 worker processes (1 thread each) against 1, the same
                                 cohort, cluster start-up excluded (target >= 1.6)
* ``peak_rss_gib_1e6_profiles``  peak resident memory of a fresh process running a million profiles at 1,000
                                 draws on the local scheduler (one process: the sum over processes is that one);
                                 ``peak_rss_gib_1e6_profiles_2_workers`` (with ``--cluster-memory``) sums the peaks
                                 of the client/scheduler process, both nannies and both workers (target < 2)

Run: ``.venv/bin/python benchmarks/cohort.py [--quick] [--cluster-memory] [--skip-memory]``. The machine's load
matters: note the core count printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pandas as pd  # noqa: E402

from outcomes.cohort.run import run_cohort  # noqa: E402
from outcomes.cohort.synth import synthesize, write_synthetic  # noqa: E402
from outcomes.declaration import default_model  # noqa: E402
from outcomes.pipeline import compare  # noqa: E402
from outcomes.profile import parse_profile  # noqa: E402

DRAWS = 1000
SEED = 0


def profile_of(row: pd.Series):
    model = default_model()
    data = {"label": f"patient {row['patient_id']}"}
    for name, f in model.fields.items():
        if name in row.index:
            v = row[name]
            v = v.item() if hasattr(v, "item") else v
            data[name] = [t for t in str(v).split(";") if t] if f.type == "list" else v
    return parse_profile(data, model=model)


def timed_run(cohort: Path, out: Path, **kw) -> float:
    t = time.perf_counter()
    run_cohort(cohort, out, n_draws=DRAWS, seed=SEED, progress=False, **kw)
    return time.perf_counter() - t


def loop_seconds_per_profile(frame: pd.DataFrame, n: int) -> float:
    profiles = [profile_of(r) for _, r in frame.head(n).iterrows()]
    compare(profiles[0], n_draws=DRAWS, seed=SEED)  # warm-up (imports, maxent cache)
    t = time.perf_counter()
    for p in profiles:
        compare(p, n_draws=DRAWS, seed=SEED)
    return (time.perf_counter() - t) / n


def cluster_seconds(cohort: Path, out: Path, n_workers: int, chunk: int) -> float:
    from distributed import LocalCluster

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        # warm every worker (imports) with a tiny run first
        small = out.parent / "warm.csv"
        write_synthetic(50, small, seed=1)
        run_cohort(
            small,
            out.parent / "warm.parquet",
            n_draws=DRAWS,
            seed=SEED,
            progress=False,
            scheduler=cluster.scheduler_address,
            chunk_size=25,
        )
        t = time.perf_counter()
        run_cohort(
            cohort, out, n_draws=DRAWS, seed=SEED, progress=False, chunk_size=chunk, scheduler=cluster.scheduler_address
        )
        return time.perf_counter() - t


_PEAK = """
def peak():
    # VmHWM, not ru_maxrss: Linux carries the parent's RSS at fork into a child's ru_maxrss across exec
    import resource
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_MEMORY_CHILD = """
import sys
sys.path.insert(0, {root!r})
from outcomes.cohort.run import run_cohort
run_cohort({cohort!r}, {out!r}, n_draws={draws}, seed=0, progress=False{extra})
print(peak())
"""

_CLUSTER_MEMORY_CHILD = """
import sys
sys.path.insert(0, {root!r})
from distributed import Client, LocalCluster
from outcomes.cohort.run import run_cohort
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
    run_cohort({cohort!r}, {out!r}, n_draws={draws}, seed=0, progress=False, scheduler=cluster.scheduler_address)
    with Client(cluster.scheduler_address) as client:
        workers = sum(client.run(peak).values())
        nannies = sum(client.run(peak, nanny=True).values())
print(peak() + workers + nannies)
"""


def peak_rss_gib(template: str, cohort: Path, out: Path, extra: str = "") -> float:
    code = _PEAK + template.format(
        root=os.path.dirname(HERE), cohort=str(cohort), out=str(out), draws=DRAWS, extra=extra
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(res.stdout.strip().splitlines()[-1]) / 2**20  # KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run, not the figures)")
    ap.add_argument("--cluster-memory", action="store_true", help="also the 2-worker memory figure")
    ap.add_argument(
        "--skip-memory", action="store_true", help="leave out the million-profile memory run (about 20 minutes)"
    )
    args = ap.parse_args()
    n = 1_000 if args.quick else 40_000
    n_loop = 3 if args.quick else 10
    n_big = 5_000 if args.quick else 1_000_000
    chunk = max(n // 8, 100)
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}; draws: {DRAWS}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cohort = tmp / "cohort.csv"
        frame = synthesize(n, seed=SEED)
        frame.to_csv(cohort, index=False)
        run_cohort(cohort.with_suffix(".csv"), tmp / "warm.parquet", n_draws=DRAWS, progress=False)  # warm-up
        local = timed_run(cohort, tmp / "local.parquet", chunk_size=chunk)
        per_profile = local / n
        print(f"profiles_per_s: {n / local:.0f}")
        loop = loop_seconds_per_profile(pd.read_csv(cohort, keep_default_na=False), n_loop)
        print(f"loop_seconds_per_profile: {loop:.3f} (pipeline.compare, {n_loop} profiles)")
        print(f"speedup_vs_loop: {loop / per_profile:.0f}")
        one = cluster_seconds(cohort, tmp / "one.parquet", 1, chunk)
        two = cluster_seconds(cohort, tmp / "two.parquet", 2, chunk)
        print(f"cluster_seconds: 1 worker {one:.1f}, 2 workers {two:.1f} ({n} profiles)")
        print(f"two_worker_speedup: {one / two:.2f}")
        if args.skip_memory:
            return
        big = tmp / "big.csv"
        write_synthetic(n_big, big, seed=SEED)
        del frame
        t = time.perf_counter()
        gib = peak_rss_gib(_MEMORY_CHILD, big, tmp / "big.parquet")
        print(f"seconds_{n_big}_profiles: {time.perf_counter() - t:.0f} (local scheduler, memory run)")
        label = "peak_rss_gib_1e6_profiles" if not args.quick else f"peak_rss_gib_{n_big}_profiles"
        print(f"{label}: {gib:.2f}")
        if args.cluster_memory:
            gib2 = peak_rss_gib(_CLUSTER_MEMORY_CHILD, big, tmp / "big2.parquet")
            print(f"{label}_2_workers: {gib2:.2f}")
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB)")


if __name__ == "__main__":
    main()
