"""Elicitation: records -> Beta priors (maxent ranges, Jeffreys counts, points), grade caps, pooling, effects,
the maxent cache, the evidence table, and PreliZ's maxent checked against an independent solver."""

from __future__ import annotations

import importlib
import inspect
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats

from outcomes.declaration import default_model
from outcomes.elicit import (
    INTERVAL,
    BetaPrior,
    EffectPrior,
    elicit,
    elicit_effect,
    elicit_record,
    evidence_table,
    maxent_beta,
    maxent_beta_preliz,
    pool,
)
from outcomes.registry import load_registry

elicit_mod = importlib.import_module("outcomes.elicit")

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


ROOT = Path(__file__).resolve().parent.parent
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable

EVIDENCE_COLUMNS = [
    "id",
    "kind",
    "strategy",
    "outcome",
    "cited",
    "range_meaning",
    "time_frame",
    "prior",
    "prior_mean",
    "interval_low",
    "interval_high",
    "ess",
    "uncapped_ess",
    "capped",
    "method",
    "grade",
    "source",
    "assumption",
    "used",
]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def capped(registry):
    return elicit(registry)


@pytest.fixture(scope="module")
def uncapped(registry):
    return elicit(registry, cap_scale=None)


def _range_records(registry):
    rs = [r for r in registry.records if r.has_range and r.n is None]
    assert len(rs) >= 5  # the seed has several; a registry edit must not silently empty this test
    return rs


def _mass(a: float, b: float, low: float, high: float) -> float:
    return float(stats.beta.cdf(high, a, b) - stats.beta.cdf(low, a, b))


# --- an independent maximum-entropy solver -------------------------------------------------------------------


def independent_maxent(low: float, high: float, mass: float) -> tuple[float, float]:
    """Maximum-entropy Beta with ``mass`` inside [low, high], without PreliZ.

    Along the constraint curve: for each mean m in (low, high) find the concentration k (alpha + beta) whose
    Beta(m k, (1 - m) k) puts exactly ``mass`` inside (brentq on log k), then maximise the entropy over m.
    """

    def concentration(m: float) -> float:
        def gap(log_k: float) -> float:
            k = math.exp(log_k)
            return _mass(m * k, (1 - m) * k, low, high) - mass

        return math.exp(optimize.brentq(gap, math.log(1e-2), math.log(1e7), xtol=1e-12))

    def neg_entropy(m: float) -> float:
        k = concentration(m)
        return -float(stats.beta.entropy(m * k, (1 - m) * k))

    eps = 1e-6 * (high - low)
    res = optimize.minimize_scalar(
        neg_entropy, bounds=(low + eps, high - eps), method="bounded", options={"xatol": 1e-10}
    )
    assert res.success
    assert low + 1e-3 * (high - low) < res.x < high - 1e-3 * (high - low)  # an interior optimum, not a bound
    k = concentration(res.x)
    return res.x * k, (1 - res.x) * k


def test_independent_solver_is_a_constrained_maximum():
    low, high, mass = 0.2, 0.35, 0.9
    a, b = independent_maxent(low, high, mass)
    assert _mass(a, b, low, high) == pytest.approx(mass, abs=1e-8)
    h = stats.beta.entropy(a, b)
    # any other Beta that also puts `mass` inside has lower entropy
    for shift in (-0.02, -0.005, 0.005, 0.02):
        m = a / (a + b) + shift
        k = optimize.brentq(lambda k, m=m: _mass(m * k, (1 - m) * k, low, high) - mass, 1.0, 1e5)
        assert stats.beta.entropy(m * k, (1 - m) * k) < h


MAXENT_CASES = [
    (0.92, 0.95, 0.9),
    (0.06, 0.12, 0.9),
    (0.2, 0.35, 0.9),
    (0.31, 0.4, 0.9),
    (0.05, 0.3, 0.9),
    (0.92, 0.95, 0.8),
    (0.2, 0.35, 0.8),
    (0.31, 0.4, 0.8),
    (0.05, 0.3, 0.8),
    (0.2, 0.55, 0.8),
]


@pytest.mark.parametrize(("low", "high", "mass"), MAXENT_CASES)
def test_preliz_maxent_agrees_with_independent_solver(low, high, mass):
    a, b = maxent_beta_preliz(low, high, mass)
    ia, ib = independent_maxent(low, high, mass)
    assert a == pytest.approx(ia, rel=0.01)
    assert b == pytest.approx(ib, rel=0.01)
    assert _mass(a, b, low, high) == pytest.approx(mass, abs=1e-3)


def test_maxent_of_the_92_95_record_is_heavy():
    # the motivating example: maxent alone makes a guideline's "92-95%" weigh like ~720 patients
    a, b = maxent_beta(0.92, 0.95, 0.9)
    assert a == pytest.approx(675, rel=0.01)
    assert b == pytest.approx(47, rel=0.01)


# --- records -> priors -----------------------------------------------------------------------------------------


def test_every_record_gets_a_prior(registry, capped):
    assert set(capped.records) == {r.id for r in registry.records}
    assert set(capped.parameters) == set(PARAMETERS)
    assert set(capped.effects) == {e.id for e in registry.used_effects}
    assert capped.version == registry.version
    for rid, p in capped.records.items():
        assert p.sources == (rid,)
        assert p.alpha > 0 and p.beta > 0


@pytest.mark.parametrize("cap_scale", [1.0, None])
def test_range_record_means_lie_inside_their_cited_range(registry, cap_scale, capped, uncapped):
    priors = capped if cap_scale == 1.0 else uncapped
    for r in _range_records(registry):
        p = priors.records[r.id]
        assert p.method == "maxent"
        assert r.low < p.mean < r.high, (r.id, p.mean)


def test_uncapped_mass_inside_range(registry, uncapped):
    for r in _range_records(registry):
        p = uncapped.records[r.id]
        assert not p.capped
        assert _mass(p.alpha, p.beta, r.low, r.high) == pytest.approx(r.mass, abs=1e-3), r.id


def test_cap_applies_by_grade(registry, capped):
    for r in registry.records:
        grade = registry.grades[r.grade]
        p = capped.records[r.id]
        assert p.ess <= grade.cap * (1 + 1e-12), r.id
        assert p.capped == (p.uncapped_ess > grade.cap), r.id
        if p.capped:
            assert p.ess == pytest.approx(grade.cap)


def test_very_low_guideline_range_is_capped(registry, capped, uncapped):
    raw, p = uncapped.records["fusion_solid_guideline"], capped.records["fusion_solid_guideline"]
    assert raw.alpha == pytest.approx(675, rel=0.01) and raw.beta == pytest.approx(47, rel=0.01)
    cap = registry.grades["very_low"].cap
    assert p.capped and p.ess == pytest.approx(cap)
    assert p.mean == pytest.approx(raw.mean, rel=1e-12)  # the cap keeps the mean
    assert (p.alpha, p.beta) == (pytest.approx(14.0, abs=0.05), pytest.approx(0.98, abs=0.01))  # as documented
    assert p.uncapped_ess == pytest.approx(raw.ess)
    # a capped prior is much wider: its 90% interval is far wider than the cited 92-95%
    lo, hi = p.interval()
    assert hi - lo > 3 * (0.95 - 0.92)


def test_cap_scale_scales_the_cap(registry):
    half = elicit(registry, cap_scale=0.5)
    for r in registry.records:
        assert half.records[r.id].ess <= 0.5 * registry.grades[r.grade].cap * (1 + 1e-12)
    assert half.cap_scale == 0.5
    with pytest.raises(ValueError, match="cap_scale"):
        elicit(registry, cap_scale=0)
    with pytest.raises(ValueError, match="cap_scale"):
        elicit(registry, cap_scale=-1.0)


def test_counts_record_uses_jeffreys_before_the_cap(registry, capped, uncapped):
    r = registry.record("fusion_improved_herkowitz")  # 96% of 25, grade very_low (cap 15)
    k = 0.96 * 25
    raw, p = uncapped.records[r.id], capped.records[r.id]
    assert raw.method == "counts" and not raw.capped
    assert (raw.alpha, raw.beta) == (pytest.approx(k + 0.5), pytest.approx(25 - k + 0.5))
    assert p.capped and p.ess == pytest.approx(registry.grades["very_low"].cap) and p.mean == pytest.approx(raw.mean)
    # a large study is counted the same way, then capped at its grade's cap with the Jeffreys mean
    big = registry.record("population_neuropathic_paindetect")  # 37% of about 8000, grade low
    k = 0.37 * 8000
    raw, cp = uncapped.records[big.id], capped.records[big.id]
    assert (raw.alpha, raw.beta) == (pytest.approx(k + 0.5), pytest.approx(8000 - k + 0.5))
    assert cp.capped and cp.ess == pytest.approx(registry.grades["low"].cap)
    assert cp.mean == pytest.approx((k + 0.5) / 8001)
    assert cp.uncapped_ess == pytest.approx(8001)


def test_point_record_gets_the_grade_point_ess(registry, capped):
    seen = 0
    for r in registry.records:
        if r.n is None and not r.has_range:
            seen += 1
            g = registry.grades[r.grade]
            p = capped.records[r.id]
            assert p.method == "point"
            assert p.ess == pytest.approx(min(g.point_ess, g.cap))
            assert p.mean == pytest.approx(r.point)
    assert seen >= 3
    p = capped.records["medication_sustained_response_trial"]  # 53%, very_low: point_ess 10
    assert (p.alpha, p.beta) == (pytest.approx(5.3), pytest.approx(4.7))


def test_pooling_adds_pseudo_counts(capped):
    solid = capped.parameters["fusion.solid_fusion"].informative  # the robust prior's grade-capped component
    parts = [capped.records["fusion_solid_guideline"], capped.records["fusion_solid_fischgrund"]]
    assert solid.alpha == pytest.approx(sum(p.alpha for p in parts))
    assert solid.beta == pytest.approx(sum(p.beta for p in parts))
    assert set(solid.sources) == {"fusion_solid_guideline", "fusion_solid_fischgrund"}
    assert solid.capped
    # a single record is its own parameter prior; a record not in use informs nothing
    single = capped.parameters["decompression.improved"]
    single = getattr(single, "informative", single)
    record = capped.records["decompression_improved_herkowitz"]
    assert (single.alpha, single.beta) == pytest.approx((record.alpha, record.beta))
    for p in capped.parameters.values():
        assert "fusion_solid_pedicle_guideline" not in p.sources
        assert "population_neuropathic_paindetect" not in p.sources
    one = BetaPrior(2.0, 3.0, ("x",))
    assert pool([one]) is one


def test_effect_priors(registry, capped):
    for e in registry.used_effects:
        p = capped.effects[e.id]
        g = registry.grades[e.grade]
        assert p.mu == pytest.approx(math.log(e.odds_ratio))
        assert p.sd >= g.effect_min_sd - 1e-12
        assert p.sources == (e.id,)


def test_effect_sd_from_range_and_grade_floor(registry):
    base = registry.effect("effect_smoking_fusion")
    grade = registry.grades[base.grade]
    import dataclasses

    wide = dataclasses.replace(base, low=0.1, high=2.0, mass=0.9)
    sd_range = (math.log(2.0) - math.log(0.1)) / (2 * stats.norm.ppf(0.95))
    assert elicit_effect(wide, grade).sd == pytest.approx(sd_range)
    narrow = dataclasses.replace(base, low=0.44, high=0.48)
    assert elicit_effect(narrow, grade).sd == pytest.approx(grade.effect_min_sd)
    assert elicit_effect(narrow, grade, cap_scale=0.25).sd == pytest.approx(grade.effect_min_sd * 2)
    assert elicit_effect(narrow, grade, cap_scale=None).sd == pytest.approx(
        (math.log(0.48) - math.log(0.44)) / (2 * stats.norm.ppf(0.95))
    )
    point = elicit_effect(base, grade, cap_scale=None)
    assert point.sd == pytest.approx(grade.effect_min_sd)
    lo, hi = point.interval()
    assert (lo + hi) / 2 == pytest.approx(math.log(0.46))
    assert hi - lo == pytest.approx(2 * stats.norm.ppf(0.5 + INTERVAL / 2) * grade.effect_min_sd)


def test_elicit_record_accepts_a_custom_maxent(registry):
    r = registry.record("fusion_complication_guideline")
    calls = []

    def fake(low, high, mass):
        calls.append((low, high, mass))
        return 3.0, 7.0

    p = elicit_record(r, registry.grades[r.grade], maxent=fake)
    assert calls == [(0.31, 0.40, 0.9)]
    assert (p.alpha, p.beta, p.capped, p.method) == (3.0, 7.0, False, "maxent")


# --- BetaPrior / EffectPrior ---------------------------------------------------------------------------------


def test_beta_prior_scipy_and_moments():
    p = BetaPrior(alpha=3.5, beta=11.25, sources=("x",))
    assert p.scipy().mean() == pytest.approx(3.5 / (3.5 + 11.25), rel=1e-12)
    assert p.mean == pytest.approx(3.5 / 14.75) and p.ess == 14.75
    lo, hi = p.interval()
    assert p.scipy().cdf(hi) - p.scipy().cdf(lo) == pytest.approx(INTERVAL)
    rng = np.random.default_rng(20240601)
    x = rng.beta(3.5, 11.25, size=200_000)
    logit = np.log(x / (1 - x))
    mu, sd = p.logit_moments()
    assert mu == pytest.approx(logit.mean(), abs=0.01)
    assert sd == pytest.approx(logit.std(), rel=0.01)
    d = p.draw(np.random.default_rng(1), 50_000)
    assert d.shape == (50_000,) and d.mean() == pytest.approx(p.mean, abs=0.005)


def test_effect_prior_scipy():
    e = EffectPrior(mu=0.3, sd=0.5, sources=("e",))
    assert e.scipy().mean() == pytest.approx(0.3) and e.scipy().std() == pytest.approx(0.5)
    assert e.draw(np.random.default_rng(7), 40_000).std() == pytest.approx(0.5, rel=0.02)
    x = np.array([-1.2, 0.3, 2.0])
    np.testing.assert_allclose(e.logpdf(x), e.scipy().logpdf(x), rtol=1e-12)
    assert e.describe() == "Normal(0.3, 0.5)"


def test_beta_prior_pymc():
    pm = pytest.importorskip("pymc")
    p = BetaPrior(alpha=14.0, beta=1.0, sources=("fusion_solid_guideline",))
    e = EffectPrior(mu=-0.5, sd=0.7, sources=("e",))
    with pm.Model() as model:
        rv = p.pymc("solid_fusion")
        lor = e.pymc("log_or")
    assert [v.name for v in model.free_RVs] == ["solid_fusion", "log_or"]
    draws = pm.draw(rv, draws=4000, random_seed=11)
    assert draws.mean() == pytest.approx(14 / 15, abs=0.01)
    assert pm.draw(lor, draws=4000, random_seed=12).mean() == pytest.approx(-0.5, abs=0.05)
    logp = model.compile_logp(vars=[rv], sum=True)({"solid_fusion_logodds__": 0.0, "log_or": 0.0})
    # at p = 0.5 the Beta(14, 1) density is 14 * 0.5**13; plus the log-odds Jacobian log(0.25)
    assert float(logp) == pytest.approx(math.log(14 * 0.5**13) + math.log(0.25), rel=1e-6)


# --- the maxent cache -------------------------------------------------------------------------------------------


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("OUTCOMES_CACHE_DIR", str(d))
    return d


@pytest.fixture
def counting_preliz(monkeypatch):
    calls = []

    def fake(low, high, mass=INTERVAL):
        calls.append((low, high, mass))
        return 2.0 + low, 3.0 + high

    monkeypatch.setattr(elicit_mod, "maxent_beta_preliz", fake)
    return calls


def test_cache_dir_follows_the_environment(private_cache):
    assert elicit_mod.cache_dir() == private_cache


def test_cache_dir_defaults_outside_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert elicit_mod.cache_dir() == tmp_path / "xdg" / "outcomes"


def test_second_call_is_served_from_the_cache(private_cache, counting_preliz):
    first = maxent_beta(0.1, 0.2, 0.9)
    second = maxent_beta(0.1, 0.2, 0.9)
    assert first == second == (2.1, 3.2)
    assert counting_preliz == [(0.1, 0.2, 0.9)]
    maxent_beta(0.1, 0.2, 0.8)  # another mass is another key
    assert len(counting_preliz) == 2
    stored = json.loads((private_cache / "maxent.json").read_text())
    assert len(stored) == 2
    maxent_beta(0.1, 0.2, 0.9, use_cache=False)
    assert len(counting_preliz) == 3


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b'{"KEY": "oops"}',
        b'{"KEY": [1.0]}',
        b'{"KEY": [-1.0, 2.0]}',
    ],
)
def test_corrupted_cache_file_is_tolerated(private_cache, counting_preliz, content):
    key = elicit_mod._cache_key(0.1, 0.2, 0.9)
    private_cache.mkdir(parents=True)
    (private_cache / "maxent.json").write_bytes(content.replace(b"KEY", key.encode()))
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert counting_preliz == [(0.1, 0.2, 0.9)]
    # the cache is rewritten cleanly and serves the next call
    assert json.loads((private_cache / "maxent.json").read_text())[key] == [2.1, 3.2]
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert len(counting_preliz) == 1


def test_unwritable_cache_is_tolerated(tmp_path, monkeypatch, counting_preliz):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("OUTCOMES_CACHE_DIR", str(blocker / "cache"))
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert len(counting_preliz) == 2  # nothing could be stored, so nothing is served


def test_warm_cache_avoids_importing_preliz(private_cache, registry):
    """A range not in the shipped cache is computed once with PreliZ, then served from the user cache."""
    from outcomes.elicit import maxent_beta

    a, b = maxent_beta(0.33, 0.44, 0.9)  # real PreliZ; not a shipped range
    assert (private_cache / "maxent.json").is_file()
    code = (
        "import sys\n"
        "from outcomes.elicit import maxent_beta\n"
        "a, b = maxent_beta(0.33, 0.44, 0.9)\n"
        "print(repr(a), repr(b))\n"
        "print('preliz' in sys.modules)\n"
    )
    env = {**os.environ, "OUTCOMES_CACHE_DIR": str(private_cache)}
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [repr(a), repr(b), "False"]


# --- the evidence table ---------------------------------------------------------------------------------------


def test_evidence_table(registry, capped):
    df = evidence_table(registry, capped)
    assert list(df.columns) == EVIDENCE_COLUMNS
    assert len(df) == len(registry.records) + len(registry.effects)
    assert list(df.id) == [r.id for r in registry.records] + [e.id for e in registry.effects]
    assert df.attrs["evidence_version"] == registry.version
    rates = df[df.kind == "rate"].set_index("id")
    effects = df[df.kind == "effect"].set_index("id")
    assert len(effects) == len(registry.effects)
    row = rates.loc["fusion_solid_guideline"]
    assert row.cited == "92-95%" and row.capped and row.method == "maxent" and row.grade == "very_low"
    assert row.ess == pytest.approx(15) and row.uncapped_ess == pytest.approx(722, rel=0.01)
    assert row.interval_low < row.prior_mean < row.interval_high
    assert not rates.loc["fusion_solid_pedicle_guideline"].used
    assert rates.loc["fusion_reoperation_assumption"].assumption
    eff = effects.loc["effect_smoking_fusion"]
    assert eff.prior_mean == pytest.approx(0.46) and eff.interval_low < 0.46 < eff.interval_high
    assert math.isnan(eff.ess) and eff.method == "normal"
    for rid, p in capped.records.items():
        assert rates.loc[rid].prior_mean == pytest.approx(p.mean)
        assert rates.loc[rid].ess == pytest.approx(p.ess)


@pytest.mark.parametrize("cap_scale", [None, 1.0, 0.25])
def test_evidence_table_effect_not_in_use_follows_cap_scale(registry_copy, edit_file, cap_scale):
    # an effect shown but not used is elicited by the same rule (same cap_scale) as the effects in use
    edit_file(
        registry_copy / "effects.yaml",
        "odds_ratio: 0.46\n",
        "odds_ratio: 0.46\n    low: 0.44\n    high: 0.48\n    use: false\n",
    )
    reg = load_registry(registry_copy)
    e = reg.effect("effect_smoking_fusion")
    priors = elicit(reg, cap_scale=cap_scale)
    assert e.id not in priors.effects
    row = evidence_table(reg, priors).set_index("id").loc[e.id]
    expected = elicit_effect(e, reg.grades[e.grade], cap_scale=cap_scale)
    lo, hi = expected.interval()
    assert (row.interval_low, row.interval_high) == (pytest.approx(math.exp(lo)), pytest.approx(math.exp(hi)))
    assert not row.used


def test_evidence_table_elicits_when_not_given(registry, capped):
    df = evidence_table(registry)
    assert list(df.prior_mean) == pytest.approx(list(evidence_table(registry, capped).prior_mean))


# PreliZ's maxent is scipy's SLSQP (``minimize`` with bounds and an equality constraint, default options), which
# stops when the objective (minus the entropy) changes by less than ``ftol``; a candidate is accepted only if its
# mass is within 1e-4 of the stated mass (``preliz.internal.optimization.optimize_max_ent``). Near the maximum the
# entropy is quadratic in the parameters, so an objective pinned to ftol pins alpha and beta only to about
# sqrt(ftol) relative: that is the optimiser's own tolerance on the parameters. (Measured: results shipped from
# older releases differed from PreliZ 0.28 with scipy 1.18 by up to 2.2e-4 relative; 0.05-0.30 by 2.4e-5.)
SLSQP_FTOL = inspect.signature(optimize._slsqp_py._minimize_slsqp).parameters["ftol"].default
PRELIZ_MASS_TOL = 1e-4
MAXENT_REL_TOL = math.sqrt(SLSQP_FTOL)


def test_optimiser_tolerance_is_what_the_test_assumes():
    assert SLSQP_FTOL == 1e-6  # scipy's SLSQP default; if it changes, the tolerance above follows it
    assert math.isclose(MAXENT_REL_TOL, 1e-3)


def test_shipped_maxent_cache_covers_registry_and_matches_preliz():
    """Every shipped Beta puts the stated mass inside its range (within 1e-4) and is PreliZ's own answer to the
    optimiser's tolerance; an edited range in priors/ fails here with the command that refreshes the results."""
    from outcomes.elicit import REFRESH_COMMAND, SHIPPED_CACHE, _load_shipped, _range_key, shipped_ranges

    shipped = _load_shipped(SHIPPED_CACHE)
    ranges = shipped_ranges(load_registry())
    assert len(ranges) >= 5, "the shipped registry has range records"
    missing = [r for r in ranges if _range_key(*r) not in shipped]
    assert not missing, f"ranges {missing} have no shipped maxent result: run `{REFRESH_COMMAND}` and commit it"
    for lo, hi, m in ranges:
        a, b = shipped[_range_key(lo, hi, m)]
        assert _mass(a, b, lo, hi) == pytest.approx(m, abs=PRELIZ_MASS_TOL), (lo, hi, m)
        pa, pb = maxent_beta_preliz(lo, hi, m)
        assert a == pytest.approx(pa, rel=MAXENT_REL_TOL), (lo, hi, m, REFRESH_COMMAND)
        assert b == pytest.approx(pb, rel=MAXENT_REL_TOL), (lo, hi, m, REFRESH_COMMAND)


def test_shipped_file_names_the_rule_and_the_preliz_version():
    from outcomes.elicit import MAXENT_METHOD, SHIPPED_CACHE

    data = json.loads(SHIPPED_CACHE.read_text())
    assert data["method"] == MAXENT_METHOD and data["format"] == elicit_mod._CACHE_FORMAT
    assert data["preliz"] and data["refresh"] == "outcomes evidence --refresh-cache"


def test_user_cache_is_keyed_by_preliz_version_and_rule(private_cache, counting_preliz, monkeypatch):
    key = elicit_mod._cache_key(0.1, 0.2, 0.9)
    assert elicit_mod.preliz_version() in key and elicit_mod.MAXENT_METHOD in key and "0.9" in key
    # a value stored by another PreliZ version is not served: PreliZ is asked again
    other = elicit_mod._cache_key(0.1, 0.2, 0.9, preliz="0.0.1")
    assert other != key
    private_cache.mkdir(parents=True)
    (private_cache / "maxent.json").write_text(json.dumps({other: [50.0, 60.0]}))
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert counting_preliz == [(0.1, 0.2, 0.9)]
    stored = json.loads((private_cache / "maxent.json").read_text())
    assert stored == {other: [50.0, 60.0], key: [2.1, 3.2]}
    # the same range under another installed PreliZ version is another key
    monkeypatch.setattr(elicit_mod, "preliz_version", lambda: "9.9.9")
    assert maxent_beta(0.1, 0.2, 0.9) == (2.1, 3.2)
    assert len(counting_preliz) == 2


def test_user_cache_never_overrides_shipped_results(private_cache, counting_preliz, registry):
    lo, hi, m = elicit_mod.shipped_ranges(registry)[0]
    shipped = elicit_mod._load_shipped()[elicit_mod._range_key(lo, hi, m)]
    private_cache.mkdir(parents=True)
    (private_cache / "maxent.json").write_text(json.dumps({elicit_mod._cache_key(lo, hi, m): [50.0, 60.0]}))
    assert maxent_beta(lo, hi, m) == tuple(shipped)
    assert counting_preliz == []


def test_shipped_file_of_another_rule_is_not_read(tmp_path):
    f = tmp_path / "shipped.json"
    f.write_text(json.dumps({"format": "maxent-v2", "method": "another rule", "results": {"0.1|0.2|0.9": [1, 2]}}))
    assert elicit_mod._load_shipped(f) == {}
    f.write_text(json.dumps({"0.1|0.2|0.9": [1, 2]}))  # the old, unkeyed format
    assert elicit_mod._load_shipped(f) == {}


def test_refresh_writes_every_range_atomically(tmp_path, counting_preliz, registry):
    target = tmp_path / "data" / "maxent_shipped.json"
    elicit_mod.refresh_shipped_cache(registry, target)
    data = json.loads(target.read_text())
    assert data["preliz"] == elicit_mod.preliz_version()
    ranges = elicit_mod.shipped_ranges(registry)
    assert data["results"] == {elicit_mod._range_key(*r): [2.0 + r[0], 3.0 + r[1]] for r in ranges}
    assert sorted(p.name for p in target.parent.iterdir()) == ["maxent_shipped.json"]  # no temporary left behind

    def broken(low, high, mass=INTERVAL):
        raise RuntimeError("PreliZ failed")

    before = target.read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(elicit_mod, "maxent_beta_preliz", broken)
        with pytest.raises(RuntimeError):
            elicit_mod.refresh_shipped_cache(registry, target)
    assert target.read_bytes() == before  # nothing half-written


def _as_shipped(monkeypatch, folder):
    """Make ``folder`` the shipped registry (as if priors/ itself had been edited)."""
    import outcomes.registry.validation

    monkeypatch.setattr(outcomes.registry.validation, "default_registry_path", lambda: folder)
    monkeypatch.setattr(elicit_mod, "default_registry_path", lambda: folder)


def test_edited_shipped_range_names_the_refresh_command(
    registry_copy, edit_file, monkeypatch, private_cache, counting_preliz, capsys
):
    from outcomes.cli import main

    edit_file(registry_copy / "fusion.yaml", "low: 0.92", "low: 0.91")
    _as_shipped(monkeypatch, registry_copy)
    with pytest.warns(elicit_mod.ShippedResultsOutdated, match="outcomes evidence --refresh-cache"):
        elicit(load_registry())
    assert counting_preliz == [(0.91, 0.95, 0.9)]
    # the command line shows it as one note, names the record, and still prints the table
    with warnings.catch_warnings():
        warnings.simplefilter("default", elicit_mod.ShippedResultsOutdated)  # as outside pytest (not an error)
        assert main(["evidence"]) == 0
    out, err = capsys.readouterr()
    notes = err.strip().splitlines()
    assert len(notes) == 1 and notes[0].startswith("outcomes: note: ")
    assert "fusion.yaml record 'fusion_solid_guideline' (0.91-0.95)" in notes[0]
    assert notes[0].endswith("refresh the shipped results with: outcomes evidence --refresh-cache")
    assert "Evidence version" in out


def test_unedited_registry_or_a_copy_gives_no_note(registry_copy, edit_file, private_cache, counting_preliz):
    edit_file(registry_copy / "fusion.yaml", "low: 0.92", "low: 0.91")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        elicit(load_registry())  # the shipped registry: every range shipped
        elicit(load_registry(registry_copy))  # a private registry: its own ranges are the user cache's business


def test_cli_refresh_cache(monkeypatch, registry_copy, tmp_path, counting_preliz, capsys):
    from outcomes.cli import main

    _as_shipped(monkeypatch, registry_copy)
    target = tmp_path / "shipped.json"
    monkeypatch.setattr(elicit_mod, "SHIPPED_CACHE", target)
    assert main(["evidence", "--refresh-cache"]) == 0
    out, _ = capsys.readouterr()
    assert "refreshed with PreliZ" in out and str(target) in out
    assert len(json.loads(target.read_text())["results"]) == len(counting_preliz) >= 5
    # another registry folder is refused: the shipped results belong to the shipped registry
    assert main(["evidence", "--refresh-cache", "--registry", str(tmp_path)]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "--refresh-cache" in err and "allowed" in err


def test_cli_refresh_cache_writes_nothing_for_a_broken_registry(monkeypatch, registry_copy, tmp_path, capsys):
    from outcomes.cli import main

    (registry_copy / "fusion.yaml").write_text("records: [")
    _as_shipped(monkeypatch, registry_copy)
    target = tmp_path / "shipped.json"
    monkeypatch.setattr(elicit_mod, "SHIPPED_CACHE", target)
    assert main(["evidence", "--refresh-cache"]) == 2
    assert not target.exists()


def test_fresh_cache_uses_shipped_results_without_preliz(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from outcomes.registry import load_registry; from outcomes.elicit import elicit; "
        "elicit(load_registry()); print('preliz' in sys.modules, 'pymc' in sys.modules)"
    )
    env = {**__import__("os").environ, "OUTCOMES_CACHE_DIR": str(tmp_path / "empty")}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "False"]
