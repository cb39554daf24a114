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
from typing import Any

import xarray as xr

from outcomes.draws import DEFAULT_DRAWS, load_posterior_draws, prior_draws
from outcomes.elicit import Priors, elicit
from outcomes.errors import InputError, input_name
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
    evidence: str = "prior"
    """Where the numbers come from: ``"trials"`` (the priors updated with study data by the exact conjugate
    update), ``"posterior"`` (a posterior file), ``"seed"`` (the cited rates alone, as the guideline summary
    gives them: plain capped priors), or ``"prior"`` (the robust priors, no study data)."""
    data_file: str | None = None
    conflicts: Any = None
    """The prior-data conflict table of the study data (``outcomes.update.conflict``), when data were used."""

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
        return input_name(arg, option, cli=cli)

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
    data: Any = "default",
    prior_only: bool = False,
) -> Decision:
    """Compare every strategy for one patient profile: registry -> priors -> draws -> simulation -> summary.

    By default the cited rates (robust priors) are updated with the shipped verified study data
    (``studies/verified_trials.csv``, for the shipped registry) by the exact conjugate update, so the numbers
    follow the trials where they disagree with the seed; ``prior_only=True`` gives the seed view (the cited
    rates alone), ``data=None`` the robust priors with no data, ``data=PATH`` other study counts, and
    ``posterior=PATH`` a posterior written by ``outcomes update`` (e.g. an MCMC fit).

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
    data : path, name, StudyData, None or "default"
        Study counts to update the priors with (exact path only; a model that needs MCMC is refused with the
        command to run instead). ``"default"``: the shipped verified trials for the shipped registry, none for
        another registry.
    prior_only : bool
        The seed view: the cited rates alone, as the guideline summary gives them.
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
    if prior_only and posterior is not None:
        raise InputError(
            input_name("prior_only", "--prior-only", cli=cli), None, None, "cannot be combined with a posterior"
        )
    step("priors")
    conflicts = None
    data_file = None
    if data == "default":
        data = default_study_data(reg) if posterior is None and not prior_only else None
    # The robust mixture is the hedge against a conflict between the seed and study data: it is used where data
    # update a parameter. Without data there is no conflict to hedge against, and the uniform component would
    # only pull a rare event's mean towards one half; there the grade-capped prior is the statement we have.
    use_robust = posterior is not None or (data is not None and not prior_only)
    priors = elicit(reg, robust=use_robust)
    step("draws")
    if posterior is not None:
        draws = load_posterior_draws(posterior, reg, allow_failed=allow_failed)
        evidence = "posterior"
    elif data is not None and not prior_only:
        draws, conflicts, data_file = _exact_update(data, priors, reg, seed)
        evidence = "trials"
    else:
        draws = prior_draws(priors, n_draws, seed)
        evidence = "seed" if prior_only else "prior"
    if draws.sizes["draw"] > n_draws:  # thin evenly to the requested number of draws
        stride = draws.sizes["draw"] / n_draws
        draws = draws.isel(draw=[int(i * stride) for i in range(n_draws)])
    draws.attrs["evidence"] = evidence
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
        evidence=evidence,
        data_file=data_file,
        conflicts=conflicts,
    )


def default_study_data(registry: Registry) -> Path | None:
    """The shipped verified study data, for the shipped registry only (another registry has its own evidence)."""
    from outcomes.registry import default_registry_path
    from outcomes.shipped import shipped_files

    if Path(registry.path).resolve() != default_registry_path():
        return None
    return shipped_files("studies").get(DEFAULT_STUDIES)


DEFAULT_STUDIES = "verified_trials"
"""The shipped study file the default report is updated with (``studies/verified_trials.csv``)."""


def _exact_update(data: Any, priors: Priors, registry: Registry, seed: int = 0) -> tuple[xr.Dataset, Any, str]:
    """The priors updated with the study counts by the exact conjugate path (no PyMC), as draws. Parameters
    without data keep their grade-capped (plain) prior: the robust mixture only hedges an update."""
    import numpy as np

    from outcomes.draws import draws_from_tree
    from outcomes.update import fit
    from outcomes.update.conflict import conflict_table
    from outcomes.update.data import StudyData, load_studies
    from outcomes.update.spec import build_spec

    studies = data if isinstance(data, StudyData) else load_studies(data, registry.model)
    spec = build_spec(studies, priors, "none")
    if not spec.exact_ok:
        raise InputError(
            str(studies.path),
            None,
            None,
            f"needs an MCMC fit ({spec.exact_reason}); run 'outcomes update --data {studies.path} --out "
            "posterior.nc' and pass the posterior instead",
        )
    tree = fit(studies, priors, pooling="none", method="exact")
    draws = draws_from_tree(tree, registry, source=str(studies.path))
    plain = elicit(registry, robust=False)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7]))
    p = draws["p"].values.copy()
    params = list(draws["parameter"].values)
    for name in spec.unmodelled_parameters:
        p[:, params.index(name)] = np.clip(plain.parameters[name].draw(rng, p.shape[0]), 1e-9, 1 - 1e-9)
    draws["p"] = (("draw", "parameter"), p)
    draws.attrs["origin"] = "posterior"
    return draws, conflict_table(tree), str(studies.path)


decide = compare
"""The former name of :func:`compare`, kept for existing callers."""
