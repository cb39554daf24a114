"""Simulation throughput and memory, as ratios against references measured in the same run.

Prints one ``name: value`` line per figure:

* ``raw_limit_ratio``   ours (one core) over the raw numpy limit: the same number of float32 uniforms compared
                        with p and counted, nothing else (target >= 0.5)
* ``two_core_speedup``  ours with two threads over ours with one (target >= 1.6)
* ``pymc_route_ratio``  ours (one core) over PyMC's ``sample_prior_predictive`` on the same model, warm (a repeated
                        call: pytensor's compiled code cached); ``pymc_route_ratio_cold`` is the first call in the
                        process, compile included (the original target of 100 was set against a cold figure)
* ``peak_rss_gib_1e9``  peak resident memory of a fresh process simulating 1e9 patient-outcomes in chunks
                        (target < 1)

Patient-outcomes = uniforms compared = draws x patients x the declared events (12 in the spine model).
Run: ``.venv/bin/python benchmarks/simulate.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from outcomes.draws import prior_draws  # noqa: E402
from outcomes.elicit import elicit  # noqa: E402
from outcomes.profile import load_profile  # noqa: E402
from outcomes.registry import load_registry  # noqa: E402
from outcomes.simulate import CHUNK_UNIFORMS, simulate  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def raw_limit(total: int, seed: int = 0) -> float:
    """Seconds for ``total`` float32 uniforms compared with p and counted, in the same chunk size, one core."""
    rng = np.random.default_rng(seed)
    chunk = CHUNK_UNIFORMS
    p = np.float32(0.3)
    t = time.perf_counter()
    done = 0
    while done < total:
        m = min(chunk, total - done)
        np.count_nonzero(rng.random(m, dtype=np.float32) < p)
        done += m
    return time.perf_counter() - t


def pymc_prior_predictive_seconds(priors, covariates: dict, n_draws: int, n_patients: int) -> tuple[float, float]:
    """(cold, warm) seconds for PyMC's sample_prior_predictive on the same model and sizes."""
    import logging

    import pymc as pm
    import pytensor.tensor as pt

    logging.getLogger("pymc").setLevel(logging.WARNING)

    registry = priors.registry
    with pm.Model():
        p = {k: v.pymc(f"p_{k.replace('.', '__')}") for k, v in priors.parameters.items()}
        shift = dict.fromkeys(p, 0.0)
        for eid, prior in priors.effects.items():
            e = registry.effect(eid)
            x = (covariates[e.covariate] - e.reference) / e.per
            if x == 0:
                continue
            beta = prior.pymc(f"log_or__{eid}")
            for t in e.targets:
                shift[t] = shift[t] + beta * x
        adj = {
            k: pm.math.invlogit(pm.math.logit(p[k]) + shift[k]) if not isinstance(shift[k], float) else p[k] for k in p
        }
        # the same declared events as the simulator (a conditional event switches on its condition's draw)
        for sid, st in registry.model.strategies.items():
            made = {}
            for ev in st.events:
                if ev.parameter is not None:
                    prob = adj[ev.parameter]
                else:
                    prob = pt.switch(made[ev.condition], adj[ev.then], adj[ev.otherwise])
                made[ev.name] = pm.Bernoulli(f"{sid}_{ev.name}", p=prob, shape=n_patients)

        def _timed_prior_predictive(n: int) -> float:
            t0 = time.perf_counter()
            pm.sample_prior_predictive(draws=n, random_seed=1)
            return time.perf_counter() - t0

        cold = _timed_prior_predictive(n_draws)
        # warm: the same call again (the graph is rebuilt, but pytensor's compiled C code is cached)
        warm = min(_timed_prior_predictive(n_draws) for _ in range(2))
    return cold, warm


def peak_rss_1e9() -> float:
    code = (
        f"import resource, sys; sys.path.insert(0, {os.path.dirname(HERE)!r})\n"
        "from outcomes.registry import load_registry; from outcomes.elicit import elicit\n"
        "from outcomes.draws import prior_draws; from outcomes.profile import load_profile\n"
        "from outcomes.simulate import simulate\n"
        "r = load_registry(); d = prior_draws(elicit(r), 4000, 1)\n"
        "n = int(round(1e9 / (4000 * r.model.n_events)))\n"
        "s = simulate(d, load_profile(), n_patients=n, seed=1, keep_patients=False)\n"
        "assert int(s['count'].sum()) > 0\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024**2  # KiB -> GiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--skip-pymc", action="store_true")
    args = ap.parse_args()

    registry = load_registry()
    priors = elicit(registry)
    profile = load_profile()
    n_draws, n_patients = (1000, 1000) if args.quick else (4000, 2000)
    draws = prior_draws(priors, n_draws, 1)
    n_events = registry.model.n_events
    total = n_draws * n_patients * n_events
    repeats = 2 if args.quick else 3

    one = best_of(
        lambda: simulate(draws, profile, n_patients=n_patients, seed=1, workers=1, keep_patients=False), repeats
    )
    two = best_of(
        lambda: simulate(draws, profile, n_patients=n_patients, seed=1, workers=2, keep_patients=False), repeats
    )
    raw = min(raw_limit(total) for _ in range(repeats))
    print(f"patient_outcomes: {total}")
    print(f"ours_one_core_per_s: {total / one:.3g}")
    print(f"ours_two_core_per_s: {total / two:.3g}")
    print(f"raw_limit_per_s: {total / raw:.3g}")
    print(f"raw_limit_ratio: {raw / one:.3f}")
    print(f"two_core_speedup: {one / two:.3f}")

    if not args.skip_pymc:
        pd_, pn = (200, 200) if args.quick else (500, 500)
        small = prior_draws(priors, pd_, 2)
        ours_small = best_of(lambda: simulate(small, profile, n_patients=pn, seed=1, workers=1, keep_patients=False), 3)
        cold, warm = pymc_prior_predictive_seconds(priors, profile.covariates(), pd_, pn)
        n_small = pd_ * pn * n_events
        print(f"pymc_warm_per_s: {n_small / warm:.3g}")
        print(f"pymc_cold_per_s: {n_small / cold:.3g}")
        print(f"pymc_route_ratio: {warm / ours_small:.1f}")
        print(f"pymc_route_ratio_cold: {cold / ours_small:.1f}")

    print(f"peak_rss_gib_1e9: {peak_rss_1e9():.3f}")


if __name__ == "__main__":
    main()
