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
  The update file stores no ``log_prior``/``log_likelihood`` groups, so they are rebuilt from the file:
  log prior densities from each variable's prior attributes (Beta ``prior_alpha``/``prior_beta``, Normal
  ``prior_mu``/``prior_sd``, HalfNormal for ``tau_*``, Normal(0, 1) for ``z``) and the Binomial log likelihood
  of every study in ``observed_data`` with the model of ``outcomes.update.pymc_model`` (covariate shifts and
  random-effects deviations included). Groups already present are used as they are.

arviz is imported only inside ``power_sensitivity``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special, stats

from outcomes.draws import from_arrays, prior_draws
from outcomes.elicit import elicit
from outcomes.model import expected_outcomes, net_benefit
from outcomes.registry import Registry
from outcomes.summarize import DENOMINATOR, summarize

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


def _p_var(parameter: str) -> str:
    return "p_" + parameter.replace(".", "__")


def _open(posterior) -> xr.DataTree:
    if isinstance(posterior, xr.DataTree):
        return posterior
    with xr.open_datatree(Path(posterior), engine="h5netcdf") as tree:
        return tree.load().copy(deep=True)


def _log_prior(post: xr.Dataset, tau_scale: float) -> xr.Dataset:
    out = {}
    for name, v in post.data_vars.items():
        a = v.attrs
        if "prior_alpha" in a and "prior_beta" in a:
            x = np.clip(v.values, 1e-300, 1 - 1e-16)
            out[name] = (v.dims, stats.beta.logpdf(x, float(a["prior_alpha"]), float(a["prior_beta"])))
        elif "prior_mu" in a and "prior_sd" in a:
            out[name] = (v.dims, stats.norm.logpdf(v.values, float(a["prior_mu"]), float(a["prior_sd"])))
        elif str(name).startswith("tau_"):
            out[name] = (v.dims, stats.halfnorm.logpdf(v.values, scale=tau_scale))
        elif name == "z":
            out[name] = (v.dims, stats.norm.logpdf(v.values))
    return xr.Dataset(out, coords={d: post[d] for d in SAMPLE_DIMS})


def _log_likelihood(post: xr.Dataset, obs: xr.Dataset) -> xr.Dataset:
    """Binomial log likelihood of every study (chain, draw, study) under the update model."""
    events = obs["events"].values.astype(float)
    total = obs["total"].values.astype(float)
    params = [str(p) for p in obs["parameter"].values]
    labels = [str(s) for s in obs["study"].values]
    shape = (post.sizes["chain"], post.sizes["draw"])
    eta = np.empty((*shape, len(labels)))
    for i, p in enumerate(params):
        x = np.clip(post[_p_var(p)].values, 1e-12, 1 - 1e-12)
        eta[..., i] = np.log(x) - np.log1p(-x)
    if "covariate_shift" in obs:
        shift = obs["covariate_shift"].transpose("study", "effect")
        for e_idx, e in enumerate(shift["effect"].values):
            name = f"log_or__{e}"
            if name in post:
                eta += post[name].values[..., None] * shift.values[:, e_idx][None, None, :]
    if "z" in post and "re_study" in post["z"].dims:
        z = post["z"].transpose("chain", "draw", "re_study")
        for r, label in enumerate(z["re_study"].values):
            i = labels.index(str(label))
            tau = post.get("tau_" + params[i].replace(".", "__"))
            if tau is not None:
                eta[..., i] += tau.values * z.values[..., r]
    logp = -np.logaddexp(0.0, -eta)
    log1mp = -np.logaddexp(0.0, eta)
    ll = (
        special.gammaln(total + 1)
        - special.gammaln(events + 1)
        - special.gammaln(total - events + 1)
        + events * logp
        + (total - events) * log1mp
    )
    return xr.Dataset(
        {"events": (("chain", "draw", "study"), ll)},
        coords={"chain": post["chain"], "draw": post["draw"], "study": labels},
    )


def _net_benefit_vars(post: xr.Dataset, registry: Registry, covariates: dict[str, float], weight: float) -> dict:
    shape = (post.sizes["chain"], post.sizes["draw"])
    p = np.stack([post[_p_var(k)].values.reshape(-1) for k in registry.parameters], axis=1)
    effects = [e.id for e in registry.used_effects]
    lor = np.stack([post[f"log_or__{e}"].values.reshape(-1) for e in effects], axis=1) if effects else None
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
    posterior,
    registry: Registry,
    covariates: dict[str, float],
    weight: float,
    *,
    threshold: float = THRESHOLD,
    alphas=(0.99, 1.01),
) -> pd.DataFrame:
    """Power-scaling prior and likelihood sensitivity of every posterior quantity and each net benefit.

    ``posterior``: a DataTree or the path of one (``outcomes update`` output, or any tree with a
    ``posterior`` group and, if present, ``log_prior`` / ``log_likelihood`` groups).
    """
    from arviz_stats import psense

    tree = _open(posterior)
    post = tree["posterior"].to_dataset()
    try:
        from outcomes.update.spec import TAU_SCALE
    except ImportError:  # pragma: no cover - the update package is optional for this module
        TAU_SCALE = 0.5
    log_prior = tree["log_prior"].to_dataset() if "log_prior" in tree.children else _log_prior(post, TAU_SCALE)
    if "log_likelihood" in tree.children:
        log_lik = tree["log_likelihood"].to_dataset()
    elif "observed_data" in tree.children:
        log_lik = _log_likelihood(post, tree["observed_data"].to_dataset())
    else:
        log_lik = None
    quantities = [str(v) for v in post.data_vars if str(v).startswith(("p_", "log_or__"))]
    derived = _net_benefit_vars(post, registry, covariates, weight)
    post = post[quantities].assign(derived)
    groups = {"posterior": post, "log_prior": log_prior}
    if log_lik is not None:
        groups["log_likelihood"] = log_lik
    dt = xr.DataTree.from_dict(groups)
    names = quantities + list(derived)
    prior_s = psense(dt, var_names=names, group="prior", sample_dims=SAMPLE_DIMS, alphas=alphas)
    like_s = (
        psense(dt, var_names=names, group="likelihood", sample_dims=SAMPLE_DIMS, alphas=alphas)
        if log_lik is not None
        else None
    )
    rows = []
    for name in names:
        ps = float(prior_s[name].values)
        ls = float(like_s[name].values) if like_s is not None else float("nan")
        if ps >= threshold and ls >= threshold:
            diagnosis = "prior-data conflict"
        elif ps >= threshold and not ls >= threshold:
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
    df = pd.DataFrame(rows)
    df.attrs.update({"threshold": threshold, "log_likelihood": log_lik is not None})
    return df


def _label(var: str) -> str:
    if var.startswith("p_"):
        return var[2:].replace("__", ".")
    if var.startswith("log_or__"):
        return var[len("log_or__") :]
    return var


__all__ = ["CAP_SCALES", "THRESHOLD", "cap_sensitivity", "power_sensitivity"]
