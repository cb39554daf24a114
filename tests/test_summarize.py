"""Decision summaries: natural frequencies, differences, probability best, flip weight, provenance."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from outcomes.declaration import default_model
from outcomes.draws import prior_draws
from outcomes.elicit import elicit
from outcomes.model import applicable_mask
from outcomes.profile import load_profile
from outcomes.registry import load_registry
from outcomes.simulate import simulate
from outcomes.summarize import flip_points, frequency_text, summarize, uncertainty_words

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


def hand_rates(
    improved: dict,
    harm: dict,
    n_draws: int = 50,
    jitter: float = 0.0,
    seed: int = 0,
    minor: dict | None = None,
) -> xr.Dataset:
    """A rate cube with given per-strategy improved / serious-harm (/ minor-harm) rates, constant over draws unless
    jitter. A strategy not named is never best (improved 0, serious harm 0.9)."""
    rng = np.random.default_rng(seed)
    rate = np.full((n_draws, len(STRATEGIES), len(OUTCOMES)), np.nan)
    minor = minor or {}
    for i, s in enumerate(STRATEGIES):
        imp = np.clip(improved.get(s, 0.0) + jitter * rng.standard_normal(n_draws), 0, 1)
        hm = np.clip(harm.get(s, 0.9) + jitter * rng.standard_normal(n_draws), 0, 1)
        mn = np.full(n_draws, minor.get(s, 0.0))
        for o, v in (
            ("improved", imp),
            ("serious_harm", hm),
            ("minor_harm", mn),
            ("harm", 1 - (1 - hm) * (1 - mn)),
            ("improved_without_harm", imp * (1 - hm)),
            ("harm_without_improvement", hm * (1 - imp)),
        ):
            rate[:, i, OUTCOMES.index(o)] = v
    ds = xr.Dataset(
        {"rate": (("draw", "strategy", "outcome"), rate)},
        coords={"draw": np.arange(n_draws), "strategy": list(STRATEGIES), "outcome": list(OUTCOMES)},
    )
    ds.attrs.update(
        evidence_version="ev-test", seed=3, time_frame="2 years", n_draws=n_draws, n_patients=100, origin="hand-made"
    )
    return ds


def test_flip_point_on_hand_made_case():
    # fusion 0.8 - 0.4 w, decompression 0.5 - 0.1 w: cross at w = 1.0; medication 0.2 - 0.3 w never best
    ds = hand_rates(
        {"fusion": 0.8, "decompression": 0.5, "medication": 0.2},
        {"fusion": 0.4, "decompression": 0.1, "medication": 0.3},
    )
    s = summarize(ds, model=MODEL, weight=0.5)
    assert s.preferred == "fusion"
    assert len(s.flips) == 1
    assert s.flips[0]["weight"] == pytest.approx(1.0, abs=1e-9)
    assert (s.flips[0]["from"], s.flips[0]["to"]) == ("fusion", "decompression")
    assert summarize(ds, model=MODEL, weight=1.5).preferred == "decompression"
    pb = s.prob_best
    assert pb.loc[0.5, "fusion"] == 1.0 and pb.loc[1.5, "decompression"] == 1.0
    np.testing.assert_allclose(pb.sum(axis=1).values, 1.0)


def test_two_flips_in_order():
    # A: 0.9 - 0.6w ; B: 0.6 - 0.2w ; C: 0.3 - 0.0w.  A->B at 0.75, B->C at 1.5
    flips = flip_points({"A": 0.9, "B": 0.6, "C": 0.3}, {"A": 0.6, "B": 0.2, "C": 0.0}, 5.0)
    assert [(f["from"], f["to"]) for f in flips] == [("A", "B"), ("B", "C")]
    assert flips[0]["weight"] == pytest.approx(0.75) and flips[1]["weight"] == pytest.approx(1.5)


def test_no_flip_when_one_dominates():
    assert flip_points({"A": 0.9, "B": 0.5}, {"A": 0.1, "B": 0.2}, 5.0) == []


def test_probability_best_with_uncertainty_is_between_0_and_1():
    ds = hand_rates(
        {"fusion": 0.7, "decompression": 0.6, "medication": 0.2},
        {"fusion": 0.3, "decompression": 0.15, "medication": 0.3},
        n_draws=4000,
        jitter=0.1,
    )
    s = summarize(ds, model=MODEL, weight=1.0)
    pb = s.prob_best_at_weight
    assert 0 < pb["fusion"] < 1 and 0 < pb["decompression"] < 1
    assert sum(pb.values()) == pytest.approx(1.0)
    # expected net: fusion 0.7-0.3 = 0.4 vs decompression 0.45 -> decompression preferred
    assert s.preferred == "decompression"


def test_natural_frequency_text():
    assert frequency_text(0.31, 0.22, 0.41) == "31 of 100, plausibly 22 to 41"
    assert frequency_text(0.004, 0.0, 0.02) == "fewer than 1 of 100, plausibly fewer than 1 to 2"
    assert uncertainty_words(0.30, 0.35) == "fairly certain"
    assert uncertainty_words(0.10, 0.80) == "extremely uncertain"


@pytest.fixture(scope="module")
def real():
    reg = load_registry()
    d = prior_draws(elicit(reg), 1500, 3)
    return d, load_profile()


def test_summary_from_simulation_has_intervals_and_provenance(real):
    d, prof = real
    sim = simulate(d, prof, n_patients=100, seed=12)
    s = summarize(sim, weight=1.0)
    mask = applicable_mask(MODEL)
    assert len(s.rates) == int(mask.values.sum())
    assert (s.rates["low"] <= s.rates["mean"]).all() and (s.rates["mean"] <= s.rates["high"]).all()
    r = s.rate("fusion", "improved")
    x = sim["rate"].sel(strategy="fusion", outcome="improved").values
    assert r["mean"] == pytest.approx(x.mean())
    assert r["low"] == pytest.approx(np.quantile(x, 0.05)) and r["high"] == pytest.approx(np.quantile(x, 0.95))
    assert s.provenance.evidence_version == d.attrs["evidence_version"]
    assert s.provenance.seed == 12 and s.provenance.time_frame == "2 years"
    # absolute differences are differences of the per-draw rates
    diff = s.differences.query(
        "strategy_a == 'fusion' and strategy_b == 'decompression' and outcome == 'improved'"
    ).iloc[0]
    expect = (
        sim["rate"].sel(strategy="fusion", outcome="improved")
        - sim["rate"].sel(strategy="decompression", outcome="improved")
    ).values
    assert diff["mean"] == pytest.approx(expect.mean())
    assert s.to_dict()["provenance"]["evidence_version"] == d.attrs["evidence_version"]


def test_same_seed_same_summary_other_seed_not(real):
    d, prof = real
    a = summarize(simulate(d, prof, seed=1))
    b = summarize(simulate(d, prof, seed=1))
    c = summarize(simulate(d, prof, seed=2))
    assert a.rates.equals(b.rates) and a.prob_best.equals(b.prob_best)
    assert not a.rates.equals(c.rates)


def test_bad_weight_rejected():
    ds = hand_rates(
        {"fusion": 0.8, "decompression": 0.5, "medication": 0.2},
        {"fusion": 0.4, "decompression": 0.1, "medication": 0.3},
    )
    with pytest.raises(ValueError):
        summarize(ds, model=MODEL, weight=-1)
    with pytest.raises(ValueError):
        summarize(ds, model=MODEL, weight=float("nan"))


def test_serious_and_minor_harm_weights_move_the_preferred_option_on_a_hand_made_case():
    # fusion: 0.6 better, 0.3 seriously harmed, no minor harm; decompression: 0.5 better, 0.05 serious, 0.5 minor.
    # net = improved - w (serious + r minor): fusion 0.6 - 0.3 w; decompression 0.5 - w (0.05 + 0.5 r)
    ds = hand_rates(
        {"fusion": 0.6, "decompression": 0.5},
        {"fusion": 0.3, "decompression": 0.05},
        minor={"fusion": 0.0, "decompression": 0.5},
    )
    # default r = 0.2: decompression's weighted harm 0.15, crossing at w = 0.1 / 0.15
    s = summarize(ds, model=MODEL, weight=1.0)
    assert s.harm_weights == {"serious_harm": 1.0, "minor_harm": 0.2}
    assert s.preferred == "decompression"
    assert s.flips[0]["weight"] == pytest.approx(0.1 / 0.15, abs=1e-9)
    assert summarize(ds, model=MODEL, weight=0.5).preferred == "fusion"  # serious harm weighs less: fusion
    # a patient for whom a minor harm counts as much as a serious one: decompression's weighted harm is 0.55
    s1 = summarize(ds, model=MODEL, weight=1.0, other_harms={"minor_harm": 1.0})
    assert s1.preferred == "fusion"
    assert s1.expected_net["fusion"] == pytest.approx(0.6 - 0.3) and s1.expected_net["decompression"] == pytest.approx(
        0.5 - 0.55
    )
    with pytest.raises(ValueError, match="unknown weighed harm"):
        summarize(ds, model=MODEL, other_harms={"reoperation": 1.0})
