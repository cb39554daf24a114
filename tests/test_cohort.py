"""Whole cohorts (issue 16): ``outcomes cohort`` and ``outcomes.cohort``.

* the batch adapter equals ``model.expected_outcomes`` for single profiles, and the cohort's covariates equal
  ``Profile.covariates()`` row by row;
* Done-when: on a 10,000-row synthetic cohort, sampled rows give the same numbers as the one-profile path
  (``pipeline.compare``'s draws, exact expectations, ``summarize.summarize``, ``model.net_benefit``,
  ``voi.regression.evpi``);
* a two-worker ``LocalCluster`` gives the identical result to the local scheduler;
* every malformed row is reported at once (row and field), exit 2, nothing written; a zero-row cohort is refused;
* an interrupted run leaves no result; the summary counts the result's preferred options.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outcomes.cli import main
from outcomes.cohort import inputs, run, summaries
from outcomes.cohort.adapter import decision_arrays, decision_model, expected_batch
from outcomes.cohort.synth import synthesize, write_synthetic
from outcomes.declaration import default_model
from outcomes.errors import InputError
from outcomes.model import benefit_rate, expected_outcomes, harm_score, net_benefit
from outcomes.pipeline import compare
from outcomes.profile import Profile, load_profile, parse_profile
from outcomes.summarize import flip_points, summarize
from outcomes.voi import regression

ROOT = Path(__file__).resolve().parent.parent
DRAWS = 200
SEED = 3
MODEL = default_model()
STRATEGIES = tuple(MODEL.strategies)


def _profile(row: pd.Series) -> Profile:
    """The profile of one cohort row, built through ``parse_profile`` (the one-profile path's validation)."""
    data = {"label": f"row {row.name}"}
    for name, f in MODEL.fields.items():
        if name not in row.index:
            continue
        v = row[name]
        if f.type == "int":
            v = int(v)
        elif f.type == "bool":
            v = str(v).lower() in ("true", "1")
        elif f.type == "list":
            v = [t for t in str(v).split(";") if t]
        data[name] = v
    return parse_profile(data, model=MODEL)


@pytest.fixture(scope="module")
def draws():
    return run.cohort_draws(None, None, n_draws=DRAWS, seed=SEED).draws


# --- the batch adapter and the covariates ------------------------------------------------------------------


def test_batch_adapter_equals_expected_outcomes_for_single_profiles(draws):
    profiles = [load_profile(), load_profile(ROOT / "profiles" / "stable_first_revision.yaml")]
    cohort = synthesize(40, seed=5)
    profiles += [_profile(r) for _, r in cohort.iterrows()]
    covs = [p.covariates() for p in profiles]
    batch = {c: np.array([cv[c] for cv in covs]) for c in covs[0]}
    got = expected_batch(draws, MODEL, batch)  # (draw, patient, strategy, outcome)
    assert got.shape == (DRAWS, len(profiles), len(STRATEGIES), len(MODEL.outcomes))
    for k, prof in enumerate(profiles):
        want = expected_outcomes(draws, prof).values
        np.testing.assert_allclose(got[:, k], want, rtol=1e-12, atol=1e-15, equal_nan=True)
        one = expected_batch(draws, MODEL, {c: np.array([v]) for c, v in covs[k].items()})[:, 0]
        np.testing.assert_allclose(one, want, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_decision_arrays_are_the_models_benefit_and_weighted_harm(draws):
    prof = load_profile()
    rate = expected_outcomes(draws, prof)
    rates = expected_batch(draws, MODEL, {c: np.array([v]) for c, v in prof.covariates().items()})
    benefit, harm = decision_arrays(rates, MODEL)  # (strategy, patient, draw)
    assert benefit.flags.c_contiguous and harm.flags.c_contiguous
    want_b = benefit_rate(rate, MODEL).transpose("strategy", "draw").values
    want_h = harm_score(rate, MODEL).transpose("strategy", "draw").values
    np.testing.assert_allclose(benefit[:, 0], want_b, rtol=1e-12)
    np.testing.assert_allclose(harm[:, 0], want_h, rtol=1e-12)
    # the model reduced to the decision's outcomes and the events they depend on gives the same numbers
    reduced = decision_model(MODEL)
    assert sum(len(st.events) for st in reduced.strategies.values()) < MODEL.n_events
    b2, h2 = decision_arrays(
        expected_batch(draws, reduced, {c: np.array([v]) for c, v in prof.covariates().items()}), reduced
    )
    np.testing.assert_allclose(b2, benefit, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h2, harm, rtol=1e-12, atol=1e-15)
    assert MODEL.other_harms  # the shipped decision weighs a minor harm too: the harm is not one outcome
    assert not np.allclose(harm[:, 0], rate.sel(outcome=MODEL.harm).transpose("strategy", "draw").values)


def test_cohort_covariates_equal_profile_covariates_row_by_row():
    cohort = synthesize(300, seed=11)
    frame = pd.read_csv(_to_csv(cohort), dtype=str, keep_default_na=False)
    checked = inputs.check_block(frame, MODEL)
    assert checked.n_problems == 0
    cov = inputs.covariates(checked.values, MODEL)
    for i, row in frame.iterrows():
        want = _profile(row).covariates()
        assert {c: cov[c][i] for c in want} == want


def test_required_columns_are_the_models_covariate_fields():
    required = inputs.required_fields(MODEL)
    assert required == tuple(MODEL.covariates) and len(required) >= 5
    assert not [name for name in required if not MODEL.fields[name].is_covariate]
    assert [name for name, f in MODEL.fields.items() if not f.is_covariate]  # optional columns exist
    assert "label" not in required


def test_subgroups_come_from_the_covariate_fields():
    groups = {g.name: g for g in run.subgroups_for(MODEL)}
    assert list(groups) == list(MODEL.covariates)
    for name, g in groups.items():
        f = MODEL.fields[name]
        if f.type == "bool":
            assert g.levels == ("no", "yes")
        elif f.type == "choice":
            assert g.levels == f.levels
        lo, hi = f.value_range()
        if f.type == "int" and hi - lo + 1 > run.MAX_LEVELS:  # banded: every declared value falls in one band
            assert 1 < len(g.levels) <= run.MAX_BANDS + 1
            lv = g.level_of(pd.Series(np.arange(lo, hi + 1)), f)
            assert set(lv) == set(g.levels) and list(dict.fromkeys(lv)) == list(g.levels)
    with pytest.raises(InputError, match="argument subgroups: got no_such_field; allowed: covariate fields"):
        run.subgroups_for(MODEL, ["no_such_field"])
    with pytest.raises(InputError, match="option --subgroups"):
        run.subgroups_for(MODEL, ["no_such_field"], cli=True)


def test_flip_weights_equal_summarize_flip_points():
    rng = np.random.default_rng(0)
    imp, harm = rng.random((2000, len(STRATEGIES))), rng.random((2000, len(STRATEGIES)))
    w_max = np.full(2000, 5.0)
    flips = summaries.flip_weights(imp, harm, w_max)
    n_two = 0
    for i in range(2000):
        want = flip_points(dict(zip(STRATEGIES, imp[i], strict=True)), dict(zip(STRATEGIES, harm[i], strict=True)), 5.0)
        got_w = flips.weight[i][~np.isnan(flips.weight[i])]
        assert len(got_w) == len(want)
        n_two += len(want) >= 2
        for k, f in enumerate(want):
            assert got_w[k] == pytest.approx(f["weight"], rel=1e-12)
            assert STRATEGIES[flips.from_[i, k]] == f["from"] and STRATEGIES[flips.to[i, k]] == f["to"]
        # each strategy's preferred range is bounded by those flips
        best0 = max(range(len(STRATEGIES)), key=lambda s: (imp[i, s], -s))
        assert flips.preferred_low[i, best0] == 0.0
    assert n_two > 10  # the case with two flips is exercised


# --- Done when: the cohort equals the one-profile path on the same draws --------------------------------------


def _to_csv(frame: pd.DataFrame, path: Path | None = None) -> Path:
    import tempfile

    path = path or Path(tempfile.mkdtemp()) / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def big_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort10k")
    cohort = synthesize(10_000, seed=7)
    rng = np.random.default_rng(1)
    cohort["weight"] = np.round(rng.uniform(0, 3, len(cohort)), 3)
    cohort["weight_strict"] = np.round(rng.uniform(2, 6, len(cohort)), 3)
    path = _to_csv(cohort, folder / "cohort.csv")
    result = run.run_cohort(path, folder / "result.parquet", n_draws=DRAWS, seed=SEED, chunk_size=1500)
    return cohort, result, pd.read_parquet(result.out)


def _harm_interval(rate, st: str) -> tuple[float, float]:
    h = harm_score(rate, MODEL).sel(strategy=st).values
    lo, hi = np.quantile(h, [0.05, 0.95])
    return float(lo), float(hi)


def test_cohort_equals_the_one_profile_path_on_sampled_rows(big_run):
    """Done when: for sampled rows of a 10,000-row synthetic cohort, every per-patient number equals the one-profile
    path on the same draws (``compare(...).draws``, ``expected_outcomes``, ``summarize``, ``net_benefit``)."""
    cohort, result, table = big_run
    assert result.n_patients == 10_000 and len(table) == 10_000 * len(STRATEGIES)
    rows = np.random.default_rng(2).choice(len(cohort), size=5, replace=False)
    close = {"rel": 1e-10, "abs": 1e-10}
    for r in rows:
        row = cohort.iloc[r]
        prof = _profile(row)
        decision = compare(prof, n_draws=DRAWS, seed=SEED, weight=float(row["weight"]))
        rate = expected_outcomes(decision.draws, prof)  # exact expectations on both sides
        s = summarize(rate, weight=float(row["weight"]), model=MODEL)
        mine = table[table.patient == r + 1].set_index("strategy").loc[list(STRATEGIES)]
        assert (mine.patient_id == row["patient_id"]).all()
        assert mine.preferred.iloc[0] == s.preferred
        assert mine.is_preferred.sum() == 1 and mine.is_preferred[s.preferred]
        for st in STRATEGIES:
            m = mine.loc[st]
            want = s.rate(st, MODEL.benefit)
            assert m.benefit_per100 == pytest.approx(100 * want["mean"], **close)
            assert (m.benefit_low, m.benefit_high) == pytest.approx((100 * want["low"], 100 * want["high"]), **close)
            harm = harm_score(rate, MODEL).sel(strategy=st).values
            assert m.harm_per100 == pytest.approx(100 * harm.mean(), **close)
            assert (m.harm_low, m.harm_high) == pytest.approx(tuple(100 * v for v in _harm_interval(rate, st)), **close)
            assert m.net_per100 == pytest.approx(100 * s.expected_net[st], **close)
            assert (m.net_low, m.net_high) == pytest.approx(tuple(100 * v for v in s.net_interval[st]), **close)
            assert m.p_best == pytest.approx(s.prob_best_at_weight[st], abs=1e-12)
        flips = [
            (mine[f"flip_{k}_weight"].iloc[0], mine[f"flip_{k}_to"].iloc[0])
            for k in range(1, len(STRATEGIES))
            if not np.isnan(mine[f"flip_{k}_weight"].iloc[0])
        ]
        assert [(pytest.approx(f["weight"], rel=1e-10), f["to"]) for f in s.flips] == flips
        for col, w in (("weight", row["weight"]), ("weight_strict", row["weight_strict"])):
            nb = net_benefit(rate, MODEL, float(w)).transpose("draw", "strategy").values
            est = regression.evpi(nb)
            suffix = "" if col == "weight" else f"_at_{col}"
            assert mine[f"evpi_per100{suffix}"].iloc[0] == pytest.approx(est.value, **close)
            if col == "weight":
                assert mine.evpi_se.iloc[0] == pytest.approx(est.se, **close)
            else:
                s2 = summarize(rate, weight=float(w), model=MODEL)
                assert mine[f"preferred_at_{col}"].iloc[0] == s2.preferred
                for st in STRATEGIES:
                    assert mine.loc[st, f"p_best_at_{col}"] == pytest.approx(s2.prob_best_at_weight[st], abs=1e-12)
                    assert mine.loc[st, f"net_per100_at_{col}"] == pytest.approx(100 * s2.expected_net[st], **close)


@pytest.mark.parametrize("options", [{}, {"prior_only": True}, {"data": None}])
def test_cohort_draws_are_compares_draws(options):
    mine = run.cohort_draws(None, None, n_draws=DRAWS, seed=SEED, **options)
    decision = compare(None, n_draws=DRAWS, seed=SEED, **options)
    assert mine.evidence == decision.evidence
    assert np.array_equal(mine.draws["p"].values, decision.draws["p"].values)
    assert np.array_equal(mine.draws["log_or"].values, decision.draws["log_or"].values)


def test_the_default_is_the_trial_updated_view_and_prior_only_the_seed_view(tmp_path):
    path = _to_csv(synthesize(40, seed=4), tmp_path / "c.csv")
    a = run.run_cohort(path, tmp_path / "a.parquet", n_draws=100, seed=1)
    b = run.run_cohort(path, tmp_path / "b.parquet", n_draws=100, seed=1, prior_only=True)
    assert (a.provenance["evidence"], b.provenance["evidence"]) == ("trials", "seed")
    assert a.provenance["data_file"].endswith(".csv") and not b.provenance["data_file"]
    ta, tb = pd.read_parquet(a.out), pd.read_parquet(b.out)
    assert not np.allclose(ta.benefit_per100, tb.benefit_per100)
    assert "SEED VIEW" in run.format_summary(b)
    assert a.provenance["benefit_per100"] == MODEL.benefit
    assert a.provenance["harm_per100"]["outcomes"] == {MODEL.harm: 1.0, **MODEL.other_harms}


def test_summary_counts_the_results_preferred_options(big_run):
    _, result, table = big_run
    per_patient = table.drop_duplicates("patient")
    s = result.summary.set_index(["subgroup", "level"])
    overall = s.loc[(run.ALL, "all")]
    assert overall.n_patients == 10_000
    shares = per_patient.preferred.value_counts(normalize=True)
    for st in STRATEGIES:
        assert overall[f"share_{st}"] == pytest.approx(shares.get(st, 0.0), abs=1e-12)
    assert overall.mean_evpi_per100 == pytest.approx(per_patient.evpi_per100.mean(), rel=1e-9)
    flag = next(n for n, f in MODEL.covariates.items() if f.type == "bool")
    without = per_patient[~per_patient[flag]]
    assert s.loc[(flag, "no")].n_patients == len(without)
    for st in STRATEGIES:
        want = (without.preferred == st).mean()
        assert s.loc[(flag, "no"), f"share_{st}"] == pytest.approx(want, abs=1e-12)
    for subgroup in MODEL.covariates:
        assert s.loc[subgroup].n_patients.sum() == 10_000
    share_cols = [f"share_{st}" for st in STRATEGIES]
    np.testing.assert_allclose(s[share_cols].sum(axis=1), 1.0, rtol=1e-12)
    on_disk = pd.read_csv(result.summary_file)
    assert result.summary_file.name == "result_summary.csv"
    assert (on_disk.evidence_version == result.provenance["evidence_version"]).all()
    assert set(on_disk.subgroup_label) == {run.ALL} | {f.plain for f in MODEL.covariates.values()}
    assert "support, not replace, clinical judgement" in (result.out / "_provenance.json").read_text()


def test_result_is_partitioned_parquet(big_run):
    _, result, table = big_run
    parts = sorted(result.out.glob("*.parquet"))
    assert len(parts) == result.n_partitions >= 7  # 10,000 rows in slices of 1,500
    assert table.patient.min() == 1 and table.patient.max() == 10_000
    assert not list(result.out.parent.glob(".result.parquet.tmp-*"))


# --- Dask: a two-worker cluster gives the identical result ---------------------------------------------------


@pytest.mark.slow
def test_local_cluster_result_is_identical_to_the_local_scheduler(tmp_path):
    from distributed import LocalCluster

    cohort = synthesize(1_200, seed=9)
    path = _to_csv(cohort, tmp_path / "cohort.csv")
    local = run.run_cohort(path, tmp_path / "local.parquet", n_draws=200, seed=1, chunk_size=250)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        remote = run.run_cohort(
            path, tmp_path / "cluster.parquet", n_draws=200, seed=1, chunk_size=250, scheduler=cluster.scheduler_address
        )
    a, b = pd.read_parquet(local.out), pd.read_parquet(remote.out)
    assert len(a) == 1_200 * len(STRATEGIES)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(local.summary, remote.summary, check_exact=True)
    assert sorted(p.name for p in local.out.iterdir()) == sorted(p.name for p in remote.out.iterdir())


def test_an_unreachable_scheduler_is_an_input_error(tmp_path, capsys):
    path = _to_csv(synthesize(5), tmp_path / "c.csv")
    code = main(["cohort", str(path), "--out", str(tmp_path / "r.parquet"), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "option --scheduler tcp://127.0.0.1:9: cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "r.parquet").exists()


# --- the command line ----------------------------------------------------------------------------------------


def test_command_writes_result_and_summary(tmp_path, capsys):
    cohort = tmp_path / "cohort.csv"
    assert main(["cohort", "--synthesize", "300", "--out", str(cohort), "--seed", "4"]) == 0
    out = tmp_path / "res.parquet"
    assert main(["cohort", str(cohort), "--out", str(out), "--draws", "100", "--chunk-size", "120"]) == 0
    text = capsys.readouterr().out
    assert "Decision summaries for 300 patients" in text and "(3 parts)" in text
    assert "evidence version" in text and "support, not replace, clinical judgement" in text
    for st in STRATEGIES:
        assert MODEL.short_label(st) in text
    table = pd.read_parquet(out)
    assert len(table) == 300 * len(STRATEGIES)
    assert (tmp_path / "res_summary.csv").is_file()
    # the same cohort as Parquet gives the same result
    pq = tmp_path / "cohort.parquet"
    assert main(["cohort", "--synthesize", "300", "--out", str(pq), "--seed", "4"]) == 0
    assert (
        main(["cohort", str(pq), "--out", str(tmp_path / "res2.parquet"), "--draws", "100", "--chunk-size", "120"]) == 0
    )
    pd.testing.assert_frame_equal(table, pd.read_parquet(tmp_path / "res2.parquet"), check_exact=True)


def test_synthetic_cohort_is_valid_seeded_and_correlated():
    a, b = synthesize(20_000, seed=1), synthesize(20_000, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(synthesize(20_000, seed=2))
    frame = pd.read_csv(_to_csv(a), dtype=str, keep_default_na=False)
    assert inputs.check_block(frame, MODEL).n_problems == 0
    # instability grows with earlier operations; smoking falls with age; falls follow a progressive deficit
    by_ops = a.groupby(a.prior_surgeries.clip(upper=3)).instability.mean()
    assert by_ops.is_monotonic_increasing and by_ops.iloc[-1] - by_ops.iloc[0] > 0.3
    assert a[a.age < 55].smoker.mean() > a[a.age >= 70].smoker.mean() + 0.1
    assert (a[a.progressive_deficit].falls != "none").mean() > (a[~a.progressive_deficit].falls != "none").mean() + 0.3
    assert 55 <= a.age.mean() <= 70 and (a.prior_surgeries >= 1).mean() > 0.85


def test_synthesize_refuses_a_bad_output_name(tmp_path, capsys):
    assert main(["cohort", "--synthesize", "10", "--out", str(tmp_path / "c.txt")]) == 2
    err = capsys.readouterr().err
    assert "option --out" in err and "allowed: a file name ending in .csv or .parquet" in err
    with pytest.raises(InputError, match="argument n: got 0; allowed: a whole number from 1"):
        write_synthetic(0, tmp_path / "c.csv")
    with pytest.raises(InputError, match=r"argument out .*c\.txt: allowed: a file name ending in \.csv"):
        write_synthetic(10, tmp_path / "c.txt")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_library_errors_name_the_arguments_of_run_cohort(tmp_path):
    cohort = _to_csv(synthesize(5), tmp_path / "c.csv")
    with pytest.raises(InputError, match="argument chunk_size: got 0"):
        run.run_cohort(cohort, tmp_path / "out", chunk_size=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"argument out .*file: is a file; allowed: a folder"):
        run.run_cohort(cohort, tmp_path / "file", n_draws=20)


# --- bad input -----------------------------------------------------------------------------------------------


def _bad_cohort(tmp_path: Path) -> Path:
    frame = synthesize(12, seed=3).astype(str)
    frame.loc[1, "age"] = "130"  # out of range (row 2)
    frame.loc[3, "falls"] = "often"  # not an allowed choice (row 4)
    frame.loc[4, "smoker"] = ""  # missing (row 5)
    frame.loc[6, "prior_surgeries"] = "two"  # wrong type (row 7)
    frame.loc[8, "instability"] = "maybe"  # wrong type (row 9)
    frame["weight"] = "1"
    frame.loc[10, "weight"] = "-1"  # out of range (row 11)
    frame["favourite_colour"] = "blue"  # unknown column
    return _to_csv(frame, tmp_path / "bad.csv")


def test_every_malformed_row_is_reported_at_once(tmp_path, capsys):
    path = _bad_cohort(tmp_path)
    out = tmp_path / "r.parquet"
    assert main(["cohort", str(path), "--out", str(out), "--draws", "50"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith("outcomes: error: ") for line in err)
    assert any("field 'favourite_colour': unknown column; allowed:" in line for line in err)
    assert not out.exists()
    # with the unknown column removed, every bad row is listed with its row number and field
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="favourite_colour")
    frame.to_csv(path, index=False)
    assert main(["cohort", str(path), "--out", str(out), "--draws", "50"]) == 2
    err = capsys.readouterr().err
    for where, fld, allowed in (
        ("row 2", "age", "a whole number from 18 to 100"),
        ("row 4", "falls", "one of none, occasional, frequent"),
        ("row 5", "smoker", "is missing; allowed: true or false"),
        ("row 7", "prior_surgeries", "a whole number from 0 to 6"),
        ("row 9", "instability", "true or false"),
        ("row 11", "weight", "a number from 0 to 100"),
    ):
        assert f"{path}: {where}: field '{fld}': " in err and allowed in err, (where, err)
    assert len(err.strip().splitlines()) == 6
    assert not out.exists() and not list(tmp_path.glob(".r.parquet*"))


def test_allowed_values_are_the_profiles():
    """The messages quote the declaration's own ranges and choices (not a copy): change one, the message follows."""
    lo, hi = MODEL.fields["age"].min, MODEL.fields["age"].max
    frame = pd.DataFrame({c: ["x"] for c in inputs.required_fields(MODEL)})
    frame["age"] = [str(int(hi) + 1)]
    problems = inputs.check_block(frame, MODEL).problems
    assert any(f == "age" and f"from {lo:g} to {hi:g}" in m for _, f, m in problems)


def test_missing_columns_and_too_many_problems_are_capped(tmp_path, capsys):
    frame = synthesize(60, seed=3).astype(str).drop(columns="diabetes")
    path = _to_csv(frame, tmp_path / "c.csv")
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    assert "field 'diabetes': column is missing; allowed: true or false" in capsys.readouterr().err
    frame = synthesize(60, seed=3).astype(str)
    frame["age"] = "old"
    frame["smoker"] = ""
    path = _to_csv(frame, tmp_path / "c.csv")
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == inputs.MAX_LISTED + 1
    assert lines[0].endswith("row 1: field 'age': got 'old'; allowed: a whole number from 18 to 100")
    assert lines[1].endswith("row 1: field 'smoker': is missing; allowed: true or false (or 1/0)")
    assert lines[-1].endswith("... and 100 more problems (120 in all)")


def test_bad_rows_in_parquet_with_native_types(tmp_path, capsys):
    frame = synthesize(8, seed=3)
    frame["age"] = frame["age"].astype(float)
    frame.loc[2, "age"] = np.nan
    frame.loc[5, "age"] = 61.5
    frame["smoker"] = frame["smoker"].astype(object)
    frame.loc[3, "smoker"] = None
    path = tmp_path / "c.parquet"
    frame.to_parquet(path, index=False)
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    err = capsys.readouterr().err
    assert "row 3: field 'age': is missing" in err
    assert "row 6: field 'age': got 61.5; allowed: a whole number from 18 to 100" in err
    assert "row 4: field 'smoker': is missing" in err


def test_zero_row_cohort_and_missing_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(synthesize(1).columns) + "\n")
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    assert "has no patient rows (a header only)" in capsys.readouterr().err
    assert main(["cohort", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.parquet")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "blank.csv").write_text("")
    assert main(["cohort", str(tmp_path / "blank.csv"), "--out", str(tmp_path / "r.parquet")]) == 2
    assert "is empty" in capsys.readouterr().err
    assert main(["cohort", "--out", str(tmp_path / "r.parquet")]) == 2
    assert "field 'COHORT': is missing" in capsys.readouterr().err
    assert not (tmp_path / "r.parquet").exists()


def test_bad_options_are_refused_before_work(tmp_path, capsys):
    path = _to_csv(synthesize(5), tmp_path / "c.csv")
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet"), "--weight", "500"]) == 2
    assert "option --weight" in capsys.readouterr().err
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet"), "--draws", "5"]) == 2
    assert "option --draws" in capsys.readouterr().err


# --- an interrupted run leaves no half-written result -----------------------------------------------------------


def test_an_interrupted_run_leaves_no_result(tmp_path, monkeypatch):
    import dask

    path = _to_csv(synthesize(500, seed=2), tmp_path / "c.csv")
    out = tmp_path / "r.parquet"
    first = run.run_cohort(path, out, n_draws=50, chunk_size=100)
    before = pd.read_parquet(first.out)
    real = run.compute_slice
    calls = {"n": 0}

    def fail_on_the_third(frame, arrays, start, stop, first_row, spec):
        calls["n"] += 1
        if start == 200:
            raise KeyboardInterrupt
        return real(frame, arrays, start, stop, first_row, spec)

    monkeypatch.setattr(run, "compute_slice", fail_on_the_third)
    with dask.config.set(scheduler="synchronous"), pytest.raises(KeyboardInterrupt):
        run.run_cohort(path, out, n_draws=50, seed=1, chunk_size=100)
    assert calls["n"] >= 3
    pd.testing.assert_frame_equal(pd.read_parquet(out), before)  # the earlier result is untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    shutil.rmtree(out)
    with dask.config.set(scheduler="synchronous"), pytest.raises(KeyboardInterrupt):
        run.run_cohort(path, out, n_draws=50, seed=1, chunk_size=100)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_posterior_gives_compares_draws_and_numbers(tmp_path):
    from outcomes.elicit import elicit
    from outcomes.registry import load_registry
    from outcomes.update import fit
    from outcomes.update.io import save_posterior

    studies = tmp_path / "studies.csv"
    studies.write_text(
        "study_id,strategy,outcome,events,total,time_frame,design,citation\n"
        "A,fusion,improved,80,100,2 years,rct,Trial A\n"
        "A,decompression,improved,60,100,2 years,rct,Trial A\n",
        encoding="utf-8",
    )
    tree = fit(studies, elicit(load_registry()), method="exact", draws=2000, chains=1, seed=3)
    posterior = save_posterior(tree, tmp_path / "posterior.nc")
    cohort = synthesize(50, seed=8)
    path = _to_csv(cohort, tmp_path / "c.csv")
    args = ["cohort", str(path), "--out", str(tmp_path / "r.parquet"), "--posterior", str(posterior)]
    assert main([*args, "--draws", "500", "--weight", "1.5"]) == 0
    table = pd.read_parquet(tmp_path / "r.parquet")
    prof = _profile(cohort.iloc[17])
    decision = compare(prof, posterior=posterior, n_draws=500, weight=1.5)
    s = summarize(expected_outcomes(decision.draws, prof), weight=1.5, model=MODEL)
    mine = table[table.patient == 18].set_index("strategy")
    assert mine.preferred.iloc[0] == s.preferred
    for st in STRATEGIES:
        assert mine.loc[st, "net_per100"] == pytest.approx(100 * s.expected_net[st], rel=1e-10)
        assert mine.loc[st, "p_best"] == pytest.approx(s.prob_best_at_weight[st], abs=1e-12)
    summary = pd.read_csv(tmp_path / "r_summary.csv")
    assert set(summary.evidence_version) == {load_registry().version}


def test_a_row_with_too_many_fields_is_an_input_error(tmp_path, capsys):
    path = _to_csv(synthesize(6, seed=1), tmp_path / "c.csv")
    lines = path.read_text().splitlines()
    lines[3] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    assert main(["cohort", str(path), "--out", str(tmp_path / "r.parquet")]) == 2
    err = capsys.readouterr().err
    assert "is not a valid table" in err and "line 4" in err
    assert not (tmp_path / "r.parquet").exists()
