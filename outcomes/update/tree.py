"""The result of an update as an ``xarray.DataTree`` (the ArviZ layout), shared by the exact and MCMC paths.

Groups: ``posterior``, ``prior`` (dims chain, draw), ``observed_data`` (dim study), ``sample_stats``,
``log_likelihood`` and ``log_prior`` (ArviZ's layout, read by ``arviz_stats.psense`` and ``arviz_stats.loo``):

* ``log_likelihood``: one variable ``events`` (chain, draw, study), the pointwise Binomial log likelihood of each
  study's count (binomial coefficient included) at each draw;
* ``log_prior``: one variable per posterior variable (``p_*``, ``log_or__*``, and for random effects ``tau_*``
  and ``z``), the log density of each drawn value under its prior as declared -- for a robust prior the log of
  the whole mixture density (``outcomes.elicit.BetaMixture.logpdf``), not of its seed component -- on the
  probability (constrained) scale, without the sampler's log-odds Jacobian.

The exact path computes both in closed form here (``log_prior_group``, ``common_log_likelihood``); the MCMC path
takes PyMC's own (``pymc.stats.compute_log_likelihood`` / ``compute_log_prior`` on the fitted model) and this
module's ``log_prior_group`` for the parameters and effects that no study informs (exact prior draws).
The posterior holds ``p_<strategy>__<outcome>`` for every registry parameter (with attrs ``prior_alpha``,
``prior_beta`` -- the informative, grade-capped Beta --, ``prior_robust_weight`` with ``prior_weak_alpha`` and
``prior_weak_beta`` -- the weakly informative component of the robust prior, weight 0 for a plain Beta --, and,
in the posterior group of a parameter with data and a robust prior, ``posterior_seed_weight``: the posterior
weight of the informative component, i.e. how much weight the seed kept) and ``log_or__<effect>`` for every used
effect (attrs ``prior_mu``, ``prior_sd``); the
random-effects model adds ``tau_<strategy>__<outcome>`` and ``z`` (dim ``re_study``). Root attrs:
``evidence_version``, ``data_hash``, ``data_file``, ``diagnostics_status``, ``method``, ``sampler``,
``pooling``, ``seed``, ``tau_prior``, and the versions of this package and of the libraries behind the numbers
(``version_outcomes``, ``version_numpy``, ... from ``outcomes.provenance``).

This module does not import pymc or arviz.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xarray as xr
from scipy import special

from outcomes.provenance import netcdf_attrs
from outcomes.update.spec import TAU_SCALE, ModelSpec, effect_name, p_name, tau_name

_EPS = 1e-12
SAMPLE_DIMS = ("chain", "draw")


def seeds(seed: int) -> dict[str, np.random.SeedSequence]:
    """Independent seed streams for the sampler, the prior draws and the draws of unmodelled quantities."""
    mcmc, prior, fill, exact = np.random.SeedSequence(int(seed)).spawn(4)
    return {"mcmc": mcmc, "prior": prior, "fill": fill, "exact": exact}


def int_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def observed_dataset(spec: ModelSpec) -> xr.Dataset:
    st = spec.data.studies
    coords = {
        "study": [s.label for s in st],
        "study_id": ("study", [s.study_id for s in st]),
        "parameter": ("study", [s.parameter for s in st]),
        "design": ("study", [s.design for s in st]),
        "time_frame": ("study", [s.time_frame for s in st]),
        "citation": ("study", [s.citation for s in st]),
        "reference_covariates": ("study", [";".join(a) for a in spec.assumed_reference]),
    }
    ds = xr.Dataset(
        {
            "events": ("study", np.array([s.events for s in st], dtype=np.int64)),
            "total": ("study", np.array([s.total for s in st], dtype=np.int64)),
        },
        coords=coords,
    )
    if spec.effects:
        ds["covariate_shift"] = (("study", "effect"), spec.shifts)
        ds = ds.assign_coords(effect=list(spec.effects))
    return ds


def _p_attrs(spec: ModelSpec, parameter: str) -> dict:
    prior = spec.priors.parameters[parameter]
    seed = prior.informative
    weak = prior.components[1] if len(prior.components) > 1 else (0.0, 1.0, 1.0)
    return {
        "parameter": parameter,
        "prior_alpha": float(seed.alpha),
        "prior_beta": float(seed.beta),
        "prior_robust_weight": float(prior.robust_weight),
        "prior_weak_alpha": float(weak[1]),
        "prior_weak_beta": float(weak[2]),
        "has_data": int(parameter in spec.parameters),
    }


def seed_weight_from_draws(prior, draws: np.ndarray) -> float:
    """Posterior weight of the informative component from posterior draws of p: E[P(component 0 | p) | data].

    Exact up to Monte Carlo error, because the data depend on the component only through p. Used for MCMC fits
    (the exact path has the closed form, ``BetaMixture.update``)."""
    return float(np.mean(prior.responsibilities(np.asarray(draws).ravel())[0]))


def _e_attrs(spec: ModelSpec, effect_id: str) -> dict:
    e = spec.priors.effects[effect_id]
    return {
        "effect": effect_id,
        "prior_mu": float(e.mu),
        "prior_sd": float(e.sd),
        "has_data": int(effect_id in spec.effects),
    }


def prior_fill(
    spec: ModelSpec, names: tuple[str, ...], effects: tuple[str, ...], rng: np.random.Generator, chains: int, draws: int
) -> dict[str, np.ndarray]:
    """Exact draws from the priors of the given parameters and effects, shape (chains, draws)."""
    out: dict[str, np.ndarray] = {}
    for k in names:
        out[p_name(k)] = np.clip(spec.priors.parameters[k].draw(rng, (chains, draws)), _EPS, 1 - _EPS)
    for e in effects:
        ep = spec.priors.effects[e]
        out[effect_name(e)] = rng.normal(ep.mu, ep.sd, size=(chains, draws))
    return out


def prior_group(spec: ModelSpec, rng: np.random.Generator, n: int) -> xr.Dataset:
    """Exact draws (one chain of ``n``) from every prior of the model, including ``tau_*`` and ``z``."""
    values = prior_fill(spec, tuple(spec.priors.parameters), tuple(spec.priors.effects), rng, 1, n)
    extra = {
        tau_name(k): (("chain", "draw"), np.abs(rng.normal(0.0, TAU_SCALE, size=(1, n)))) for k in spec.random_groups
    }
    re_labels = [s.label for s, g in zip(spec.data.studies, spec.study_group, strict=True) if g >= 0]
    extra_ds = xr.Dataset(extra, coords={"chain": np.arange(1), "draw": np.arange(n)})
    if re_labels:
        extra_ds["z"] = (("chain", "draw", "re_study"), rng.normal(size=(1, n, len(re_labels))))
        extra_ds = extra_ds.assign_coords(re_study=re_labels)
    return draws_dataset(spec, values, extra_ds)


def draws_dataset(spec: ModelSpec, values: dict[str, np.ndarray], extra: xr.Dataset | None = None) -> xr.Dataset:
    """A posterior/prior group: every ``p_*`` and ``log_or__*`` (chain, draw) with their prior attrs."""
    any_v = next(iter(values.values()))
    chains, draws = any_v.shape[:2]
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    data = {}
    for k in spec.priors.parameters:
        data[p_name(k)] = xr.Variable(("chain", "draw"), np.asarray(values[p_name(k)], dtype=float), _p_attrs(spec, k))
    for e in spec.priors.effects:
        data[effect_name(e)] = xr.Variable(
            ("chain", "draw"), np.asarray(values[effect_name(e)], dtype=float), _e_attrs(spec, e)
        )
    ds = xr.Dataset(data, coords=coords)
    if extra is not None:
        extra = extra.drop_vars([v for v in extra.data_vars if v in ds.data_vars])
        ds = xr.merge(
            [ds, extra.assign_coords(chain=ds.chain, draw=ds.draw)],
            combine_attrs="override",
            compat="override",
            join="exact",
        )
    return ds


def log_prior_group(spec: ModelSpec, posterior: xr.Dataset, names: Iterable[str] | None = None) -> xr.Dataset:
    """Log prior density of each drawn value of the ``p_*`` and ``log_or__*`` variables of ``posterior``.

    Parameters
    ----------
    spec : ModelSpec
        The update's model; its priors are the densities.
    posterior : xarray.Dataset
        A posterior group (``draws_dataset``): dims chain, draw.
    names : iterable of str, optional
        Registry parameters and effect ids to include (default: every parameter and effect of the priors).

    Returns
    -------
    xarray.Dataset
        One (chain, draw) variable per included quantity, named as in the posterior: a parameter's
        ``Prior.logpdf`` (for a robust prior the log of the whole Beta mixture density, log-sum-exp over its
        weighted components), an effect's ``EffectPrior.logpdf`` (Normal).
    """
    wanted = None if names is None else set(names)
    out: dict[str, xr.DataArray] = {}
    for k, prior in spec.priors.parameters.items():
        if wanted is None or k in wanted:
            v = posterior[p_name(k)]
            out[p_name(k)] = v.copy(data=prior.logpdf(v.values)).assign_attrs(density=prior.describe())
    for e, ep in spec.priors.effects.items():
        if wanted is None or e in wanted:
            v = posterior[effect_name(e)]
            out[effect_name(e)] = v.copy(data=ep.logpdf(v.values)).assign_attrs(density=ep.describe())
    return xr.Dataset(out, coords={d: posterior[d] for d in SAMPLE_DIMS})


def common_log_likelihood(spec: ModelSpec, posterior: xr.Dataset) -> xr.Dataset:
    """Pointwise Binomial log likelihood of every study (chain, draw, study) when each study's probability is its
    parameter's ``p`` (no random effects, no covariate shift: ``ModelSpec.exact_ok``), as ``log_likelihood``
    group: variable ``events``, the name of the observed variable in the PyMC model."""
    if not spec.exact_ok:
        raise ValueError(f"the common-probability likelihood does not apply: {spec.exact_reason}")
    studies = spec.data.studies
    k = np.array([s.events for s in studies], dtype=float)
    n = np.array([s.total for s in studies], dtype=float)
    p = np.stack([posterior[p_name(s.parameter)].values for s in studies], axis=-1)
    ll = (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        + special.xlogy(k, p)
        + special.xlog1py(n - k, -p)
    )
    return xr.Dataset(
        {"events": ((*SAMPLE_DIMS, "study"), ll)},
        coords={**{d: posterior[d] for d in SAMPLE_DIMS}, "study": [s.label for s in studies]},
    )


LOG_GROUP_ATTRS = {
    "log_likelihood": "pointwise Binomial log likelihood of each study's count at each draw",
    "log_prior": "log density of each drawn value under its prior as declared (robust prior: the whole mixture), "
    "on the probability scale",
}


def assemble(
    spec: ModelSpec,
    *,
    posterior: xr.Dataset,
    prior: xr.Dataset,
    sample_stats: xr.Dataset,
    log_likelihood: xr.Dataset,
    log_prior: xr.Dataset,
    method: str,
    sampler: str,
    seed: int,
    diagnostics_status: str = "ok",
    **attrs,
) -> xr.DataTree:
    for k in spec.parameters:  # how much weight the seed kept (MCMC: from the draws; exact: already set)
        var = posterior[p_name(k)]
        if spec.priors.parameters[k].robust_weight > 0 and "posterior_seed_weight" not in var.attrs:
            var.attrs["posterior_seed_weight"] = seed_weight_from_draws(spec.priors.parameters[k], var.values)
    tree = xr.DataTree.from_dict(
        {
            "posterior": posterior,
            "prior": prior,
            "observed_data": observed_dataset(spec),
            "sample_stats": sample_stats,
            **{
                group: ds.drop_attrs(deep=False).assign_attrs(description=LOG_GROUP_ATTRS[group])
                for group, ds in (("log_likelihood", log_likelihood), ("log_prior", log_prior))
            },
        }
    )
    tree.attrs.update(
        {
            "evidence_version": spec.priors.version,
            "data_hash": spec.data.data_hash,
            "data_file": spec.data.path.name,
            "diagnostics_status": diagnostics_status,
            "method": method,
            "sampler": sampler,
            "pooling": spec.pooling,
            "seed": int(seed),
            "tau_prior": f"HalfNormal({TAU_SCALE})" if spec.random_groups else "none",
            "prior_kind": "robust mixture" if spec.priors.robust else "plain Beta",
            "random_groups": ";".join(spec.random_groups),
            **netcdf_attrs(),
            **attrs,
        }
    )
    return tree
