"""The exact (conjugate) update: no MCMC.

When no quantity is pooled across studies with random effects and no study has a covariate shift
(``ModelSpec.exact_ok``), every parameter's posterior is, over the studies of that parameter (a common
probability, Binomial likelihoods, k = sum of events, n = sum of totals):

* for a plain Beta(alpha, beta) prior: Beta(alpha + k, beta + n - k);
* for a robust prior sum_j w_j Beta(a_j, b_j) (``outcomes.elicit.BetaMixture``): sum_j w'_j Beta(a_j + k,
  b_j + n - k) with w'_j proportional to w_j B(a_j + k, b_j + n - k) / B(a_j, b_j), the Beta-Binomial marginal
  likelihood of each component. The posterior weight of the informative component (how much weight the seed
  kept) is written to the variable's attrs as ``posterior_seed_weight``.

This module draws from it with a seeded ``numpy.random.Generator`` and writes the same DataTree layout as the MCMC
path (one chain), including ArviZ's ``log_likelihood`` and ``log_prior`` groups computed in closed form from the
drawn values (``tree.common_log_likelihood``, ``tree.log_prior_group``). Parameters without data and all effects
keep their priors (exact prior draws). No pymc or arviz import.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outcomes.elicit import Prior
from outcomes.update.spec import ModelSpec, p_name
from outcomes.update.tree import (
    assemble,
    common_log_likelihood,
    draws_dataset,
    log_prior_group,
    prior_fill,
    prior_group,
    seeds,
)

_EPS = 1e-12


class ExactNotValid(ValueError):
    """The conjugate posterior does not apply to this model (random effects or covariate shifts)."""


def posterior_prior(spec: ModelSpec, parameter: str) -> Prior:
    """The exact posterior of one parameter, of the prior's own kind (its prior if it has no data)."""
    prior = spec.priors.parameters[parameter]
    st = spec.data.for_parameter(parameter)
    if not st:
        return prior
    return prior.update(sum(s.events for s in st), sum(s.total for s in st))


def posterior_beta(spec: ModelSpec, parameter: str) -> tuple[float, float]:
    """Alpha and beta of the conjugate posterior of a parameter with a plain Beta prior."""
    post = posterior_prior(spec, parameter)
    if len(post.components) != 1:
        raise ValueError(f"{parameter} has a robust (mixture) prior; use posterior_prior")
    return post.informative.alpha, post.informative.beta


def exact_posterior(spec: ModelSpec, *, draws: int = 4000, seed: int = 0) -> xr.DataTree:
    """Draw ``draws`` values (one chain) from the exact posterior; raises ``ExactNotValid`` if it does not apply."""
    if not spec.exact_ok:
        raise ExactNotValid(f"the exact posterior does not apply: {spec.exact_reason}; use method='mcmc'")
    if draws < 1:
        raise ValueError("draws must be positive")
    ss = seeds(seed)
    rng = np.random.default_rng(ss["exact"])
    post: dict[str, np.ndarray] = {}
    lp = np.zeros((1, draws))
    seed_weights: dict[str, float] = {}
    for k in spec.parameters:
        pp = posterior_prior(spec, k)
        x = np.clip(pp.draw(rng, (1, draws)), _EPS, 1 - _EPS)
        post[p_name(k)] = x
        lp += pp.logpdf(x)
        if pp.robust_weight > 0 or len(pp.components) > 1:
            seed_weights[k] = float(pp.components[0][0])
    post.update(prior_fill(spec, spec.unmodelled_parameters, tuple(spec.priors.effects), rng, 1, draws))
    posterior = draws_dataset(spec, post)
    for k, w in seed_weights.items():
        posterior[p_name(k)].attrs["posterior_seed_weight"] = w
    sample_stats = xr.Dataset({"lp": (("chain", "draw"), lp)}, coords={"chain": np.arange(1), "draw": np.arange(draws)})
    sample_stats["lp"].attrs["description"] = (
        "log density of the modelled parameters' exact (Beta or Beta-mixture) posteriors"
    )
    return assemble(
        spec,
        posterior=posterior,
        prior=prior_group(spec, np.random.default_rng(ss["prior"]), draws),
        sample_stats=sample_stats,
        log_likelihood=common_log_likelihood(spec, posterior),
        log_prior=log_prior_group(spec, posterior),
        method="exact",
        sampler="conjugate beta-binomial (numpy Generator)",
        seed=seed,
        diagnostics_status="ok",
    )
