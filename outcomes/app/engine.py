"""The clinic page's one adapter to the model: evidence loaded once, live summaries per profile and weights.

* ``load_evidence`` runs once per server: ``pipeline.compare`` for the starting profile gives the registry, the
  priors and the parameter draws exactly as ``outcomes report`` makes them (by default the cited rates updated
  with the shipped verified trial data; a saved posterior; or the seed view), with the evidence view
  (``decision.evidence``) and the prior-data conflict table; a second, cheap ``compare(prior_only=True)`` gives
  the seed view's draws for the clinician tab. Then the evidence table. All of it is read-only and shared by the
  sessions; nothing in it depends on a patient.
* ``ProfileResult`` (per profile): the library's ``simulate`` with the report's seed and patients per draw, so
  every number is the one ``outcomes report`` prints for that profile (without the per-patient arrays it takes
  15-30 ms for 4000 draws; the exact per-draw expected outcomes of ``model.expected_outcomes`` would not give
  the report's posterior predictive "plausibly 22 to 41 of 100"), and the library's ``rates_table``.
  Weight-free parts (mean improvement and harm, the flip weights) are kept with it.
* ``LiveSummary`` (per profile and weights: the serious-harm weight w and the relative weights of the other
  harms, net = benefit - w x (serious harm + r x minor harm), ``model.net_benefit``'s definition): what changes
  with the weights only: expected net outcomes, their
  intervals, the preferred option and the chance each option is best at that weight (numpy, about 1 ms).
  The same values as ``summarize.summarize`` gives (``tests/test_app.py`` checks field by field); the slower
  parts of ``summarize`` (differences between options; the chance of being best over 201 weights, about 0.1 s)
  are computed only when the clinician tab asks for them (``ProfileResult.differences``/``.prob_best_curve``).

Only this module touches ``outcomes.model``/``simulate``/``summarize``/``draws``/``pipeline``, so the model
refactor (issue 13) re-points one file.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from outcomes.declaration import DecisionModel
from outcomes.draws import DEFAULT_DRAWS
from outcomes.elicit import Priors, evidence_table
from outcomes.model import harm_weights
from outcomes.pipeline import Decision, check_options, compare
from outcomes.profile import Profile, load_profile
from outcomes.registry import Registry, load_registry
from outcomes.simulate import DEFAULT_PATIENTS, simulate
from outcomes.summarize import (
    DEFAULT_WEIGHTS,
    INTERVAL,
    DecisionSummary,
    Provenance,
    differences_table,
    flip_points,
    probability_best,
    rate_row,
)

W_MAX = float(DEFAULT_WEIGHTS.max())
"""The widest weight the flip points are searched to (as ``summarize``)."""


@dataclass(frozen=True)
class Evidence:
    """Everything the page needs that does not depend on the patient (shared, read-only)."""

    registry: Registry
    priors: Priors
    draws: xr.Dataset
    table: pd.DataFrame
    seed: int
    n_patients: int
    posterior_file: str | None = None
    conflict: pd.DataFrame | None = None
    source: str = "prior"
    """``decision.evidence`` of the numbers shown: "trials", "posterior", "seed" or "prior"."""
    data_file: str | None = None
    seed_draws: xr.Dataset | None = None
    """The seed view's draws (the cited rates alone), for the clinician tab's comparison; None when the numbers
    shown are the seed view already."""

    @property
    def model(self) -> DecisionModel:
        return self.registry.model

    @property
    def version(self) -> str:
        return self.registry.version

    @property
    def diagnostics_status(self) -> str:
        return str(self.draws.attrs.get("diagnostics_status", "ok"))

    def evidence_for(self, strategy: str) -> pd.DataFrame:
        """The records (in use or shown only) behind one strategy's numbers, and the effects that act on it."""
        t = self.table
        return t[t.strategy.str.split(", ").map(lambda ss: strategy in ss)]


def load_evidence(
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    *,
    profile: Profile | str | Path | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    n_patients: int = DEFAULT_PATIENTS,
    allow_failed: bool = False,
    data: Any = "default",
    prior_only: bool = False,
    seed_view: bool = True,
    cli: bool = False,
) -> Evidence:
    """The draws ``pipeline.compare`` uses (same arguments, same numbers), once per server. Raises ``InputError``.

    ``data``/``prior_only``/``posterior`` as in ``compare``; ``seed_view`` also keeps the seed view's draws for the
    clinician tab (skipped when the numbers shown are the seed view)."""
    check_options(1.0, n_draws, seed, n_patients, cli=cli)
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    start = profile if isinstance(profile, Profile) else load_profile(profile, registry=reg)
    opts: dict[str, Any] = {"registry": reg, "n_draws": n_draws, "seed": seed, "n_patients": n_patients, "cli": cli}
    d = compare(start, posterior=posterior, allow_failed=allow_failed, data=data, prior_only=prior_only, **opts)
    conflict = d.conflicts
    if posterior is not None and conflict is None:
        conflict = _conflicts(posterior)
    seed_draws = None
    if seed_view and d.evidence != "seed":
        seed_draws = compare(start, prior_only=True, **opts).draws
    return Evidence(
        registry=reg,
        priors=d.priors,
        draws=d.draws,
        table=evidence_table(reg, d.priors),
        seed=seed,
        n_patients=n_patients,
        posterior_file=d.posterior_file,
        conflict=conflict,
        source=d.evidence,
        data_file=d.data_file,
        seed_draws=seed_draws,
    )


def _conflicts(posterior: str | Path) -> pd.DataFrame | None:
    """The prior-data conflict table of a saved update result (None when it carries no observed data)."""
    from outcomes.update.conflict import conflict_table
    from outcomes.update.io import load_fit

    tree = load_fit(posterior)
    if "observed_data" not in tree.children:
        return None
    return conflict_table(tree)


def fast_rates_table(rate: xr.DataArray, model: DecisionModel, mass: float = INTERVAL) -> pd.DataFrame:
    """``summarize.rates_table`` on the numpy array (the same rows and values; xarray's ``sel`` per cell made
    the library's version 10-40 ms, most of a page update)."""
    values = rate.transpose("draw", "strategy", "outcome").values
    tail = (1 - mass) / 2
    # quantiles of every column in one call (the same values as column by column); means column by column,
    # as the library sums them (a mean of k + 0.5 per 100 must round the same way)
    q_lo, q_hi = np.quantile(values, [tail, 1 - tail], axis=0)
    rows = []
    for i, s in enumerate(rate.strategy.values):
        for j, o in enumerate(rate.outcome.values):
            x = values[:, i, j]
            if np.isnan(q_lo[i, j]) and np.all(np.isnan(x)):
                continue
            rows.append(rate_row(model, str(s), str(o), float(np.mean(x)), float(q_lo[i, j]), float(q_hi[i, j])))
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LiveSummary:
    """The decision summary at one set of weights (the fields of ``summarize.DecisionSummary`` the page shows)."""

    result: ProfileResult
    weight: float
    harm_weights: dict[str, float]
    expected_net: dict[str, float]
    net_interval: dict[str, tuple[float, float]]
    preferred: str
    prob_best_at_weight: dict[str, float]

    @property
    def model(self) -> DecisionModel:
        return self.result.model

    @property
    def other_harms(self) -> dict[str, float]:
        """The relative weights of the other harms (the ``other_harms`` argument of ``summarize``)."""
        return {o: w for o, w in self.harm_weights.items() if o != self.model.harm}

    @property
    def rates(self) -> pd.DataFrame:
        return self.result.rates

    @property
    def flips(self) -> list[dict]:
        return self.result.flips_for(self.weight, self.other_harms)

    @property
    def provenance(self) -> Provenance:
        return self.result.provenance

    @property
    def time_frame(self) -> str:
        return self.result.provenance.time_frame

    @property
    def evidence_version(self) -> str:
        return self.result.provenance.evidence_version

    def rate(self, strategy: str, outcome: str) -> pd.Series:
        return self.result.rate(strategy, outcome)

    def full(self) -> DecisionSummary:
        """The library's ``DecisionSummary`` (slow parts included) for this profile and these weights."""
        weights = DEFAULT_WEIGHTS if self.weight <= W_MAX else np.append(DEFAULT_WEIGHTS, self.weight)
        return DecisionSummary(
            rates=self.rates,
            differences=self.result.differences,
            prob_best=self.result.prob_best_curve(weights, self.other_harms),
            weight=self.weight,
            expected_net=self.expected_net,
            net_interval=self.net_interval,
            preferred=self.preferred,
            prob_best_at_weight=self.prob_best_at_weight,
            flips=self.flips,
            provenance=self.provenance,
            model=self.model,
            harm_weights=dict(self.harm_weights),
        )


@dataclass
class ProfileResult:
    """The simulation and the weight-free summaries for one profile."""

    evidence: Evidence
    profile: Profile
    simulation: xr.Dataset
    rates: pd.DataFrame
    benefit: np.ndarray  # (draw, strategy) simulated rates of the decision's benefit
    harms: dict[str, np.ndarray]  # (draw, strategy) simulated rates of each weighed harm
    strategies: list[str]
    _index: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def compute(cls, evidence: Evidence, profile: Profile, draws: xr.Dataset | None = None) -> ProfileResult:
        """The simulation of ``profile`` on the evidence's draws (or on ``draws``, e.g. the seed view's)."""
        m = evidence.model
        sim = simulate(
            evidence.draws if draws is None else draws,
            profile,
            n_patients=evidence.n_patients,
            seed=evidence.seed,
            keep_patients=False,
        )
        rate = sim["rate"]
        strategies = [str(s) for s in rate.strategy.values]

        def cols(o: str) -> np.ndarray:
            return np.ascontiguousarray(rate.sel(outcome=o).transpose("draw", "strategy").values)

        rates = fast_rates_table(rate, m)
        index = {(str(s), str(o)): i for i, (s, o) in enumerate(zip(rates.strategy, rates.outcome, strict=True))}
        harms = {o: cols(o) for o in harm_weights(m)}
        return cls(evidence, profile, sim, rates, cols(m.benefit), harms, strategies, index)

    @property
    def model(self) -> DecisionModel:
        return self.evidence.model

    def relabel(self, profile: Profile) -> ProfileResult:
        """The same numbers for a profile with the same covariates (a new label, notes or care history)."""
        sim = self.simulation.copy()
        sim.attrs.update({"profile_label": profile.label, "profile_digest": profile.digest()})
        return ProfileResult(
            self.evidence, profile, sim, self.rates, self.benefit, self.harms, self.strategies, self._index
        )

    @cached_property
    def provenance(self) -> Provenance:
        return Provenance.from_attrs(dict(self.simulation.attrs))

    @cached_property
    def mean_benefit(self) -> dict[str, float]:
        return {s: float(self.benefit[:, j].mean()) for j, s in enumerate(self.strategies)}

    def harm_score(self, other_harms: dict[str, float] | None = None) -> np.ndarray:
        """(draw, strategy) weighed harm, as ``model.harm_score``: harm + sum of relative weight x other harm."""
        ws = harm_weights(self.model, other_harms)
        return sum(w * self.harms[o] for o, w in ws.items())  # type: ignore[return-value]

    def flips_for(self, weight: float, other_harms: dict[str, float] | None = None) -> list[dict]:
        h = self.harm_score(other_harms)
        mean_harm = {s: float(h[:, j].mean()) for j, s in enumerate(self.strategies)}
        return flip_points(self.mean_benefit, mean_harm, max(W_MAX, float(weight)))

    def rate(self, strategy: str, outcome: str) -> pd.Series:
        i = self._index.get((strategy, outcome))
        if i is None:
            raise KeyError((strategy, outcome))
        return self.rates.iloc[i]

    def at(self, weight: float, other_harms: dict[str, float] | None = None) -> LiveSummary:
        """The summary at ``weight`` (as ``summarize.summarize(sim, weight=weight, other_harms=other_harms)``)."""
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError("weight must be a finite number >= 0")
        hw = harm_weights(self.model, other_harms)
        net = self.benefit - weight * self.harm_score(other_harms)
        tail = (1 - INTERVAL) / 2
        expected = {s: float(net[:, j].mean()) for j, s in enumerate(self.strategies)}
        interval = {}
        for j, s in enumerate(self.strategies):
            lo, hi = np.quantile(net[:, j], [tail, 1 - tail])
            interval[s] = (float(lo), float(hi))
        preferred = max(self.strategies, key=lambda s: (expected[s], -self.strategies.index(s)))
        best = net == net.max(axis=1, keepdims=True)
        pb = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
        return LiveSummary(
            result=self,
            weight=float(weight),
            harm_weights=hw,
            expected_net=expected,
            net_interval=interval,
            preferred=preferred,
            prob_best_at_weight={s: float(pb[j]) for j, s in enumerate(self.strategies)},
        )

    @cached_property
    def differences(self) -> pd.DataFrame:
        return differences_table(self.simulation["rate"])

    def prob_best_curve(
        self, weights: np.ndarray = DEFAULT_WEIGHTS, other_harms: dict[str, float] | None = None
    ) -> pd.DataFrame:
        return probability_best(self.simulation["rate"], self.model, np.asarray(weights, dtype=float), other_harms)

    @cached_property
    def seed_view(self) -> ProfileResult | None:
        """The same profile on the seed view's draws (the cited rates alone), computed when first asked for."""
        if self.evidence.seed_draws is None:
            return None
        return ProfileResult.compute(self.evidence, self.profile, self.evidence.seed_draws)

    def decision(self, weight: float, other_harms: dict[str, float] | None = None) -> Decision:
        """A ``pipeline.Decision`` for the library functions that take one (the VOI and comparison sections)."""
        return Decision(
            profile=self.profile,
            registry=self.evidence.registry,
            priors=self.evidence.priors,
            draws=self.evidence.draws,
            simulation=self.simulation,
            summary=self.at(weight, other_harms).full(),
            posterior_file=self.evidence.posterior_file,
            evidence=self.evidence.source,
            data_file=self.evidence.data_file,
            conflicts=self.evidence.conflict,
        )


class ResultCache:
    """The last few profiles' results of one session, keyed by the covariates that change the numbers."""

    def __init__(self, evidence: Evidence, size: int = 4) -> None:
        self.evidence = evidence
        self.size = size
        self._items: OrderedDict[tuple, ProfileResult] = OrderedDict()

    def get(self, profile: Profile) -> ProfileResult:
        key = tuple(sorted(profile.covariates().items()))
        hit = self._items.get(key)
        if hit is None:
            hit = ProfileResult.compute(self.evidence, profile)
            self._items[key] = hit
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return hit if hit.profile == profile else hit.relabel(profile)


__all__ = ["Evidence", "LiveSummary", "ProfileResult", "ResultCache", "load_evidence"]
