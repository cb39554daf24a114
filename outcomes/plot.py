"""Every chart as ``oc.plot.<name>(data, ax=None, **kwargs) -> Axes`` (lazy: matplotlib loads on first use); the
one grid chart, ``icon_arrays``, takes and returns an array of Axes, one per panel.

* ``benefit_harm(summary)``   -- each strategy's benefits and harms per 100, with 90% intervals;
* ``icon_array(summary, outcome, strategy)`` -- 100 people like this patient, those with the outcome coloured;
* ``icon_arrays(summary)``    -- a grid of icon arrays (returns the panels' Axes, shaped outcomes x strategies);
* ``preference(summary)``     -- probability each strategy is best against the preference weight;
* ``prior_vs_cited(table, registry)`` -- each record's prior against the value it cites;
* ``prior_posterior(table)``  -- prior and posterior intervals with the observed data and conflicts;
* ``evpi(result)``, ``evppi(result)``, ``evsi(result)``, ``tornado(result)`` -- value of information.

Every figure names its time frame and evidence version and says that it supports, not replaces, clinical
judgement.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and linters; at run time each name is imported on first use
    from outcomes.charts.benefit_harm import plot_benefit_harm as benefit_harm
    from outcomes.charts.icon_array import plot_icon_array as icon_array
    from outcomes.charts.icon_array import plot_icon_arrays as icon_arrays
    from outcomes.charts.preference import plot_preference_curve as preference
    from outcomes.charts.prior_cited import plot_prior_vs_cited as prior_vs_cited
    from outcomes.charts.prior_posterior import plot_prior_posterior as prior_posterior
    from outcomes.charts.voi import plot_evpi as evpi
    from outcomes.charts.voi import plot_evppi as evppi
    from outcomes.charts.voi import plot_evsi as evsi
    from outcomes.charts.voi import plot_tornado as tornado

_PLOTS = {
    "benefit_harm": ("outcomes.charts.benefit_harm", "plot_benefit_harm"),
    "icon_array": ("outcomes.charts.icon_array", "plot_icon_array"),
    "icon_arrays": ("outcomes.charts.icon_array", "plot_icon_arrays"),
    "preference": ("outcomes.charts.preference", "plot_preference_curve"),
    "prior_vs_cited": ("outcomes.charts.prior_cited", "plot_prior_vs_cited"),
    "prior_posterior": ("outcomes.charts.prior_posterior", "plot_prior_posterior"),
    "evpi": ("outcomes.charts.voi", "plot_evpi"),
    "evppi": ("outcomes.charts.voi", "plot_evppi"),
    "evsi": ("outcomes.charts.voi", "plot_evsi"),
    "tornado": ("outcomes.charts.voi", "plot_tornado"),
}

__all__ = [
    "benefit_harm",
    "evpi",
    "evppi",
    "evsi",
    "icon_array",
    "icon_arrays",
    "preference",
    "prior_posterior",
    "prior_vs_cited",
    "tornado",
]


def __getattr__(name: str) -> Any:
    if name not in _PLOTS:
        raise AttributeError(f"module 'outcomes.plot' has no attribute {name!r}")
    module, attr = _PLOTS[name]
    fn = getattr(importlib.import_module(module), attr)
    globals()[name] = fn
    return fn


def __dir__() -> list[str]:
    return list(__all__)
