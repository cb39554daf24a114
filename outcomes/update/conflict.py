"""Prior-data conflict, and the prior-vs-posterior table.

For every quantity with data: the prior predictive distribution of the total event count, given the total
number of patients over its studies, is Beta-Binomial(n = sum total, alpha, beta) with the quantity's elicited
Beta prior (``scipy.stats.betabinom``). The two-sided tail probability of the observed count k is

    p_tail = min(1, 2 * min(P(X <= k), P(X >= k)))

and the quantity is **flagged** when p_tail < ``CONFLICT_THRESHOLD`` (0.05): data that surprising under the
prior mean that the prior (or the registry record behind it) and the study disagree, and the reader should
look at both before trusting the posterior. The check treats the studies as one common probability in the
reference population (it ignores heterogeneity and covariate shifts): it is a screen, not a test.

With a robust prior (a Beta mixture, ``outcomes.elicit.BetaMixture``) the prior predictive is the mixture of the
components' Beta-Binomials, ``sum_j w_j BetaBinomial(n, a_j, b_j)``; its tail probability is ``tail_p_robust``.
The flag is set on the **seed's** (informative, grade-capped) component, ``tail_p``: the flat component exists
to absorb a conflict, so the mixture's predictive almost never flags one, while the question the report asks is
whether the cited figures and the trials disagree. The robust prior's answer to that conflict is in
``seed_weight_prior`` / ``seed_weight_posterior``: the weight of the seed's component before and after the
data (how much weight the seed kept).

Works from a saved DataTree alone (prior Beta parameters are attrs of each ``p_*`` variable); no pymc/arviz.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from outcomes.elicit import INTERVAL, Prior, prior_from_attrs
from outcomes.update.spec import p_name

CONFLICT_THRESHOLD = 0.05


def tail_probability(k: int, n: int, alpha: float, beta: float) -> float:
    """Two-sided prior predictive tail probability of ``k`` events in ``n`` under Beta-Binomial(n, alpha, beta)."""
    dist = stats.betabinom(int(n), float(alpha), float(beta))
    lower = float(dist.cdf(k))
    upper = float(dist.sf(k - 1))
    return min(1.0, 2.0 * min(lower, upper))


def tail_probability_mixture(k: int, n: int, prior: Prior) -> float:
    """Two-sided tail probability of ``k`` of ``n`` under the prior predictive of a Beta mixture (or a Beta)."""
    lower = upper = 0.0
    for w, a, b in prior.components:
        dist = stats.betabinom(int(n), float(a), float(b))
        lower += w * float(dist.cdf(k))
        upper += w * float(dist.sf(k - 1))
    return min(1.0, 2.0 * min(lower, upper))


def conflict_table(tree: xr.DataTree, *, threshold: float = CONFLICT_THRESHOLD, mass: float = INTERVAL) -> pd.DataFrame:
    """One row per quantity with data: counts, prior and posterior mean/interval, tail probability, flag."""
    obs = tree["observed_data"].to_dataset()
    post = tree["posterior"].to_dataset()
    tail = (1 - mass) / 2
    rows = []
    params = list(dict.fromkeys(str(p) for p in obs["parameter"].values))
    for k in params:
        sel = obs["parameter"].values == k
        events = int(obs["events"].values[sel].sum())
        total = int(obs["total"].values[sel].sum())
        var = post[p_name(k)]
        prior = prior_from_attrs(var.attrs)
        seed = prior.informative
        draws = np.asarray(var.values).reshape(-1)
        lo, hi = np.quantile(draws, [tail, 1 - tail])
        p_tail = tail_probability(events, total, seed.alpha, seed.beta)
        prior_lo, prior_hi = prior.interval(mass)
        rows.append(
            {
                "parameter": k,
                "studies": int(sel.sum()),
                "events": events,
                "total": total,
                "observed": events / total,
                "prior_mean": prior.mean,
                "prior_low": float(prior_lo),
                "prior_high": float(prior_hi),
                "seed_mean": seed.mean,
                "posterior_mean": float(draws.mean()),
                "posterior_low": float(lo),
                "posterior_high": float(hi),
                "tail_p": p_tail,
                "tail_p_robust": tail_probability_mixture(events, total, prior),
                "conflict": bool(p_tail < threshold),
                "seed_weight_prior": 1.0 - prior.robust_weight,
                "seed_weight_posterior": float(var.attrs.get("posterior_seed_weight", 1.0 - prior.robust_weight)),
            }
        )
    df = pd.DataFrame(rows)
    df.attrs.update(
        {
            "evidence_version": str(tree.attrs.get("evidence_version", "")),
            "threshold": threshold,
            "interval": mass,
            "time_frame": ", ".join(sorted({str(t) for t in obs["time_frame"].values})),
        }
    )
    return df


def conflict_text(table: pd.DataFrame) -> str:
    """The table as printed by ``outcomes update``."""
    pct = round(100 * table.attrs.get("interval", INTERVAL))
    thr = table.attrs.get("threshold", CONFLICT_THRESHOLD)
    shown = pd.DataFrame(
        {
            "parameter": table.parameter,
            "studies": table.studies,
            "events/total": [f"{e}/{n}" for e, n in zip(table.events, table.total, strict=True)],
            "observed": table.observed.map(lambda v: f"{v:.3f}"),
            f"prior mean ({pct}%)": [
                f"{m:.3f} ({lo:.3f}-{hi:.3f})"
                for m, lo, hi in zip(table.prior_mean, table.prior_low, table.prior_high, strict=True)
            ],
            f"posterior mean ({pct}%)": [
                f"{m:.3f} ({lo:.3f}-{hi:.3f})"
                for m, lo, hi in zip(table.posterior_mean, table.posterior_low, table.posterior_high, strict=True)
            ],
            "tail p": table.tail_p.map(lambda v: f"{v:.3g}"),
            "conflict": table.conflict.map({True: "CONFLICT", False: "-"}),
            "seed weight": [
                f"{a:.2f} -> {b:.2f}" for a, b in zip(table.seed_weight_prior, table.seed_weight_posterior, strict=True)
            ],
        }
    )
    head = (
        f"Prior-data conflict: two-sided Beta-Binomial prior predictive tail probability of the pooled count "
        f"under the seed's (grade-capped) prior; flagged below {thr:g}. Seed weight: the weight of that prior "
        f"in the robust prior, before -> after the data."
    )
    return head + "\n" + shown.to_string(index=False)
