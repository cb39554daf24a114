"""Update the priors with study data: ``outcomes update`` (GitHub issue 5).

Researchers give a CSV of study counts (``outcomes.update.data``: format and validation). Each registry
parameter with data is updated from its elicited Beta prior:

* ``method="exact"`` -- the conjugate Beta posterior, drawn with a seeded Generator (``exact.py``); valid when
  no quantity is pooled with random effects and no study has a covariate shift;
* ``method="mcmc"``  -- the PyMC model (``pymc_model.py``) sampled with NUTS (nutpie by default), followed by
  the diagnostics gate (``diagnostics.py``);
* ``method="auto"``  -- exact when valid, else MCMC.

The result is an ``xarray.DataTree`` (ArviZ layout: posterior, prior, observed_data, sample_stats, and the
pointwise ``log_likelihood`` and per-variable ``log_prior`` that ArviZ's ``psense`` and ``loo`` read; see ``tree``)
that ``io.save_posterior`` writes atomically to netCDF and ``outcomes.draws.load_posterior_draws`` reads back as
parameter draws for the outcome model. ``conflict.py`` checks prior-data conflict.

Importing this package (and ``data``, ``spec``, ``exact``, ``conflict``, ``io``, ``command``) does not import
pymc or arviz; ``fit`` imports them only for MCMC.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from outcomes.elicit import Priors
from outcomes.update.data import StudyData, load_studies
from outcomes.update.spec import POOLINGS, build_spec

METHODS = ("auto", "exact", "mcmc")
DEFAULT_DRAWS = 2000
"""Draws per chain (4 chains); the exact path draws 4x this many from one chain. 2000, not 1000: with two
studies per quantity the random-effects model gave R-hat just above 1.01 for some seeds at 1000 (measured)."""
DEFAULT_CHAINS = 4
DEFAULT_SEED = 20240517


def fit(
    data: StudyData | Path | str,
    priors: Priors,
    *,
    pooling: str = "random",
    method: str = "auto",
    draws: int = DEFAULT_DRAWS,
    tune: int = 1000,
    chains: int = DEFAULT_CHAINS,
    seed: int = DEFAULT_SEED,
    sampler: str = "auto",
    allow_failed: bool = False,
    progress: bool | None = None,
) -> xr.DataTree:
    """Update ``priors`` with the studies in ``data``; returns the result DataTree.

    MCMC fits pass the diagnostics gate or raise ``diagnostics.DiagnosticsError`` (a RuntimeError); with
    ``allow_failed=True`` the result is kept and stamped ``diagnostics_status="failing: ..."``.

    Parameters
    ----------
    data : StudyData, str or Path
        Study counts (``load_studies``), a study CSV file, or the name of a shipped one (``"verified_trials"``).
    priors : Priors
        From ``oc.elicit``; robust mixture priors are updated as mixtures.
    pooling : {"random", "none"}
        Several studies of one quantity: random-effects (default) or pooled as one.
    method : {"auto", "exact", "mcmc"}
        ``auto`` uses the exact conjugate update where it applies (no covariate shifts, no random effects),
        PyMC (nutpie) otherwise.
    draws, tune, chains, seed : int
        Posterior draws per chain, tuning steps, chains and the seed (the exact path draws ``draws * chains``).
    sampler : {"auto", "nutpie", "pymc"}
    allow_failed : bool
        Keep an MCMC fit that fails its diagnostics (stamped as failing) instead of raising.
    progress : bool, optional
        Show the sampler's progress (default: on a terminal).

    Returns
    -------
    xarray.DataTree
        ArviZ's layout: ``posterior``, ``prior``, ``observed_data``, ``sample_stats``, ``log_likelihood`` and
        ``log_prior``; save it with ``outcomes.update.io.save_posterior`` and read it back with
        ``oc.posterior_draws``.

    Examples
    --------
    >>> import outcomes as oc
    >>> tree = oc.fit("verified_trials", oc.elicit(oc.load_registry()), seed=1)
    >>> tree.attrs["method"], sorted(tree.children)[:3]
    ('exact', ['log_likelihood', 'log_prior', 'observed_data'])
    >>> oc.fit("verified_trials", oc.elicit(oc.load_registry()), method="fast")
    Traceback (most recent call last):
    ...
    outcomes.errors.InputError: argument method: unknown 'fast'; allowed: auto, exact, mcmc
    """
    from outcomes.errors import InputError

    if not isinstance(data, StudyData):
        data = load_studies(data, priors.registry.model if priors.registry is not None else None)
    if method not in METHODS:
        raise InputError("argument method", None, None, f"unknown {method!r}; allowed: {', '.join(METHODS)}")
    if pooling not in POOLINGS:
        raise InputError("argument pooling", None, None, f"unknown {pooling!r}; allowed: {', '.join(POOLINGS)}")
    if draws < 1 or chains < 1 or tune < 0:
        raise InputError(
            "arguments draws, chains, tune",
            None,
            None,
            f"got {draws}, {chains}, {tune}; allowed: draws >= 1, chains >= 1, tune >= 0",
        )
    spec = build_spec(data, priors, pooling)
    if method == "exact" and not spec.exact_ok:
        raise InputError(
            str(data.path), None, "method", f"'exact' does not apply ({spec.exact_reason}); allowed: auto or mcmc"
        )
    if method == "exact" or (method == "auto" and spec.exact_ok):
        from outcomes.update.exact import exact_posterior

        return exact_posterior(spec, draws=draws * chains, seed=seed)
    from outcomes.update import diagnostics
    from outcomes.update.pymc_model import sample_mcmc

    tree = sample_mcmc(spec, draws=draws, tune=tune, chains=chains, seed=seed, sampler=sampler, progress=progress)
    diagnostics.check(tree, allow_failed=allow_failed)
    return tree


__all__ = ["METHODS", "build_spec", "fit", "load_studies"]
