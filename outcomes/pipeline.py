"""The whole flow for one profile, in one call: registry -> priors -> draws -> simulation -> summary.

:func:`compare` (``oc.compare``) is used by the report, the notebooks, the batch charts and the decision-aid
page, so each of them stays thin. Does not import pymc or arviz: a posterior is read from its netCDF file with
xarray. Library errors name the argument (``draws``), not a command-line option.
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
    """Everything computed for one profile (a comparison of every strategy), with the inputs it came from."""

    profile: Profile
    registry: Registry
    priors: Priors
    draws: xr.Dataset
    simulation: xr.Dataset
    summary: DecisionSummary
    posterior_file: str | None = None

    @property
    def model(self):
        return self.registry.model

    def _repr_html_(self) -> str:
        from html import escape

        s = self.summary
        m = self.model
        rows = []
        for st in m.strategies:
            cells = []
            for o in (m.benefit, m.harm):
                r = s.rate(st, o)
                cells.append(f"<td>{escape(str(r['text']))}</td>")
            rows.append(
                f"<tr><th>{escape(m.short_label(st))}</th>{''.join(cells)}<td>{s.prob_best_at_weight[st]:.2f}</td></tr>"
            )
        head = (
            f"<tr><th></th><th>{escape(m.outcome_label(m.benefit))}</th><th>{escape(m.outcome_label(m.harm))}</th>"
            f"<th>P(best) at weight {s.weight:g}</th></tr>"
        )
        return (
            f"<div><b>{escape(self.profile.label)}</b>: out of 100 people like this, {escape(m.time_frame_text)}"
            f"<table>{head}{''.join(rows)}</table>"
            f"<p>Preferred at weight {s.weight:g}: <b>{escape(m.short_label(s.preferred))}</b>. "
            f"{escape(s.flip_text())}</p>"
            f"<small>{escape(s.provenance.line())}. Supports, does not replace, clinical judgement.</small></div>"
        )


def check_options(
    weight: float, n_draws: int, seed: int, n_patients: int = DEFAULT_PATIENTS, *, cli: bool = False
) -> None:
    """Validate numeric arguments; raise ``InputError`` naming the argument (or, from the command line, the
    option) and what is allowed."""

    def name(arg: str, option: str) -> str:
        return f"option {option}" if cli else f"argument {arg}"

    if (
        not isinstance(weight, (int, float))
        or isinstance(weight, bool)
        or not math.isfinite(weight)
        or not (0 <= weight <= MAX_WEIGHT)
    ):
        raise InputError(
            name("weight", "--weight"),
            None,
            None,
            f"got {weight!r}; allowed: a number from 0 to {MAX_WEIGHT:g} (how many improvements one harm cancels)",
        )
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or not (10 <= n_draws <= MAX_DRAWS):
        raise InputError(
            name("n_draws", "--draws"), None, None, f"got {n_draws!r}; allowed: a whole number from 10 to {MAX_DRAWS}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(name("seed", "--seed"), None, None, f"got {seed!r}; allowed: a whole number >= 0")
    if isinstance(n_patients, bool) or not isinstance(n_patients, int) or not (1 <= n_patients <= 100_000):
        raise InputError(
            name("n_patients", "--patients"),
            None,
            None,
            f"got {n_patients!r}; allowed: a whole number from 1 to 100000",
        )


def compare(
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
    cli: bool = False,
) -> Decision:
    """Compare every strategy for one patient profile: registry -> priors -> draws -> simulation -> summary.

    Parameters
    ----------
    profile : Profile, path or name, optional
        The patient (default: the shipped seed patient, ``"default"``).
    registry : Registry or path, optional
        The evidence registry (default: the shipped one).
    posterior : path, optional
        A posterior written by ``outcomes update`` (same evidence version); else the priors are used.
    weight : float
        How many improvements one harm cancels (the patient's preference), 0 to 100.
    n_draws, seed, n_patients : int
        Parameter draws, random seed (same seed, same numbers), simulated patients per draw.
    allow_failed : bool
        Use a posterior whose fit failed its diagnostics (every output is then stamped as failing).
    step : callable, optional
        ``step(name)`` is called as each stage starts (for a progress display).

    Returns
    -------
    Decision
        ``summary`` (a ``DecisionSummary``), the draws, the simulation and the inputs.

    Examples
    --------
    >>> import outcomes as oc
    >>> d = oc.compare("default", n_draws=200, seed=1)
    >>> d.summary.preferred in d.model.strategies
    True
    >>> oc.compare("default", n_draws=1)
    Traceback (most recent call last):
    ...
    outcomes.errors.InputError: argument n_draws: got 1; allowed: a whole number from 10 to 1000000
    """
    step = step or (lambda name: None)
    check_options(weight, n_draws, seed, n_patients, cli=cli)
    step("load")
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    if isinstance(profile, Profile):
        if profile.model.to_json() != reg.model.to_json():
            raise InputError(
                profile.file or "profile",
                None,
                None,
                f"was validated against decision model {profile.model.name!r}, but the registry declares "
                f"{reg.model.name!r}; allowed: a profile of the registry's model",
            )
        prof = profile
    else:
        prof = load_profile(profile, model=reg.model)
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


decide = compare
"""The former name of :func:`compare`, kept for existing callers."""
