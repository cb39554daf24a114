"""The whole flow for one profile, in one call: registry -> priors -> draws -> simulation -> summary.

Used by the report, the notebooks and the batch charts, so each of them stays thin. Does not import pymc or
arviz: a posterior is read from its netCDF file with xarray.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from outcomes.draws import DEFAULT_DRAWS, load_posterior_draws, prior_draws
from outcomes.elicit import Priors, elicit
from outcomes.errors import InputError
from outcomes.profile import Profile, load_profile
from outcomes.registry import Registry, load_registry
from outcomes.simulate import DEFAULT_PATIENTS, simulate
from outcomes.summarize import DEFAULT_WEIGHT, DecisionSummary, summarize

MAX_DRAWS = 1_000_000
MAX_WEIGHT = 100.0


@dataclass(frozen=True)
class Decision:
    """Everything computed for one profile, with the inputs it came from."""

    profile: Profile
    registry: Registry
    priors: Priors
    draws: xr.Dataset
    simulation: xr.Dataset
    summary: DecisionSummary
    posterior_file: str | None = None


def check_options(weight: float, n_draws: int, seed: int, n_patients: int = DEFAULT_PATIENTS) -> None:
    """Validate numeric options; raise ``InputError`` naming the option and what is allowed."""
    if (
        not isinstance(weight, (int, float))
        or isinstance(weight, bool)
        or not math.isfinite(weight)
        or not (0 <= weight <= MAX_WEIGHT)
    ):
        raise InputError(
            "option --weight",
            None,
            None,
            f"got {weight!r}; allowed: a number from 0 to {MAX_WEIGHT:g} (how many improvements one harm cancels)",
        )
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or not (10 <= n_draws <= MAX_DRAWS):
        raise InputError(
            "option --draws", None, None, f"got {n_draws!r}; allowed: a whole number from 10 to {MAX_DRAWS}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("option --seed", None, None, f"got {seed!r}; allowed: a whole number >= 0")
    if isinstance(n_patients, bool) or not isinstance(n_patients, int) or not (1 <= n_patients <= 100_000):
        raise InputError(
            "option --patients", None, None, f"got {n_patients!r}; allowed: a whole number from 1 to 100000"
        )


def decide(
    profile: Profile | str | Path | None = None,
    *,
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    weight: float = DEFAULT_WEIGHT,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    n_patients: int = DEFAULT_PATIENTS,
    allow_failed: bool = False,
    step: Callable[[str], None] | None = None,
) -> Decision:
    """Run the flow for one profile. ``step(name)`` is called as each stage starts (for a progress display)."""
    step = step or (lambda name: None)
    check_options(weight, n_draws, seed, n_patients)
    step("load")
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    step("priors")
    priors = elicit(reg)
    step("draws")
    if posterior is not None:
        draws = load_posterior_draws(posterior, reg, allow_failed=allow_failed)
        if draws.sizes["draw"] > n_draws:  # thin evenly to the requested number of draws
            stride = draws.sizes["draw"] / n_draws
            draws = draws.isel(draw=[int(i * stride) for i in range(n_draws)])
    else:
        draws = prior_draws(priors, n_draws, seed)
    step("simulate")
    sim = simulate(draws, prof, n_patients=n_patients, seed=seed)
    step("summarize")
    summary = summarize(sim, weight=float(weight))
    return Decision(
        profile=prof,
        registry=reg,
        priors=priors,
        draws=draws,
        simulation=sim,
        summary=summary,
        posterior_file=str(posterior) if posterior is not None else None,
    )
