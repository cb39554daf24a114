"""outcomes update (issue 5): study data, exact and MCMC posteriors, diagnostics, conflict, save/load, CLI."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import special, stats

from outcomes.cli import main
from outcomes.declaration import default_model
from outcomes.draws import load_posterior_draws
from outcomes.elicit import BetaPrior, elicit
from outcomes.errors import InputError
from outcomes.registry import default_registry_path, load_registry
from outcomes.update import fit, load_studies
from outcomes.update.conflict import CONFLICT_THRESHOLD, conflict_table, tail_probability
from outcomes.update.data import parse_studies
from outcomes.update.diagnostics import ESS_BULK_MIN, RHAT_MAX
from outcomes.update.exact import ExactNotValid, exact_posterior, posterior_beta, posterior_prior
from outcomes.update.io import load_fit, save_posterior
from outcomes.update.spec import build_spec, p_name

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


ROOT = Path(__file__).resolve().parent.parent
HEADER = "study_id,strategy,outcome,events,total,time_frame,design,citation"


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture(scope="session")
def priors(registry, session_cache_dir):
    """Elicited once per session, with the maxent cache in the session's temporary folder (conftest)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTCOMES_CACHE_DIR", str(session_cache_dir))
        return elicit(registry)


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def simple_data(tmp_path):
    """One study per quantity, no covariates: the exact posterior applies."""
    return write_csv(
        tmp_path / "simple.csv",
        [
            "A,fusion,improved,80,100,2 years,rct,Trial A",
            "A,decompression,improved,60,100,2 years,rct,Trial A",
            "B,medication,deficit_progression,12,40,1 year,cohort,Cohort B",
        ],
    )


# --- study data ---------------------------------------------------------------------------------------


def test_example_file_loads_two_studies_per_quantity():
    data = load_studies(ROOT / "studies" / "example_rcts.csv")
    assert {s.study_id for s in data.studies} == {"NORDSTEN-DS", "NORspine-DS-2020"}
    assert set(data.parameters) == {"fusion.improved", "decompression.improved"}
    assert {s.design for s in data.studies} == {"rct", "registry"}
    assert all(len(data.for_parameter(p)) == 2 for p in data.parameters)  # random-effects pooling applies
    assert data.data_hash.startswith("sha256-")


def test_bad_data_file_reports_every_problem(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            "A,fusion,improved,120,100,2 years,rct,Trial A",  # events > total
            "B,surgery,improved,1,10,2 years,rct,Trial B",  # unknown strategy
            "C,fusion,side_effects,1,10,2 years,rct,Trial C",  # outcome of another strategy
            "D,fusion,improved,2.5,10,2 years,rct,Trial D",  # not whole
            "E,fusion,improved,3,10,2 years,survey,Trial E",  # unknown design
            "F,fusion,improved,3,10,,rct,Trial F",  # empty time frame
            "A,fusion,improved,5,10,2 years,rct,Trial A again",  # duplicate study + outcome
            "G,fusion,improved,3,10,2 years,rct",  # too few cells
        ],
    )
    with pytest.raises(InputError) as exc:
        load_studies(path)
    lines = [str(p) for p in exc.value.problems]
    assert len(lines) == 8, lines
    expect = [
        ("row 2 ('A')", "field 'events'", "must not exceed total"),
        ("row 3 ('B')", "field 'strategy'", "allowed: fusion, decompression, medication, population, scs"),
        ("row 4 ('C')", "field 'outcome'", "allowed: improved, solid_fusion, serious_complication"),
        ("row 5 ('D')", "field 'events'", "whole number"),
        ("row 6 ('E')", "field 'design'", "allowed: rct, cohort"),
        ("row 7 ('F')", "field 'time_frame'", "non-empty"),
        ("row 8 ('A')", "field 'study_id'", "duplicate"),
        ("row 9 ('G')", "", "cells"),
    ]
    for line, (where, fld, what) in zip(lines, expect, strict=True):
        assert line.startswith(str(path)) and where in line and fld in line and what in line, line
        assert "\n" not in line


def test_bad_header_and_covariates(tmp_path):
    with pytest.raises(InputError) as exc:
        load_studies(
            write_csv(
                tmp_path / "h.csv",
                ["A,fusion,improved,1,2,2 years,rct"],
                header="study_id,strategy,outcome,events,total,time_frame,design,colour",
            )
        )
    msgs = [str(p) for p in exc.value.problems]
    assert any("field 'colour'" in m and "unknown column" in m for m in msgs)
    assert any("field 'citation'" in m and "missing" in m for m in msgs)
    with pytest.raises(InputError) as exc:
        load_studies(
            write_csv(
                tmp_path / "c.csv", ["A,fusion,improved,1,2,2 years,rct,X,1.5,abc"], header=HEADER + ",instability,age"
            )
        )
    msgs = [str(p) for p in exc.value.problems]
    assert len(msgs) == 2
    assert "field 'instability'" in msgs[0] and "[0, 1]" in msgs[0]
    assert "field 'age'" in msgs[1] and "reference population" in msgs[1]
    with pytest.raises(InputError, match="no study rows"):
        parse_studies(f"# comment\n{HEADER}\n".encode(), "empty.csv")
    with pytest.raises(InputError, match="does not exist"):
        load_studies(tmp_path / "missing.csv")


def test_csv_without_its_header_row_says_so(tmp_path, capsys):
    rows = ["A,fusion,improved,80,100,2 years,rct,Trial A", "B,decompression,improved,60,100,2 years,rct,Trial B"]
    headless = tmp_path / "headless.csv"
    headless.write_text("# counts from two trials\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_studies(headless)
    assert len(exc.value.problems) == 1
    line = str(exc.value)
    assert line.startswith(str(headless)) and "row 2" in line and "the header row is missing" in line
    assert "allowed: a first row naming the columns study_id, strategy, outcome" in line
    out = tmp_path / "post.nc"
    assert main(["update", "--data", str(headless), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the header row is missing" in err[0]
    assert not out.exists()


def test_cli_bad_data_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = write_csv(
        tmp_path / "bad.csv", ["A,fusion,improved,12,10,2 years,rct,X", "B,fusion,improved,-1,10,2 years,rct,X"]
    )
    out = tmp_path / "post.nc"
    assert main(["update", "--data", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("outcomes: error: ") for line in err)
    assert "row 2 ('A')" in err[0] and "row 3 ('B')" in err[1]
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]
    assert main(["update", "--data", str(bad), "--pooling", "partial"]) == 2


# --- exact path ---------------------------------------------------------------------------------------


def test_exact_posterior_is_the_conjugate_beta(simple_data, priors):
    data = load_studies(simple_data)
    tree = fit(data, priors, method="auto", draws=5000, chains=1, seed=3)
    assert tree.attrs["method"] == "exact" and tree.attrs["diagnostics_status"] == "ok"
    assert set(tree.children) == {"posterior", "prior", "observed_data", "sample_stats", "log_likelihood", "log_prior"}
    post = tree["posterior"].to_dataset()
    assert set(post.data_vars) == {p_name(k) for k in PARAMETERS} | {f"log_or__{e}" for e in priors.effects}
    assert post.sizes == {"chain": 1, "draw": 5000}
    fp = priors.parameters["fusion.improved"]  # a robust mixture: each component is updated
    pp = posterior_prior(build_spec(data, priors), "fusion.improved")
    np.testing.assert_allclose([c[1:] for c in pp.components], [(a + 80, b + 20) for _, a, b in fp.components])
    x = post["p_fusion__improved"].values.ravel()
    assert stats.kstest(x, pp.cdf).pvalue > 0.01
    # a plain Beta prior (an assumption) gets the plain conjugate posterior
    se = priors.parameters["medication.deficit_progression"]
    a, b = posterior_beta(build_spec(data, priors), "medication.deficit_progression")
    assert (a, b) == pytest.approx((se.alpha + 12, se.beta + 28))
    assert stats.kstest(post["p_medication__deficit_progression"].values.ravel(), stats.beta(a, b).cdf).pvalue > 0.01
    # a parameter without data keeps its prior
    sp = priors.parameters["fusion.solid_fusion"]
    assert stats.kstest(post["p_fusion__solid_fusion"].values.ravel(), sp.cdf).pvalue > 0.01
    # same seed, same draws; another seed, other draws
    again = fit(data, priors, method="exact", draws=5000, chains=1, seed=3)
    np.testing.assert_array_equal(x, again["posterior"]["p_fusion__improved"].values.ravel())
    other = fit(data, priors, method="exact", draws=5000, chains=1, seed=4)
    assert not np.array_equal(x, other["posterior"]["p_fusion__improved"].values.ravel())


def test_exact_refused_when_not_valid(tmp_path, priors):
    data = load_studies(
        write_csv(
            tmp_path / "re.csv", ["A,fusion,improved,80,100,2 years,rct,X", "B,fusion,improved,50,100,2 years,rct,Y"]
        )
    )
    spec = build_spec(data, priors, "random")
    assert not spec.exact_ok and "random-effects" in spec.exact_reason
    with pytest.raises(ExactNotValid):
        exact_posterior(spec)
    with pytest.raises(InputError, match="'exact' does not apply"):
        fit(data, priors, method="exact", pooling="random")
    assert build_spec(data, priors, "none").exact_ok  # a common effect is conjugate
    shifted = load_studies(
        write_csv(
            tmp_path / "cov.csv", ["A,decompression,improved,80,100,2 years,rct,X,0.4"], header=HEADER + ",instability"
        )
    )
    spec = build_spec(shifted, priors, "none")
    assert not spec.exact_ok and spec.effects == ("effect_instability_decompression",)
    np.testing.assert_allclose(spec.shifts, [[-0.6]])  # (0.4 - reference 1) / per 1
    at_ref = load_studies(
        write_csv(
            tmp_path / "ref.csv", ["A,decompression,improved,80,100,2 years,rct,X,1"], header=HEADER + ",instability"
        )
    )
    assert build_spec(at_ref, priors, "none").exact_ok


# --- conflict -------------------------------------------------------------------------------------------


def test_tail_probability_matches_direct_sum():
    n, a, b = 30, 4.0, 2.5
    pmf = np.array([special.comb(n, k) * special.beta(k + a, n - k + b) / special.beta(a, b) for k in range(n + 1)])
    for k in (0, 5, 20, 30):
        expected = min(1.0, 2 * min(pmf[: k + 1].sum(), pmf[k:].sum()))
        assert tail_probability(k, n, a, b) == pytest.approx(expected, rel=1e-9)


def test_conflict_flag_fires_on_conflicting_data_only(tmp_path, priors):
    prior = priors.parameters["fusion.improved"]
    seed = prior.informative  # the flag is about the seed's (grade-capped) component of the robust prior
    assert seed.mean > 0.85
    conflicting = write_csv(tmp_path / "conflict.csv", ["X,fusion,improved,30,100,2 years,rct,Made-up trial"])
    k = round(seed.mean * 100)
    consistent = write_csv(tmp_path / "consistent.csv", [f"X,fusion,improved,{k},100,2 years,rct,Made-up trial"])
    bad = conflict_table(fit(load_studies(conflicting), priors, seed=1))
    good = conflict_table(fit(load_studies(consistent), priors, seed=1))
    assert bad.loc[0, "conflict"] and bad.loc[0, "tail_p"] < 1e-4
    assert not good.loc[0, "conflict"] and good.loc[0, "tail_p"] > 0.5
    row = bad.iloc[0]
    assert row.prior_mean == pytest.approx(prior.mean) and row.seed_mean == pytest.approx(seed.mean)
    assert row.seed_weight_posterior < 0.01 < good.iloc[0].seed_weight_prior < good.iloc[0].seed_weight_posterior
    assert row.prior_low < row.prior_mean < row.prior_high
    assert row.posterior_mean < row.prior_mean  # the data pull the posterior down
    assert row.events == 30 and row.total == 100 and row.studies == 1
    assert bad.attrs["threshold"] == CONFLICT_THRESHOLD


def test_prior_posterior_chart(tmp_path, priors):
    import matplotlib.pyplot as plt

    from outcomes.charts.prior_posterior import plot_prior_posterior

    data = write_csv(
        tmp_path / "d.csv", ["X,fusion,improved,30,100,2 years,rct,T", "X,decompression,improved,45,100,2 years,rct,T"]
    )
    tree = fit(load_studies(data), priors, seed=2)
    ax = plot_prior_posterior(tree)
    fig = ax.figure
    assert fig._outcomes_stamp["evidence_version"] == priors.version
    assert fig._outcomes_stamp["time_frame"] == "2 years"
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith("conflict") for t in texts) == 1  # fusion conflicts, decompression (44% prior) not
    assert len(ax.get_yticklabels()) == 2
    plt.close(fig)


# --- save / load ---------------------------------------------------------------------------------------


def _assert_same_tree(a: xr.DataTree, b: xr.DataTree) -> None:
    assert set(a.children) == set(b.children)
    assert dict(a.attrs) == dict(b.attrs)
    for g in a.children:
        xr.testing.assert_identical(a[g].to_dataset(), b[g].to_dataset())
        for v in a[g].to_dataset().data_vars:
            assert dict(a[g][v].attrs) == dict(b[g][v].attrs)


def test_netcdf_round_trip_and_draws(tmp_path, simple_data, registry, priors):
    tree = fit(load_studies(simple_data), priors, draws=200, seed=5)
    path = save_posterior(tree, tmp_path / "sub" / "post.nc")
    assert [p.name for p in path.parent.iterdir()] == ["post.nc"]  # no temp file left behind
    back = load_fit(path)
    _assert_same_tree(tree, back)
    for key in ("evidence_version", "data_hash", "diagnostics_status", "method", "sampler", "pooling", "seed"):
        assert key in back.attrs
    draws = load_posterior_draws(path, registry)
    assert draws.attrs["origin"] == "posterior" and draws.attrs["data_hash"] == tree.attrs["data_hash"]
    np.testing.assert_allclose(
        draws["p"].sel(parameter="fusion.improved").values, tree["posterior"]["p_fusion__improved"].values.ravel()
    )
    assert list(draws["log_or"].effect.values) == [e.id for e in registry.used_effects]


def test_posterior_from_another_registry_version_is_refused(tmp_path, simple_data, registry, priors):
    path = save_posterior(fit(load_studies(simple_data), priors, draws=100, seed=5), tmp_path / "post.nc")
    other = tmp_path / "priors"
    shutil.copytree(default_registry_path(), other)
    with open(other / "effects.yaml", "a", encoding="utf-8") as fh:
        fh.write("# an edit changes the evidence version\n")
    other_registry = load_registry(other)
    assert other_registry.version != registry.version
    with pytest.raises(InputError, match="evidence_version"):
        load_posterior_draws(path, other_registry)


def test_atomic_save_keeps_old_file_on_failure(tmp_path, simple_data, priors, monkeypatch):
    tree = fit(load_studies(simple_data), priors, draws=50, seed=5)
    path = save_posterior(tree, tmp_path / "post.nc")
    before = path.read_bytes()

    def boom(self, *args, **kwargs):
        Path(args[0]).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(xr.DataTree, "to_netcdf", boom)
    with pytest.raises(OSError, match="disk full"):
        save_posterior(tree, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.nc", "simple.csv"]


def test_cli_exact_writes_file(tmp_path, simple_data, registry, capsys):
    out = tmp_path / "post.nc"
    assert main(["update", "--data", str(simple_data), "--out", str(out), "--draws", "100", "--seed", "7"]) == 0
    text = capsys.readouterr().out
    assert "Method: exact" in text and "Prior-data conflict" in text and "fusion.improved" in text
    assert "reference population" in text
    assert load_fit(out).attrs["seed"] == 7
    assert load_posterior_draws(out, registry).sizes["draw"] == 400


def test_update_path_modules_do_not_import_pymc():
    code = (
        "import sys\n"
        "import outcomes.update, outcomes.update.command, outcomes.update.conflict, outcomes.update.io\n"
        "import outcomes.update.exact, outcomes.charts.prior_posterior, outcomes.draws\n"
        "from outcomes.cli import build_parser\n"
        "build_parser().parse_args(['update', '--data', 'x.csv'])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pymc', 'arviz', 'pytensor', 'nutpie')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- MCMC -----------------------------------------------------------------------------------------------


def _mc_tolerance(tree: xr.DataTree, var: str, sd: float, z: float = 4.0) -> float:
    """z Monte Carlo standard errors of the posterior mean of ``var`` (sd / sqrt(bulk ESS))."""
    from outcomes.update.diagnostics import compute

    ess = next(r["ess_bulk"] for r in compute(tree).rows if r["name"] == var)
    return z * sd / np.sqrt(ess)


@pytest.mark.slow
def test_mcmc_agrees_with_exact(simple_data, priors):
    data = load_studies(simple_data)
    exact = fit(data, priors, method="exact", draws=2000, chains=2, seed=11)
    mcmc = fit(data, priors, method="mcmc", draws=500, tune=500, chains=4, seed=11, pooling="none")
    assert mcmc.attrs["method"] == "mcmc" and mcmc.attrs["diagnostics_status"] == "ok"
    assert mcmc["posterior"]["p_fusion__improved"].dims == ("chain", "draw")
    assert mcmc["posterior"].sizes["chain"] == 4
    spec = build_spec(data, priors, "none")
    for k in spec.parameters:
        pp = posterior_prior(spec, k)  # Beta or robust Beta mixture, exact
        mean = pp.mean
        sd = np.sqrt(sum(w * a * (a + 1) / ((a + b) * (a + b + 1)) for w, a, b in pp.components) - mean**2)
        var = p_name(k)
        got = float(mcmc["posterior"][var].mean())
        assert abs(got - mean) < _mc_tolerance(mcmc, var, sd), (k, got, mean)
        assert float(mcmc["posterior"][var].std()) == pytest.approx(sd, rel=0.15)
        assert abs(float(exact["posterior"][var].mean()) - mean) < 4 * sd / np.sqrt(4000)
        if pp.robust_weight > 0:  # how much weight the seed kept: MCMC estimate vs closed form
            assert mcmc["posterior"][var].attrs["posterior_seed_weight"] == pytest.approx(pp.components[0][0], abs=0.03)


@pytest.mark.slow
def test_random_effects_recover_simulated_parameters(tmp_path, priors):
    rng = np.random.default_rng(2024)
    true_mu, true_tau, n_studies = 0.4, 0.5, 12
    logits = true_mu + true_tau * rng.normal(size=n_studies)
    totals = rng.integers(150, 400, size=n_studies)
    events = rng.binomial(totals, special.expit(logits))
    rows = [
        f"S{i},decompression,minor_complication,{k},{n},2 years,cohort,simulated"
        for i, (k, n) in enumerate(zip(events, totals, strict=True))
    ]
    data = load_studies(write_csv(tmp_path / "sim.csv", rows))
    # a flat prior on the centre, so the test checks the likelihood and the pooling, not the registry's prior
    flat = dataclasses.replace(
        priors, parameters={**priors.parameters, "decompression.minor_complication": BetaPrior(1.0, 1.0, ("flat",))}
    )
    # the default 2000 draws per chain: at 1000 the R-hat gate (1.01) is marginal for tau (update/__init__.py)
    tree = fit(data, flat, pooling="random", method="auto", draws=2000, tune=1000, seed=3)
    assert tree.attrs["method"] == "mcmc" and tree.attrs["random_groups"] == "decompression.minor_complication"
    post = tree["posterior"]
    centre = special.logit(post["p_decompression__minor_complication"].values.ravel())
    tau = post["tau_decompression__minor_complication"].values.ravel()
    assert abs(centre.mean() - true_mu) < 3 * centre.std(), (centre.mean(), centre.std())
    assert abs(tau.mean() - true_tau) < 3 * tau.std(), (tau.mean(), tau.std())
    assert np.quantile(tau, 0.05) > 0.1  # heterogeneity is detected, not shrunk to zero
    # the study deviations recover the simulated study logits
    study_logit = (
        special.logit(post["p_decompression__minor_complication"])
        + post["tau_decompression__minor_complication"] * post["z"]
    )
    est = study_logit.mean(("chain", "draw")).values
    assert np.corrcoef(est, logits)[0, 1] > 0.8


@pytest.mark.slow
def test_diagnostics_gate_and_override(tmp_path, registry, priors, capsys):
    from outcomes.update.diagnostics import DiagnosticsError

    path = ROOT / "studies" / "example_rcts.csv"
    data = load_studies(path)
    with pytest.raises(DiagnosticsError) as exc:
        fit(data, priors, draws=15, tune=15, chains=2, seed=1)
    assert isinstance(exc.value, RuntimeError) and "bulk ESS" in str(exc.value)
    tree = fit(data, priors, draws=15, tune=15, chains=2, seed=1, allow_failed=True)
    status = tree.attrs["diagnostics_status"]
    assert status.startswith("failing: ") and "bulk ESS" in status
    saved = save_posterior(tree, tmp_path / "failing.nc")
    with pytest.raises(InputError, match="diagnostics"):
        load_posterior_draws(saved, registry)
    draws = load_posterior_draws(saved, registry, allow_failed=True)
    assert draws.attrs["diagnostics_status"].startswith("failing")
    # the CLI: a failing fit writes nothing without --allow-failed, and is stamped with it
    out = tmp_path / "cli.nc"
    assert main(["update", "--data", str(path), "--draws", "10", "--out", str(out)]) == 1
    assert not out.exists() and "nothing written" in capsys.readouterr().err
    assert main(["update", "--data", str(path), "--draws", "10", "--out", str(out), "--allow-failed"]) == 0
    assert load_fit(out).attrs["diagnostics_status"].startswith("failing: ")


@pytest.mark.slow
def test_example_mcmc_round_trip(tmp_path, registry, priors):
    tree = fit(load_studies(ROOT / "studies" / "example_rcts.csv"), priors, seed=8)
    assert tree.attrs["method"] == "mcmc" and tree.attrs["diagnostics_status"] == "ok"
    post = tree["posterior"].to_dataset()
    assert {"tau_fusion__improved", "tau_decompression__improved", "z"} <= set(post.data_vars)
    assert set(tree.children) == {"posterior", "prior", "observed_data", "sample_stats", "log_likelihood", "log_prior"}
    path = save_posterior(tree, tmp_path / "post.nc")
    _assert_same_tree(tree, load_fit(path))
    draws = load_posterior_draws(path, registry)
    assert draws.sizes["draw"] == 8000
    table = conflict_table(tree)
    assert table.conflict.all()  # the trials disagree with both seed records
    # the robust prior lets the data win: the seed keeps little weight
    assert (table.seed_weight_posterior < table.seed_weight_prior).all()


@pytest.mark.slow
def test_pymc_and_nutpie_samplers_agree(priors):
    data = load_studies(ROOT / "studies" / "example_rcts.csv")
    trees = {
        s: fit(data, priors, draws=1500, tune=1000, seed=4, sampler=s, allow_failed=True) for s in ("pymc", "nutpie")
    }
    assert {t.attrs["sampler"] for t in trees.values()} == {"pymc", "nutpie"}
    # The comparison needs converged chains; the random-effects funnel with two studies per quantity may still give
    # a handful of divergent transitions at one seed (PyMC: 2 of 6000 at seed 4 with the priors of the locked
    # PreliZ 0.28), which the gate rightly flags but which do not bias the means compared here.
    for s, t in trees.items():
        assert t.attrs["max_rhat"] <= RHAT_MAX and t.attrs["min_ess_bulk"] >= ESS_BULK_MIN, (s, t.attrs)
        n_transitions = t["posterior"].sizes["chain"] * t["posterior"].sizes["draw"]
        assert t.attrs["divergences"] <= 0.001 * n_transitions, (s, t.attrs["diagnostics_status"])
    for var in ("p_fusion__improved", "p_decompression__improved", "tau_fusion__improved"):
        a, b = (trees[s]["posterior"][var].values.ravel() for s in ("pymc", "nutpie"))
        se = np.hypot(
            _mc_tolerance(trees["pymc"], var, a.std(), z=1.0), _mc_tolerance(trees["nutpie"], var, b.std(), z=1.0)
        )
        assert abs(a.mean() - b.mean()) < 4 * se, (var, a.mean(), b.mean(), se)


def test_shipped_real_registry_study_overrules_the_seed_evidence(tmp_path, registry, priors, capsys):
    """The cited NORspine counts (68% vs 72% improved) flag the seed's fusion improvement prior as conflicting and,
    once fitted, close the seed's gap between fusion and decompression alone."""
    from outcomes.pipeline import decide

    data = ROOT / "studies" / "norwegian_registry_2020.csv"
    studies = load_studies(data)
    assert {(s.strategy, s.outcome, s.events, s.total) for s in studies.studies} == {
        ("fusion", "improved", 155, 215),
        ("decompression", "improved", 150, 219),
    }
    post = tmp_path / "post.nc"
    assert main(["update", "--data", str(data), "--out", str(post), "--draws", "1000"]) == 0
    printed = capsys.readouterr().out
    assert "Method: exact" in printed and printed.count("CONFLICT") >= 1
    assert any("fusion.improved" in ln and "CONFLICT" in ln for ln in printed.splitlines())
    before = decide(None, registry=registry, n_draws=2000, seed=1, prior_only=True).summary  # the seed view
    after = decide(None, registry=registry, posterior=post, n_draws=2000, seed=1).summary
    gap = lambda s: s.rate("fusion", "improved")["mean"] - s.rate("decompression", "improved")["mean"]  # noqa: E731
    assert gap(after) < gap(before) - 0.2
