"""Provenance names the code: the package version and the numerical libraries' versions, in summary.json, the
report's footer and a saved posterior, read without importing pymc or arviz."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from outcomes import __version__, provenance
from outcomes.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_versions_are_the_installed_ones():
    v = provenance.versions()
    assert list(v) == ["outcomes", "numpy", "scipy", "pymc", "arviz", "preliz", "nutpie"]
    assert v["outcomes"] == __version__ == importlib.metadata.version("outcomes")
    for name in provenance.DEPENDENCIES:
        assert v[name] == importlib.metadata.version(name)
    assert provenance.netcdf_attrs() == {f"version_{k}": x for k, x in v.items()}
    assert provenance.dependencies_text().startswith(f"numpy {v['numpy']}, scipy {v['scipy']}")


def test_package_version_comes_from_git():
    # setuptools-scm: between releases the version names the commit it was built from (e.g. 0.1.dev32+g6bf1ded),
    # on a release tag it is the tag; without git it falls back visibly (0.0.0+unknown)
    v = __version__
    assert re.search(r"[.+]g[0-9a-f]{7,}", v) or re.fullmatch(r"\d+\.\d+\.\d+", v) or v.startswith("0.0.0+"), v


def test_a_missing_package_is_named_not_guessed(monkeypatch):
    monkeypatch.setattr(provenance, "DEPENDENCIES", ("numpy", "surely-not-a-package-xyz"))
    assert provenance.versions()["surely-not-a-package-xyz"] == provenance.NOT_INSTALLED


def test_reading_versions_imports_none_of_them():
    code = (
        "import sys; from outcomes import provenance; provenance.versions(); "
        "print(sorted(m for m in ('pymc', 'arviz', 'preliz', 'nutpie', 'scipy') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("prov") / "report"
    assert main(["report", "--out", str(out), "--draws", "200", "--seed", "5"]) == 0
    return out


def test_summary_json_names_package_and_dependency_versions(small_report):
    meta = json.loads((small_report / "summary.json").read_text())
    assert meta["versions"] == provenance.versions()
    assert meta["provenance"]["package_version"] == __version__


def test_report_footer_names_the_versions(small_report):
    html = (small_report / "report.html").read_text()
    footer = html.split("<footer")[1]
    assert f"<code>outcomes</code> {__version__} with {provenance.dependencies_text()}." in footer


def test_posterior_netcdf_records_the_versions(tmp_path, capsys):
    from outcomes.update.io import load_fit

    data = tmp_path / "d.csv"
    data.write_text(
        "study_id,strategy,outcome,events,total,time_frame,design,citation\n"
        "T,fusion,improved,60,100,2 years,rct,hand-made test data\n"
    )
    post = tmp_path / "post.nc"
    env_cache = os.environ.get("OUTCOMES_CACHE_DIR")
    assert env_cache  # the conftest's session cache: no write into the home folder
    assert main(["update", "--data", str(data), "--method", "exact", "--out", str(post), "--draws", "200"]) == 0
    capsys.readouterr()
    attrs = load_fit(post).attrs
    for name, v in provenance.versions().items():
        assert attrs[f"version_{name}"] == v
