"""The default numbers come from the verified trial data (exact path, no PyMC); the seed view is labelled; the
report puts the guideline summary's claims beside the trials and names each conflict in plain words."""

from __future__ import annotations

import subprocess
import sys

import pytest

import outcomes as oc
from outcomes.cli import main


@pytest.fixture(scope="module")
def views():
    return oc.compare("default", n_draws=1500, seed=2), oc.compare("default", n_draws=1500, seed=2, prior_only=True)


def test_default_is_updated_with_the_verified_trials(views):
    trials, seed = views
    assert trials.evidence == "trials" and trials.data_file.endswith("verified_trials.csv")
    assert seed.evidence == "seed" and seed.conflicts is None
    flagged = set(trials.conflicts.loc[trials.conflicts.conflict, "parameter"])
    assert {"fusion.improved", "decompression.improved"} <= flagged
    row = trials.conflicts.set_index("parameter").loc["fusion.improved"]
    # NORDSTEN-DS 94/129 (0.73): the updated rate follows the trial, not the seed's ~0.9
    assert row.posterior_low < 94 / 129 < row.posterior_high and row.seed_mean > 0.85
    assert row.seed_weight_posterior < row.seed_weight_prior
    assert "verified trial data" in trials.summary.provenance.line()
    assert "SEED VIEW" in seed.summary.provenance.line()


def test_without_study_data_the_report_is_the_seed_view_and_says_so(tmp_path, capsys):
    out = tmp_path / "seed"
    assert main(["report", "--prior-only", "--draws", "300", "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "What the guideline summary claims" not in html
    assert "SEED VIEW" in capsys.readouterr().out


def test_report_sets_the_claims_beside_the_trials(tmp_path):
    out = tmp_path / "default"
    assert main(["report", "--draws", "600", "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "What the guideline summary claims, and what the trials show" in html
    assert "the trials found 94 of 129" in html and "the trials found 95 of 133" in html
    assert "The numbers shown follow the trials." in html


def test_the_default_path_does_not_import_pymc():
    code = "import sys, outcomes as oc; oc.compare('default', n_draws=50); print('pymc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
