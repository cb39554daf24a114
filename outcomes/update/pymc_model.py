"""The PyMC update model and its NUTS fit (the only module that imports pymc at module level).

Model (see ``outcomes.update.spec`` for the design and the choice of the heterogeneity prior)::

    p_k        ~ (1 - r_k) Beta(alpha_k, beta_k) + r_k Beta(1, 1)
                                                        robust prior of registry parameter k (with data): a
                                                        pm.Mixture of Betas (``BetaMixture.pymc``); r_k = 0, a
                                                        plain Beta, for assumptions or ``elicit(robust=False)``
    log_or__e  ~ Normal(mu_e, sd_e)                     covariate effects moved by some study's covariate mix
    tau_k      ~ HalfNormal(0.5)                        random pooling, quantities with >= 2 studies
    z_s        ~ Normal(0, 1)                           non-centred study deviations (random pooling)
    eta_s      = logit(p_k[s]) + sum_e log_or__e * (x_s,e - reference_e) / per_e + tau_k[s] * z_s
    events_s   ~ Binomial(total_s, logit_p = eta_s)

PyMC samples ``p_k`` on the log-odds scale (the Beta's default log-odds transform, which PyMC also gives a
mixture of Betas), so the likelihood and the sampler both work on logits. The posterior weight of the seed's
component is estimated from the draws afterwards (``tree.seed_weight_from_draws``).

After sampling, ArviZ's ``log_likelihood`` group (``events``: chain, draw, study) and ``log_prior`` group come from
PyMC itself (``pymc.stats.compute_log_likelihood`` / ``compute_log_prior``, which evaluate the model's own
densities with the value transforms removed: the density of the declared distribution at each drawn value, the
whole mixture for a robust prior, no log-odds Jacobian); quantities without data, which the model does not hold,
get their closed-form prior density (``tree.log_prior_group``), as on the exact path. Both are computed after
sampling, the same way for either sampler: ``pm.sample``'s ``idata_kwargs`` ``log_likelihood`` is deprecated in
PyMC 6, and with nutpie (the default) ``log_prior`` there is ignored. PyMC evaluates the densities draw by draw:
measured (4 chains x 2000 draws, warm, 2 busy cores) 0.66 s of a 3.45 s fit with one study per quantity, 0.95 s
of 4.7 s on the whole example file.

Sampler: nutpie is the default (``sampler="auto"`` uses it when installed, else PyMC's NUTS). Measured with
benchmarks/update.py (4 chains x 2000 draws, 1000 tuning steps, 2 CPU cores, warm = second fit in a process):

* one study per quantity (NORDSTEN-DS rows): PyMC NUTS 1.75 s, 3100 bulk ESS/s; nutpie 0.90 s, 6400 ESS/s;
* the whole example file (random effects, covariate shift): PyMC NUTS 8.4 s, 240 ESS/s; nutpie 1.7 s,
  750 ESS/s; no divergences for either and posterior means within about 1 Monte Carlo standard error.

So nutpie is a main dependency. ``target_accept`` is 0.99 because with only two studies per quantity the
random-effects funnel gave PyMC's NUTS divergences at 0.8 (98 in a prototype) and nutpie a few. With the robust
mixture prior and the real example counts (NORDSTEN-DS + NORspine, two consistent studies per quantity) 0.95
still gave 1-8 divergences in 8000 draws for seeds 8-10 (the plain prior 0-2); 0.99 gave none for seeds 8 and 9
(measured).
"""

from __future__ import annotations

import logging
import sys
import time

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from outcomes.update.spec import TAU_SCALE, ModelSpec, effect_name, p_name, tau_name
from outcomes.update.tree import (
    assemble,
    draws_dataset,
    int_seed,
    log_prior_group,
    prior_fill,
    prior_group,
    seeds,
)

SAMPLERS = ("auto", "nutpie", "pymc")
TARGET_ACCEPT = 0.99


def nutpie_available() -> bool:
    try:
        import nutpie  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_sampler(sampler: str) -> str:
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; allowed: {', '.join(SAMPLERS)}")
    if sampler == "auto":
        return "nutpie" if nutpie_available() else "pymc"
    return sampler


def nuts_options(sampler: str, target_accept: float = TARGET_ACCEPT) -> dict:
    """NUTS settings: nutpie also adapts a low-rank mass matrix (the centre and the study deviations of a
    random-effects quantity are correlated when studies are large; measured: about 1.6x the bulk ESS of the
    diagonal adaptation on 12 simulated studies)."""
    opts: dict[str, float | str] = {"target_accept": target_accept}
    if sampler == "nutpie":
        opts["adaptation"] = "low_rank"
    return opts


def build_model(spec: ModelSpec) -> pm.Model:
    """The PyMC model of ``spec`` (only the quantities with data; the rest keep their priors)."""
    studies = spec.data.studies
    re_idx = np.flatnonzero(spec.study_group >= 0)
    coords = {"study": [s.label for s in studies]}
    if len(re_idx):
        coords["re_study"] = [studies[i].label for i in re_idx]
    with pm.Model(coords=coords) as model:
        logits = []
        for k in spec.parameters:
            p = spec.priors.parameters[k].pymc(p_name(k))
            logits.append(pt.log(p) - pt.log1p(-p))
        eta = pt.stack(logits)[spec.study_parameter]
        if spec.effects:
            betas = pt.stack([spec.priors.effects[e].pymc(effect_name(e)) for e in spec.effects])
            eta = eta + pt.dot(pt.as_tensor_variable(spec.shifts), betas)
        if len(re_idx):
            taus = pt.stack([pm.HalfNormal(tau_name(k), sigma=TAU_SCALE) for k in spec.random_groups])
            z = pm.Normal("z", 0.0, 1.0, dims="re_study")
            dev = pt.zeros(len(studies))
            dev = pt.set_subtensor(dev[re_idx], taus[spec.study_group[re_idx]] * z)
            eta = eta + dev
        pm.Binomial(
            "events",
            n=np.array([s.total for s in studies]),
            logit_p=eta,
            observed=np.array([s.events for s in studies]),
            dims="study",
        )
    return model


def log_groups(
    model: pm.Model, fit: xr.DataTree, spec: ModelSpec, posterior: xr.Dataset
) -> tuple[xr.Dataset, xr.Dataset]:
    """ArviZ's ``log_likelihood`` and ``log_prior`` groups of a fit of ``build_model(spec)``.

    Parameters
    ----------
    model : pymc.Model
        The fitted model.
    fit : xarray.DataTree
        ``pymc.sample``'s result (its ``posterior`` holds the model's free variables).
    spec : ModelSpec
        The update's model (for the priors of the quantities the PyMC model does not hold).
    posterior : xarray.Dataset
        The posterior group as written (``draws_dataset``): the coordinates and the variable order.

    Returns
    -------
    (xarray.Dataset, xarray.Dataset)
        The pointwise log likelihood (``events``: chain, draw, study) and the log prior density of every posterior
        variable at each draw.
    """
    opts = {"model": model, "extend_inferencedata": False, "progressbar": False}
    sample_coords = {"chain": posterior["chain"], "draw": posterior["draw"]}
    log_lik = pm.stats.compute_log_likelihood(fit, **opts).assign_coords(sample_coords)
    log_prior = pm.stats.compute_log_prior(fit, **opts).assign_coords(sample_coords)
    unmodelled = log_prior_group(spec, posterior, (*spec.unmodelled_parameters, *spec.unmodelled_effects))
    merged = xr.merge([log_prior.drop_attrs(deep=False), unmodelled], join="exact", combine_attrs="drop")
    order = [v for v in posterior.data_vars if v in merged.data_vars]
    return log_lik.drop_attrs(deep=False), merged[order]


def sample_mcmc(
    spec: ModelSpec,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 0,
    sampler: str = "auto",
    progress: bool | None = None,
    target_accept: float = TARGET_ACCEPT,
) -> xr.DataTree:
    """Fit ``spec`` with NUTS and return the DataTree (diagnostics are *not* checked here)."""
    sampler = resolve_sampler(sampler)
    if progress is None:
        progress = sys.stderr.isatty()
    ss = seeds(seed)
    model = build_model(spec)
    sampled = [v.name for v in model.free_RVs]
    pymc_log = logging.getLogger("pymc")
    level = pymc_log.level
    if not progress:
        pymc_log.setLevel(logging.WARNING)
    t0 = time.perf_counter()
    try:
        with model:
            fit = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=int_seed(ss["mcmc"]),
                nuts_sampler=sampler,
                progressbar=progress,
                quiet=not progress,
                nuts=nuts_options(sampler, target_accept),
                compute_convergence_checks=False,
            )
    finally:
        pymc_log.setLevel(level)
    elapsed = time.perf_counter() - t0
    post = fit["posterior"].to_dataset()
    values = {v: post[v].values for v in sampled if v.startswith(("p_", "log_or__"))}
    values.update(
        prior_fill(
            spec, spec.unmodelled_parameters, spec.unmodelled_effects, np.random.default_rng(ss["fill"]), chains, draws
        )
    )
    extra = post[[v for v in sampled if not v.startswith(("p_", "log_or__"))]]
    posterior = draws_dataset(spec, values, extra.drop_vars([c for c in extra.coords if c not in extra.dims]))
    posterior.attrs["sampled_variables"] = ";".join(sampled)
    posterior.attrs["sampling_time"] = float(elapsed)
    stats = fit["sample_stats"].to_dataset()
    stats.attrs = {k: v for k, v in stats.attrs.items() if isinstance(v, (str, int, float))}
    for name in list(stats.data_vars):  # netCDF cannot store None: object columns become text
        if stats[name].dtype == object:
            stats[name] = stats[name].copy(
                data=np.vectorize(lambda v: "" if v is None else str(v), otypes=[str])(stats[name].values)
            )
    prior = prior_group(spec, np.random.default_rng(ss["prior"]), chains * draws)
    log_lik, log_prior = log_groups(model, fit, spec, posterior)
    return assemble(
        spec,
        posterior=posterior,
        prior=prior,
        sample_stats=stats,
        log_likelihood=log_lik,
        log_prior=log_prior,
        method="mcmc",
        sampler=sampler,
        seed=seed,
        diagnostics_status="unchecked",
        chains=chains,
        draws=draws,
        tune=tune,
        target_accept=target_accept,
        sampling_seconds=float(elapsed),
    )
