"""A cohort table: which columns it has, how each row is validated, and how rows become covariates.

One row per patient. The columns are the profile fields of ``outcomes.profile.FIELDS`` with their allowed
values and ranges (read from there, never retyped):

* required: every profile field that the covariates depend on (found by asking ``Profile.covariates()``, so a
  new covariate field in ``profile.py`` becomes a required column with no change here);
* optional: the other profile fields (``label``, ``notes``, ``conservative_care_months``, ``failed_treatments``
  as ``;``-separated items), ``patient_id`` (free text, carried into the result), and preference weights:
  ``weight`` and any ``weight_<name>`` (how many improvements one harm cancels, 0 to 100).

In a CSV, true/false may also be written 1/0 (any case: true, True, TRUE). A Parquet file may use native types.
Every problem (unknown or missing column, missing value, wrong type, out of range) is collected over the whole
file and reported at once with its row number (1 = the first data row) and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from outcomes.errors import Problem
from outcomes.pipeline import MAX_WEIGHT
from outcomes.profile import FIELDS, Profile, _allowed

PATIENT_ID = "patient_id"
WEIGHT = "weight"
MAX_LISTED = 20
"""Problems listed one per line; the rest are counted."""

_INT = re.compile(r"^\s*[+-]?\d+(\.0*)?\s*$")
_TRUE = frozenset({"true", "1", "1.0"})
_FALSE = frozenset({"false", "0", "0.0"})


def _domain(name: str) -> list[Any]:
    kind, spec, _ = FIELDS[name]
    if kind == "int":
        return list(range(spec[0], spec[1] + 1))
    if kind == "bool":
        return [False, True]
    if kind == "choice":
        return list(spec)
    if kind == "list":
        return [(), *((t,) for t in spec)]
    return ["a", "b"]


def _base_values() -> dict[str, Any]:
    return {name: _domain(name)[0] for name in FIELDS}


@dataclass(frozen=True)
class Encoding:
    """How profile fields become covariates: per covariate, the field it depends on and a value -> number table
    (or a constant when no field moves it). Found by asking ``Profile.covariates()`` one field at a time."""

    field_of: dict[str, str | None]
    table: dict[str, dict[Any, float]]
    constant: dict[str, float]

    @property
    def required(self) -> tuple[str, ...]:
        """Profile fields the covariates depend on, in ``FIELDS`` order."""
        used = {f for f in self.field_of.values() if f is not None}
        return tuple(f for f in FIELDS if f in used)


@cache
def encoding() -> Encoding:
    base = _base_values()
    base_cov = Profile(**base).covariates()
    field_of: dict[str, str | None] = dict.fromkeys(base_cov)
    table: dict[str, dict[Any, float]] = {}
    for name in FIELDS:
        values = {v: Profile(**{**base, name: v}).covariates() for v in _domain(name)}
        moved = {c for cov in values.values() for c in cov if cov[c] != base_cov[c]}
        for c in moved:
            if field_of[c] is not None:  # pragma: no cover - guards a future profile.py
                raise NotImplementedError(f"covariate {c!r} depends on two profile fields; update outcomes.cohort")
            if FIELDS[name][0] in ("list", "text"):  # pragma: no cover - guards a future profile.py
                raise NotImplementedError(f"covariate {c!r} depends on a list/text field; update outcomes.cohort")
            field_of[c] = name
            table[c] = {v: float(cov[c]) for v, cov in values.items()}
    constant = {c: float(base_cov[c]) for c, f in field_of.items() if f is None}
    return Encoding(field_of, table, constant)


def weight_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c == WEIGHT or c.startswith(WEIGHT + "_")]


def allowed_columns() -> str:
    return ", ".join([*FIELDS, PATIENT_ID, WEIGHT, WEIGHT + "_<name>"])


def check_columns(columns: list[str], file: str) -> list[Problem]:
    """Problems of the header: unknown columns, missing required columns, repeated columns."""
    problems = []
    known = set(FIELDS) | {PATIENT_ID}
    for c in columns:
        if c not in known and c not in weight_columns([c]):
            problems.append(Problem(file, None, str(c), f"unknown column; allowed: {allowed_columns()}"))
    for c in {c for c in columns if columns.count(c) > 1}:
        problems.append(Problem(file, None, str(c), "column appears more than once; allowed: each column once"))
    for name in encoding().required:
        if name not in columns:
            kind, spec, _ = FIELDS[name]
            problems.append(Problem(file, None, name, f"column is missing; allowed: {_allowed(kind, spec)}"))
    return problems


def _as_text(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(stripped text of every cell, missing mask): native Parquet values and CSV strings alike."""
    obj = col.astype(object)
    missing = obj.isna().to_numpy()
    text = obj.where(~missing, "").astype("string[pyarrow]").str.strip()
    missing = missing | (text == "").to_numpy()
    return text, missing


def _parse_column(name: str, col: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, str]:
    """(parsed values, missing mask, bad mask, allowed text) of one column."""
    text, missing = _as_text(col)
    if name in FIELDS:
        kind, spec, _ = FIELDS[name]
        allowed = _allowed(kind, spec)
    else:  # a weight column
        kind, spec, allowed = (
            "weight",
            None,
            f"a number from 0 to {MAX_WEIGHT:g} (how many improvements one harm cancels)",
        )
    if kind == "int":
        isint = text.str.match(_INT).to_numpy(dtype=bool)
        num = pd.to_numeric(text.where(isint, ""), errors="coerce").to_numpy(dtype=float)
        ok = isint & (num >= spec[0]) & (num <= spec[1])
        values = pd.Series(np.where(ok, num, spec[0]).astype(np.int64), index=col.index)
    elif kind == "bool":
        low = text.str.lower()
        t, f = low.isin(_TRUE).to_numpy(), low.isin(_FALSE).to_numpy()
        ok = t | f
        values = pd.Series(t, index=col.index)
        allowed += " (or 1/0)"
    elif kind == "choice":
        ok = text.isin(spec).to_numpy()
        values = text
    elif kind == "list":
        items = text.str.split(";")
        ok = items.map(lambda xs: all(x.strip() in spec for x in xs if x.strip())).to_numpy(dtype=bool)
        values = text
        allowed += " (separated by ;)"
        missing = np.zeros(len(text), dtype=bool)  # an empty cell is an empty list
    elif kind == "weight":
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(num) & (num >= 0) & (num <= MAX_WEIGHT)
        values = pd.Series(np.where(ok, num, 0.0), index=col.index)
    else:  # text
        ok = np.ones(len(text), dtype=bool)
        values = text
        if name in FIELDS:
            missing = np.zeros(len(text), dtype=bool)  # label and notes are optional in a cohort
    return values, missing, ~ok & ~missing, allowed


@dataclass
class Checked:
    """A validated block: the parsed columns, and the problems found (first ``MAX_LISTED`` plus a count)."""

    n_rows: int
    problems: list[tuple[int, str, str]]  # (row index in the block, field, message)
    n_problems: int
    values: dict[str, pd.Series]


def check_block(frame: pd.DataFrame, limit: int = MAX_LISTED) -> Checked:
    """Validate every row of a block (columns already checked). Problems are ordered by row, then column."""
    found: list[tuple[int, int, str, str]] = []
    n_problems = 0
    values: dict[str, pd.Series] = {}
    for j, name in enumerate(frame.columns):
        if name == PATIENT_ID:
            values[name] = frame[name].astype(object).where(frame[name].notna(), "").map(str)
            continue
        parsed, missing, bad, allowed = _parse_column(str(name), frame[name])
        values[str(name)] = parsed
        n_problems += int(missing.sum() + bad.sum())
        for i in np.flatnonzero(missing)[:limit]:
            found.append((int(i), j, str(name), f"is missing; allowed: {allowed}"))
        for i in np.flatnonzero(bad)[:limit]:
            v = frame[name].iloc[i]
            v = v.item() if isinstance(v, np.generic) else v
            found.append((int(i), j, str(name), f"got {v!r}; allowed: {allowed}"))
    found.sort()
    return Checked(len(frame), [(i, f, m) for i, _, f, m in found[:limit]], n_problems, values)


def covariates(values: Mapping[str, pd.Series]) -> dict[str, np.ndarray]:
    """Covariates (``registry.COVARIATES`` names) as arrays from parsed columns, with ``Profile.covariates()``'s
    encoding."""
    enc = encoding()
    n = len(next(iter(values.values())))
    out: dict[str, np.ndarray] = {}
    for c, name in enc.field_of.items():
        if name is None:
            out[c] = np.full(n, enc.constant[c])
            continue
        col = values[name]
        kind = FIELDS[name][0]
        if kind == "int":
            lo = FIELDS[name][1][0]
            lookup = np.array([enc.table[c][v] for v in _domain(name)])
            out[c] = lookup[col.to_numpy(dtype=np.int64) - lo]
        else:
            out[c] = col.map(enc.table[c]).to_numpy(dtype=float)
    return out
