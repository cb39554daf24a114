"""ArviZ's log_likelihood and log_prior groups of an update result (issue 13, item 2): written at fit time by both
paths, checked against closed-form densities (scipy.stats) at the drawn values, kept by the netCDF round trip, and
read by power-scaling sensitivity, which refuses a file written without them."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import special, stats

from outcomes.cli import main
from outcomes.elicit import elicit
from outcomes.errors import InputError
from outcomes.profile import load_profile
from outcomes.registry import load_registry
from outcomes.update import fit, load_studies
from outcomes.update.io import load_fit, save_posterior
from outcomes.update.spec import build_spec, effect_name, p_name, tau_name
from outcomes.update.tree import common_log_likelihood, log_prior_group

HEADER = "study_id,strategy,outcome,events,total,time_frame,design,citation"
CONFLICTING = [  # 60 of 100 improved after fusion, against a seed of mean 0.92: the robust prior's flat part takes over
    "A,fusion,improved,60,100,2 years,rct,Trial A",
    "B,medication,deficit_progression,12,40,1 year,cohort,Cohort B",
]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def priors(registry, session_cache_dir):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTCOMES_CACHE_DIR", str(session_cache_dir))
        return elicit(registry)  # robust mixture priors


def studies(path: Path, rows: list[str], registry):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return load_studies(path, registry.model)


@pytest.fixture(scope="module")
def exact_fit(tmp_path_factory, registry, priors):
    data = studies(tmp_path_factory.mktemp("exact") / "conflicting.csv", CONFLICTING, registry)
    return data, fit(data, priors, method="exact", draws=1000, chains=4, seed=3)


def mixture_logpdf(prior, x: np.ndarray) -> np.ndarray:
    """log sum_j w_j Beta(x; a_j, b_j), straight from scipy."""
    return np.log(sum(w * stats.beta.pdf(x, a, b) for w, a, b in prior.components))


def binomial(data, post: xr.Dataset, eta: np.ndarray | None = None) -> np.ndarray:
    """scipy's Binomial log pmf of every study (chain, draw, study); ``eta`` the studies' log-odds if not logit p."""
    k = np.array([s.events for s in data.studies])
    n = np.array([s.total for s in data.studies])
    if eta is None:
        p = np.stack([post[p_name(s.parameter)].values for s in data.studies], axis=-1)
    else:
        p = special.expit(eta)
    return stats.binom.logpmf(k, n, p)


def test_exact_fit_writes_closed_form_log_groups(exact_fit, priors):
    data, tree = exact_fit
    post = tree["posterior"].to_dataset()
    ll = tree["log_likelihood"].to_dataset()
    assert list(ll.data_vars) == ["events"] and ll["events"].dims == ("chain", "draw", "study")
    assert list(ll["study"].values) == [s.label for s in data.studies]
    np.testing.assert_allclose(ll["events"].values, binomial(data, post), rtol=1e-10, atol=1e-10)
    lp = tree["log_prior"].to_dataset()
    assert set(lp.data_vars) == {str(v) for v in post.data_vars}  # every parameter and effect, with data or not
    mixed = [k for k, pr in priors.parameters.items() if pr.robust_weight > 0]
    assert "fusion.improved" in mixed and "fusion.reoperation" in mixed  # with data, and without
    for k in ("fusion.improved", "fusion.reoperation"):
        x = post[p_name(k)].values
        np.testing.assert_allclose(lp[p_name(k)].values, mixture_logpdf(priors.parameters[k], x), rtol=1e-9)
    plain = "medication.deficit_progression"
    assert priors.parameters[plain].robust_weight == 0
    b = priors.parameters[plain]
    np.testing.assert_allclose(
        lp[p_name(plain)].values, stats.beta.logpdf(post[p_name(plain)].values, b.alpha, b.beta), rtol=1e-9
    )
    for e, ep in priors.effects.items():
        x = post[effect_name(e)].values
        np.testing.assert_allclose(lp[effect_name(e)].values, stats.norm.logpdf(x, ep.mu, ep.sd), rtol=1e-9)


def test_log_groups_survive_the_netcdf_round_trip_and_suit_arviz(tmp_path, exact_fit):
    from arviz_stats import loo

    _, tree = exact_fit
    back = load_fit(save_posterior(tree, tmp_path / "post.nc"))
    for group in ("log_likelihood", "log_prior"):
        assert back[group].to_dataset().identical(tree[group].to_dataset()), group
    # arviz reads the pointwise log likelihood: one value per study (leaving out a quantity's only study leaves its
    # prior, so PSIS warns about the Pareto k; only the layout is checked here)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Estimated shape parameter of Pareto", category=UserWarning)
        elpd = loo(back, pointwise=True)
    assert elpd.elpd_i.sizes["study"] == 2 and np.isfinite(elpd.elpd)


def test_mcmc_log_groups_are_pymcs_and_match_the_closed_form(tmp_path, registry, priors):
    """One small fit with random effects (two studies of fusion.improved) and a common-probability quantity."""
    rows = [
        "A,fusion,improved,94,129,2 years,rct,Trial A",
        "B,fusion,improved,150,210,2 years,registry,Registry B",
        "C,medication,deficit_progression,12,40,1 year,cohort,Cohort C",
    ]
    data = studies(tmp_path / "re.csv", rows, registry)
    tree = fit(data, priors, method="mcmc", draws=200, tune=300, chains=2, seed=5, allow_failed=True)
    assert tree.attrs["random_groups"] == "fusion.improved"
    spec = build_spec(data, priors, "random")
    post = tree["posterior"].to_dataset()
    lp = tree["log_prior"].to_dataset()
    ll = tree["log_likelihood"].to_dataset()
    assert set(lp.data_vars) == {str(v) for v in post.data_vars}
    # the prior densities as declared: the whole mixture for the robust prior, no log-odds Jacobian
    closed = log_prior_group(spec, post)
    for name in closed.data_vars:
        np.testing.assert_allclose(lp[name].values, closed[name].values, rtol=0, atol=1e-6, err_msg=str(name))
    k = "fusion.improved"
    x = post[p_name(k)].values
    np.testing.assert_allclose(lp[p_name(k)].values, mixture_logpdf(priors.parameters[k], x), atol=1e-6)
    tau = post[tau_name(k)].values
    np.testing.assert_allclose(lp[tau_name(k)].values, stats.halfnorm.logpdf(tau, scale=0.5), atol=1e-6)
    z = post["z"].transpose("chain", "draw", "re_study")
    np.testing.assert_allclose(lp["z"].transpose("chain", "draw", "re_study").values, stats.norm.logpdf(z), atol=1e-6)
    # the likelihood: logit p + tau z for the two pooled studies, logit p for the third
    eta = np.stack([special.logit(post[p_name(s.parameter)].values) for s in data.studies], axis=-1)
    for r, label in enumerate(z["re_study"].values):
        eta[..., [s.label for s in data.studies].index(str(label))] += tau * z.values[..., r]
    np.testing.assert_allclose(
        ll["events"].transpose("chain", "draw", "study").values, binomial(data, post, eta), atol=1e-6
    )


def test_mcmc_without_random_effects_matches_the_exact_paths_function(tmp_path, registry, priors):
    data = studies(tmp_path / "common.csv", CONFLICTING, registry)
    tree = fit(data, priors, method="mcmc", pooling="none", draws=200, tune=300, chains=2, seed=6, allow_failed=True)
    spec = build_spec(data, priors, "none")
    post = tree["posterior"].to_dataset()
    np.testing.assert_allclose(
        tree["log_likelihood"]["events"].values, common_log_likelihood(spec, post)["events"].values, atol=1e-6
    )


def test_power_sensitivity_uses_the_whole_mixture_prior(exact_fit, registry, priors):
    """Data that conflict with the seed move the robust prior's weight to its flat component, so the posterior no
    longer depends on the seed: the mixture's log prior says so; the seed component alone would call it
    sensitive."""
    from outcomes.voi.sensitivity import PowerSensitivityResult, power_sensitivity

    _, tree = exact_fit
    cov = load_profile(None).covariates()
    mixture = power_sensitivity(tree, registry, cov, 1.0)
    assert isinstance(mixture, PowerSensitivityResult)
    seed_only = tree.copy(deep=True)
    name = p_name("fusion.improved")
    seed = priors.parameters["fusion.improved"].informative
    lp = seed_only["log_prior"].to_dataset()
    lp[name] = lp[name].copy(data=stats.beta.logpdf(tree["posterior"][name].values, seed.alpha, seed.beta))
    seed_only["log_prior"] = lp
    alone = power_sensitivity(seed_only, registry, cov, 1.0)
    m = mixture.table.set_index("quantity").loc["fusion.improved", "prior_sensitivity"]
    s = alone.table.set_index("quantity").loc["fusion.improved", "prior_sensitivity"]
    assert m < mixture.threshold <= s, (m, s)
    html = mixture._repr_html_()
    assert "Power-scaling sensitivity" in html and registry.version in html and "<table" in html


def test_a_posterior_without_the_groups_is_refused_in_one_line(tmp_path, exact_fit, registry, capsys):
    from outcomes.voi.sensitivity import power_sensitivity

    _, tree = exact_fit
    old = xr.DataTree.from_dict(
        {g: tree[g].to_dataset() for g in ("posterior", "prior", "observed_data", "sample_stats")}
    )
    old.attrs.update(tree.attrs)
    path = save_posterior(old, tmp_path / "old.nc")
    with pytest.raises(InputError, match=r"old\.nc: has no log_prior and no log_likelihood group"):
        power_sensitivity(path, registry, load_profile(None).covariates(), 1.0)
    out = tmp_path / "voi"
    code = main(["voi", "--posterior", str(path), "--draws", "300", "--weights", "0:2:3", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "re-run 'outcomes update'" in err[0], err
    assert not out.exists()
