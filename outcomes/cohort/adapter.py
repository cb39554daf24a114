"""The one place where the cohort code touches the outcome model: exact per-draw expected outcomes for many
patients at once.

``expected_batch`` is the batch twin of ``outcomes.model.expected_outcomes``: the same covariate shifts on the
log-odds scale (``logit p = logit p_base + Σ log OR_e · (x − reference_e) / per_e``, summed in effect order),
and the same per-strategy formulas, evaluated for a whole block of patients as arrays (draw, patient). The
tests check it equal (to float tolerance) to ``expected_outcomes`` for single profiles. When the model becomes
declarative (issue 13), this module is what is re-pointed; nothing else in ``outcomes.cohort`` knows the
model's formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from outcomes.model import OUTCOMES
from outcomes.registry import STRATEGIES


@dataclass(frozen=True)
class DrawArrays:
    """Parameter draws as plain arrays (picklable, small: shipped once to every Dask worker)."""

    p: np.ndarray  # (draw, parameter)
    parameters: tuple[str, ...]
    log_or: np.ndarray  # (draw, effect)
    covariate: tuple[str, ...]  # per effect
    reference: np.ndarray  # per effect
    per: np.ndarray  # per effect
    targets: tuple[tuple[str, ...], ...]  # per effect

    @property
    def n_draws(self) -> int:
        return int(self.p.shape[0])

    @classmethod
    def from_draws(cls, draws: xr.Dataset) -> DrawArrays:
        """From a draws Dataset (``outcomes.draws``: ``p`` (draw, parameter), ``log_or`` (draw, effect))."""
        p = draws["p"].transpose("draw", "parameter")
        if "log_or" in draws and draws.sizes.get("effect", 0):
            lor = draws["log_or"].transpose("draw", "effect")
            return cls(
                p=np.ascontiguousarray(p.values, dtype=float),
                parameters=tuple(str(v) for v in p.parameter.values),
                log_or=np.ascontiguousarray(lor.values, dtype=float),
                covariate=tuple(str(v) for v in lor.covariate.values),
                reference=np.asarray(lor.reference.values, dtype=float),
                per=np.asarray(lor.per.values, dtype=float),
                targets=tuple(tuple(str(t).split(";")) for t in lor.targets.values),
            )
        return cls(
            p=np.ascontiguousarray(p.values, dtype=float),
            parameters=tuple(str(v) for v in p.parameter.values),
            log_or=np.zeros((p.shape[0], 0)),
            covariate=(),
            reference=np.zeros(0),
            per=np.ones(0),
            targets=(),
        )

    @property
    def covariates_used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.covariate))


def _expit_inplace(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), the same operations as ``model._expit``, in place (no temporaries)."""
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    return np.reciprocal(x, out=x)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _adjusted(arrays: DrawArrays, covariates: Mapping[str, np.ndarray], n_patients: int) -> Callable[[str], np.ndarray]:
    """A lazy, memoised ``name -> (patient, draw)`` view of every covariate-shifted parameter."""
    index = {name: k for k, name in enumerate(arrays.parameters)}
    memo: dict[str, np.ndarray] = {}

    def get(name: str) -> np.ndarray:
        if name in memo:
            return memo[name]
        base = arrays.p[:, index[name]]
        shift: np.ndarray | None = None
        for j, targets in enumerate(arrays.targets):
            if name not in targets:
                continue
            x = (np.asarray(covariates[arrays.covariate[j]], dtype=float) - arrays.reference[j]) / arrays.per[j]
            term = np.multiply.outer(x, arrays.log_or[:, j])
            if shift is None:
                shift = term
            else:
                shift += term
        if shift is None:
            out = np.broadcast_to(base[None, :], (n_patients, base.shape[0]))
        else:
            # as model.adjusted_parameters: a patient whose shift is zero in every draw keeps the base draws
            moved = np.any(shift != 0, axis=1)
            shift += _logit(base)[None, :]
            out = _expit_inplace(shift)
            if not moved.all():
                out[~moved] = base[None, :]
        memo[name] = out
        return out

    return get


Rate = Callable[[], np.ndarray]


def _strategy_outcomes(a: Callable[[str], np.ndarray]) -> dict[str, dict[str, Rate]]:
    """Per strategy, how each outcome's expected rate is made from the adjusted parameters (lazily)."""

    def med_improved() -> np.ndarray:
        n = a("population.neuropathic_component")
        return a("medication.sustained_response") * (
            n * a("medication.initial_response_neuropathic") + (1 - n) * a("medication.initial_response_other")
        )

    def med_harm() -> np.ndarray:
        return 1 - (1 - a("medication.side_effects")) * (1 - a("medication.deficit_progression"))

    base: dict[str, dict[str, Rate]] = {
        "fusion": {
            "improved": lambda: a("fusion.improved"),
            "complication": lambda: a("fusion.complication"),
            "harm": lambda: a("fusion.complication"),
            "solid_fusion": lambda: a("fusion.solid_fusion"),
            "reoperation": lambda: a("fusion.reoperation"),
        },
        "decompression": {
            "improved": lambda: a("decompression.improved"),
            "complication": lambda: a("decompression.complication"),
            "harm": lambda: a("decompression.complication"),
            "later_instability": lambda: a("decompression.later_instability"),
        },
        "medication": {
            "improved": med_improved,
            "complication": lambda: a("medication.side_effects"),
            "harm": med_harm,
            "neuropathic": lambda: a("population.neuropathic_component"),
            "deficit_progression": lambda: a("medication.deficit_progression"),
        },
    }

    def derived(imp: Rate, harm: Rate) -> dict[str, Rate]:
        return {
            "improved_without_harm": lambda: imp() * (1 - harm()),
            "harm_without_improvement": lambda: harm() * (1 - imp()),
        }

    for spec in base.values():  # derived outcomes, the same for every strategy
        spec.update(derived(spec["improved"], spec["harm"]))
    return base


def expected_batch(
    arrays: DrawArrays,
    covariates: Mapping[str, np.ndarray],
    outcomes: Sequence[str] = ("improved", "harm"),
) -> np.ndarray:
    """Exact expected rate of each requested outcome per draw, for a block of patients at once.

    ``covariates`` maps every covariate an effect names to an array (patient,). Returns an array
    (strategy, outcome, patient, draw) in ``STRATEGIES`` and ``outcomes`` order (the draws contiguous, as the
    summaries reduce over them), NaN where an outcome does not apply to a strategy: for one patient,
    ``out[:, :, 0, :]`` transposed is ``outcomes.model.expected_outcomes(draws, covariates)`` (draw, strategy,
    outcome) restricted to ``outcomes``.
    """
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcomes {unknown}; allowed: {', '.join(OUTCOMES)}")
    n_patients = len(next(iter(covariates.values()))) if covariates else 1
    spec = _strategy_outcomes(_adjusted(arrays, covariates, n_patients))
    out = np.empty((len(STRATEGIES), len(outcomes), n_patients, arrays.n_draws))
    for s, strategy in enumerate(STRATEGIES):
        for o, outcome in enumerate(outcomes):
            make = spec[strategy].get(outcome)
            out[s, o] = make() if make is not None else np.nan
    return out
