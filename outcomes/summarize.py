"""Decision summaries: what each strategy means for a patient like this one, in natural frequencies.

From a simulation (``outcomes.simulate``), per strategy and outcome: the expected number out of 100 and its
90% interval ("31 of 100, plausibly 22 to 41"; with 100 simulated patients per draw this is the posterior
predictive interval of the number among 100 people like this one), with the uncertainty also in words; absolute
differences between strategies; for a preference weight w (how many improvements one harm cancels) the
net outcome per 100 = improved - w * harm, the probability that each strategy gives the best net outcome
over a range of weights, and the weights at which the preferred strategy (highest expected net outcome)
changes. Every summary carries its provenance: time frame, evidence version, seed, draws, patients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from outcomes import __version__
from outcomes.declaration import DecisionModel, model_from_json
from outcomes.model import DENOMINATOR, benefit_rate, harm_score, harm_weights
from outcomes.model import net_benefit as _net_benefit

INTERVAL = 0.90
EVIDENCE_WORDS = {
    "trials": "cited rates updated with the verified trial data",
    "posterior": "posterior from study data",
    "seed": "SEED VIEW: the cited rates alone, as the guideline summary gives them",
    "prior": "cited rates (robust priors), no study data",
}
DEFAULT_WEIGHT = 1.0
DEFAULT_WEIGHTS = np.round(np.linspace(0.0, 5.0, 201), 6)


@dataclass(frozen=True)
class Provenance:
    evidence_version: str
    seed: int
    time_frame: str
    n_draws: int
    n_patients: int
    origin: str
    profile_label: str = ""
    profile_digest: str = ""
    diagnostics_status: str = "ok"
    evidence: str = ""
    data_file: str = ""
    package_version: str = __version__

    @classmethod
    def from_attrs(cls, attrs: dict) -> Provenance:
        return cls(
            evidence_version=str(attrs.get("evidence_version", "unknown")),
            seed=int(attrs.get("seed", -1)),
            time_frame=str(attrs.get("time_frame", "unknown")),
            n_draws=int(attrs.get("n_draws", 0)),
            n_patients=int(attrs.get("n_patients", 0)),
            origin=str(attrs.get("origin", "external")),
            profile_label=str(attrs.get("profile_label", "")),
            profile_digest=str(attrs.get("profile_digest", "")),
            diagnostics_status=str(attrs.get("diagnostics_status", "ok")),
            evidence=str(attrs.get("evidence", "")),
            data_file=str(attrs.get("data_file", "")),
        )

    def line(self) -> str:
        s = (
            f"Time frame: {self.time_frame}; evidence version {self.evidence_version}; "
            f"{self.origin} draws: {self.n_draws} x {self.n_patients} patients; seed {self.seed}"
        )
        if self.evidence in EVIDENCE_WORDS:
            s += f"; {EVIDENCE_WORDS[self.evidence]}"
            if self.data_file and self.evidence == "trials":
                s += f" ({Path(self.data_file).name})"
        if self.diagnostics_status != "ok":
            s += f"; FIT DIAGNOSTICS FAILING ({self.diagnostics_status})"
        return s


def per100(x: float) -> int:
    """A rate as whole people out of 100."""
    return round(DENOMINATOR * x)


def uncertainty_words(low: float, high: float) -> str:
    """The width of a 90% interval (in people out of 100) in words."""
    width = DENOMINATOR * (high - low)
    if width <= 10:
        return "fairly certain"
    if width <= 25:
        return "uncertain"
    if width <= 45:
        return "very uncertain"
    return "extremely uncertain"


def frequency_text(mean: float, low: float, high: float) -> str:
    """'31 of 100, plausibly 22 to 41' (or 'fewer than 1 in 100')."""
    m, lo, hi = per100(mean), per100(low), per100(high)
    if DENOMINATOR * mean < 1:
        head = "fewer than 1 of 100"
    else:
        head = f"{m} of 100"
    if lo == hi:
        return head
    lo_txt = "fewer than 1" if DENOMINATOR * low < 1 else f"{lo}"
    return f"{head}, plausibly {lo_txt} to {hi}"


def _interval(x: np.ndarray, mass: float = INTERVAL) -> tuple[float, float]:
    tail = (1 - mass) / 2
    lo, hi = np.quantile(x, [tail, 1 - tail])
    return float(lo), float(hi)


def rates_table(rate: xr.DataArray, model: DecisionModel, mass: float = INTERVAL) -> pd.DataFrame:
    """Per strategy and outcome: mean rate, interval, natural-frequency text (applicable outcomes only)."""
    rows = []
    for s in rate.strategy.values:
        for o in rate.outcome.values:
            x = rate.sel(strategy=s, outcome=o).values
            if np.all(np.isnan(x)):
                continue
            lo, hi = _interval(x, mass)
            rows.append(rate_row(model, str(s), str(o), float(np.mean(x)), lo, hi))
    return pd.DataFrame(rows)


def rate_row(model: DecisionModel, strategy: str, outcome: str, mean: float, low: float, high: float) -> dict:
    """One row of the rates table: the rate, its interval, per 100, and in words (the one place these are made)."""
    return {
        "strategy": strategy,
        "outcome": outcome,
        "label": model.outcome_label(outcome),
        "mean": mean,
        "low": low,
        "high": high,
        "per100": per100(mean),
        "per100_low": per100(low),
        "per100_high": per100(high),
        "text": frequency_text(mean, low, high),
        "certainty": uncertainty_words(low, high),
    }


def differences_table(rate: xr.DataArray, mass: float = INTERVAL) -> pd.DataFrame:
    """Absolute differences (per 100) between every pair of strategies, per shared outcome."""
    rows = []
    strategies = [str(s) for s in rate.strategy.values]
    for i, a in enumerate(strategies):
        for b in strategies[i + 1 :]:
            for o in rate.outcome.values:
                d = (rate.sel(strategy=a, outcome=o) - rate.sel(strategy=b, outcome=o)).values
                if np.all(np.isnan(d)):
                    continue
                lo, hi = _interval(d, mass)
                rows.append(
                    {
                        "strategy_a": a,
                        "strategy_b": b,
                        "outcome": str(o),
                        "mean": float(np.mean(d)),
                        "low": lo,
                        "high": hi,
                        "per100": per100(float(np.mean(d))),
                        "per100_low": per100(lo),
                        "per100_high": per100(hi),
                        "prob_a_higher": float(np.mean(d > 0)),
                    }
                )
    return pd.DataFrame(rows)


def probability_best(
    rate: xr.DataArray, model: DecisionModel, weights: np.ndarray, other_harms: dict | None = None
) -> pd.DataFrame:
    """P(strategy has the best net outcome) for each weight: DataFrame (weight x strategy). Ties split evenly."""
    imp = benefit_rate(rate, model).transpose("draw", "strategy").values
    harm = harm_score(rate, model, other_harms).transpose("draw", "strategy").values
    out = np.empty((len(weights), imp.shape[1]))
    for k, w in enumerate(weights):
        net = imp - w * harm
        best = net == net.max(axis=1, keepdims=True)
        out[k] = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
    return pd.DataFrame(
        out,
        index=pd.Index(np.asarray(weights, dtype=float), name="weight"),
        columns=[str(s) for s in rate.strategy.values],
    )


def flip_points(mean_improved: dict[str, float], mean_harm: dict[str, float], w_max: float) -> list[dict]:
    """Exact weights in [0, w_max] where the strategy with the highest expected net outcome changes.

    Each strategy's expected net outcome is a line in w: I_s - w * H_s; the preferred strategy is the upper
    envelope, which changes where two lines cross.
    """
    names = list(mean_improved)

    def best_at(w: float) -> str:
        return max(names, key=lambda s: (mean_improved[s] - w * mean_harm[s], -names.index(s)))

    flips: list[dict] = []
    w, current = 0.0, best_at(0.0)
    while True:
        # the next crossing of the current line with any line that overtakes it as w grows
        nxt, who = math.inf, None
        for s in names:
            if s == current:
                continue
            dh = mean_harm[current] - mean_harm[s]
            if dh <= 0:
                continue  # s has at least as much harm: it never overtakes as w grows
            cross = (mean_improved[current] - mean_improved[s]) / dh
            if w - 1e-12 < cross < nxt:
                nxt, who = cross, s
        if who is None or nxt > w_max:
            return flips
        nxt = max(nxt, w)
        after = best_at(nxt + 1e-9)
        if after == current:
            after = who
        flips.append({"weight": float(nxt), "from": current, "to": after})
        w, current = nxt + 1e-12, after


@dataclass(frozen=True)
class DecisionSummary:
    """Everything the charts and the report show, with its provenance."""

    rates: pd.DataFrame
    differences: pd.DataFrame
    prob_best: pd.DataFrame
    weight: float
    expected_net: dict[str, float]
    net_interval: dict[str, tuple[float, float]]
    preferred: str
    prob_best_at_weight: dict[str, float]
    flips: list[dict]
    provenance: Provenance
    model: DecisionModel
    extra: dict = field(default_factory=dict)
    harm_weights: dict = field(default_factory=dict)
    """The weighed harms and their weights relative to the decision's harm (the patient's, or the defaults)."""

    @property
    def time_frame(self) -> str:
        return self.provenance.time_frame

    @property
    def evidence_version(self) -> str:
        return self.provenance.evidence_version

    def rate(self, strategy: str, outcome: str) -> pd.Series:
        r = self.rates[(self.rates.strategy == strategy) & (self.rates.outcome == outcome)]
        if r.empty:
            raise KeyError((strategy, outcome))
        return r.iloc[0]

    def flip_text(self) -> str:
        """Where the preferred strategy changes, in words."""
        if not self.flips:
            return (
                f"{self.model.short_label(self.preferred)} has the best expected net outcome at every weight from "
                f"0 to {self.prob_best.index.max():g}."
            )
        first = self.flips[0]
        parts = [
            f"{self.model.short_label(first['from'])} is best on average while one harm counts for less than "
            f"{first['weight']:.2f} improvements"
        ]
        for f, nxt in zip(self.flips, [*self.flips[1:], None], strict=True):
            upper = f" up to {nxt['weight']:.2f}" if nxt else ""
            parts.append(f"{self.model.short_label(f['to']).lower()} from {f['weight']:.2f}{upper}")
        return "; ".join(parts) + "."

    def to_dict(self) -> dict:
        return {
            "provenance": self.provenance.__dict__,
            "weight": self.weight,
            "harm_weights": self.harm_weights,
            "preferred": self.preferred,
            "expected_net_per100": {k: DENOMINATOR * v for k, v in self.expected_net.items()},
            "prob_best_at_weight": self.prob_best_at_weight,
            "flips": self.flips,
            "rates": self.rates.to_dict(orient="records"),
            "differences": self.differences.to_dict(orient="records"),
        }


def summarize(
    sim: xr.Dataset | xr.DataArray,
    *,
    weight: float = DEFAULT_WEIGHT,
    weights: np.ndarray | None = None,
    mass: float = INTERVAL,
    model: DecisionModel | None = None,
    other_harms: dict | None = None,
) -> DecisionSummary:
    """Decision summary of a simulation, or of exact expected rates.

    Parameters
    ----------
    sim : xarray.Dataset or xarray.DataArray
        A simulation (``outcomes.simulate``: ``rate`` (draw, strategy, outcome) and provenance attrs), or a
        rate DataArray with the same dimensions (for example ``outcomes.expected_outcomes``).
    weight : float
        The patient's preference: how many improvements one harm cancels (default 1).
    weights : array, optional
        The grid of weights for the probability-best curve (default 0 to 5).
    mass : float
        The interval's probability mass (default 0.90).
    model : DecisionModel, optional
        The decision model; by default the one the simulation carries (``attrs["model_json"]``).
    other_harms : dict, optional
        The patient's weights of the decision's other harms relative to its main harm (e.g. how much a minor
        harm counts against a serious one); default: the declaration's.

    Returns
    -------
    DecisionSummary
        Rates with intervals and words, differences, probability best, preferred option, flip weights.

    Examples
    --------
    >>> import outcomes as oc
    >>> reg = oc.load_registry()
    >>> draws = oc.prior_draws(oc.elicit(reg), 200, seed=0)
    >>> summary = oc.summarize(oc.simulate(draws, oc.load_profile("default", registry=reg)), weight=1.0)
    >>> summary.preferred in reg.model.strategies
    True
    """
    if not (math.isfinite(weight) and weight >= 0):
        raise ValueError("weight must be a finite number >= 0")
    weights = DEFAULT_WEIGHTS if weights is None else np.asarray(weights, dtype=float)
    if weight > weights.max():
        weights = np.append(weights, weight)
    rate = sim["rate"] if isinstance(sim, xr.Dataset) else sim
    attrs = sim.attrs if isinstance(sim, xr.Dataset) else rate.attrs
    if model is None:
        if "model_json" not in attrs:
            raise ValueError("model is required: these rates do not carry their decision model (attrs['model_json'])")
        model = model_from_json(str(attrs["model_json"]))
    strategies = [str(s) for s in rate.strategy.values]
    net = _net_benefit(rate, model, weight, per=1.0, other=other_harms)
    hscore = harm_score(rate, model, other_harms)
    bscore = benefit_rate(rate, model)
    expected_net = {s: float(net.sel(strategy=s).mean()) for s in strategies}
    net_interval = {s: _interval(net.sel(strategy=s).values, mass) for s in strategies}
    mean_imp = {s: float(bscore.sel(strategy=s).mean()) for s in strategies}
    mean_harm = {s: float(hscore.sel(strategy=s).mean()) for s in strategies}
    preferred = max(strategies, key=lambda s: (expected_net[s], -strategies.index(s)))
    pb = probability_best(rate, model, weights, other_harms)
    pb_w = probability_best(rate, model, np.array([weight]), other_harms).iloc[0].to_dict()
    return DecisionSummary(
        rates=rates_table(rate, model, mass),
        differences=differences_table(rate, mass),
        prob_best=pb,
        weight=float(weight),
        expected_net=expected_net,
        net_interval=net_interval,
        preferred=preferred,
        prob_best_at_weight=pb_w,
        flips=flip_points(mean_imp, mean_harm, float(weights.max())),
        provenance=Provenance.from_attrs(dict(attrs)),
        model=model,
        harm_weights=harm_weights(model, other_harms),
    )


__all__ = ["DENOMINATOR", "DecisionSummary", "Provenance", "frequency_text", "per100", "summarize", "uncertainty_words"]
