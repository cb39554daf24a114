"""Run the notebooks for the documentation: papermill, the test suite's small sizes, a content-keyed cache.

Each ``notebooks/<name>.ipynb`` is executed headless from ``notebooks/`` (as the tests and ``make lab`` run it)
with the parameters of ``tests/test_notebooks.py``'s ``SMALL`` that it declares, into
``docs/notebooks/<name>.ipynb``. The executed copy records a key: a hash of the notebook, the parameters and
every file of the package, the registry, the profiles, the study files and the lock. A copy whose key still
matches is reused; anything else (or ``OUTCOMES_DOCS_EXECUTE=force``) runs the notebook again. A notebook that
raises fails the build.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path

KEY_FIELD = "outcomes_docs_key"
INPUTS = ("outcomes", "priors", "profiles", "studies", "uv.lock")


def small_parameters(root: Path) -> dict:
    """``SMALL`` from ``tests/test_notebooks.py``: the sizes the suite runs the notebooks at."""
    spec = importlib.util.spec_from_file_location("_outcomes_test_notebooks", root / "tests" / "test_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SMALL)


def _key(notebook: Path, parameters: dict, root: Path) -> str:
    h = hashlib.sha256()
    h.update(notebook.read_bytes())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    for name in INPUTS:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _stored_key(executed: Path) -> str | None:
    try:
        return json.loads(executed.read_text()).get("metadata", {}).get(KEY_FIELD)
    except (OSError, ValueError):
        return None


def execute_all(source: Path, target: Path, root: Path) -> list[Path]:
    """Execute every notebook of ``source`` into ``target`` (reusing up-to-date copies); return the copies."""
    import nbformat
    import papermill as pm

    target.mkdir(parents=True, exist_ok=True)
    small = small_parameters(root)
    force = os.environ.get("OUTCOMES_DOCS_EXECUTE") == "force"
    env_backend = os.environ.pop("MPLBACKEND", None)  # a kernel told to use Agg would show no figures
    written = []
    try:
        for notebook in sorted(source.glob("*.ipynb")):
            declared = pm.inspect_notebook(str(notebook))
            parameters = {k: v for k, v in small.items() if k in declared}
            key = _key(notebook, parameters, root)
            out = target / notebook.name
            if force or _stored_key(out) != key:
                tmp = Path(tempfile.mkdtemp(prefix="outcomes-docs-")) / notebook.name
                pm.execute_notebook(
                    str(notebook),
                    str(tmp),
                    parameters=parameters,
                    kernel_name="python3",
                    cwd=str(source),
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=600,
                )
                nb = nbformat.read(tmp, as_version=4)
                nb.metadata[KEY_FIELD] = key
                nbformat.write(nb, tmp)
                tmp.replace(out)  # a notebook that fails leaves the previous copy (or none) in place
                tmp.parent.rmdir()
            written.append(out)
        for stale in set(target.glob("*.ipynb")) - set(written):
            stale.unlink()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return written
