"""``outcomes evidence``: prints the evidence table; a bad registry or option is one line on stderr, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from outcomes.cli import EXIT_USER_ERROR, main
from outcomes.elicit import elicit
from outcomes.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MALFORMED = yaml.safe_load((DATA / "malformed_registries.yaml").read_text(encoding="utf-8"))["cases"]
SINGLE = [c for c in MALFORMED if c.get("count", 1) == 1]
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("outcomes: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_evidence_prints_every_record_and_effect(capsys):
    assert main(["evidence"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    reg = load_registry()
    assert f"Evidence version {reg.version}" in out
    for item in (*reg.records, *reg.effects):
        assert item.id in out
    assert "no (shown only)" in out  # the use: false records are marked
    header = out.splitlines()[2].split()
    assert header == ["id", "strategy", "outcome", "cited", "prior_mean", "interval", "ess", "grade", "source", "used"]
    assert len(out.splitlines()) == 3 + len(reg.records) + len(reg.effects)


def test_evidence_with_an_explicit_registry(registry_copy, capsys):
    assert main(["evidence", "--registry", str(registry_copy)]) == 0
    out, _ = capsys.readouterr()
    assert str(registry_copy) in out
    assert load_registry(registry_copy).version in out


@pytest.mark.parametrize("case", SINGLE, ids=[c["name"] for c in SINGLE])
def test_malformed_registry_is_one_line_and_exit_2(case, mutate_registry, capsys):
    folder = mutate_registry(case)
    code = main(["evidence", "--registry", str(folder)])
    out, err = capsys.readouterr()
    assert code == EXIT_USER_ERROR == 2
    assert out == ""
    line = _one_error_line(err)
    expect = case["expect"]
    assert (expect["file"] or folder.name) in line
    if expect["where"]:
        assert expect["where"] in line
    if expect["field"]:
        assert f"field '{expect['field']}'" in line
    for text in expect["says"]:
        assert text in line


def test_several_problems_are_one_line_each(registry_copy, edit_file, capsys):
    edit_file(registry_copy / "fusion.yaml", "low: 0.92", "low: 1.2")
    edit_file(registry_copy / "effects.yaml", "covariate: smoker", "covariate: coffee")
    assert main(["evidence", "--registry", str(registry_copy)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2 and all(ln.startswith("outcomes: error: ") for ln in lines)


@pytest.mark.parametrize("argv", [["evidence", "--registry"], ["evidence", "--bogus"], ["nonsense"], []])
def test_bad_command_line_is_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "command line" in _one_error_line(err)


def test_missing_registry_folder(tmp_path, capsys):
    assert main(["evidence", "--registry", str(tmp_path / "nowhere")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "is not a folder" in _one_error_line(err)


def _run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUTCOMES_CACHE_DIR": str(cache)}
    return subprocess.run(
        [PYTHON, "-m", "outcomes", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_subprocess_bad_registry_exit_2_one_line(mutate_registry, session_cache_dir):
    case = next(c for c in MALFORMED if c["name"] == "python_object_tag")  # would print "hi" if it ran
    folder = mutate_registry(case)
    proc = _run_cli("evidence", "--registry", str(folder), cache=session_cache_dir)
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = _one_error_line(proc.stderr)
    assert "effects.yaml" in line and "safe loader refuses" in line


def test_subprocess_evidence_imports_no_heavy_modules(session_cache_dir):
    # PreliZ (which itself imports pymc) is needed only for a range not yet in the cache: warm it first
    elicit(load_registry())
    code = (
        "import sys\n"
        "from outcomes.cli import main\n"
        "rc = main(['evidence'])\n"
        "heavy = sorted(m for m in ('pymc', 'arviz', 'matplotlib', 'pytensor') if m in sys.modules)\n"
        "print('HEAVY', rc, *heavy)\n"
    )
    env = {**os.environ, "OUTCOMES_CACHE_DIR": str(session_cache_dir)}
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "HEAVY 0"
