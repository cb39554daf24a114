"""The exact (conjugate) update: no MCMC.

When no quantity is pooled across studies with random effects and no study has a covariate shift
(``ModelSpec.exact_ok``), every parameter's posterior is

    Beta(alpha + sum of events, beta + sum of non-events)

over the studies of that parameter (a common probability, Binomial likelihoods). This module draws from it
with a seeded ``numpy.random.Generator`` and writes the same DataTree layout as the MCMC path (one chain).
Parameters without data and all effects keep their priors (exact prior draws). No pymc or arviz import.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import stats

from outcomes.update.spec import ModelSpec, p_name
from outcomes.update.tree import assemble, draws_dataset, prior_fill, prior_group, seeds

_EPS = 1e-12


class ExactNotValid(ValueError):
    """The conjugate posterior does not apply to this model (random effects or covariate shifts)."""


def posterior_beta(spec: ModelSpec, parameter: str) -> tuple[float, float]:
    """Alpha and beta of the conjugate posterior of one parameter (its prior if it has no data)."""
    prior = spec.priors.parameters[parameter]
    st = spec.data.for_parameter(parameter)
    k = sum(s.events for s in st)
    n = sum(s.total for s in st)
    return prior.alpha + k, prior.beta + (n - k)


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
    for k in spec.parameters:
        a, b = posterior_beta(spec, k)
        x = np.clip(rng.beta(a, b, size=(1, draws)), _EPS, 1 - _EPS)
        post[p_name(k)] = x
        lp += stats.beta.logpdf(x, a, b)
    post.update(prior_fill(spec, spec.unmodelled_parameters, tuple(spec.priors.effects), rng, 1, draws))
    posterior = draws_dataset(spec, post)
    sample_stats = xr.Dataset({"lp": (("chain", "draw"), lp)}, coords={"chain": np.arange(1), "draw": np.arange(draws)})
    sample_stats["lp"].attrs["description"] = "log density of the modelled parameters' exact Beta posteriors"
    return assemble(
        spec,
        posterior=posterior,
        prior=prior_group(spec, np.random.default_rng(ss["prior"]), draws),
        sample_stats=sample_stats,
        method="exact",
        sampler="conjugate beta-binomial (numpy Generator)",
        seed=seed,
        diagnostics_status="ok",
    )
