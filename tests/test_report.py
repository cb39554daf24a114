"""The `outcomes report` command: the main job, its outputs, its rules for bad input and atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from outcomes.cli import main

ROOT = Path(__file__).resolve().parent.parent
PNG_CHARTS = ("icon_arrays", "benefit_harm", "preference_curve", "prior_vs_cited")


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "default"
    assert main(["report", "--out", str(out), "--draws", "1000", "--seed", "3"]) == 0
    return out


def test_default_report_is_complete(default_report):
    html = (default_report / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(PNG_CHARTS)
    for name in PNG_CHARTS:
        assert (default_report / f"{name}.png").stat().st_size > 1000
        assert (default_report / f"{name}.svg").stat().st_size > 1000
    meta = json.loads((default_report / "summary.json").read_text())
    from outcomes.registry import load_registry

    version = load_registry().version
    assert meta["provenance"]["evidence_version"] == version and meta["provenance"]["seed"] == 3
    assert meta["provenance"]["time_frame"] == "2 years"
    # the page names its time frame, evidence version, and the clinical-judgement note; sources are listed
    for needle in (
        version,
        "within 2 years",
        "Supports, does not replace, clinical judgement",
        "Herkowitz",
        "For the patient",
        "For the clinician",
        "What the numbers rest on",
        "assumption",
    ):
        assert needle in html, needle
    # the patient part uses one denominator: every rate is 'of 100'
    patient = html.split('id="clinician"')[0]
    assert patient.count("of 100") >= 12
    assert not list(default_report.parent.glob(".default.tmp-*"))


def test_same_seed_same_numbers(default_report, tmp_path):
    out = tmp_path / "again"
    assert main(["report", "--out", str(out), "--draws", "1000", "--seed", "3"]) == 0
    assert (out / "rates.csv").read_text() == (default_report / "rates.csv").read_text()


def test_other_profile_gives_other_sensible_report(default_report, tmp_path):
    import pandas as pd

    out = tmp_path / "stable"
    assert (
        main(
            [
                "report",
                "--profile",
                str(ROOT / "profiles" / "stable_first_revision.yaml"),
                "--out",
                str(out),
                "--draws",
                "1000",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    a = pd.read_csv(default_report / "rates.csv").set_index(["strategy", "outcome"])["mean"]
    b = pd.read_csv(out / "rates.csv").set_index(["strategy", "outcome"])["mean"]
    # a stable spine after one operation: decompression alone does better, reoperation is rarer,
    # medication carries less risk of worsening weakness and the neuropathic share is higher
    assert b["decompression", "improved"] > a["decompression", "improved"] + 0.05
    assert b["decompression", "reoperation"] < a["decompression", "reoperation"]
    assert b["medication", "weakness_worse"] < a["medication", "weakness_worse"] - 0.1
    assert b["medication", "neuropathic"] > a["medication", "neuropathic"]
    assert "One earlier operation" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--profile", "does/not/exist.yaml"], "does not exist"),
        (["--weight", "-1"], "--weight"),
        (["--weight", "abc"], "--weight"),
        (["--weight", "nan"], "--weight"),
        (["--draws", "0"], "--draws"),
        (["--seed", "-4"], "--seed"),
        (["--registry", "no/such/folder"], "is not a folder"),
        (["--posterior", "no/such.nc"], "does not exist"),
    ],
)
def test_bad_options_one_line_exit_2_nothing_written(args, needle, tmp_path, capsys):
    out = tmp_path / "r"
    code, stdout, err = run(["report", "--out", str(out), *args], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("outcomes: error:") and needle in lines[0], err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_malformed_profile(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / "profiles" / "default.yaml").read_text().replace("prior_surgeries: 2", "prior_surgeries: two")
    )
    out = tmp_path / "r"
    code, _, err = run(["report", "--profile", str(bad), "--out", str(out)], capsys)
    assert code == 2 and str(bad) in err and "prior_surgeries" in err and "whole number" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code, _, err = run(["report", "--out", str(blocker / "report"), "--draws", "100"], capsys)
    assert code == 2 and "--out" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["report", "--out", str(blocker), "--draws", "100"], capsys)
    assert code == 2 and "is a file" in err
    assert blocker.read_text() == "x"


def test_failure_mid_build_leaves_nothing(tmp_path, monkeypatch):
    import outcomes.report.build as build

    def broken(inputs, folder, progress=None):
        (folder / "report.html").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "build_report", broken)
    import outcomes.report as rep

    monkeypatch.setattr(rep, "build_report", broken)
    out = tmp_path / "r"
    with pytest.raises(RuntimeError):
        main(["report", "--out", str(out), "--draws", "100"])
    assert list(tmp_path.iterdir()) == []


def test_existing_report_is_replaced_whole(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    assert main(["report", "--out", str(out), "--draws", "200"]) == 0
    assert not (out / "stale.txt").exists() and (out / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_report_path_imports_neither_pymc_nor_arviz(tmp_path):
    code = (
        "import sys; from outcomes.cli import main; rc = main(['report', '--out', {!r}, '--draws', '200']); "
        "print(rc, 'pymc' in sys.modules, 'arviz' in sys.modules, 'preliz' in sys.modules)".format(str(tmp_path / "r"))
    )
    env = dict(os.environ, MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "0 False False False"
    assert res.stderr == ""  # quiet when stderr is not a terminal


def test_report_from_posterior_differs_where_the_data_say_so(default_report, tmp_path, capsys):
    """Trial-like data (fusion and decompression alone both ~60% improved) pull the prior's 96% vs 44% together."""
    import pandas as pd

    data = tmp_path / "trial.csv"
    data.write_text(
        "study_id,strategy,outcome,events,total,time_frame,design,citation\n"
        "T,fusion,improved,120,200,2 years,rct,hand-made test data\n"
        "T,decompression,improved,118,200,2 years,rct,hand-made test data\n"
    )
    post = tmp_path / "posterior.nc"
    assert main(["update", "--data", str(data), "--method", "exact", "--out", str(post), "--draws", "1000"]) == 0
    capsys.readouterr()
    out = tmp_path / "posterior_report"
    assert main(["report", "--posterior", str(post), "--out", str(out), "--draws", "1000", "--seed", "3"]) == 0
    seed_view = tmp_path / "seed_report"
    assert main(["report", "--prior-only", "--out", str(seed_view), "--draws", "1000", "--seed", "3"]) == 0
    prior = pd.read_csv(seed_view / "rates.csv").set_index(["strategy", "outcome"])["mean"]
    after = pd.read_csv(out / "rates.csv").set_index(["strategy", "outcome"])["mean"]
    gap_prior = prior["fusion", "improved"] - prior["decompression", "improved"]
    gap_after = after["fusion", "improved"] - after["decompression", "improved"]
    assert gap_after < gap_prior - 0.2
    # what the data do not touch stays put (within Monte Carlo error of 1000 draws x 100 patients)
    assert abs(after["medication", "minor_harm"] - prior["medication", "minor_harm"]) < 0.03
    html = (out / "report.html").read_text()
    assert "Updated with study data" in html and str(post) in html
    meta = json.loads((out / "summary.json").read_text())
    assert meta["provenance"]["origin"] == "posterior"


def test_charts_for_a_batch_of_profiles(tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "batch"
    profiles = [str(ROOT / "profiles" / "default.yaml"), str(ROOT / "profiles" / "stable_first_revision.yaml")]
    assert main(["charts", *profiles, "--out", str(out), "--draws", "500"]) == 0
    for name in ("default", "stable_first_revision"):
        for chart in PNG_CHARTS:
            assert (out / name / f"{chart}.png").stat().st_size > 1000
            assert (out / name / f"{chart}.svg").stat().st_size > 1000
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.profile) == {"default", "stable_first_revision"}
    assert table.groupby("profile").size().nunique() == 1
    a = table.query("profile == 'default' and strategy == 'decompression' and outcome == 'improved'").per100.item()
    b = table.query(
        "profile == 'stable_first_revision' and strategy == 'decompression' and outcome == 'improved'"
    ).per100.item()
    assert b > a


def test_charts_batch_reports_every_bad_profile_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "profiles" / "default.yaml").read_text().replace("falls: frequent", "falls: often"))
    out = tmp_path / "batch"
    code, stdout, err = run(["charts", str(bad), str(tmp_path / "missing.yaml"), "--out", str(out)], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2 and stdout == ""
    assert "falls" in lines[0] and "none, occasional, frequent" in lines[0]
    assert "missing.yaml" in lines[1] and "does not exist" in lines[1]
    assert not out.exists()
