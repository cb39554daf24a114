"""The outcome model: which parameters and covariate effects make each strategy's per-patient probabilities.

Time frame: every outcome is "within 2 years of starting the strategy" (``TIME_FRAME``).

Per strategy (parameters are registry ``strategy.outcome`` keys; each is first shifted on the log-odds
scale by the covariate effects that target it, for the profile's covariates):

* **fusion** (revision decompression with instrumented fusion): improved (excellent/good) ~ fusion.improved;
  complication ~ fusion.complication; solid fusion ~ fusion.solid_fusion; reoperation ~ fusion.reoperation.
* **decompression** (revision decompression alone): improved; complication; later instability needing fusion.
* **medication** (gabapentinoid with multidisciplinary care): a neuropathic component is present with
  probability population.neuropathic_component; a first response happens with
  medication.initial_response_neuropathic if it is, else medication.initial_response_other; the response is
  kept to the horizon with medication.sustained_response (the 53% record, which describes responders).
  improved = first response AND kept. Side effects ~ medication.side_effects ("complication" for this
  strategy); lasting neurological worsening of the untreated deficit ~ medication.deficit_progression.

Derived per patient: harm = complication OR deficit progression; improved without harm; harm without
improvement. Within a patient, events are independent given the parameters. The net outcome for a
preference weight w (how many improvements one harm cancels) is improved - w * harm.

This module computes probabilities; it draws no random numbers.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outcomes.registry import STRATEGIES

TIME_FRAME = "2 years"
TIME_FRAME_TEXT = "within 2 years of starting treatment"

OUTCOMES: tuple[str, ...] = (
    "improved",
    "complication",
    "harm",
    "improved_without_harm",
    "harm_without_improvement",
    "solid_fusion",
    "reoperation",
    "later_instability",
    "neuropathic",
    "deficit_progression",
)
"""The result axis shared by all strategies (not every outcome applies to every strategy)."""

BENEFITS = ("improved", "improved_without_harm")
HARMS = ("harm", "complication", "deficit_progression", "harm_without_improvement", "reoperation", "later_instability")

APPLICABLE: dict[str, tuple[str, ...]] = {
    "fusion": (
        "improved",
        "complication",
        "harm",
        "improved_without_harm",
        "harm_without_improvement",
        "solid_fusion",
        "reoperation",
    ),
    "decompression": (
        "improved",
        "complication",
        "harm",
        "improved_without_harm",
        "harm_without_improvement",
        "later_instability",
    ),
    "medication": (
        "improved",
        "complication",
        "harm",
        "improved_without_harm",
        "harm_without_improvement",
        "neuropathic",
        "deficit_progression",
    ),
}

STRATEGY_LABELS = {
    "fusion": "Decompression with instrumented fusion (TLIF)",
    "decompression": "Decompression alone",
    "medication": "Medication (gabapentinoid) with pain care",
}
SHORT_LABELS = {"fusion": "Fusion", "decompression": "Decompression alone", "medication": "Medication"}

OUTCOME_LABELS = {
    "improved": "Much better (excellent or good result)",
    "complication": "Complication or troublesome side effect",
    "harm": "Any harm (complication, side effect or worse weakness)",
    "improved_without_harm": "Better, with no harm",
    "harm_without_improvement": "Harmed, and not better",
    "solid_fusion": "Bones fused solidly",
    "reoperation": "Another operation",
    "later_instability": "Later instability needing fusion",
    "neuropathic": "Nerve-type (neuropathic) pain present",
    "deficit_progression": "Weakness gets worse or an injurious fall",
}

# Uniform draws per simulated patient, in the simulator's event order.
EVENTS: dict[str, tuple[str, ...]] = {
    "fusion": ("improved", "complication", "solid_fusion", "reoperation"),
    "decompression": ("improved", "complication", "later_instability"),
    "medication": ("neuropathic", "first_response", "sustained", "side_effects", "deficit_progression"),
}
N_EVENTS = sum(len(v) for v in EVENTS.values())


def applicable_mask() -> xr.DataArray:
    m = np.array([[o in APPLICABLE[s] for o in OUTCOMES] for s in STRATEGIES])
    return xr.DataArray(
        m, dims=("strategy", "outcome"), coords={"strategy": list(STRATEGIES), "outcome": list(OUTCOMES)}
    )


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def adjusted_parameters(draws: xr.Dataset, covariates: dict[str, float]) -> dict[str, np.ndarray]:
    """Every parameter per draw, shifted on the log-odds scale by the effects that target it.

    ``draws`` has ``p`` (draw, parameter) and ``log_or`` (draw, effect) with effect coordinates
    ``covariate``, ``reference``, ``per`` and ``targets`` (``;``-joined parameter keys).
    """
    p = draws["p"]
    shift = {name: np.zeros(p.sizes["draw"]) for name in p.parameter.values}
    if "log_or" in draws and draws.sizes.get("effect", 0):
        lor = draws["log_or"]
        for j in range(lor.sizes["effect"]):
            cov = str(lor.covariate.values[j])
            x = (covariates[cov] - float(lor.reference.values[j])) / float(lor.per.values[j])
            if x == 0.0:
                continue
            beta = lor.values[:, j]
            for target in str(lor.targets.values[j]).split(";"):
                shift[target] = shift[target] + beta * x
    out = {}
    for k, name in enumerate(p.parameter.values):
        base = p.values[:, k]
        out[str(name)] = base if not np.any(shift[name]) else _expit(_logit(base) + shift[name])
    return out


def event_probabilities(draws: xr.Dataset, covariates: dict[str, float]) -> dict[str, dict[str, np.ndarray]]:
    """Per strategy, the probability of each simulated event per draw (medication's first response gives both
    branches: ``first_response`` if neuropathic, ``first_response_other`` if not)."""
    a = adjusted_parameters(draws, covariates)
    return {
        "fusion": {
            "improved": a["fusion.improved"],
            "complication": a["fusion.complication"],
            "solid_fusion": a["fusion.solid_fusion"],
            "reoperation": a["fusion.reoperation"],
        },
        "decompression": {
            "improved": a["decompression.improved"],
            "complication": a["decompression.complication"],
            "later_instability": a["decompression.later_instability"],
        },
        "medication": {
            "neuropathic": a["population.neuropathic_component"],
            "first_response": a["medication.initial_response_neuropathic"],
            "first_response_other": a["medication.initial_response_other"],
            "sustained": a["medication.sustained_response"],
            "side_effects": a["medication.side_effects"],
            "deficit_progression": a["medication.deficit_progression"],
        },
    }


def expected_outcomes(draws: xr.Dataset, covariates: dict[str, float]) -> xr.DataArray:
    """The exact expected rate of every outcome per draw (the conditional expectation over patients):
    DataArray (draw, strategy, outcome), NaN where an outcome does not apply to a strategy."""
    ev = event_probabilities(draws, covariates)
    n = draws.sizes["draw"]
    out = np.full((n, len(STRATEGIES), len(OUTCOMES)), np.nan)
    idx = {o: i for i, o in enumerate(OUTCOMES)}

    def fill(s: int, improved, complication, harm, **extra):
        out[:, s, idx["improved"]] = improved
        out[:, s, idx["complication"]] = complication
        out[:, s, idx["harm"]] = harm
        out[:, s, idx["improved_without_harm"]] = improved * (1 - harm)
        out[:, s, idx["harm_without_improvement"]] = harm * (1 - improved)
        for k, v in extra.items():
            out[:, s, idx[k]] = v

    f = ev["fusion"]
    fill(
        0,
        f["improved"],
        f["complication"],
        f["complication"],
        solid_fusion=f["solid_fusion"],
        reoperation=f["reoperation"],
    )
    d = ev["decompression"]
    fill(1, d["improved"], d["complication"], d["complication"], later_instability=d["later_instability"])
    m = ev["medication"]
    improved = m["sustained"] * (
        m["neuropathic"] * m["first_response"] + (1 - m["neuropathic"]) * m["first_response_other"]
    )
    harm = 1 - (1 - m["side_effects"]) * (1 - m["deficit_progression"])
    fill(
        2, improved, m["side_effects"], harm, neuropathic=m["neuropathic"], deficit_progression=m["deficit_progression"]
    )
    return xr.DataArray(
        out,
        dims=("draw", "strategy", "outcome"),
        coords={"draw": draws["draw"].values, "strategy": list(STRATEGIES), "outcome": list(OUTCOMES)},
        name="expected_rate",
    )
