"""A synthetic cohort of revision lumbar surgery candidates, for tests, benchmarks and planned-trial sketches.

Not data: an illustration with plausible structure. One row per patient, every profile field (CSV values as
``outcomes cohort`` reads them), drawn with numpy from a seed:

* age: Normal(63, 11) years, rounded, kept in the profile's range (revision candidates are mostly 50-75);
* earlier lumbar operations: 1 + Poisson(0.35 + 0.015 (age − 50)), 8% none (a primary-surgery minority);
* instability: logit P = −1.6 + 0.55 · operations + 0.02 (age − 60) (post-laminectomy instability grows with
  each operation);
* progressive deficit: logit P = −1.8 + 0.3 · operations + 0.02 (age − 60);
* falls: with a progressive deficit none / occasional / frequent 35 / 40 / 25%, without 85 / 12 / 3%; one in
  three older patients (≥ 75) without falls is moved to occasional;
* bilateral radicular symptoms: logit P = −0.8 + 0.25 · operations;
* neuropathic features: yes 30% (45% with bilateral symptoms), unknown 30%, otherwise no;
* smoker: logit P = −1.0 − 0.04 (age − 60) (younger patients smoke more); diabetes: logit P = −1.7 + 0.04 (age − 60);
* months of failed conservative care: log-normal, median 9, capped at the profile's maximum; failed
  treatments: physical therapy 80%, each other option 10-50%;
* ``patient_id`` ``S0000001``…; no preference weights (they are the patient's, not the cohort's).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from outcomes.errors import InputError
from outcomes.profile import FALLS, FIELDS, NEUROPATHIC, TREATMENTS

MAX_SYNTHETIC = 100_000_000
_TREATMENT_P = {
    "physical_therapy": 0.8,
    "epidural_injections": 0.5,
    "facet_injections": 0.3,
    "medication": 0.5,
    "chiropractic": 0.15,
    "multidisciplinary_care": 0.2,
    "other": 0.1,
}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def synthesize(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic patients (see the module docstring for the distributions and correlations)."""
    rng = np.random.default_rng(seed)
    lo_age, hi_age = FIELDS["age"][1]
    age = np.clip(np.rint(rng.normal(63, 11, n)), lo_age, hi_age).astype(int)
    ops = 1 + rng.poisson(np.clip(0.35 + 0.015 * (age - 50), 0.05, None))
    ops = np.where(rng.random(n) < 0.08, 0, ops)
    ops = np.minimum(ops, FIELDS["prior_surgeries"][1][1])
    instability = rng.random(n) < _expit(-1.6 + 0.55 * ops + 0.02 * (age - 60))
    deficit = rng.random(n) < _expit(-1.8 + 0.3 * ops + 0.02 * (age - 60))
    u = rng.random(n)
    falls_idx = np.where(deficit, (u > 0.35).astype(int) + (u > 0.75), (u > 0.85).astype(int) + (u > 0.97))
    falls_idx = np.where((age >= 75) & (falls_idx == 0) & (rng.random(n) < 1 / 3), 1, falls_idx)
    bilateral = rng.random(n) < _expit(-0.8 + 0.25 * ops)
    v = rng.random(n)
    p_yes = np.where(bilateral, 0.45, 0.30)
    neuro_idx = np.where(v < p_yes, 0, np.where(v < p_yes + 0.30, 2, 1))  # NEUROPATHIC = (yes, no, unknown)
    smoker = rng.random(n) < _expit(-1.0 - 0.04 * (age - 60))
    diabetes = rng.random(n) < _expit(-1.7 + 0.04 * (age - 60))
    months = np.minimum(np.rint(np.exp(rng.normal(np.log(9), 0.8, n))), FIELDS["conservative_care_months"][1][1])
    tried = np.column_stack([rng.random(n) < _TREATMENT_P.get(t, 0.1) for t in TREATMENTS])
    names = np.array(TREATMENTS, dtype=object)
    failed = [";".join(names[row]) for row in tried]
    return pd.DataFrame(
        {
            "patient_id": [f"S{i:07d}" for i in range(1, n + 1)],
            "age": age,
            "prior_surgeries": ops,
            "instability": instability,
            "progressive_deficit": deficit,
            "falls": np.asarray(FALLS, dtype=object)[falls_idx],
            "bilateral_radicular": bilateral,
            "conservative_care_months": months.astype(int),
            "failed_treatments": failed,
            "neuropathic_features": np.asarray(NEUROPATHIC, dtype=object)[neuro_idx],
            "smoker": smoker,
            "diabetes": diabetes,
        }
    )


def write_synthetic(n: int, out: Path | str, seed: int = 0) -> Path:
    """Write ``synthesize(n, seed)`` to ``out`` (.csv or .parquet), atomically."""
    out = Path(out)
    if isinstance(n, bool) or not isinstance(n, int) or not (1 <= n <= MAX_SYNTHETIC):
        raise InputError(
            "option --synthesize", None, None, f"got {n!r}; allowed: a whole number from 1 to {MAX_SYNTHETIC}"
        )
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"option --out {out}", None, None, "allowed: a file name ending in .csv or .parquet")
    frame = synthesize(n, seed)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False, row_group_size=50_000)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"option --out {out}", None, None, f"cannot write there ({exc.strerror or exc})") from None
    return out
