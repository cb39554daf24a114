"""An installed (non-editable) package finds its shipped registry, profiles and study files by name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".uv" / "bin" / "uv"


@pytest.mark.slow
@pytest.mark.skipif(not UV.exists(), reason="needs the pinned uv in .uv/ (make venv-test installs it)")
def test_wheel_carries_the_shipped_files(tmp_path):
    built = subprocess.run(
        [str(UV), "build", "--wheel", "-q", "-o", str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("outcomes-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [str(UV), "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import outcomes as oc, pathlib\n"
        "assert 'site' in pathlib.Path(oc.__file__).parts, oc.__file__\n"
        "reg = oc.load_registry()\n"
        "p = oc.load_profile('default', registry=reg)\n"
        "s = oc.load_studies('norwegian_registry_2020', reg.model)\n"
        "d = oc.compare(p, registry=reg, n_draws=50)\n"
        "print(reg.path, p.prior_surgeries, len(s.studies), d.summary.preferred in reg.model.strategies)\n"
    )
    # the locked dependencies come from this test's environment; the package itself only from the wheel
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{sysconfig.get_paths()['purelib']}"}
    work = tmp_path / "elsewhere"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=work, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    reg_path, surgeries, n_studies, ok = out.stdout.split()
    assert str(target) in reg_path and surgeries == "2" and int(n_studies) > 0 and ok == "True"
    shutil.rmtree(target)
