"""A cohort table: which columns it has, how each row is validated, and how rows become covariates.

One row per patient. The columns are the decision model's profile fields (``DecisionModel.fields``, declared in
the registry's ``model.yaml``), with their allowed values from ``Field.check`` and ``Field.allowed()``:

* required: every covariate field (``Field.is_covariate``: the covariate effects act on them);
* optional: the other profile fields (list fields as ``;``-separated items), ``label``, ``notes``,
  ``patient_id`` (free text, carried into the result), and preference weights: ``weight`` and any
  ``weight_<name>`` (how many benefits one harm cancels, 0 to 100).

In a CSV, true/false may also be written 1/0 (any case: true, True, TRUE). A Parquet file may use native types.
Every problem (unknown or missing column, missing value, wrong type, out of range) is collected over the whole
file and reported at once with its row number (1 = the first data row) and field. Values are checked once per
distinct value (``Field.check``), so a million rows cost a handful of checks per column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from outcomes.declaration import DecisionModel, Field
from outcomes.errors import Problem
from outcomes.pipeline import MAX_WEIGHT
from outcomes.profile import TEXT_FIELDS

PATIENT_ID = "patient_id"
WEIGHT = "weight"
MAX_LISTED = 20
"""Problems listed one per line; the rest are counted."""

_INT = re.compile(r"^\s*[+-]?\d+(\.0*)?\s*$")
_TRUE = frozenset({"true", "1", "1.0"})
_FALSE = frozenset({"false", "0", "0.0"})
_WEIGHT_ALLOWED = f"a number from 0 to {MAX_WEIGHT:g} (how many benefits one harm cancels)"


def required_fields(model: DecisionModel) -> tuple[str, ...]:
    """The columns every cohort must have: the model's covariate fields, in declaration order."""
    return tuple(model.covariates)


def weight_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c == WEIGHT or c.startswith(WEIGHT + "_")]


def allowed_columns(model: DecisionModel) -> str:
    return ", ".join([*model.fields, *TEXT_FIELDS, PATIENT_ID, WEIGHT, WEIGHT + "_<name>"])


def check_columns(columns: list[str], file: str, model: DecisionModel) -> list[Problem]:
    """Problems of the header: unknown columns, missing required columns, repeated columns."""
    problems = []
    known = set(model.fields) | set(TEXT_FIELDS) | {PATIENT_ID}
    for c in columns:
        if c not in known and c not in weight_columns([c]):
            problems.append(Problem(file, None, str(c), f"unknown column; allowed: {allowed_columns(model)}"))
    for c in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(Problem(file, None, str(c), "column appears more than once; allowed: each column once"))
    for name in required_fields(model):
        if name not in columns:
            problems.append(Problem(file, None, name, f"column is missing; allowed: {model.fields[name].allowed()}"))
    return problems


def _as_text(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(stripped text of every cell, missing mask): native Parquet values and CSV strings alike."""
    obj = col.astype(object)
    missing = obj.isna().to_numpy()
    text = obj.where(~missing, "").astype("string[pyarrow]").str.strip()
    missing = missing | (text == "").to_numpy()
    return text, missing


def _checked(values: pd.Series, usable: np.ndarray, f: Field) -> np.ndarray:
    """``Field.check`` of every usable value, called once per distinct value."""
    ok = np.zeros(len(values), dtype=bool)
    if usable.any():
        sub = values[usable]
        verdict = {u: f.check(u.item() if isinstance(u, np.generic) else u) for u in pd.unique(sub)}
        ok[usable] = sub.map(verdict).to_numpy(dtype=bool)
    return ok


def _parse_field(f: Field, text: pd.Series, missing: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray, str]:
    """(parsed values, missing mask, valid mask, allowed text) of a profile field's column."""
    allowed = f.allowed()
    index = text.index
    if f.type == "int":
        isint = text.str.match(_INT).to_numpy(dtype=bool) & ~missing
        num = pd.to_numeric(text.where(isint, ""), errors="coerce").to_numpy(dtype=float)
        parsed = pd.Series(np.where(isint, num, 0).astype(np.int64), index=index)
        ok = _checked(parsed, isint, f)
        values = parsed.where(ok, int(f.min or 0)).astype(np.int64)
    elif f.type == "number":
        num = pd.to_numeric(text.where(~missing, ""), errors="coerce").to_numpy(dtype=float)
        parsed = pd.Series(num, index=index)
        ok = _checked(parsed, ~np.isnan(num), f)
        values = parsed.where(ok, float(f.min or 0.0))
    elif f.type == "bool":
        low = text.str.lower()
        t, fl = low.isin(_TRUE).to_numpy(dtype=bool), low.isin(_FALSE).to_numpy(dtype=bool)
        ok = t | fl
        values = pd.Series(t, index=index)
        allowed += " (or 1/0)"
    elif f.type == "choice":
        ok = _checked(text.astype(object), ~missing, f)
        values = text
    elif f.type == "list":
        items = text.astype(object).map(lambda s: [x.strip() for x in str(s).split(";") if x.strip()])
        ok = _checked(items.map(tuple), np.ones(len(text), dtype=bool), f)
        values = text
        allowed += " (separated by ;)"
        missing = np.zeros(len(text), dtype=bool)  # an empty cell is an empty list
    else:  # text
        ok = np.ones(len(text), dtype=bool)
        values = text
        missing = np.zeros(len(text), dtype=bool)  # text is optional in a cohort
    return values, missing, ok, allowed


def _parse_column(name: str, col: pd.Series, model: DecisionModel) -> tuple[pd.Series, np.ndarray, np.ndarray, str]:
    """(parsed values, missing mask, bad mask, allowed text) of one column."""
    text, missing = _as_text(col)
    if name in model.fields:
        values, missing, ok, allowed = _parse_field(model.fields[name], text, missing)
    elif name in TEXT_FIELDS:  # label and notes are optional in a cohort
        values, ok, allowed = text, np.ones(len(text), dtype=bool), "text"
        missing = np.zeros(len(text), dtype=bool)
    else:  # a weight column
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(num) & (num >= 0) & (num <= MAX_WEIGHT)
        values, allowed = pd.Series(np.where(ok, num, 0.0), index=col.index), _WEIGHT_ALLOWED
    return values, missing, ~ok & ~missing, allowed


@dataclass
class Checked:
    """A validated block: the parsed columns, and the problems found (first ``MAX_LISTED`` plus a count)."""

    n_rows: int
    problems: list[tuple[int, str, str]]  # (row index in the block, field, message)
    n_problems: int
    values: dict[str, pd.Series]


def check_block(frame: pd.DataFrame, model: DecisionModel, limit: int = MAX_LISTED) -> Checked:
    """Validate every row of a block (columns already checked). Problems are ordered by row, then column."""
    found: list[tuple[int, int, str, str]] = []
    n_problems = 0
    values: dict[str, pd.Series] = {}
    for j, name in enumerate(frame.columns):
        if name == PATIENT_ID:
            values[name] = frame[name].astype(object).where(frame[name].notna(), "").map(str)
            continue
        parsed, missing, bad, allowed = _parse_column(str(name), frame[name], model)
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


def covariates(values: Mapping[str, pd.Series], model: DecisionModel) -> dict[str, np.ndarray]:
    """Every covariate as an array (patient,) from parsed columns, with ``Field.to_number`` (as
    ``Profile.covariates()``), called once per distinct value."""
    out: dict[str, np.ndarray] = {}
    for name, f in model.covariates.items():
        if name not in values:
            continue
        col = values[name]
        table = {u: f.to_number(u) for u in pd.unique(col)}
        out[name] = col.map(table).to_numpy(dtype=float)
    return out


def profile_data(values: Mapping[str, pd.Series], i: int, model: DecisionModel) -> dict[str, Any]:
    """Row ``i`` of parsed columns as profile data (for ``profile.parse_profile``)."""
    data: dict[str, Any] = {"label": f"cohort row {i + 1}"}
    for name, f in model.fields.items():
        if name not in values:
            continue
        v = values[name].iloc[i]
        if f.type == "list":
            v = [x.strip() for x in str(v).split(";") if x.strip()]
        elif f.type in ("int",):
            v = int(v)
        elif f.type == "number":
            v = float(v)
        elif f.type == "bool":
            v = bool(v)
        else:
            v = str(v)
        data[name] = v
    return data
