"""The one place where the cohort code touches the outcome model: exact per-draw expected outcomes for a block
of patients at once, and the decision's benefit and weighted harm from them.

``expected_batch`` is the batch twin of ``outcomes.model.expected_outcomes``: it calls the same functions
(``model.adjusted_parameters`` with covariate arrays of shape (patient,), then ``model.expected_rates``), so any
declared model gets exact rates with no formula here. ``decision_arrays`` reduces them with
``model.benefit_rate`` and ``model.harm_score`` (the decision's harm plus its other harms at their relative
weights) to the (strategy, patient, draw) arrays the summaries reduce over, the draws contiguous.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import xarray as xr

from outcomes.declaration import DecisionModel, Strategy, expr_names
from outcomes.model import adjusted_parameters, benefit_rate, expected_rates, harm_score

BYTES_PER_STATE = 8 * 3
"""Working memory per joint event state and draw x patient element of ``model.expected_rates`` (the state
probabilities, one event's factors and a product), at float64."""


def _needed_events(st: Strategy, outcomes: tuple[str, ...]) -> set[str]:
    """The events the outcomes depend on, with the events their conditions name."""
    by_name = {e.name: e for e in st.events}
    todo = set().union(*(expr_names(st.outcomes[o]) for o in outcomes)) if outcomes else set()
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if by_name[name].condition is not None:
            todo.add(str(by_name[name].condition))
    return seen


_REDUCED: dict[int, tuple[DecisionModel, DecisionModel]] = {}


def decision_model(model: DecisionModel) -> DecisionModel:
    """The model reduced to what the decision weighs: the benefit, the harm and the other harms, and in each
    strategy only the events they depend on. Events are independent given the parameters and their conditions,
    so summing out the others is exact: the rates equal ``model.expected_rates``'s (to rounding), from
    2**k joint states with a smaller k (the shipped fusion strategy: 2**5 instead of 2**7)."""
    hit = _REDUCED.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    keep = (model.benefit, model.harm, *model.other_harms)
    strategies = {}
    for sid, st in model.strategies.items():
        outs = tuple(o for o in keep if o in st.outcomes)
        needed = _needed_events(st, outs)
        strategies[sid] = dataclasses.replace(
            st, events=tuple(e for e in st.events if e.name in needed), outcomes={o: st.outcomes[o] for o in outs}
        )
    reduced = dataclasses.replace(model, strategies=strategies, outcomes={o: model.outcomes[o] for o in keep})
    if len(_REDUCED) > 16:
        _REDUCED.clear()
    _REDUCED[id(model)] = (model, reduced)
    return reduced


def elements_per_block(model: DecisionModel, budget_bytes: int = 16 << 20) -> int:
    """Draws x patients per numpy block so that the exact expectation (2**k joint states of the largest strategy)
    stays within ``budget_bytes`` (small blocks stay in cache: measured faster than large ones)."""
    k = max(len(st.events) for st in model.strategies.values())
    return max(1, budget_bytes // (BYTES_PER_STATE * 2**k))


def covariates_used(draws: xr.Dataset) -> tuple[str, ...]:
    """The covariates the draws' effects act on (each needs a value per patient)."""
    if "log_or" in draws and draws.sizes.get("effect", 0):
        return tuple(dict.fromkeys(str(c) for c in draws["log_or"].covariate.values))
    return ()


def expected_batch(draws: xr.Dataset, model: DecisionModel, covariates: Mapping[str, np.ndarray]) -> np.ndarray:
    """Exact expected rate of every outcome per draw, for a block of patients at once.

    ``covariates`` maps every covariate an effect names to an array (patient,). Returns (draw, patient, strategy,
    outcome) in ``model.strategies`` and ``model.outcomes`` order, NaN where an outcome does not apply to a
    strategy: for one patient, ``out[:, 0]`` is ``outcomes.model.expected_outcomes(draws, profile)``.
    """
    n_patients = len(next(iter(covariates.values()))) if covariates else 1
    shape = (int(draws.sizes["draw"]), n_patients)
    adjusted = adjusted_parameters(draws, {c: np.asarray(v, dtype=float) for c, v in covariates.items()})
    # parameters no effect moves stay (draw,): give every parameter the block's common (draw, patient) shape
    common = {k: np.broadcast_to(v[:, None] if v.ndim == 1 else v, shape) for k, v in adjusted.items()}
    return expected_rates(model, common)


def decision_arrays(
    rates: np.ndarray, model: DecisionModel, other: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(benefit, weighted harm), each (strategy, patient, draw) C-contiguous, from ``expected_batch``'s rates."""
    benefit = benefit_rate(rates, model)  # (draw, patient, strategy)
    harm = harm_score(rates, model, other)
    return (
        np.ascontiguousarray(np.transpose(benefit, (2, 1, 0))),
        np.ascontiguousarray(np.transpose(harm, (2, 1, 0))),
    )
