"""The robust (mixture) prior of each cited rate (Schmidli et al. 2014; issue 14): closed forms and shipped data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special, stats

from outcomes.declaration import default_model
from outcomes.draws import prior_draws
from outcomes.elicit import WEAK_COMPONENT, BetaMixture, BetaPrior, elicit, robust_weight
from outcomes.errors import InputError
from outcomes.registry import load_registry
from outcomes.update import fit, load_studies
from outcomes.update.conflict import conflict_table, tail_probability_mixture
from outcomes.update.data import parse_studies
from outcomes.update.exact import posterior_prior
from outcomes.update.spec import build_spec, p_name
from outcomes.update.tree import seed_weight_from_draws

PARAMETERS = default_model().parameters

ROOT = Path(__file__).resolve().parent.parent
HEADER = "study_id,strategy,outcome,events,total,time_frame,design,citation"

# the hand-made case: a confident seed (mean 0.9, ESS 40) with 30% on the flat component; data 20 of 40
SEED = BetaPrior(36.0, 4.0, ("hand",))
R = 0.3
K, N = 20, 40


def _closed_form(k: int, n: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    comps = [(1 - R, SEED.alpha, SEED.beta), (R, *WEAK_COMPONENT)]
    logw = np.array([np.log(w) + special.betaln(a + k, b + n - k) - special.betaln(a, b) for w, a, b in comps])
    return np.exp(logw - special.logsumexp(logw)), [(a + k, b + n - k) for _, a, b in comps]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def priors(registry):
    return elicit(registry)


def test_update_matches_closed_form_and_numerical_integration():
    post = BetaMixture.robust(SEED, R).update(K, N)
    weights, betas = _closed_form(K, N)
    np.testing.assert_allclose(post.weights, weights, rtol=1e-12)
    assert [(a, b) for _, a, b in post.components] == betas
    # independent check: the posterior weight of the seed is the integral of its share of prior x likelihood
    prior_pdf = lambda p, w, a, b: w * stats.beta.pdf(p, a, b)  # noqa: E731
    lik = lambda p: stats.binom.pmf(K, N, p)  # noqa: E731
    parts = [
        integrate.quad(lambda p: prior_pdf(p, 1 - R, SEED.alpha, SEED.beta) * lik(p), 0, 1, points=[0.5, 0.9])[0],
        integrate.quad(lambda p: prior_pdf(p, R, 1, 1) * lik(p), 0, 1)[0],
    ]
    assert post.seed_weight == pytest.approx(parts[0] / sum(parts), rel=1e-6)
    # data that agree with the seed keep its weight above the prior weight; data that conflict take it away
    assert BetaMixture.robust(SEED, R).update(36, 40).seed_weight > 1 - R > post.seed_weight
    assert post.seed_weight < 0.01


def test_exact_update_path_returns_the_closed_form_with_its_weights(tmp_path, priors):
    mixture = BetaMixture.robust(SEED, R)
    hand = dataclasses.replace(priors, parameters={**priors.parameters, "fusion.improved": mixture})
    data = parse_studies(f"{HEADER}\nA,fusion,improved,{K},{N},2 years,rct,T\n".encode(), "hand.csv")
    spec = build_spec(data, hand, "none")
    weights, betas = _closed_form(K, N)
    np.testing.assert_allclose(posterior_prior(spec, "fusion.improved").weights, weights, rtol=1e-12)
    tree = fit(data, hand, method="exact", draws=5000, chains=2, seed=4)
    var = tree["posterior"]["p_fusion__improved"]
    assert var.attrs["posterior_seed_weight"] == pytest.approx(weights[0], rel=1e-12)
    assert var.attrs["prior_robust_weight"] == pytest.approx(R)
    assert (var.attrs["prior_alpha"], var.attrs["prior_beta"]) == (SEED.alpha, SEED.beta)
    x = var.values.ravel()
    cdf = lambda v: sum(w * stats.beta.cdf(v, a, b) for w, (a, b) in zip(weights, betas, strict=True))  # noqa: E731
    assert stats.kstest(x, cdf).pvalue > 0.01
    mean = sum(w * a / (a + b) for w, (a, b) in zip(weights, betas, strict=True))
    sd = np.sqrt(
        sum(
            w * (a * b / ((a + b) ** 2 * (a + b + 1)) + (a / (a + b)) ** 2)
            for w, (a, b) in zip(weights, betas, strict=True)
        )
        - mean**2
    )
    assert abs(x.mean() - mean) < 4 * sd / np.sqrt(x.size)
    # the MCMC path's estimator (mean responsibility over posterior draws) agrees within Monte Carlo error
    resp = mixture.responsibilities(x)[0]
    assert seed_weight_from_draws(mixture, x) == pytest.approx(weights[0], abs=4 * resp.std() / np.sqrt(x.size) + 1e-4)
    table = conflict_table(tree)
    row = table.set_index("parameter").loc["fusion.improved"]
    assert row.seed_weight_prior == pytest.approx(1 - R) and row.seed_weight_posterior == pytest.approx(weights[0])
    assert row.conflict and row.tail_p < 1e-4 < row.tail_p_robust


def test_mixture_predictive_tail_is_the_weighted_beta_binomial_sum():
    mixture = BetaMixture.robust(SEED, R)
    pmf = sum(w * stats.betabinom.pmf(np.arange(N + 1), N, a, b) for w, a, b in mixture.components)
    for k in (0, 12, 20, 36, 40):
        expected = min(1.0, 2 * min(pmf[: k + 1].sum(), pmf[k:].sum()))
        assert tail_probability_mixture(k, N, mixture) == pytest.approx(expected, rel=1e-9)


def test_mixture_quantiles_density_and_draws():
    mixture = BetaMixture.robust(SEED, R)
    lo, hi = mixture.interval(0.9)
    assert float(mixture.cdf(lo)) == pytest.approx(0.05, abs=1e-9) and float(mixture.cdf(hi)) == pytest.approx(0.95)
    xs = np.linspace(0.01, 0.99, 7)
    expected = np.log((1 - R) * stats.beta.pdf(xs, SEED.alpha, SEED.beta) + R * stats.beta.pdf(xs, 1, 1))
    np.testing.assert_allclose(mixture.logpdf(xs), expected, rtol=1e-10)
    assert mixture.mean == pytest.approx((1 - R) * 0.9 + R * 0.5)
    x = mixture.draw(np.random.default_rng(1), 20_000)
    assert stats.kstest(x, mixture.cdf).pvalue > 0.01
    assert mixture.informative == BetaPrior(36.0, 4.0, ("hand",), method="informative")


def test_elicit_makes_every_cited_rate_robust_with_its_grades_weight(registry, priors):
    plain = elicit(registry, robust=False)
    assert priors.robust and not plain.robust
    for k in PARAMETERS:
        used = registry.records_for(k)
        p = priors.parameters[k]
        assert p.informative.alpha == pytest.approx(plain.parameters[k].alpha)
        assert p.informative.beta == pytest.approx(plain.parameters[k].beta)
        ess = np.array([priors.records[r.id].ess for r in used])
        expect = float(np.sum(ess * [registry.grades[r.grade].robust_weight for r in used]) / ess.sum())
        assert p.robust_weight == pytest.approx(expect) == pytest.approx(robust_weight(registry, k, priors.records))
        if all(r.is_assumption for r in used):
            assert isinstance(p, BetaPrior)  # an assumption is already weakly informative
        else:
            assert isinstance(p, BetaMixture) and p.components[1][1:] == WEAK_COMPONENT
    draws = prior_draws(priors, 20_000, rng=3)
    assert draws.attrs["prior_kind"] == "robust mixture"
    x = draws["p"].sel(parameter="fusion.improved").values
    assert stats.kstest(x, priors.parameters["fusion.improved"].cdf).pvalue > 0.01


def test_grades_robust_weight_is_validated(registry_copy, edit_file):
    edit_file(registry_copy / "grades.yaml", "robust_weight: 0.30", "robust_weight: 1.5")
    with pytest.raises(InputError) as exc:
        load_registry(registry_copy)
    msg = str(exc.value.problems[0])
    assert "grades.yaml" in msg and "grade 'low'" in msg and "robust_weight" in msg and "[0, 1)" in msg


def test_with_the_shipped_verified_data_the_trials_win(priors):
    data = load_studies(ROOT / "studies" / "verified_trials.csv")
    tree = fit(data, priors, seed=5)
    assert tree.attrs["method"] == "exact"
    table = conflict_table(tree).set_index("parameter")
    x = tree["posterior"][p_name("fusion.improved")].values.ravel()
    lo, hi = np.quantile(x, [0.05, 0.95])
    seed_mean = priors.parameters["fusion.improved"].informative.mean
    assert seed_mean > 0.85
    assert lo < 94 / 129 < hi  # inside the range the trial supports
    assert abs(x.mean() - 94 / 129) < 0.02 and seed_mean - x.mean() > 0.15  # far from the seed
    assert table.loc["fusion.improved", "conflict"]
    assert (
        table.loc["fusion.improved", "seed_weight_posterior"] < 0.2 < table.loc["fusion.improved", "seed_weight_prior"]
    )
    # the plain prior, for contrast, keeps the seed's pull
    plain = fit(data, elicit(priors.registry, robust=False), seed=5)
    y = plain["posterior"][p_name("fusion.improved")].values.ravel()
    assert y.mean() > x.mean() + 0.03


@pytest.mark.slow
def test_pymc_prior_is_the_same_mixture(priors):
    import pymc as pm

    mixture = priors.parameters["fusion.improved"]
    with pm.Model() as model:
        mixture.pymc("p")
    logp = model.compile_logp(jacobian=False)
    for v in (0.3, 0.7, 0.95):
        assert float(logp({"p_logodds__": special.logit(v)})) == pytest.approx(float(mixture.logpdf(v)), rel=1e-8)
