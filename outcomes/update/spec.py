"""What the update model looks like for one study file and one set of priors (no pymc here).

* every registry parameter with data is a model parameter with its elicited Beta prior;
* a study's log-odds is ``logit(p) + sum_e beta_e * (x_study - reference_e) / per_e`` over the effects that
  target the study's parameter and whose covariate the study reports with a value other than the reference
  (a covariate the study does not report is taken to be at the effect's reference);
* with ``pooling="random"``, a parameter with two or more studies gets study deviations on the log-odds scale,
  ``tau * z_s`` with ``z_s ~ Normal(0, 1)`` (non-centred) and ``tau ~ HalfNormal(0.5)``; with
  ``pooling="none"`` every study of a quantity shares one probability (common effect);
* parameters without data, and effects that no study's covariate mix moves, keep their priors: their
  "posterior" draws are exact, seeded draws from the prior.

Why HalfNormal(0.5) for tau: on the log-odds scale, tau = 0.5 means that the middle 95% of study-level
odds span a factor of about exp(2 * 1.96 * 0.5) = 7 -- large but plausible heterogeneity between surgical
trials of different populations and outcome definitions. The half-normal puts its mode at 0 (no
heterogeneity), has 95% of its mass below 0.98, and with only two or three studies (typical here) the data
cannot estimate tau, so the prior has to keep it in that plausible range rather than let it run to
implausible values (half-Cauchy) or pin it to zero.

The exact (conjugate) posterior Beta(alpha + sum events, beta + sum non-events) is valid when no quantity is
pooled with random effects and no study has a covariate shift (``ModelSpec.exact_ok``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outcomes.elicit import Priors
from outcomes.errors import InputError
from outcomes.model import effect_term
from outcomes.update.data import StudyData

POOLINGS = ("random", "none")
TAU_SCALE = 0.5
"""Scale of the HalfNormal prior on the between-study sd (log-odds scale); see the module docstring."""


def p_name(parameter: str) -> str:
    """Posterior variable of a registry parameter: ``fusion.improved`` -> ``p_fusion__improved``."""
    return "p_" + parameter.replace(".", "__")


def tau_name(parameter: str) -> str:
    return "tau_" + parameter.replace(".", "__")


def effect_name(effect_id: str) -> str:
    return f"log_or__{effect_id}"


@dataclass(frozen=True)
class ModelSpec:
    data: StudyData
    priors: Priors
    pooling: str
    parameters: tuple[str, ...]
    """Registry parameters with data (the modelled ones)."""
    effects: tuple[str, ...]
    """Effects moved by at least one study's covariate mix (modelled); the others keep their prior."""
    shifts: np.ndarray
    """(n_studies, n_effects): (x_study - reference) / per, 0 where the effect does not target the study."""
    random_groups: tuple[str, ...]
    """Parameters pooled with random effects (``pooling="random"`` and two or more studies)."""
    study_parameter: np.ndarray
    """Index into ``parameters`` for each study."""
    study_group: np.ndarray
    """Index into ``random_groups`` for each study, -1 if its parameter has no random effect."""
    assumed_reference: tuple[tuple[str, ...], ...]
    """Per study: the covariates of effects on its parameter that it does not report (taken at reference)."""

    @property
    def exact_ok(self) -> bool:
        return not self.random_groups and not np.any(self.shifts)

    @property
    def exact_reason(self) -> str:
        """Why the exact posterior does not apply ('' when it does)."""
        why = []
        if self.random_groups:
            why.append("random-effects pooling of " + ", ".join(self.random_groups))
        if np.any(self.shifts):
            why.append(
                "covariate shifts in "
                + ", ".join(s.label for s, row in zip(self.data.studies, self.shifts, strict=True) if np.any(row))
            )
        return "; ".join(why)

    @property
    def unmodelled_parameters(self) -> tuple[str, ...]:
        return tuple(p for p in self.priors.parameters if p not in self.parameters)

    @property
    def unmodelled_effects(self) -> tuple[str, ...]:
        return tuple(e for e in self.priors.effects if e not in self.effects)


def build_spec(data: StudyData, priors: Priors, pooling: str = "random") -> ModelSpec:
    if pooling not in POOLINGS:
        raise InputError("command line", None, "pooling", f"unknown {pooling!r}; allowed: {', '.join(POOLINGS)}")
    if priors.registry is None:
        raise ValueError("priors must carry their registry (use outcomes.elicit.elicit)")
    registry = priors.registry
    parameters = data.parameters
    studies = data.studies
    effects_all = [registry.effect(e) for e in priors.effects]
    raw = np.zeros((len(studies), len(effects_all)))
    assumed: list[tuple[str, ...]] = []
    for i, s in enumerate(studies):
        missing = []
        for j, e in enumerate(effects_all):
            if s.parameter not in e.targets:
                continue
            if e.covariate in s.covariates:
                lo, hi = e.applies if e.applies else (np.nan, np.nan)
                raw[i, j] = float(effect_term(s.covariates[e.covariate], e.reference, e.per, lo, hi))
            elif e.covariate not in missing:
                missing.append(e.covariate)
        assumed.append(tuple(missing))
    used = [j for j in range(len(effects_all)) if np.any(raw[:, j] != 0.0)]
    shifts = raw[:, used]
    effects = tuple(effects_all[j].id for j in used)
    counts = {p: len(data.for_parameter(p)) for p in parameters}
    random_groups = tuple(p for p in parameters if pooling == "random" and counts[p] >= 2)
    study_parameter = np.array([parameters.index(s.parameter) for s in studies], dtype=int)
    study_group = np.array(
        [random_groups.index(s.parameter) if s.parameter in random_groups else -1 for s in studies], dtype=int
    )
    return ModelSpec(
        data=data,
        priors=priors,
        pooling=pooling,
        parameters=parameters,
        effects=effects,
        shifts=shifts,
        random_groups=random_groups,
        study_parameter=study_parameter,
        study_group=study_group,
        assumed_reference=tuple(assumed),
    )
