"""Benchmark ``outcomes update`` (MCMC path): prints ``name: value`` lines.

Model: the default update model (``pooling="random"``) with one study per quantity -- the NORDSTEN-DS rows of
``studies/example_rcts.csv`` (fusion.improved and decompression.improved), forced through MCMC
(``method="mcmc"``; ``auto`` would use the exact posterior here), 4 chains x 2000 draws, 1000 tuning steps.

* ``cold_seconds``       -- one fit in a fresh process with an empty PyTensor compile dir and numba cache
                            (imports excluded; compile + sampling + diagnostics);
* ``warm_seconds``       -- the second fit in one process, the default sampler (nutpie);
* ``ess_per_s_default``  -- min bulk ESS / warm seconds with PyMC's own NUTS (``nuts_sampler="pymc"``);
* ``ess_per_s_nutpie``   -- the same with nutpie;
* ``example_*``          -- the same comparison on the whole example file (two studies per quantity, random
                            effects; real counts of NORDSTEN-DS and NORspine), with the largest difference in
                            posterior means between the samplers in Monte Carlo standard errors.

Run: ``.venv/bin/python benchmarks/update.py`` (about a minute).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "studies" / "example_rcts.csv"
DRAWS, TUNE, CHAINS, SEED = 2000, 1000, 4, 1


def _data(one_study: bool):
    from outcomes.update.data import parse_studies

    raw = EXAMPLE.read_bytes()
    if one_study:
        lines = raw.decode().splitlines()
        raw = "\n".join(ln for ln in lines if not ln.startswith("NORspine")).encode()
    return parse_studies(raw, EXAMPLE)


def _priors():
    from outcomes.elicit import elicit
    from outcomes.registry import load_registry

    return elicit(load_registry())


def _fit(data, priors, sampler):
    from outcomes.update import fit

    t = time.perf_counter()
    tree = fit(
        data,
        priors,
        method="mcmc",
        pooling="random",
        draws=DRAWS,
        tune=TUNE,
        chains=CHAINS,
        seed=SEED,
        sampler=sampler,
        allow_failed=True,
        progress=False,
    )
    return tree, time.perf_counter() - t


def child() -> None:
    """One cold fit (called in a fresh process)."""
    data, priors = _data(True), _priors()
    import pymc  # noqa: F401  - imports are not part of the cold fit time

    _tree, seconds = _fit(data, priors, "auto")
    print(f"{seconds:.3f}")


def _cold_seconds() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            PYTENSORFLAGS=f"compiledir={tmp}/pytensor",
            NUMBA_CACHE_DIR=f"{tmp}/numba",
            OUTCOMES_CACHE_DIR=os.environ.get("OUTCOMES_CACHE_DIR", f"{tmp}/outcomes"),
        )
        out = subprocess.run(
            [sys.executable, __file__, "--child"], env=env, check=True, capture_output=True, text=True, cwd=ROOT
        )
        return float(out.stdout.strip().splitlines()[-1])


def _compare(data, priors, prefix: str) -> dict[str, float]:
    import numpy as np

    res: dict[str, float] = {}
    trees = {}
    for sampler in ("pymc", "nutpie"):
        _fit(data, priors, sampler)  # compile once
        tree, seconds = _fit(data, priors, sampler)
        trees[sampler] = tree
        ess = float(tree.attrs["min_ess_bulk"])
        res[f"{prefix}warm_seconds_{sampler}"] = seconds
        res[f"{prefix}min_ess_bulk_{sampler}"] = ess
        res[f"{prefix}ess_per_s_{'default' if sampler == 'pymc' else 'nutpie'}"] = ess / seconds
        res[f"{prefix}divergences_{sampler}"] = float(tree.attrs["divergences"])
        res[f"{prefix}max_rhat_{sampler}"] = float(tree.attrs["max_rhat"])
    worst = 0.0
    for var in str(trees["nutpie"]["posterior"].attrs["sampled_variables"]).split(";"):
        if not var.startswith(("p_", "log_or__", "tau_")):
            continue
        a, b = (trees[s]["posterior"][var].values.ravel() for s in ("pymc", "nutpie"))
        se = np.sqrt(
            a.var() / float(trees["pymc"].attrs["min_ess_bulk"])
            + b.var() / float(trees["nutpie"].attrs["min_ess_bulk"])
        )
        worst = max(worst, abs(a.mean() - b.mean()) / se)
    res[f"{prefix}max_mean_difference_in_mcse"] = worst
    return res


def main() -> None:
    from outcomes.update.pymc_model import resolve_sampler

    priors = _priors()
    one = _data(True)
    print(f"default_sampler: {resolve_sampler('auto')}")
    print(f"cold_seconds: {_cold_seconds():.2f}")
    _fit(one, priors, "auto")
    _tree, warm = _fit(one, priors, "auto")
    print(f"warm_seconds: {warm:.2f}")
    for name, value in _compare(one, priors, "").items():
        print(f"{name}: {value:.4g}")
    for name, value in _compare(_data(False), priors, "example_").items():
        print(f"{name}: {value:.4g}")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
