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

import numpy as np
import pandas as pd
import xarray as xr

from outcomes import __version__
from outcomes.model import OUTCOME_LABELS, TIME_FRAME
from outcomes.registry import STRATEGIES
from outcomes.wording import flip_text, frequency_text, per100, uncertainty_words

INTERVAL = 0.90
DENOMINATOR = 100
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
    package_version: str = __version__

    @classmethod
    def from_attrs(cls, attrs: dict) -> Provenance:
        return cls(
            evidence_version=str(attrs.get("evidence_version", "unknown")),
            seed=int(attrs.get("seed", -1)),
            time_frame=str(attrs.get("time_frame", TIME_FRAME)),
            n_draws=int(attrs.get("n_draws", 0)),
            n_patients=int(attrs.get("n_patients", 0)),
            origin=str(attrs.get("origin", "external")),
            profile_label=str(attrs.get("profile_label", "")),
            profile_digest=str(attrs.get("profile_digest", "")),
            diagnostics_status=str(attrs.get("diagnostics_status", "ok")),
        )

    def line(self) -> str:
        s = (
            f"Time frame: {self.time_frame}; evidence version {self.evidence_version}; "
            f"{self.origin} draws: {self.n_draws} x {self.n_patients} patients; seed {self.seed}"
        )
        if self.diagnostics_status != "ok":
            s += f"; FIT DIAGNOSTICS FAILING ({self.diagnostics_status})"
        return s


def _interval(x: np.ndarray, mass: float = INTERVAL) -> tuple[float, float]:
    tail = (1 - mass) / 2
    lo, hi = np.quantile(x, [tail, 1 - tail])
    return float(lo), float(hi)


def rates_table(rate: xr.DataArray, mass: float = INTERVAL) -> pd.DataFrame:
    """Per strategy and outcome: mean rate, interval, natural-frequency text (applicable outcomes only)."""
    rows = []
    for s in rate.strategy.values:
        for o in rate.outcome.values:
            x = rate.sel(strategy=s, outcome=o).values
            if np.all(np.isnan(x)):
                continue
            mean = float(np.mean(x))
            lo, hi = _interval(x, mass)
            rows.append(
                {
                    "strategy": str(s),
                    "outcome": str(o),
                    "label": OUTCOME_LABELS.get(str(o), str(o)),
                    "mean": mean,
                    "low": lo,
                    "high": hi,
                    "per100": per100(mean),
                    "per100_low": per100(lo),
                    "per100_high": per100(hi),
                    "text": frequency_text(mean, lo, hi),
                    "certainty": uncertainty_words(lo, hi),
                }
            )
    return pd.DataFrame(rows)


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


def net_benefit(rate: xr.DataArray, weight: float) -> xr.DataArray:
    """Net outcome per draw and strategy: improved - weight * harm (a rate; x100 for per 100)."""
    return rate.sel(outcome="improved") - weight * rate.sel(outcome="harm")


def probability_best(rate: xr.DataArray, weights: np.ndarray) -> pd.DataFrame:
    """P(strategy has the best net outcome) for each weight: DataFrame (weight x strategy). Ties split evenly."""
    imp = rate.sel(outcome="improved").transpose("draw", "strategy").values
    harm = rate.sel(outcome="harm").transpose("draw", "strategy").values
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
    extra: dict = field(default_factory=dict)

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
        """Where the preferred strategy changes, in words (``outcomes.wording.flip_text``)."""
        return flip_text(self.flips, self.preferred, float(self.prob_best.index.max()))

    def to_dict(self) -> dict:
        return {
            "provenance": self.provenance.__dict__,
            "weight": self.weight,
            "preferred": self.preferred,
            "expected_net_per100": {k: DENOMINATOR * v for k, v in self.expected_net.items()},
            "prob_best_at_weight": self.prob_best_at_weight,
            "flips": self.flips,
            "rates": self.rates.to_dict(orient="records"),
            "differences": self.differences.to_dict(orient="records"),
        }


def summarize(
    sim: xr.Dataset, *, weight: float = DEFAULT_WEIGHT, weights: np.ndarray | None = None, mass: float = INTERVAL
) -> DecisionSummary:
    """Decision summary of a simulation (``rate`` (draw, strategy, outcome) and provenance attrs)."""
    if not (math.isfinite(weight) and weight >= 0):
        raise ValueError("weight must be a finite number >= 0")
    weights = DEFAULT_WEIGHTS if weights is None else np.asarray(weights, dtype=float)
    if weight > weights.max():
        weights = np.append(weights, weight)
    rate = sim["rate"] if isinstance(sim, xr.Dataset) else sim
    attrs = sim.attrs if isinstance(sim, xr.Dataset) else rate.attrs
    strategies = [str(s) for s in rate.strategy.values]
    net = net_benefit(rate, weight)
    expected_net = {s: float(net.sel(strategy=s).mean()) for s in strategies}
    net_interval = {s: _interval(net.sel(strategy=s).values, mass) for s in strategies}
    mean_imp = {s: float(rate.sel(strategy=s, outcome="improved").mean()) for s in strategies}
    mean_harm = {s: float(rate.sel(strategy=s, outcome="harm").mean()) for s in strategies}
    preferred = max(strategies, key=lambda s: (expected_net[s], -strategies.index(s)))
    pb = probability_best(rate, weights)
    pb_w = probability_best(rate, np.array([weight])).iloc[0].to_dict()
    return DecisionSummary(
        rates=rates_table(rate, mass),
        differences=differences_table(rate, mass),
        prob_best=pb,
        weight=float(weight),
        expected_net=expected_net,
        net_interval=net_interval,
        preferred=preferred,
        prob_best_at_weight=pb_w,
        flips=flip_points(mean_imp, mean_harm, float(weights.max())),
        provenance=Provenance.from_attrs(dict(attrs)),
    )


__all__ = ["STRATEGIES", "DecisionSummary", "Provenance", "frequency_text", "per100", "summarize", "uncertainty_words"]
