"""Decision summaries for a block of patients at once, from the exact per-draw expected outcomes.

Arrays are (strategy, patient, draw), the draws contiguous. The definitions are those of the one-profile path,
applied along a patient axis: the mean and 90% interval of each per-draw expectation (``summarize.rates_table``),
the net outcome benefit − w · weighted harm (``model.net_benefit``), the probability that each strategy is
best with ties split evenly (``summarize.probability_best``), the preferred strategy (highest expected net; on a tie the
earlier strategy), the weights in [0, w_max] where the preferred strategy changes (``summarize.flip_points``:
exact crossings of the expected-net lines on their upper envelope) and the EVPI with its Monte Carlo standard
error (``voi.regression.evpi``: E max_s NB_s − max_s E NB_s, per 100).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outcomes.summarize import DEFAULT_WEIGHTS, DENOMINATOR, INTERVAL

W_MAX = float(np.max(DEFAULT_WEIGHTS))
"""Flip weights are searched in [0, max(W_MAX, the patient's weight)], as in ``summarize.summarize``."""


def interval(x: np.ndarray, mass: float = INTERVAL) -> tuple[np.ndarray, np.ndarray]:
    """Central interval over the draw axis (the last), as ``summarize._interval`` per patient and strategy."""
    tail = (1 - mass) / 2
    lo, hi = np.quantile(x, [tail, 1 - tail], axis=-1)
    return lo, hi


def probability_best(net: np.ndarray) -> np.ndarray:
    """(strategy, patient, draw) -> (patient, strategy): share of draws in which each strategy is best."""
    best = net == net.max(axis=0)
    return (best / best.sum(axis=0)).mean(axis=-1).T


def evpi(net: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(strategy, patient, draw) net per 100 -> EVPI per patient and its Monte Carlo standard error."""
    n = net.shape[-1]
    star = np.argmax(net.mean(axis=-1), axis=0)  # (patient,)
    chosen = np.take_along_axis(net, star[None, :, None], axis=0)[0]
    gain = net.max(axis=0) - chosen
    se = gain.std(axis=-1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(gain.shape[0])
    return gain.mean(axis=-1), se


@dataclass(frozen=True)
class Flips:
    """Per patient: up to S − 1 flips (weight, from, to; NaN / −1 when there are fewer), and per strategy the
    range of weights [low, high) in [0, w_max] where it is preferred (NaN where it never is)."""

    weight: np.ndarray  # (patient, S-1)
    from_: np.ndarray  # (patient, S-1) strategy index or -1
    to: np.ndarray  # (patient, S-1)
    preferred_low: np.ndarray  # (patient, S)
    preferred_high: np.ndarray  # (patient, S)


def _best_at(imp: np.ndarray, harm: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Index of the highest expected net at weight w (patient,), ties to the earlier strategy."""
    return np.argmax(imp - w[:, None] * harm, axis=1)


def flip_weights(imp: np.ndarray, harm: np.ndarray, w_max: np.ndarray) -> Flips:
    """Exact flip weights of the expected-net lines B_s − w H_s (benefit, weighted harm: (patient, S); w_max:
    (patient,))."""
    p, s = imp.shape
    pairs = [(a, b) for a in range(s) for b in range(a + 1, s)]
    if pairs:
        a_idx = np.array([a for a, _ in pairs])
        b_idx = np.array([b for _, b in pairs])
        dh = harm[:, a_idx] - harm[:, b_idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = (imp[:, a_idx] - imp[:, b_idx]) / dh
        # every crossing ahead is a candidate (also beyond w_max, so that a probe never skips one)
        valid = (dh != 0) & (cross > -1e-12) & np.isfinite(cross)
        cand = np.sort(np.where(valid, np.maximum(cross, 0.0), np.nan), axis=1)  # NaN last
    else:
        cand = np.empty((p, 0))
    current = _best_at(imp, harm, np.zeros(p))
    n_flips = max(s - 1, 0)
    weight = np.full((p, n_flips), np.nan)
    from_ = np.full((p, n_flips), -1)
    to = np.full((p, n_flips), -1)
    low = np.full((p, s), np.nan)
    high = np.full((p, s), np.nan)
    rows = np.arange(p)
    low[rows, current] = 0.0
    count = np.zeros(p, dtype=int)
    for k in range(cand.shape[1]):
        c = cand[:, k]
        nxt = cand[:, k + 1] if k + 1 < cand.shape[1] else np.full(p, np.nan)
        probe = np.where(np.isnan(nxt), c + 1.0, (c + nxt) / 2)  # a weight inside the next segment
        after = _best_at(imp, harm, np.where(np.isnan(c), 0.0, probe))
        flip = ~np.isnan(c) & (c <= w_max) & (after != current)
        f = rows[flip]
        if f.size:
            slot = np.minimum(count[f], n_flips - 1)
            weight[f, slot] = c[f]
            from_[f, slot] = current[f]
            to[f, slot] = after[f]
            high[f, current[f]] = c[f]
            low[f, after[f]] = c[f]
            count[f] += 1
            current = np.where(flip, after, current)
    high[rows, current] = w_max
    return Flips(weight, from_, to, low, high)


@dataclass(frozen=True)
class BlockSummary:
    """Summaries for a block of patients; rates per 100, arrays (patient, strategy) unless stated. ``benefit`` is
    the decision's benefit outcome, ``harm`` its weighted harm (``model.harm_score``)."""

    benefit: np.ndarray
    benefit_low: np.ndarray
    benefit_high: np.ndarray
    weighted_harm: np.ndarray
    weighted_harm_low: np.ndarray
    weighted_harm_high: np.ndarray
    net: np.ndarray
    net_low: np.ndarray
    net_high: np.ndarray
    p_best: np.ndarray
    preferred: np.ndarray  # (patient,) strategy index
    evpi: np.ndarray  # (patient,)
    evpi_se: np.ndarray  # (patient,)
    flips: Flips


def summarize_block(
    benefit: np.ndarray, harm: np.ndarray, net: np.ndarray, weights: np.ndarray, mass: float = INTERVAL
) -> BlockSummary:
    """``benefit``, ``harm`` (weighted) and ``net`` (``model.net_benefit`` at the patients' weights, per 1): each
    (strategy, patient, draw); ``weights`` (patient,). Per-patient arrays come back as (patient, strategy)."""
    w = np.asarray(weights, dtype=float)
    b_mean, harm_mean, net_mean = benefit.mean(axis=-1).T, harm.mean(axis=-1).T, net.mean(axis=-1).T
    bl, bh = interval(benefit, mass)
    hl, hh = interval(harm, mass)
    nl, nh = interval(net, mass)
    ev, ev_se = evpi(DENOMINATOR * net)
    return BlockSummary(
        benefit=DENOMINATOR * b_mean,
        benefit_low=DENOMINATOR * bl.T,
        benefit_high=DENOMINATOR * bh.T,
        weighted_harm=DENOMINATOR * harm_mean,
        weighted_harm_low=DENOMINATOR * hl.T,
        weighted_harm_high=DENOMINATOR * hh.T,
        net=DENOMINATOR * net_mean,
        net_low=DENOMINATOR * nl.T,
        net_high=DENOMINATOR * nh.T,
        p_best=probability_best(net),
        preferred=np.argmax(net_mean, axis=1),
        evpi=ev,
        evpi_se=ev_se,
        flips=flip_weights(b_mean, harm_mean, np.maximum(W_MAX, w)),
    )
