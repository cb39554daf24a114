"""The Makefile's set-up rules: a too-old Python gives one clear line; the README shows the two commands."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _old_python() -> str | None:
    for cand in ("/usr/bin/python3.11", "/usr/bin/python3.10", "/usr/bin/python3.9"):
        if Path(cand).exists():
            return cand
    return None


@pytest.mark.skipif(shutil.which("make") is None or _old_python() is None, reason="needs make and a Python < 3.12")
def test_too_old_python_gives_one_clear_line(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(_old_python())
    (bin_dir / "make").symlink_to(shutil.which("make"))
    env = {"PATH": f"{bin_dir}:/bin", "HOME": str(tmp_path)}
    res = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "check-python", "VENV=" + str(tmp_path / "venv")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("make")]
    assert lines == [
        "Python 3.12 or newer is needed: install python3.12 (or set PYTHON=/path/to/python3.12) and run make again."
    ]
    assert not (tmp_path / "venv").exists()


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert "make report" in first_block and "make test" in first_block
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
    assert "make test" in (ROOT / ".ci" / "run").read_text()
