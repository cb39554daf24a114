"""A synthetic cohort for tests, benchmarks and planned-trial sketches: one row per patient, every profile field of
the decision model (CSV values as ``outcomes cohort`` reads them), drawn with numpy from a seed.

Not data: an illustration with plausible structure. The distributions and correlations are data too
(``outcomes/data/synthetic_cohort.yaml``, whose format is documented at its top): for the model it names (the
shipped spine model) age, earlier operations, instability, falls and the rest are drawn with stated dependences;
a field it does not list, or every field of another model, is drawn uniformly over its declared range or
levels. ``patient_id`` is ``S0000001``...; no preference weights (they are the patient's, not the cohort's).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outcomes import yamlio
from outcomes.atomic import write_file_atomically
from outcomes.declaration import DecisionModel, Field, default_model
from outcomes.errors import InputError, input_name

MAX_SYNTHETIC = 100_000_000
SPEC_FILE = Path(__file__).resolve().parent.parent / "data" / "synthetic_cohort.yaml"
_UNIFORM: dict[str, Any] = {}


@cache
def _spec_file(path: str) -> dict[str, Any]:
    data = yamlio.safe_load(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def generator_spec(model: DecisionModel, path: Path | str = SPEC_FILE) -> dict[str, dict[str, Any]]:
    """Per field, in drawing order, how it is drawn (the spec file's, if it names this model, else uniform)."""
    data = _spec_file(str(path))
    listed = data.get("fields") or {} if data.get("model") == model.name else {}
    unknown = [k for k in listed if k not in model.fields]
    if unknown:
        raise ValueError(f"{path}: fields {unknown} are not in model {model.name!r}")
    return {**{k: dict(v) for k, v in listed.items()}, **{k: _UNIFORM for k in model.fields if k not in listed}}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _eval(expr: Any, env: pd.DataFrame, n: int) -> np.ndarray:
    if isinstance(expr, (int, float)):
        return np.full(n, float(expr))
    value = env.eval(str(expr), engine="python") if len(env.columns) else pd.eval(str(expr), engine="python")
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def _clip(f: Field, x: np.ndarray) -> np.ndarray:
    lo, hi = f.value_range()
    x = np.clip(x, lo, hi)
    return np.rint(x).astype(np.int64) if f.type == "int" else x


def _draw(f: Field, how: dict[str, Any], env: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """One field's values (native: int, float, bool, level text, or ``;``-joined items)."""
    if f.type in ("int", "number"):
        x: np.ndarray
        if "normal" in how:
            x = rng.normal(float(how["normal"]["mean"]), float(how["normal"]["sd"]), n)
        elif "lognormal" in how:
            x = np.exp(rng.normal(np.log(float(how["lognormal"]["median"])), float(how["lognormal"]["sigma"]), n))
        elif "poisson" in how:
            x = float(how.get("add", 0)) + rng.poisson(np.maximum(_eval(how["poisson"], env, n), 0.0))
            x = np.where(rng.random(n) < float(how.get("zero", 0.0)), 0, x)
        else:
            lo, hi = f.value_range()
            x = rng.integers(int(lo), int(hi) + 1, n).astype(float) if f.type == "int" else rng.uniform(lo, hi, n)
        return _clip(f, x)
    if f.type == "bool":
        p = _expit(_eval(how["logit"], env, n)) if "logit" in how else np.full(n, 0.5)
        return rng.random(n) < p
    if f.type == "choice":
        logits = how.get("logits", {})
        z = np.column_stack([_eval(logits.get(level, 0.0), env, n) for level in f.levels])
        p = np.exp(z - z.max(axis=1, keepdims=True))
        cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        idx = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), len(f.levels) - 1)
        return np.asarray(f.levels, dtype=object)[idx]
    if f.type == "list":
        probs = how.get("items", dict.fromkeys(f.levels, 0.5))
        names = np.asarray([lv for lv in f.levels if lv in probs], dtype=object)
        tried = np.column_stack([rng.random(n) < float(probs[lv]) for lv in names]) if len(names) else None
        return np.asarray([";".join(names[row]) for row in tried] if tried is not None else [""] * n, dtype=object)
    return np.full(n, "", dtype=object)


def synthesize(n: int, seed: int = 0, model: DecisionModel | None = None) -> pd.DataFrame:
    """``n`` synthetic patients of ``model`` (default: the shipped model); see the module docstring."""
    model = model if model is not None else default_model()
    rng = np.random.default_rng(seed)
    env = pd.DataFrame(index=pd.RangeIndex(n))
    columns: dict[str, Any] = {"patient_id": [f"S{i:07d}" for i in range(1, n + 1)]}
    for name, how in generator_spec(model).items():
        f = model.fields[name]
        values = _draw(f, how, env, n, rng)
        columns[name] = values
        if f.is_covariate:  # later expressions see the covariate's number
            table = {u: f.to_number(u) for u in pd.unique(pd.Series(values))}
            env[name] = pd.Series(values).map(table).to_numpy(dtype=float)
    return pd.DataFrame({k: columns[k] for k in ["patient_id", *model.fields]})


def write_synthetic(
    n: int, out: Path | str, seed: int = 0, model: DecisionModel | None = None, *, cli: bool = False
) -> Path:
    """Write ``synthesize(n, seed, model)`` to ``out`` (.csv or .parquet), atomically. ``cli``: errors name the
    command's options rather than the arguments."""
    out = Path(out)
    if isinstance(n, bool) or not isinstance(n, int) or not (1 <= n <= MAX_SYNTHETIC):
        raise InputError(
            input_name("n", "--synthesize", cli=cli),
            None,
            None,
            f"got {n!r}; allowed: a whole number from 1 to {MAX_SYNTHETIC}",
        )
    where = f"{input_name('out', '--out', cli=cli)} {out}"
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(where, None, None, "allowed: a file name ending in .csv or .parquet")
    frame = synthesize(n, seed, model)

    def write(tmp: Path) -> None:
        if out.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False, row_group_size=50_000)

    try:
        write_file_atomically(out, write)
    except OSError as exc:
        raise InputError(where, None, None, f"cannot write there ({exc.strerror or exc})") from None
    return out
