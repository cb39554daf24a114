"""Decision summaries for every patient of a cohort (a registry extract or a planned trial's population).

``outcomes cohort COHORT.csv --out RESULT.parquet`` (``command``) validates every row at once (``inputs``),
makes the same parameter draws as the one-profile path, computes each patient's exact per-draw expected
outcomes in numpy blocks (``adapter``, the only module that calls the model's numbers) and their decision
summaries (``summaries``), on Dask's local scheduler or a ``dask.distributed`` cluster, writing partitioned
Parquet atomically with a cohort-level summary beside it (``run``). ``synth`` makes a realistic synthetic
cohort. Importing this package is cheap (names load on first use); Dask is imported only when a run starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "decision_arrays": "adapter",
    "decision_model": "adapter",
    "expected_batch": "adapter",
    "cohort_draws": "run",
    "run_cohort": "run",
    "synthesize": "synth",
    "write_synthetic": "synth",
}

__all__ = [
    "cohort_draws",
    "decision_arrays",
    "decision_model",
    "expected_batch",
    "run_cohort",
    "synthesize",
    "write_synthetic",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"outcomes.cohort.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'outcomes.cohort' has no attribute {name!r}")
