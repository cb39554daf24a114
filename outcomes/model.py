"""The outcome model's probabilities, derived from the declaration (``outcomes.declaration``).

For a profile, every registry parameter is first shifted on the log-odds scale by the covariate effects that
target it::

    logit p(patient) = logit p(base) + sum_e log(OR_e) * (x_e - reference_e) / per_e

Each strategy's events then happen with these probabilities (a conditional event takes its ``then`` or ``else``
parameter by the state of the earlier event it names); within a patient, events are independent given the
parameters and those conditions. Outcomes are boolean expressions over a strategy's events.

:func:`expected_outcomes` gives the exact per-draw expectation of every outcome (the mean over infinitely many
patients like this one): each strategy's 2**k joint event states are enumerated once per model, so any
declared model gets exact rates with no hand-written formula. This module draws no random numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from outcomes.declaration import DecisionModel, Expr, Strategy


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def covariates_of(profile: Any) -> dict[str, float]:
    """A profile's covariates (a ``Profile``, or a mapping covariate -> number)."""
    if hasattr(profile, "covariates") and callable(profile.covariates):
        return dict(profile.covariates())
    return {str(k): float(v) for k, v in dict(profile).items()}


def model_of(profile: Any, model: DecisionModel | None) -> DecisionModel:
    """The decision model to use: ``model`` if given, else the one the profile was validated against."""
    if model is not None:
        return model
    m = getattr(profile, "model", None)
    if m is None:
        raise ValueError("model is required when the profile is a plain mapping of covariates")
    return m


def effect_term(value: Any, reference: float, per: float, low: float = np.nan, high: float = np.nan) -> np.ndarray:
    """How far a covariate value moves an effect: ``(x - reference) / per``, or, for an indicator effect (one
    level of a categorical effect, ``applies`` = [low, high]), 1 inside the range and 0 outside."""
    x = np.asarray(value, dtype=float)
    if np.isfinite(low) and np.isfinite(high):
        return ((x >= low) & (x <= high)).astype(float)
    return (x - reference) / per


def shift_matrix(draws: xr.Dataset, covariates: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Per parameter, the total log-odds shift of the covariate effects for these covariates.

    ``covariates`` values may be scalars (one profile: shifts of shape (draw,)) or arrays of shape (P,)
    (P patients: shifts of shape (draw, P)). ``draws`` has ``p`` (draw, parameter) and ``log_or``
    (draw, effect) with effect coordinates ``covariate``, ``reference``, ``per`` and ``targets``
    (``;``-joined parameter keys). Parameters with no shift are left out.
    """
    shift: dict[str, np.ndarray] = {}
    if "log_or" in draws and draws.sizes.get("effect", 0):
        lor = draws["log_or"].transpose("draw", "effect")
        vals = lor.values
        for j in range(lor.sizes["effect"]):
            cov = str(lor.covariate.values[j])
            lo = float(lor["applies_low"].values[j]) if "applies_low" in lor.coords else np.nan
            hi = float(lor["applies_high"].values[j]) if "applies_high" in lor.coords else np.nan
            x = effect_term(covariates[cov], float(lor.reference.values[j]), float(lor.per.values[j]), lo, hi)
            if not np.any(x):
                continue
            beta = vals[:, j] if x.ndim == 0 else vals[:, j, None]
            term = beta * x
            for target in str(lor.targets.values[j]).split(";"):
                shift[target] = shift[target] + term if target in shift else term
    return shift


def adjusted_parameters(draws: xr.Dataset, covariates: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every parameter per draw (and per patient, for array covariates), shifted by the effects that target it."""
    p = draws["p"].transpose("draw", "parameter")
    shift = shift_matrix(draws, covariates)
    out = {}
    for k, name in enumerate(p.parameter.values):
        base = p.values[:, k]
        s = shift.get(str(name))
        if s is None or not np.any(s):
            out[str(name)] = base
        else:
            out[str(name)] = _expit(_logit(base if s.ndim == 1 else base[:, None]) + s)
    return out


# --- exact expectations ------------------------------------------------------------------------------------------


def _eval(expr: Expr, cols: dict[str, np.ndarray]) -> np.ndarray:
    op = expr[0]
    if op == "const":
        n = len(next(iter(cols.values()))) if cols else 1
        return np.full(n, bool(expr[1]))
    if op == "var":
        return cols[expr[1]]
    if op == "not":
        return ~_eval(expr[1], cols)
    parts = [_eval(x, cols) for x in expr[1]]
    out = parts[0].copy()
    for x in parts[1:]:
        if op == "and":
            out &= x
        else:
            out |= x
    return out


@dataclass(frozen=True)
class _OutcomeTable:
    """The joint states of the events one outcome depends on (its names and their conditions, in declaration
    order), and in which of them the outcome holds. Enumerating only these (not every event of the strategy)
    keeps the work small: events an outcome does not name sum out exactly."""

    events: tuple[int, ...]  # indices into strategy.events
    states: np.ndarray  # (2**k, k) bool
    mask: np.ndarray  # (2**k,) bool


_TABLES: dict[int, tuple[Strategy, dict[str, _OutcomeTable]]] = {}


def _tables(strategy: Strategy) -> dict[str, _OutcomeTable]:
    hit = _TABLES.get(id(strategy))
    if hit is not None and hit[0] is strategy:
        return hit[1]
    tables = {o: _make_table(strategy, expr) for o, expr in strategy.outcomes.items()}
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[id(strategy)] = (strategy, tables)
    return tables


def _make_table(strategy: Strategy, expr: Expr) -> _OutcomeTable:
    from outcomes.declaration import expr_names

    index = {e.name: i for i, e in enumerate(strategy.events)}
    needed: set[int] = set()
    todo = [index[n] for n in expr_names(expr)]
    while todo:  # the named events and, transitively, the events they are conditioned on
        i = todo.pop()
        if i in needed:
            continue
        needed.add(i)
        cond = strategy.events[i].condition
        if cond is not None:
            todo.append(index[cond])
    events = tuple(sorted(needed))
    k = len(events)
    if k == 0:  # a constant outcome (true / false)
        return _OutcomeTable(events, np.zeros((1, 0), dtype=bool), np.asarray(_eval(expr, {}), dtype=bool))
    states = np.array(list(itertools.product((False, True), repeat=k)), dtype=bool).reshape(-1, k)
    cols = {strategy.events[i].name: states[:, j] for j, i in enumerate(events)}
    return _OutcomeTable(events, states, _eval(expr, cols))


def _outcome_probability(strategy: Strategy, table: _OutcomeTable, adjusted: Mapping[str, np.ndarray]) -> Any:
    """P(outcome) = sum over the joint states where it holds of the product of each event's probability (a
    conditional event's by its condition's state)."""
    if not table.events:
        return float(table.mask[0])
    pos = {i: j for j, i in enumerate(table.events)}
    total: Any = 0.0
    for row, holds in zip(table.states, table.mask, strict=True):
        if not holds:
            continue
        prob: Any = 1.0
        for j, i in enumerate(table.events):
            e = strategy.events[i]
            if e.parameter is not None:
                pe = adjusted[e.parameter]
            else:
                pe = adjusted[str(e.then)] if row[pos[_cond_index(strategy, e)]] else adjusted[str(e.otherwise)]
            prob = prob * (pe if row[j] else 1.0 - pe)
        total = total + prob
    return total


def _cond_index(strategy: Strategy, e: Any) -> int:
    return next(i for i, x in enumerate(strategy.events) if x.name == e.condition)


def strategy_rates(strategy: Strategy, adjusted: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Exact probability of each of the strategy's outcomes, for arrays of parameter values (any shape)."""
    shape = np.broadcast_shapes(*(np.shape(adjusted[p]) for p in strategy.parameters))
    out = {}
    for o, table in _tables(strategy).items():
        out[o] = np.broadcast_to(np.asarray(_outcome_probability(strategy, table, adjusted), dtype=float), shape)
    return out


def expected_rates(model: DecisionModel, adjusted: Mapping[str, np.ndarray]) -> np.ndarray:
    """Exact expected rates (..., strategy, outcome) from adjusted parameters of any common shape; NaN where an
    outcome does not apply to a strategy."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in adjusted.values()))
    out = np.full((*shape, len(model.strategies), len(model.outcomes)), np.nan)
    oi = {o: j for j, o in enumerate(model.outcomes)}
    for si, st in enumerate(model.strategies.values()):
        for o, v in strategy_rates(st, adjusted).items():
            out[..., si, oi[o]] = v
    return out


def expected_outcomes(draws: xr.Dataset, profile: Any, model: DecisionModel | None = None) -> xr.DataArray:
    """The exact expected rate of every outcome per draw for one profile.

    Parameters
    ----------
    draws : xarray.Dataset
        Parameter draws (``outcomes.draws``): ``p`` (draw, parameter) and ``log_or`` (draw, effect).
    profile : Profile or mapping
        A validated ``Profile`` (its model is used), or a mapping covariate -> number (then ``model`` is needed).
    model : DecisionModel, optional
        The decision model; defaults to the profile's.

    Returns
    -------
    xarray.DataArray
        (draw, strategy, outcome), NaN where an outcome does not apply to a strategy.

    Examples
    --------
    >>> import outcomes as oc
    >>> reg = oc.load_registry()
    >>> draws = oc.prior_draws(oc.elicit(reg), 200, seed=1)
    >>> rate = oc.expected_outcomes(draws, oc.load_profile("default", registry=reg))
    >>> rate.dims
    ('draw', 'strategy', 'outcome')
    >>> bool(((rate >= 0) & (rate <= 1)).sum() > 0)
    True
    """
    m = model_of(profile, model)
    a = adjusted_parameters(draws, covariates_of(profile))
    return xr.DataArray(
        expected_rates(m, a),
        dims=("draw", "strategy", "outcome"),
        coords={"draw": draws["draw"].values, "strategy": list(m.strategies), "outcome": list(m.outcomes)},
        name="expected_rate",
    )


def applicable_mask(model: DecisionModel) -> xr.DataArray:
    """(strategy, outcome) True where the outcome applies to the strategy."""
    m = np.array([[o in model.applicable[s] for o in model.outcomes] for s in model.strategies])
    return xr.DataArray(
        m, dims=("strategy", "outcome"), coords={"strategy": list(model.strategies), "outcome": list(model.outcomes)}
    )


DENOMINATOR = 100
"""Every number shown to a patient is out of 100."""


def harm_weights(model: DecisionModel, other: Mapping[str, float] | None = None) -> dict[str, float]:
    """The harms the decision weighs and their weights relative to the decision's ``harm`` (which counts 1):
    the declaration's defaults, overridden by ``other`` (the patient's own)."""
    out = {model.harm: 1.0, **model.other_harms}
    for k, v in (other or {}).items():
        if k not in model.other_harms:
            raise ValueError(f"unknown weighed harm {k!r}; allowed: {', '.join(model.other_harms) or 'none'}")
        if not (np.isfinite(v) and v >= 0):
            raise ValueError(f"the relative weight of {k!r} must be a number >= 0, got {v!r}")
        out[k] = float(v)
    return out


def harm_score(rate: Any, model: DecisionModel, other: Mapping[str, float] | None = None) -> Any:
    """The weighted harm: ``harm + sum_k relative_weight_k * other_harm_k`` (the decision's harm alone when the
    model weighs no other harm). Same container rules as :func:`net_benefit`."""
    ws = harm_weights(model, other)
    if isinstance(rate, xr.DataArray):
        out = sum(w * rate.sel(outcome=o) for o, w in ws.items())
        return out.drop_vars("outcome", errors="ignore")  # type: ignore[union-attr]
    ids = list(model.outcomes)
    r = np.asarray(rate)
    return sum(w * r[..., ids.index(o)] for o, w in ws.items())


def benefit_rate(rate: Any, model: DecisionModel) -> Any:
    if isinstance(rate, xr.DataArray):
        return rate.sel(outcome=model.benefit).drop_vars("outcome", errors="ignore")
    return np.asarray(rate)[..., list(model.outcomes).index(model.benefit)]


def net_benefit(
    rate: Any,
    model: DecisionModel,
    weight: float,
    *,
    per: float = DENOMINATOR,
    other: Mapping[str, float] | None = None,
) -> Any:
    """The net outcome per ``per`` patients: benefit - weight x weighted harm (:func:`harm_score`).

    The one definition of the net outcome used by summaries, value of information, cohorts and the decision-aid
    page.

    Parameters
    ----------
    rate : xarray.DataArray or numpy.ndarray
        Outcome rates with an ``outcome`` dimension (the result drops it), or an array whose last axis follows
        ``model.outcomes``.
    model : DecisionModel
    weight : float
        How many improvements one of the decision's harm cancels (the patient's preference weight).
    per : float
        The denominator (100: net improvements per 100 patients).
    other : mapping, optional
        Relative weights of the decision's other harms (default: the declaration's).

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        The net outcome, without the outcome axis.

    Examples
    --------
    >>> import numpy as np
    >>> import outcomes as oc
    >>> model = oc.load_registry().model
    >>> rate = np.zeros(len(model.outcomes))
    >>> rate[list(model.outcomes).index(model.benefit)] = 0.5
    >>> rate[list(model.outcomes).index(model.harm)] = 0.2
    >>> round(float(oc.net_benefit(rate, model, weight=2.0)), 6)  # 100 x (0.5 - 2 x 0.2)
    10.0
    """
    return per * (benefit_rate(rate, model) - weight * harm_score(rate, model, other))
