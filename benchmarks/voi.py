"""Value-of-information speed and accuracy (one core).

Prints one ``name: value`` line per figure:

* ``voi_all_seconds``             EVPI over 50 weights, EVPPI of every parameter, effect and group, and the
                                  tornado, on 4000 prior draws of the shipped registry and seed profile
                                  (support detection included; target <= 5)
* ``evppi_single_ms``             one input's EVPPI (regression of two incremental net benefits on 4000 draws,
                                  with its standard error), median of repeats (target <= 10)
* ``evppi_vs_exact_max_rel_err``  single-input EVPPI against the exact answer by one-dimensional quadrature, on
                                  three two-strategy models (net benefit linear, quadratic and oscillating in one
                                  Beta parameter, plus independent noise inputs); the mean over 10 replicates of
                                  4000 draws (so the figure measures bias, not the Monte Carlo noise of one
                                  replicate); the largest relative error (target <= 0.03)
* ``evppi_vs_nested_max_abs_err`` largest |group EVPPI - nested Monte Carlo EVPPI| over four groups of a small
                                  five-input model, in units of the nested estimate's standard error; the nested
                                  estimate uses the same outer draws (common random numbers) with 1000 inner draws
                                  each (target <= 3)
* ``report_section_seconds``      the report's "What the answer depends on" section (``report_section``) for a
                                  1000-draw comparison of the seed profile, median of 3 (target <= 2)

Run: ``.venv/bin/python benchmarks/voi.py``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import integrate, stats  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from outcomes.draws import prior_draws  # noqa: E402
from outcomes.elicit import elicit  # noqa: E402
from outcomes.profile import load_profile  # noqa: E402
from outcomes.registry import load_registry  # noqa: E402
from outcomes.voi import core, regression  # noqa: E402
from outcomes.voi.reference import toy_nb, toy_sample  # noqa: E402


def voi_all_seconds() -> float:
    registry = load_registry()
    priors = elicit(registry)
    draws = prior_draws(priors, 4000, 0)
    cov = load_profile(None).covariates()
    core.NetBenefitModel.from_draws(draws, cov, priors)  # warm-up (imports, caches)
    t = time.perf_counter()
    model = core.NetBenefitModel.from_draws(draws, cov, priors)
    core.evpi_curve(model, np.linspace(0, 5, 50))
    core.evppi_table(model, 1.0)
    core.tornado(model, 1.0)
    return time.perf_counter() - t


def evppi_single_ms() -> float:
    rng = np.random.default_rng(0)
    th = rng.beta(2, 3, 4000)
    nb = np.column_stack(
        [rng.normal(0, 5, 4000), 40 * (th - 0.4) + rng.normal(0, 10, 4000), 20 * (th - 0.3) + rng.normal(0, 10, 4000)]
    )
    regression.evppi(nb, th)
    times = []
    for _ in range(30):
        t = time.perf_counter()
        regression.evppi(nb, th)
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def evppi_vs_exact() -> float:
    a, b = 4.0, 6.0
    models = [lambda t: 100 * (t - 0.45), lambda t: 300 * (t - 0.35) ** 2 - 5, lambda t: 50 * np.sin(8 * t)]
    worst = 0.0
    rng = np.random.default_rng(5)
    for f in models:
        exact = integrate.quad(lambda t, f=f: max(0.0, f(t)) * stats.beta.pdf(t, a, b), 0, 1, limit=200)[0] - max(
            0.0, integrate.quad(lambda t, f=f: f(t) * stats.beta.pdf(t, a, b), 0, 1, limit=200)[0]
        )
        est = []
        for _ in range(10):
            th = rng.beta(a, b, 4000)
            noise = rng.normal(0, 20, 4000) + 10 * (rng.beta(2, 2, 4000) - 0.5)
            est.append(regression.evppi(np.column_stack([0.3 * noise, f(th) + noise]), th, n_samples=0).value)
        worst = max(worst, abs(np.mean(est) - exact) / exact)
    return worst


def evppi_vs_nested() -> float:
    x = toy_sample(4000, np.random.default_rng(0))
    nb = toy_nb(x)
    worst = 0.0
    for group in ((0, 1), (0, 3), (1, 2, 3), (0, 1, 2)):
        g = list(group)
        rest = [j for j in range(x.shape[1]) if j not in g]

        def nb_fn(gv, rv, g=g, rest=rest):
            full = np.empty((gv.shape[0], x.shape[1]))
            full[:, g], full[:, rest] = gv, rv
            return toy_nb(full)

        nested = core.evppi_nested(
            nb_fn,
            None,
            lambda k, r, rest=rest: toy_sample(k, r)[:, rest],
            len(x),
            1000,
            np.random.default_rng(1),
            outer=x[:, g],
        )
        reg = regression.evppi(nb, x[:, g])
        worst = max(worst, abs(reg.value - nested.value) / nested.se)
    return worst


def report_section_seconds() -> float:
    from outcomes.pipeline import compare
    from outcomes.voi.analysis import report_section

    d = compare(None, n_draws=1000, n_patients=50, weight=1.6)
    report_section(d)  # warm-up
    times = []
    for _ in range(3):
        t = time.perf_counter()
        report_section(d)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main() -> None:
    print(f"voi_all_seconds: {voi_all_seconds():.3f}")
    print(f"evppi_single_ms: {evppi_single_ms():.2f}")
    print(f"evppi_vs_exact_max_rel_err: {evppi_vs_exact():.4f}")
    print(f"evppi_vs_nested_max_abs_err: {evppi_vs_nested():.2f}")
    print(f"report_section_seconds: {report_section_seconds():.3f}")


if __name__ == "__main__":
    main()
