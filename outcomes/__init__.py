"""outcomes: published clinical rates -> Bayesian priors -> patient-level outcomes -> shared-decision charts.

The researcher's path, in obvious calls (``import outcomes as oc`` stays cheap: every name is imported on first
use)::

    reg = oc.load_registry()                       # the evidence registry and its decision model (priors/)
    priors = oc.elicit(reg)                        # grade-capped Beta priors, Normal effect priors
    draws = oc.prior_draws(priors, 4000, seed=0)   # or oc.posterior_draws("posterior.nc", reg)
    patient = oc.load_profile("default", registry=reg)
    sim = oc.simulate(draws, patient, seed=0)      # 100 simulated patients per draw, every strategy
    summary = oc.summarize(sim, weight=1.0)        # out of 100, 90% intervals, P(best), flip weights
    oc.plot.benefit_harm(summary)                  # every plot: plot_x(data, ax=None, **kwargs) -> Axes
    d = oc.compare("default", weight=1.0)          # all of the above in one call

Data flows one way (see docs/architecture.md): declaration + evidence files -> registry -> elicit -> draws ->
simulate -> summarize -> charts -> report. Heavy imports (pymc, arviz, preliz) live only in the modules that
need them.
"""

from __future__ import annotations

import importlib
import sys
import types
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version
from typing import Any

try:
    __version__ = _version("outcomes")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"

_EXPORTS = {
    "load_registry": "outcomes.registry",
    "load_model": "outcomes.declaration",
    "DecisionModel": "outcomes.declaration",
    "elicit": "outcomes.elicit",
    "evidence_table": "outcomes.elicit",
    "prior_draws": "outcomes.draws",
    "posterior_draws": "outcomes.draws",
    "load_profile": "outcomes.profile",
    "simulate": "outcomes.simulate",
    "expected_outcomes": "outcomes.model",
    "net_benefit": "outcomes.model",
    "summarize": "outcomes.summarize",
    "compare": "outcomes.pipeline",
    "Decision": "outcomes.pipeline",
    "load_studies": "outcomes.update.data",
    "fit": "outcomes.update",
    "InputError": "outcomes.errors",
}
_MODULES = {"plot": "outcomes.plot", "voi": "outcomes.voi", "update": "outcomes.update"}

__all__ = [
    "Decision",
    "DecisionModel",
    "InputError",
    "__version__",
    "compare",
    "elicit",
    "evidence_table",
    "expected_outcomes",
    "fit",
    "load_model",
    "load_profile",
    "load_registry",
    "load_studies",
    "net_benefit",
    "plot",
    "posterior_draws",
    "prior_draws",
    "simulate",
    "summarize",
    "update",
    "voi",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'outcomes' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """Keeps ``oc.simulate``, ``oc.summarize`` and ``oc.elicit`` the functions: importing the submodule of the
    same name (``from outcomes.simulate import ...``) would otherwise bind the module over the function.
    The submodules stay importable as usual (``importlib.import_module("outcomes.simulate")``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
