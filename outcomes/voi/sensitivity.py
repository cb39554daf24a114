"""Prior sensitivity of the decision.

* ``cap_sensitivity`` -- the decision summary again with every evidence-grade cap halved, doubled and removed
  (``elicit(registry, cap_scale=0.5 / 2.0 / None)``): does the preferred strategy, or its probability of being
  best, change? Uses the exact per-draw expected rates (``outcomes.model.expected_outcomes``) fed to
  ``outcomes.summarize.summarize``, so the numbers are the report's, without patient-simulation noise.
* ``power_sensitivity`` -- for a posterior written by ``outcomes update``: power-scaling prior and likelihood
  sensitivity (Kallioinen et al. 2024, Stat Comput 34:57) of every parameter, effect and each strategy's net
  benefit per 100, with ArviZ's implementation (``arviz_stats.psense``, Pareto-smoothed importance weights; no
  refit). A quantity whose prior sensitivity is at least the threshold (0.05) while its likelihood
  sensitivity is below it is flagged ``prior-driven``: the data do not move it, the elicited prior does.
  The log densities are the file's own ``log_prior`` and ``log_likelihood`` groups, written at fit time by
  ``outcomes update`` (``outcomes.update.tree``: PyMC's densities on the MCMC path, the same densities in closed
  form on the exact path; a robust prior's log density is that of the whole mixture). A file written before
  those groups existed is refused with one line asking to re-run ``outcomes update``. The result is a
  ``PowerSensitivityResult`` (the table and its threshold, weight and provenance).

arviz is imported only inside ``power_sensitivity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from outcomes.draws import from_arrays, prior_draws
from outcomes.elicit import elicit
from outcomes.errors import InputError
from outcomes.model import expected_outcomes, net_benefit
from outcomes.posterior_names import effect_name, p_name
from outcomes.registry import Registry
from outcomes.summarize import DENOMINATOR, summarize
from outcomes.voi.results import TableResult

CAP_SCALES: tuple[tuple[str, float | None], ...] = (
    ("as elicited", 1.0),
    ("caps halved", 0.5),
    ("caps doubled", 2.0),
    ("no caps", None),
)
THRESHOLD = 0.05
SAMPLE_DIMS = ["chain", "draw"]


def cap_sensitivity(
    registry: Registry,
    covariates: dict[str, float],
    weight: float,
    *,
    n_draws: int = 4000,
    seed: int = 0,
    scales=CAP_SCALES,
) -> pd.DataFrame:
    """One row per cap setting: preferred strategy, P(best), expected net per 100, EVPI, flips."""
    rows = []
    base = None
    for label, scale in scales:
        priors = elicit(registry, cap_scale=scale)
        draws = prior_draws(priors, n_draws, seed)
        rate = expected_outcomes(draws, covariates, registry.model)
        sim = xr.Dataset({"rate": rate}, attrs={**draws.attrs, "n_draws": n_draws, "n_patients": 0})
        s = summarize(sim, weight=weight, model=registry.model)
        net = net_benefit(rate, registry.model, weight).transpose("draw", "strategy").values
        evpi = float(net.max(axis=1).mean() - net.mean(axis=0).max())
        row = {
            "setting": label,
            "cap_scale": "none" if scale is None else float(scale),
            "weight": float(weight),
            "preferred": s.preferred,
            "prob_best_preferred": float(s.prob_best_at_weight[s.preferred]),
            **{f"prob_best_{k}": float(v) for k, v in s.prob_best_at_weight.items()},
            **{f"nb_{k}": DENOMINATOR * float(v) for k, v in s.expected_net.items()},
            "evpi": evpi,
            "flips": "; ".join(f"{f['from']}->{f['to']} at {f['weight']:.2f}" for f in s.flips),
        }
        if base is None:
            base = row
        row["preferred_changed"] = row["preferred"] != base["preferred"]
        row["prob_best_change"] = row[f"prob_best_{base['preferred']}"] - base["prob_best_preferred"]
        rows.append(row)
    return pd.DataFrame(rows)


# --- power-scaling sensitivity ------------------------------------------------------------------------------


LOG_GROUPS = ("log_prior", "log_likelihood")
"""The groups of a posterior file that power-scaling reads (written by ``outcomes update``)."""


@dataclass(frozen=True, eq=False, kw_only=True)
class PowerSensitivityResult(TableResult):
    """Power-scaling prior and likelihood sensitivity of a posterior (the result of ``power_sensitivity``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per quantity (every ``p_*`` parameter, ``log_or__*`` effect, each strategy's net benefit per 100
        ``nb_*`` and the incremental net benefit of the two best ``inb_*``), with columns ``quantity``,
        ``variable``, ``prior_sensitivity``, ``likelihood_sensitivity``, ``diagnosis`` (``ok``, ``prior-driven``
        or ``prior-data conflict``), ``prior_driven`` and ``weight``.
    threshold : float
        Sensitivity at or above which a quantity counts as sensitive (0.05, Kallioinen et al. 2024).
    alphas : tuple of float
        The power-scaling exponents on either side of 1 (the sensitivity is a finite-difference gradient).
    source : str
        The posterior file (``<update result>`` for a tree in memory).

    ``weight`` (of the net-benefit rows), ``time_frame``, ``evidence_version`` (the posterior was fitted on) and
    ``diagnostics_status`` (of the fit) are those of every VOI result (``outcomes.voi.results.TableResult``).
    """

    threshold: float
    alphas: tuple[float, float]
    source: str

    @property
    def prior_driven(self) -> list[str]:
        """The quantities whose posterior the prior, not the data, determines."""
        return [str(q) for q in self.table.loc[self.table["prior_driven"], "quantity"]]

    def heading(self) -> str:
        return (
            f"Power-scaling sensitivity of {self.source} at weight {self.weight:g}: {len(self.prior_driven)} of "
            f"{len(self.table)} quantities prior-driven (sensitivity to the prior at least {self.threshold:g}, "
            "to the data below it)"
        )


def _open(posterior: xr.DataTree | str | PathLike[str]) -> tuple[xr.DataTree, str]:
    if isinstance(posterior, xr.DataTree):
        return posterior, "<update result>"
    with xr.open_datatree(Path(posterior), engine="h5netcdf") as tree:
        return tree.load().copy(deep=True), str(posterior)


def check_log_groups(posterior: xr.DataTree | str | PathLike[str]) -> None:
    """Raise an ``InputError`` (one line) when a posterior (tree or file) lacks the ``log_prior`` or
    ``log_likelihood`` group; reads only the file's structure."""
    if isinstance(posterior, xr.DataTree):
        _require_log_groups(posterior, "<update result>")
        return
    with xr.open_datatree(Path(posterior), engine="h5netcdf") as tree:
        _require_log_groups(tree, str(posterior))


def _require_log_groups(tree: xr.DataTree, source: str) -> None:
    missing = [g for g in LOG_GROUPS if g not in tree.children]
    if missing:
        raise InputError(
            source,
            None,
            None,
            f"has no {' and no '.join(missing)} group (written by an 'outcomes update' older than these groups); "
            "re-run 'outcomes update' to write a posterior that power-scaling sensitivity can read",
        )


def _net_benefit_vars(post: xr.Dataset, registry: Registry, covariates: dict[str, float], weight: float) -> dict:
    shape = (post.sizes["chain"], post.sizes["draw"])
    p = np.stack([post[p_name(k)].values.reshape(-1) for k in registry.parameters], axis=1)
    effects = [e.id for e in registry.used_effects]
    lor = np.stack([post[effect_name(e)].values.reshape(-1) for e in effects], axis=1) if effects else None
    draws = from_arrays(np.clip(p, 1e-9, 1 - 1e-9), lor, registry, effect_ids=effects)
    rate = expected_outcomes(draws, covariates, registry.model)
    net = net_benefit(rate, registry.model, weight).transpose("draw", "strategy").values
    strategies = list(registry.model.strategies)
    out = {f"nb_{s}": (("chain", "draw"), net[:, j].reshape(shape)) for j, s in enumerate(strategies)}
    order = np.argsort(-net.mean(axis=0))
    a, b = strategies[order[0]], strategies[order[1]]
    out[f"inb_{a}_vs_{b}"] = (("chain", "draw"), (net[:, order[0]] - net[:, order[1]]).reshape(shape))
    return out


def power_sensitivity(
    posterior: xr.DataTree | str | PathLike[str],
    registry: Registry,
    covariates: dict[str, float],
    weight: float,
    *,
    threshold: float = THRESHOLD,
    alphas: tuple[float, float] = (0.99, 1.01),
) -> PowerSensitivityResult:
    """Power-scaling prior and likelihood sensitivity of every posterior quantity and each net benefit.

    Parameters
    ----------
    posterior : xarray.DataTree or path
        An update result (``outcomes.update.fit``) or the netCDF file ``outcomes update`` wrote: its ``posterior``,
        ``log_prior`` and ``log_likelihood`` groups are used as they are.
    registry : Registry
        The registry the posterior was fitted on (the parameters, effects and decision model).
    covariates : dict
        The patient's covariates (``Profile.covariates()``), for the net-benefit rows.
    weight : float
        The preference weight (harms against improvements) of the net-benefit rows.
    threshold : float, default 0.05
        Sensitivity at or above which a quantity counts as sensitive.
    alphas : tuple of float, default (0.99, 1.01)
        Power-scaling exponents for the finite-difference gradient.

    Returns
    -------
    PowerSensitivityResult
        The table (one row per quantity) with its threshold, weight and provenance.

    Raises
    ------
    InputError
        The posterior has no ``log_prior`` or ``log_likelihood`` group (written before ``outcomes update`` stored
        them): re-run ``outcomes update``.
    """
    from arviz_stats import psense

    tree, source = _open(posterior)
    _require_log_groups(tree, source)
    post = tree["posterior"].to_dataset()
    log_prior = tree["log_prior"].to_dataset()
    log_lik = tree["log_likelihood"].to_dataset()
    quantities = [str(v) for v in post.data_vars if str(v).startswith(("p_", "log_or__"))]
    derived = _net_benefit_vars(post, registry, covariates, weight)
    post = post[quantities].assign(derived)
    dt = xr.DataTree.from_dict({"posterior": post, "log_prior": log_prior, "log_likelihood": log_lik})
    names = quantities + list(derived)
    prior_s = psense(dt, var_names=names, group="prior", sample_dims=SAMPLE_DIMS, alphas=alphas)
    like_s = psense(dt, var_names=names, group="likelihood", sample_dims=SAMPLE_DIMS, alphas=alphas)
    rows = []
    for name in names:
        ps = float(prior_s[name].values)
        ls = float(like_s[name].values)
        if ps >= threshold and ls >= threshold:
            diagnosis = "prior-data conflict"
        elif ps >= threshold:
            diagnosis = "prior-driven"
        else:
            diagnosis = "ok"
        rows.append(
            {
                "quantity": _label(name),
                "variable": name,
                "prior_sensitivity": ps,
                "likelihood_sensitivity": ls,
                "diagnosis": diagnosis,
                "prior_driven": diagnosis == "prior-driven",
                "weight": float(weight),
            }
        )
    return PowerSensitivityResult(
        table=pd.DataFrame(rows),
        threshold=float(threshold),
        weight=float(weight),
        alphas=(float(alphas[0]), float(alphas[1])),
        source=source,
        evidence_version=str(tree.attrs.get("evidence_version", "unknown")),
        time_frame=registry.model.time_frame,
        diagnostics_status=str(tree.attrs.get("diagnostics_status", "ok")),
    )


def _label(var: str) -> str:
    if var.startswith("p_"):
        return var[2:].replace("__", ".")
    if var.startswith("log_or__"):
        return var[len("log_or__") :]
    return var


__all__ = [
    "CAP_SCALES",
    "LOG_GROUPS",
    "THRESHOLD",
    "PowerSensitivityResult",
    "cap_sensitivity",
    "check_log_groups",
    "power_sensitivity",
]
