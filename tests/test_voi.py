"""Value of information (GitHub issue 9): EVPI, EVPPI (regression), EVSI, tornado, prior sensitivity, CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy import integrate, stats

from outcomes.declaration import default_model
from outcomes.draws import prior_draws
from outcomes.elicit import elicit
from outcomes.errors import InputError
from outcomes.model import effect_term
from outcomes.profile import load_profile
from outcomes.registry import load_registry
from outcomes.voi import core, regression
from outcomes.voi.command import parse_study_sizes, parse_weights
from outcomes.voi.reference import toy_nb, toy_sample

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


# --- a small model with known answers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy():
    x = toy_sample(4000, np.random.default_rng(0))
    return x, toy_nb(x)


@pytest.fixture(scope="module")
def shipped():
    registry = load_registry()
    # the plain capped Betas: with the robust mixtures (issue 14) the seed view's harms are so uncertain that EVPI
    # keeps rising with the weight up to 5, so the flip-point property below is checked on the plain priors
    priors = elicit(registry, robust=False)
    profile = load_profile(None)
    draws = prior_draws(priors, 2000, 3)
    return registry, priors, profile, core.NetBenefitModel.from_draws(draws, profile.covariates(), priors)


# --- EVPI ------------------------------------------------------------------------------------------------------


def test_evpi_matches_quadrature_two_strategies_one_beta_each():
    (a1, b1), (a2, b2) = (8.0, 12.0), (3.0, 5.0)
    f1 = lambda t: 100 * (t - 0.05)  # noqa: E731 - strategy 1: linear in its own parameter
    f2 = lambda u: 60 * u  # noqa: E731 - strategy 2: linear in another, independent parameter

    def inner(t):  # E_u max(f1(t), f2(u)) for u ~ Beta(a2, b2), in closed form
        c = f1(t)
        u_star = min(max(c / 60, 0.0), 1.0)
        cdf = stats.beta.cdf(u_star, a2, b2)
        tail_mean = a2 / (a2 + b2) * (1 - stats.beta.cdf(u_star, a2 + 1, b2))
        return c * cdf + 60 * tail_mean

    e_max = integrate.quad(lambda t: inner(t) * stats.beta.pdf(t, a1, b1), 0, 1, limit=200)[0]
    exact = e_max - max(f1(a1 / (a1 + b1)), f2(a2 / (a2 + b2)))
    rng = np.random.default_rng(11)
    n = 200_000
    nb = np.column_stack([f1(rng.beta(a1, b1, n)), f2(rng.beta(a2, b2, n))])
    est = regression.evpi(nb)
    assert exact > 1.0
    assert abs(est.value - exact) < 3 * est.se + 1e-9


def test_evpi_curve_peaks_near_the_flip_point(shipped):
    *_, model = shipped
    curve = core.evpi_curve(model, np.linspace(0, 12, 121))
    flips = core.model_flips(model, 12.0)
    assert flips, "the shipped profile has a flip between 0 and 12 (seed view: fusion, then rehabilitation)"
    assert (curve["evpi"] >= 0).all()
    # the curve is the per-weight EVPI of the same draws (with the five-strategy model's wide harm priors EVPI
    # keeps rising with the weight, so where it peaks is a property of the evidence, not of the method)
    for w in (0.0, flips[0]["weight"], 12.0):
        row = curve.iloc[int(np.argmin(np.abs(curve["weight"].to_numpy() - w)))]
        assert row["evpi"] == pytest.approx(regression.evpi(model.nb(float(row["weight"]))).value, rel=1e-9)


# --- EVPPI -----------------------------------------------------------------------------------------------------


def test_evppi_between_zero_and_evpi_and_all_inputs_give_evpi(shipped):
    *_, model = shipped
    w = 1.6  # near the flip: every estimate is far from trivial
    result = core.evppi_table(model, w)
    table, evpi, evpi_se = result.table, result.evpi, result.evpi_se
    assert evpi > 1
    for r in table.itertuples():
        assert r.evppi >= 0
        assert r.evppi <= evpi + 3 * math.hypot(r.se, evpi_se), r.name
    everything = table.set_index("name").loc["all parameters and effects"]
    assert abs(everything.evppi - evpi) <= 3 * everything.se
    # the sources of a parameter are the registry records pooled into it
    row = table.set_index("name").loc["fusion.improved"]
    assert row.sources.split(";") == list(model.priors.parameters["fusion.improved"].sources)


def test_regression_with_all_inputs_reproduces_evpi(toy):
    x, nb = toy
    all_inputs = regression.evppi(nb, x[:, :4])
    evpi = regression.evpi(nb)
    assert abs(all_inputs.value - evpi.value) <= 3 * math.hypot(all_inputs.se, evpi.se) * 0.5 + 0.05 * evpi.value


def test_evppi_of_an_unused_input_is_about_zero(toy, shipped):
    x, nb = toy
    unused = regression.evppi(nb, x[:, 4])
    used = regression.evppi(nb, x[:, 0])
    assert unused.value <= 3 * unused.se + 0.02
    assert used.value > 10 * (unused.value + unused.se)
    # the registry model: fusion.solid_fusion is in no net outcome
    *_, model = shipped
    est = core.evppi_group(model, ["fusion.solid_fusion"], 1.6)
    assert est.value == 0.0 and est.method.startswith("zero")
    # and the plain regression (no model structure) agrees that it is about zero
    plain = core.evppi_group(model, ["fusion.solid_fusion"], 1.6, use_structure=False)
    assert plain.value <= 3 * plain.se + 0.05


@pytest.mark.parametrize("group", [(0, 1), (0, 3), (1, 2, 3)])
def test_group_regression_agrees_with_nested_monte_carlo(toy, group):
    x, nb = toy
    g = list(group)
    rest = [j for j in range(x.shape[1]) if j not in g]
    outer = x[:1500, g]  # the same outer draws for both estimates (common random numbers)

    def nb_fn(gv, rv):
        full = np.empty((gv.shape[0], x.shape[1]))
        full[:, g], full[:, rest] = gv, rv
        return toy_nb(full)

    nested = core.evppi_nested(
        nb_fn, None, lambda k, r: toy_sample(k, r)[:, rest], len(outer), 600, np.random.default_rng(5), outer=outer
    )
    reg = regression.evppi(nb[:1500], outer)
    assert nested.value > 1
    assert abs(reg.value - nested.value) <= 3 * math.hypot(reg.se, nested.se)


def test_single_input_evppi_matches_quadrature():
    a, b = 4.0, 6.0
    f = lambda t: 300 * (t - 0.35) ** 2 - 5  # noqa: E731
    exact = integrate.quad(lambda t: max(0.0, f(t)) * stats.beta.pdf(t, a, b), 0, 1, limit=200)[0] - max(
        0.0, integrate.quad(lambda t: f(t) * stats.beta.pdf(t, a, b), 0, 1)[0]
    )
    rng = np.random.default_rng(2)
    th = rng.beta(a, b, 8000)
    noise = rng.normal(0, 20, th.size)
    est = regression.evppi(np.column_stack([0.3 * noise, f(th) + noise]), th)
    assert abs(est.value - exact) <= 3 * est.se


# --- EVSI ------------------------------------------------------------------------------------------------------


def test_evsi_matches_brute_force_preposterior_on_a_beta_binomial_case():
    a, b, n_draws = 3.0, 7.0, 20000
    rng = np.random.default_rng(4)
    theta = rng.beta(a, b, n_draws)
    g = np.column_stack([np.full(n_draws, 2.0), 100 * (theta - 0.3)])  # E[NB | theta] known exactly
    sizes = [10, 40, 160]
    df = core.evsi_arrays(theta, g, sizes, n_samples=0)
    for r in df.itertuples():
        x = np.arange(r.n + 1)
        post_mean = (a + x) / (a + b + r.n)
        pred = stats.betabinom.pmf(x, r.n, a, b)
        exact = float((pred * np.maximum(2.0, 100 * (post_mean - 0.3))).sum() - max(2.0, 100 * (a / (a + b) - 0.3)))
        assert abs(r.evsi - exact) <= 3 * r.se + 0.01 * exact, (r.n, r.evsi, exact)


def test_evsi_grows_with_study_size_and_stays_below_evppi(shipped):
    *_, model = shipped
    df = core.evsi(model, "fusion_serious_complication_deyo", [10, 25, 50, 100, 200, 400, 1000], weight=7.0)
    assert (df["parameter"] == "fusion.serious_complication").all()
    values = df["evsi"].to_numpy()
    assert np.all(np.diff(values) >= -1e-9)
    assert values[-1] <= df["evppi"].iloc[0] + 1e-9
    assert values[-1] > values[0] > 0
    with pytest.raises(KeyError):
        core.evsi(model, "effect_revision_improvement", [10])  # effects have no binomial study


# --- tornado ---------------------------------------------------------------------------------------------------

_BENEFIT = {
    "fusion.improved",
    "decompression.improved",
    "medication.initial_response_neuropathic",
    "medication.initial_response_other",
    "medication.sustained_response",
    "scs.improved",
    "rehabilitation.improved",
}
_HARM = {
    f"{s}.{o}"
    for s in ("fusion", "decompression")
    for o in ("serious_complication", "minor_complication", "nerve_injury", "reoperation")
} | {
    "medication.side_effects",
    "medication.dizziness",
    "medication.deficit_progression",
    "scs.device_complication",
    "scs.device_revision",
    "scs.reoperation",
    "scs.deficit_progression",
    "rehabilitation.deficit_progression",
}


def test_tornado_directions_follow_the_sign_of_each_effect(shipped):
    registry, _, profile, model = shipped
    cov = profile.covariates()
    df = core.tornado(model, 1.0).table.set_index("name")
    checked = 0
    for e in registry.used_effects:
        lo, hi = e.applies if e.applies else (np.nan, np.nan)
        x = float(effect_term(cov[e.covariate], e.reference, e.per, lo, hi))
        for s in model.strategies:
            targets = [t for t in e.targets if t in model.support[s]]
            delta = df.loc[e.id, f"delta_{s}"]
            if x == 0 or not targets:
                assert abs(delta) < 1e-9, (e.id, s)
                assert e.id not in model.support[s]
                continue
            if all(t in _BENEFIT for t in targets):
                expected = np.sign(x)
            elif all(t in _HARM for t in targets):
                expected = -np.sign(x)
            else:
                continue
            assert np.sign(delta) == expected, (e.id, s, delta)
            checked += 1
    assert checked >= 5
    # parameters: a higher improvement rate helps, a higher complication rate hurts (weight > 0)
    assert df.loc["fusion.improved", "delta_fusion"] > 0
    assert df.loc["fusion.serious_complication", "delta_fusion"] < 0
    assert list(df["swing"]) == sorted(df["swing"], reverse=True)


# --- typed results ---------------------------------------------------------------------------------------------


def test_evppi_result_carries_the_evpi_of_the_same_draws(shipped):
    *_, model = shipped
    w = 1.6
    result = core.evppi_table(model, w, n_samples=0)
    direct = regression.evpi(model.nb(w))  # computed independently of the table, on the same draws
    assert result.evpi == direct.value and result.evpi_se == direct.se
    assert result.weight == w and (result.table["weight"] == w).all()
    # the share column is each EVPPI over that same EVPI
    np.testing.assert_allclose(result.table["share_of_evpi"], result.table["evppi"] / direct.value, rtol=1e-12)
    assert result.time_frame == MODEL.time_frame and result.evidence_version == model.draws.attrs["evidence_version"]
    # the scalars are fields: the table carries none, and a slice or a concatenation has nothing to lose
    assert result.table.attrs == {}
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.evpi = 0.0  # type: ignore[misc]


def test_tornado_result_names_the_two_leading_strategies_and_where_they_cross(shipped):
    *_, model = shipped
    for w in (0.5, 1.0, 3.0):
        result = core.tornado(model, w, names=["fusion.improved", "fusion.serious_complication"])
        means = model.nb(w).mean(axis=0)
        ranked = [model.strategies[i] for i in np.argsort(-means)]
        assert result.pair == (ranked[0], ranked[1]), w
        a, b = (model.strategies.index(s) for s in result.pair)
        assert result.inb_base == pytest.approx(means[a] - means[b], rel=1e-12)
        assert (result.table["inb_base"] == result.inb_base).all()
        # at the flip weight the two expected net outcomes are equal (a closed form: linear in the weight)
        assert math.isfinite(result.flip_base) and result.flip_base >= 0
        at_flip = model.nb(result.flip_base).mean(axis=0)
        assert at_flip[a] == pytest.approx(at_flip[b], abs=1e-9)
        assert result.mass == core.INTERVAL and result.table.attrs == {}
    # the pair and its flip weight do not depend on which inputs are moved (none: an empty table)
    empty = core.tornado(model, 1.0, names=[])
    assert empty.table.empty and empty.pair == core.tornado(model, 1.0, names=["fusion.improved"]).pair


def test_results_show_their_scalars_in_jupyter(shipped):
    from outcomes.wording import DISCLAIMER

    *_, model = shipped
    ev = core.evppi_table(model, 1.6, n_samples=0, groups={"fusion": ("fusion.improved",)})
    page = ev._repr_html_()
    assert f"{ev.evpi:.2f} (± {ev.evpi_se:.2f})" in page and "weight 1.6" in page
    assert "<table" in page and "fusion.improved" in page
    tor = core.tornado(model, 1.0, names=["fusion.improved"])
    page = tor._repr_html_()
    assert f"{tor.pair[0]} ahead of {tor.pair[1]} by {tor.inb_base:.2f}" in page
    assert f"trade places at weight {tor.flip_base:.2f}" in page and "90% interval" in page
    for p in (ev._repr_html_(), page):
        assert MODEL.time_frame in p and model.draws.attrs["evidence_version"] in p and DISCLAIMER in p


# --- prior sensitivity -------------------------------------------------------------------------------------------


def test_cap_sensitivity_rows(shipped):
    registry, _, profile, _ = shipped
    from outcomes.voi.sensitivity import cap_sensitivity

    df = cap_sensitivity(registry, profile.covariates(), 1.0, n_draws=1000, seed=1)
    assert list(df["cap_scale"]) == [1.0, 0.5, 2.0, "none"]
    assert not df["preferred_changed"].iloc[0]
    probs = df[[f"prob_best_{s}" for s in STRATEGIES]].sum(axis=1)
    assert np.allclose(probs, 1.0)
    # halving every cap widens the priors: more to learn
    assert df["evpi"].iloc[1] > df["evpi"].iloc[0]


def hand_tree(priors, data, *, chains=2, draws=1000, seed=0, groups=True):
    """A posterior DataTree as 'outcomes update' writes it (conjugate for the parameters with data), with
    log_prior and log_likelihood groups as arviz needs them when ``groups``."""
    rng = np.random.default_rng(seed)
    post, lp = {}, {}
    for k in PARAMETERS:
        b = priors.parameters[k].informative  # the grade-capped Beta (the robust prior's seed component)
        a_, b_ = b.alpha, b.beta
        if k in data:
            a_, b_ = a_ + data[k][0], b_ + data[k][1] - data[k][0]
        x = np.clip(rng.beta(a_, b_, size=(chains, draws)), 1e-12, 1 - 1e-12)
        name = "p_" + k.replace(".", "__")
        post[name] = xr.Variable(("chain", "draw"), x, {"prior_alpha": b.alpha, "prior_beta": b.beta})
        lp[name] = (("chain", "draw"), stats.beta.logpdf(x, b.alpha, b.beta))
    for e, ep in priors.effects.items():
        x = rng.normal(ep.mu, ep.sd, size=(chains, draws))
        post[f"log_or__{e}"] = xr.Variable(("chain", "draw"), x, {"prior_mu": ep.mu, "prior_sd": ep.sd})
        lp[f"log_or__{e}"] = (("chain", "draw"), stats.norm.logpdf(x, ep.mu, ep.sd))
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    labels = list(data)
    obs = xr.Dataset(
        {"events": ("study", [data[k][0] for k in labels]), "total": ("study", [data[k][1] for k in labels])},
        coords={"study": [f"s{i}" for i in range(len(labels))], "parameter": ("study", labels)},
    )
    tree = {"posterior": xr.Dataset(post, coords=coords), "observed_data": obs}
    if groups:
        ll = np.stack(
            [stats.binom.logpmf(data[k][0], data[k][1], post["p_" + k.replace(".", "__")].values) for k in labels],
            axis=-1,
        )
        tree["log_prior"] = xr.Dataset(lp, coords=coords)
        tree["log_likelihood"] = xr.Dataset(
            {"events": (("chain", "draw", "study"), ll)}, coords={**coords, "study": obs.study.values}
        )
    dt = xr.DataTree.from_dict(tree)
    dt.attrs.update({"evidence_version": priors.version, "diagnostics_status": "ok"})
    return dt


def test_power_scaling_flags_prior_driven_quantities(shipped):
    registry, priors, profile, _ = shipped
    from outcomes.voi.sensitivity import power_sensitivity

    data = {"medication.sustained_response": (300, 600)}
    result = power_sensitivity(hand_tree(priors, data), registry, profile.covariates(), 1.0)
    given = result.table.set_index("quantity")
    # a parameter without data is all prior; one with 600 patients is driven by the likelihood
    assert given.loc["fusion.reoperation", "prior_driven"]
    assert not given.loc["medication.sustained_response", "prior_driven"]
    assert given.loc["medication.sustained_response", "likelihood_sensitivity"] > 0.05
    assert {"nb_fusion", "nb_decompression", "nb_medication"} <= set(given.index)
    assert "fusion.reoperation" in result.prior_driven and result.threshold == 0.05 and result.weight == 1.0
    page = result._repr_html_()
    assert "quantities prior-driven (sensitivity to the prior at least 0.05" in page
    assert result.evidence_version in page and "clinical judgement" in page
    # a posterior without its log_prior/log_likelihood groups (an older file) is refused in one line
    with pytest.raises(InputError, match="re-run 'outcomes update'"):
        power_sensitivity(hand_tree(priors, data, groups=False), registry, profile.covariates(), 1.0)


def test_run_voi_with_a_posterior_file_and_charts(tmp_path, shipped):
    registry, priors, _profile, _ = shipped
    from outcomes.charts.voi import plot_evpi, plot_evppi, plot_evsi, plot_tornado
    from outcomes.update.io import save_posterior
    from outcomes.voi.analysis import run_voi, write_outputs

    path = save_posterior(
        hand_tree(priors, {"fusion.serious_complication": (20, 100)}, draws=400), tmp_path / "post.nc"
    )
    res = run_voi(
        None,
        registry=registry,
        posterior=path,
        weight=1.5,
        weights=np.linspace(0, 3, 7),
        study_sizes=[20, 80],
        n_draws=800,
        caps=False,
    )
    assert res.provenance["origin"] == "posterior" and res.psense is not None
    assert set(res.evsi["n"]) == {20, 80}
    # no table of the analysis carries a scalar in DataFrame.attrs (pandas drops them): they are typed fields
    for name, df in {
        "evpi": res.evpi,
        "evppi": res.evppi.table,
        "evsi": res.evsi,
        "tornado": res.tornado.table,
        "psense": res.psense.table,
    }.items():
        assert df.attrs == {}, name
    assert res.evpi_at_weight == res.evppi.evpi and res.evppi.weight == res.tornado.weight == 1.5
    import matplotlib.pyplot as plt

    from outcomes.charts.common import DISCLAIMER

    for plot in (plot_evpi, plot_evppi, plot_evsi, plot_tornado):
        ax = plot(res)
        assert isinstance(ax, plt.Axes)
        fig = ax.figure
        assert fig._outcomes_stamp["evidence_version"] == registry.version
        assert fig._outcomes_stamp["time_frame"] == "2 years"
        assert DISCLAIMER in fig._outcomes_stamp["text"]
        if plot is plot_evppi:  # the EVPI line is the typed field's value
            assert f"EVPI {res.evppi.evpi:.2f}" in [t.get_text() for t in ax.get_legend().get_texts()]
        if plot is plot_tornado:  # the axis names the tornado's leading pair, and the base line is their difference
            a, b = res.tornado.pair
            assert ax.get_xlabel().startswith(f"{res.short_label(a)} minus {res.short_label(b)}:")
            assert res.tornado.inb_base in [line.get_xdata()[0] for line in ax.get_lines()]
        plt.close(fig)
    out = tmp_path / "out"
    out.mkdir()
    written = write_outputs(res, out)
    assert (out / "voi.csv").is_file() and (out / "power_sensitivity.csv").is_file()
    assert {p.name for p in written} >= {"evpi_by_weight.png", "evppi.svg", "tornado.png", "evsi_by_study_size.png"}


# --- command line ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value",
    [
        ("--weights", "5:1:10"),
        ("--weights", "0:5"),
        ("--weights", "a:b:c"),
        ("--weights", "0:5:1"),
        ("--weights", "-1:5:10"),
        ("--study-sizes", "0,10"),
        ("--study-sizes", "ten"),
        ("--study-sizes", "10,,20"),
        ("--study-sizes", "50,100000"),
    ],
)
def test_bad_voi_options_give_one_line_and_exit_2(tmp_path, capsys, option, value):
    from outcomes.cli import main

    out = tmp_path / "voi"
    rc = main(["voi", f"{option}={value}", "--out", str(out), "--draws", "100"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and f"option {option}" in err[0] and f"'{value}'" in err[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_option_parsers():
    assert np.allclose(parse_weights("0:2:5"), [0, 0.5, 1, 1.5, 2])
    assert parse_study_sizes("400, 50,100,50") == [50, 100, 400]


def test_voi_command_writes_its_folder(tmp_path, capsys):
    from outcomes.cli import main

    out = tmp_path / "voi"
    rc = main(["voi", "--draws", "600", "--weights", "0:3:7", "--study-sizes", "25,100", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {
        "voi.csv",
        "evppi.csv",
        "evpi.csv",
        "evsi.csv",
        "tornado.csv",
        "cap_sensitivity.csv",
        "voi.json",
        "evpi_by_weight.png",
        "evppi.png",
        "tornado.svg",
    } <= names
    import json

    import pandas as pd

    table = pd.read_csv(out / "voi.csv")
    assert {"evpi", "evppi", "evsi", "tornado_low", "tornado_high"} <= set(table["section"])
    assert "EVPI" in capsys.readouterr().out
    # voi.json holds the typed results' scalars; they agree with the EVPI curve's row at the patient's weight 1
    meta = json.loads((out / "voi.json").read_text())
    at_1 = pd.read_csv(out / "evpi.csv").set_index("weight").loc[1.0]
    assert meta["evppi"]["evpi"] == meta["evpi_at_weight"] == pytest.approx(at_1["evpi"], rel=1e-12)
    assert meta["evppi"]["evpi_se"] == meta["evpi_se_at_weight"]
    nb = at_1[[f"nb_{s}" for s in STRATEGIES]].astype(float).sort_values(ascending=False)
    assert meta["tornado"]["pair"] == [k.removeprefix("nb_") for k in nb.index[:2]]
    assert meta["tornado"]["inb_base"] == pytest.approx(nb.iloc[0] - nb.iloc[1], rel=1e-9)
    tornado_csv = pd.read_csv(out / "tornado.csv")
    assert (tornado_csv["pair"] == "/".join(meta["tornado"]["pair"])).all()


def test_report_section_is_short_and_escaped(shipped):
    # its speed (target <= 2 s) is benchmarks/voi.py's report_section_seconds, not a timed test
    from outcomes.pipeline import decide
    from outcomes.voi.analysis import report_section

    d = decide(None, n_draws=1000, n_patients=50, weight=1.6)
    sec = report_section(d)
    assert sec["title"] == "What the answer depends on"
    assert "<table" in sec["html"] and "EVPPI" in sec["html"] and "1.6" in sec["html"]


def test_rank_correlation_matches_scipy():
    from outcomes.voi.core import spearman_matrix

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    x[:, 1] = np.round(x[:, 1], 1)  # ties
    x[:, 2] = x[:, 0] ** 3 + rng.normal(size=400)
    np.testing.assert_allclose(spearman_matrix(x), stats.spearmanr(x).statistic, atol=1e-12)
