"""Value of information and sensitivity on the patient's scale (GitHub issue 9).

Everything is in *net improvements per 100 patients like this one* at the patient's preference weight w:
``NB_s = 100 (improved_s - w harm_s)`` per parameter draw, from ``outcomes.model.expected_outcomes`` (prior or
posterior draws alike).

* ``core``        -- net benefit per draw, EVPI over weights, EVPPI per parameter/effect/group, EVSI of a new
                     binomial study (exact preposterior analysis over the draws), tornado, nested Monte Carlo;
* ``results``     -- the typed results (``EvppiResult``, ``TornadoResult``): a table and its scalars as fields
                     of a frozen dataclass (never ``DataFrame.attrs``, which pandas drops), shown in Jupyter;
* ``regression``  -- the regression (metamodel) EVPPI estimator of Strong, Oakley & Brennan (2014) on plain
                     arrays: penalized regression splines, ANOVA tensor bases for groups, REML/GCV, standard
                     errors from the coefficient posterior (numpy + scipy only: see its docstring for why);
* ``sensitivity`` -- decision summaries with the evidence-grade caps halved, doubled and removed; power-scaling
                     prior/likelihood sensitivity of a posterior (arviz, imported only there);
* ``analysis``    -- the whole analysis for one profile, its output folder, the report section;
* ``command``     -- the ``outcomes voi`` subcommand.

No pymc import anywhere in this package. Importing ``outcomes.voi`` itself is cheap: the names below are
loaded on first use.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "net_benefit": "core",
    "NetBenefitModel": "core",
    "evpi_curve": "core",
    "evppi_group": "core",
    "evppi_table": "core",
    "evsi": "core",
    "tornado": "core",
    "default_groups": "core",
    "evppi_nested": "core",
    "model_flips": "core",
    "evppi": "regression",
    "evpi": "regression",
    "Estimate": "regression",
    "cap_sensitivity": "sensitivity",
    "power_sensitivity": "sensitivity",
    "PowerSensitivityResult": "sensitivity",
    "run_voi": "analysis",
    "write_outputs": "analysis",
    "report_section": "analysis",
    "VoiResult": "analysis",
    "EvppiResult": "results",
    "TornadoResult": "results",
}

__all__ = [
    "Estimate",
    "EvppiResult",
    "NetBenefitModel",
    "PowerSensitivityResult",
    "TornadoResult",
    "VoiResult",
    "cap_sensitivity",
    "default_groups",
    "evpi",
    "evpi_curve",
    "evppi",
    "evppi_group",
    "evppi_nested",
    "evppi_table",
    "evsi",
    "model_flips",
    "net_benefit",
    "power_sensitivity",
    "report_section",
    "run_voi",
    "tornado",
    "write_outputs",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"outcomes.voi.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'outcomes.voi' has no attribute {name!r}")
