"""Decision summaries for every patient of a cohort, on Dask (local threads by default, or a cluster).

Flow: the header is checked; a first Dask pass validates every row (all problems at once, nothing computed);
the parameter draws are made once (exactly ``pipeline.compare``'s draws with the same registry, posterior,
study data, draws and seed) and shipped to the workers as one small object; a second pass splits every input
partition into slices of ``chunk_size`` patients, computes each slice's summaries in numpy blocks of bounded size
(``adapter.expected_batch`` then ``summaries.summarize_block``), and writes them with ``to_parquet`` into a
temporary sibling folder that is renamed into place only when everything is written. The cohort summary
(share preferring each option, overall and by subgroup) is reduced from small per-slice counts.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import xarray as xr

from outcomes.atomic import write_file_atomically
from outcomes.cohort import inputs
from outcomes.cohort.adapter import (
    covariates_used,
    decision_arrays,
    decision_model,
    elements_per_block,
    expected_batch,
)
from outcomes.cohort.summaries import summarize_block
from outcomes.declaration import DecisionModel, Field
from outcomes.errors import InputError, Problem, input_name
from outcomes.model import DENOMINATOR, harm_weights, net_benefit
from outcomes.pipeline import Decision, check_options, compare
from outcomes.profile import Profile
from outcomes.registry import Registry, load_registry
from outcomes.summarize import DEFAULT_WEIGHT

DEFAULT_CHUNK = 20_000
MAX_CHUNK = 10_000_000
CSV_BLOCK_BYTES = 16_000_000
MAX_BANDS = 10
"""A wide numeric covariate is shown in at most this many bands of a round width (1, 2, 5, 10, 20, ...)."""
MAX_LEVELS = 8
"""An int covariate with at most this many values is shown value by value."""
ALL = "all patients"
DISCLAIMER = "These results support, not replace, clinical judgement."


# --- the draws: exactly those of pipeline.compare ---------------------------------------------------------------


def cohort_draws(
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    *,
    n_draws: int,
    seed: int,
    allow_failed: bool = False,
    data: Any = "default",
    prior_only: bool = False,
    profile: Profile | None = None,
) -> Decision:
    """``pipeline.compare`` for one profile (``profile``, default the shipped seed patient) with one simulated
    patient: its ``draws`` are the draws of every patient (they do not depend on the profile), with its
    ``evidence`` (trials, seed, prior or posterior) and study data file."""
    return compare(
        profile,
        registry=registry,
        posterior=posterior,
        n_draws=n_draws,
        seed=seed,
        n_patients=1,
        allow_failed=allow_failed,
        data=data,
        prior_only=prior_only,
    )


# --- subgroups of the cohort summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subgroup:
    """A covariate field the cohort summary is split by, and how its values become levels."""

    name: str
    label: str
    levels: tuple[str, ...]
    cuts: tuple[float, ...] = ()
    """Band edges for a wide numeric field: level k holds values in [cuts[k-1], cuts[k]) (open at the ends)."""

    def level_of(self, values: pd.Series, f: Field) -> np.ndarray:
        if self.cuts:
            idx = np.searchsorted(np.asarray(self.cuts), values.to_numpy(dtype=float), side="right")
            return np.asarray(self.levels, dtype=object)[idx]
        if f.type == "bool":
            return np.where(values.to_numpy(dtype=bool), "yes", "no").astype(object)
        return values.astype(str).to_numpy(dtype=object)


def _round_width(span: float) -> float:
    for magnitude in 10.0 ** np.arange(-3, 7):
        for step in (1, 2, 5):
            if span / (step * magnitude) <= MAX_BANDS:
                return float(step * magnitude)
    return span


def subgroup_of(f: Field) -> Subgroup:
    """Levels of one covariate: bool yes/no, choice its levels, an int with at most ``MAX_LEVELS`` values each
    value, a wider numeric field bands of a round width within its declared range."""
    if f.type == "bool":
        return Subgroup(f.name, f.plain, ("no", "yes"))
    if f.type == "choice":
        return Subgroup(f.name, f.plain, tuple(f.levels))
    lo, hi = f.value_range()
    if f.type == "int" and hi - lo + 1 <= MAX_LEVELS:
        return Subgroup(f.name, f.plain, tuple(str(v) for v in range(int(lo), int(hi) + 1)))
    width = _round_width(hi - lo)
    first = math.floor(lo / width) * width + width
    cuts = tuple(float(c) for c in np.arange(first, hi, width) if c > lo)

    def num(x: float) -> str:
        return f"{x:g}"

    if not cuts:
        return Subgroup(f.name, f.plain, (f"{num(lo)}-{num(hi)}",), ())
    step = 1 if f.type == "int" else 0
    levels = [f"under {num(cuts[0])}"]
    levels += [f"{num(a)}-{num(b - step)}" if step else f"{num(a)} to <{num(b)}" for a, b in itertools.pairwise(cuts)]
    levels.append(f"{num(cuts[-1])} and over")
    return Subgroup(f.name, f.plain, tuple(levels), cuts)


def subgroups_for(
    model: DecisionModel, names: Sequence[str] | None = None, *, cli: bool = False
) -> tuple[Subgroup, ...]:
    """The summary's subgroups: the named covariate fields (default: every covariate field of the model)."""
    chosen = list(model.covariates) if names is None else list(names)
    bad = [n for n in chosen if n not in model.covariates]
    if bad:
        raise InputError(
            input_name("subgroups", "--subgroups", cli=cli),
            None,
            None,
            f"got {', '.join(bad)}; allowed: covariate fields of the model: {', '.join(model.covariates)}",
        )
    return tuple(subgroup_of(model.covariates[n]) for n in dict.fromkeys(chosen))


# --- reading and validating --------------------------------------------------------------------------------


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".pq"):
        return "csv" if suffix == ".csv" else "parquet"
    if path.is_dir():
        return "parquet"
    raise InputError(str(path), None, None, "allowed: a cohort table ending in .csv or .parquet")


def read_header(path: Path) -> list[str]:
    if not path.exists():
        raise InputError(str(path), None, None, "does not exist; allowed: a cohort .csv or .parquet file")
    try:
        if _kind(path) == "csv":
            return [str(c) for c in pd.read_csv(path, nrows=0).columns]
        import pyarrow.parquet as pq

        return [str(c) for c in pq.read_schema(path).names if not str(c).startswith("__index_level")]
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError(str(path), None, None, "is empty; allowed: a header row, then one row per patient") from None
    except Exception as exc:
        raise InputError(str(path), None, None, f"cannot be read ({type(exc).__name__}: {exc})") from None


def _bytes_per_row(path: Path) -> float:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    lines = max(head.count(b"\n") - 1, 1)
    return max(len(head) / lines, 1.0)


def _read_row_group(file: str, i: int) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.ParquetFile(file).read_row_group(i).to_pandas()


def read_cohort(path: Path, chunk_size: int) -> list:
    """The cohort as Dask delayed partitions of raw cells (CSV: text, every cell, through ``dask.dataframe``;
    Parquet: native types, one partition per row group, read with pyarrow)."""
    import dask

    if _kind(path) == "csv":
        import dask.dataframe as dd

        blocksize = int(min(max(_bytes_per_row(path) * chunk_size * 4, 1 << 20), CSV_BLOCK_BYTES))
        ddf = dd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, blocksize=blocksize)
        return list(ddf.to_delayed())
    import pyarrow.parquet as pq

    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    groups = [(str(f), i) for f in files for i in range(pq.ParquetFile(f).num_row_groups)]
    return [dask.delayed(_read_row_group, pure=True)(f, i) for f, i in groups]


def _check_partition(frame: pd.DataFrame, model: DecisionModel) -> tuple[int, list[tuple[int, str, str]], int]:
    checked = inputs.check_block(frame, model)
    return checked.n_rows, checked.problems, checked.n_problems


def _parse_error(path: Path, exc: BaseException) -> InputError:
    text = str(exc).split("Original Message:")[-1]
    text = " ".join(text.split())
    return InputError(str(path), None, None, f"is not a valid table ({text}); allowed: one row per patient")


@contextmanager
def _table_errors(path: Path) -> Iterator[None]:
    """A file that cannot be parsed as a table becomes one ``InputError`` line."""
    import pyarrow as pa

    try:
        yield
    except (pd.errors.ParserError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise _parse_error(path, exc) from None


def validate(path: Path, parts: list, model: DecisionModel, limit: int = inputs.MAX_LISTED) -> list[int]:
    """Validate every row (a Dask pass); raise one ``InputError`` listing the first ``limit`` problems and a
    count of the rest. Returns the number of rows per partition."""
    import dask

    checks = [dask.delayed(_check_partition)(p, model) for p in parts]
    with _table_errors(path):
        results = dask.compute(*checks)
    problems: list[Problem] = []
    total, offset, sizes = 0, 0, []
    for n_rows, found, n_problems in results:
        for i, fld, msg in found:
            if len(problems) < limit:
                problems.append(Problem(str(path), f"row {offset + i + 1}", fld, msg))
        total += n_problems
        offset += n_rows
        sizes.append(n_rows)
    if total > len(problems):
        problems.append(
            Problem(str(path), None, None, f"... and {total - len(problems)} more problems ({total} in all)")
        )
    if problems:
        raise InputError.collect(problems)
    if offset == 0:
        raise InputError(str(path), None, None, "has no patient rows (a header only); allowed: one row per patient")
    return sizes


# --- one slice of patients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SliceSpec:
    """What every slice task needs besides its rows and the draws (small; pickled into the graph)."""

    model: DecisionModel
    weight: float
    weight_columns: tuple[str, ...]
    has_patient_id: bool
    block: int
    subgroups: tuple[Subgroup, ...]

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(self.model.strategies)


def result_columns(spec: SliceSpec) -> list[str]:
    """The result's columns, in order (one row per patient and strategy)."""
    cols = ["patient"] + ([inputs.PATIENT_ID] if spec.has_patient_id else []) + [g.name for g in spec.subgroups]
    cols += ["strategy", "benefit_per100", "benefit_low", "benefit_high", "harm_per100", "harm_low", "harm_high"]
    cols += ["weight", "net_per100", "net_low", "net_high", "p_best", "preferred", "is_preferred"]
    cols += ["preferred_from_weight", "preferred_to_weight"]
    for k in range(1, len(spec.strategies)):
        cols += [f"flip_{k}_weight", f"flip_{k}_to"]
    cols += ["evpi_per100", "evpi_se"]
    for c in spec.weight_columns:
        if c != inputs.WEIGHT:
            cols += [f"{c}", f"net_per100_at_{c}", f"p_best_at_{c}", f"preferred_at_{c}", f"evpi_per100_at_{c}"]
    return cols


def _net(rates: np.ndarray, model: DecisionModel, weights: np.ndarray) -> np.ndarray:
    """``model.net_benefit`` per 1 at each patient's weight, as (strategy, patient, draw), from rates (draw,
    patient, strategy, outcome); the weight broadcasts over the patient axis."""
    net = net_benefit(rates, model, cast(float, np.asarray(weights, dtype=float)[:, None]), per=1.0)
    return np.ascontiguousarray(np.transpose(net, (2, 1, 0)))


def compute_slice(frame: pd.DataFrame, draws: xr.Dataset, start: int, stop: int, first_row: int, spec: SliceSpec):
    """Summaries for rows [start, stop) of a validated partition whose first row is cohort row ``first_row``
    (0-based). Returns (result frame, counts frame for the cohort summary)."""
    from outcomes.cohort import summaries

    model = spec.model
    decision = decision_model(model)  # only what the decision weighs: exact, and fewer joint states
    frame = frame.iloc[start:stop]
    values = inputs.check_block(frame, model, limit=0).values
    strategies = spec.strategies
    n, s = len(frame), len(strategies)
    cov = inputs.covariates(values, model) if n else {}
    used = covariates_used(draws)
    primary = values[inputs.WEIGHT].to_numpy(dtype=float) if inputs.WEIGHT in values else np.full(n, float(spec.weight))
    extra = [c for c in spec.weight_columns if c != inputs.WEIGHT]
    parts: dict[str, list[np.ndarray]] = {}

    def put(name: str, value: np.ndarray) -> None:
        parts.setdefault(name, []).append(value)

    for b0 in range(0, n, spec.block):
        sl = slice(b0, min(b0 + spec.block, n))
        rates = expected_batch(draws, decision, {c: cov[c][sl] for c in used})
        benefit, harm = decision_arrays(rates, decision)
        blk = summarize_block(benefit, harm, _net(rates, decision, primary[sl]), primary[sl])
        for name in (
            "benefit",
            "benefit_low",
            "benefit_high",
            "weighted_harm",
            "weighted_harm_low",
            "weighted_harm_high",
        ):
            put(name, getattr(blk, name))
        for name in ("net", "net_low", "net_high", "p_best"):
            put(name, getattr(blk, name))
        put("preferred", blk.preferred)
        put("evpi", blk.evpi)
        put("evpi_se", blk.evpi_se)
        put("flip_weight", blk.flips.weight)
        put("flip_to", blk.flips.to)
        put("pref_low", blk.flips.preferred_low)
        put("pref_high", blk.flips.preferred_high)
        for c in extra:
            net = _net(rates, decision, values[c].to_numpy(dtype=float)[sl])
            mean = net.mean(axis=-1).T
            put(f"net@{c}", DENOMINATOR * mean)
            put(f"pbest@{c}", summaries.probability_best(net))
            put(f"pref@{c}", np.argmax(mean, axis=1))
            put(f"evpi@{c}", summaries.evpi(DENOMINATOR * net)[0])

    def cat(name: str, shape: tuple[int, ...], dtype: Any = float) -> np.ndarray:
        return np.concatenate(parts[name]) if n else np.zeros((0, *shape), dtype=dtype)

    names = np.asarray(strategies, dtype=object)
    names_or_empty = np.asarray([*strategies, ""], dtype=object)  # index -1 -> ""

    def per_patient(x: np.ndarray) -> np.ndarray:  # (n,) -> (n*s,), patient-major
        return np.repeat(x, s)

    def per_row(x: np.ndarray) -> np.ndarray:  # (n, s) -> (n*s,)
        return x.reshape(-1)

    preferred = cat("preferred", (), int)
    out: dict[str, Any] = {"patient": per_patient(np.arange(first_row + start + 1, first_row + start + n + 1))}
    if spec.has_patient_id:
        out[inputs.PATIENT_ID] = per_patient(values[inputs.PATIENT_ID].to_numpy(dtype=object))
    for g in spec.subgroups:
        out[g.name] = per_patient(values[g.name].to_numpy()) if n else np.zeros(0)
    out["strategy"] = np.tile(names, n)
    for col, key in (("benefit_per100", "benefit"), ("harm_per100", "weighted_harm")):
        out[col] = per_row(cat(key, (s,)))
        out[col.replace("per100", "low")] = per_row(cat(f"{key}_low", (s,)))
        out[col.replace("per100", "high")] = per_row(cat(f"{key}_high", (s,)))
    out["weight"] = per_patient(primary)
    out["net_per100"] = per_row(cat("net", (s,)))
    out["net_low"] = per_row(cat("net_low", (s,)))
    out["net_high"] = per_row(cat("net_high", (s,)))
    out["p_best"] = per_row(cat("p_best", (s,)))
    out["preferred"] = per_patient(names[preferred])
    out["is_preferred"] = per_row(preferred[:, None] == np.arange(s)[None, :])
    out["preferred_from_weight"] = per_row(cat("pref_low", (s,)))
    out["preferred_to_weight"] = per_row(cat("pref_high", (s,)))
    fw, ft = cat("flip_weight", (s - 1,)), cat("flip_to", (s - 1,), int)
    for k in range(s - 1):
        out[f"flip_{k + 1}_weight"] = per_patient(fw[:, k])
        out[f"flip_{k + 1}_to"] = per_patient(names_or_empty[ft[:, k]])
    out["evpi_per100"] = per_patient(cat("evpi", ()))
    out["evpi_se"] = per_patient(cat("evpi_se", ()))
    for c in extra:
        out[c] = per_patient(values[c].to_numpy(dtype=float))
        out[f"net_per100_at_{c}"] = per_row(cat(f"net@{c}", (s,)))
        out[f"p_best_at_{c}"] = per_row(cat(f"pbest@{c}", (s,)))
        out[f"preferred_at_{c}"] = per_patient(names[cat(f"pref@{c}", (), int)])
        out[f"evpi_per100_at_{c}"] = per_patient(cat(f"evpi@{c}", ()))
    result = _typed(pd.DataFrame(out, columns=result_columns(spec)), spec)
    levels = {
        g.name: g.level_of(values[g.name], model.fields[g.name]) if n else np.zeros(0, object) for g in spec.subgroups
    }
    return result, _counts(levels, preferred, cat("evpi", ()), spec)


def _typed(frame: pd.DataFrame, spec: SliceSpec) -> pd.DataFrame:
    """Fixed dtypes, so that every partition (and an empty one) has the same Parquet schema."""
    by_type = {"int": "int64", "number": "float64", "bool": "bool", "choice": "string"}
    kinds = {"patient": "int64", "is_preferred": "bool"}
    kinds |= {g.name: by_type[spec.model.fields[g.name].type] for g in spec.subgroups}
    for c in frame.columns:
        if c in kinds:
            frame[c] = frame[c].astype(kinds[c])
        elif _is_text_column(c):
            frame[c] = frame[c].astype("string")
        else:
            frame[c] = frame[c].astype("float64")
    return frame


def _is_text_column(name: str) -> bool:
    return (
        name in ("strategy", "preferred", inputs.PATIENT_ID)
        or name.startswith("preferred_at_")
        or (name.startswith("flip_") and name.endswith("_to"))
    )


def _counts(levels: dict[str, np.ndarray], preferred: np.ndarray, evpi: np.ndarray, spec: SliceSpec) -> pd.DataFrame:
    """Per subgroup level: patients, patients preferring each strategy, summed EVPI (small; summed later)."""
    groups = {ALL: np.full(len(preferred), "all", dtype=object), **levels}
    frames = []
    for name, level in groups.items():
        df = pd.DataFrame({"subgroup": name, "level": level, "evpi_sum": evpi})
        df["n_patients"] = 1
        for k, st in enumerate(spec.strategies):
            df[f"n_{st}"] = (preferred == k).astype(np.int64)
        frames.append(df.groupby(["subgroup", "level"], as_index=False).sum())
    return pd.concat(frames, ignore_index=True)


def summary_table(counts: Sequence[pd.DataFrame], spec: SliceSpec) -> pd.DataFrame:
    """Share of patients preferring each strategy, overall and by subgroup (in the subgroups' level order), with
    the mean EVPI per 100 and each subgroup's plain label."""
    total = pd.concat(counts, ignore_index=True).groupby(["subgroup", "level"], as_index=False, sort=False).sum()
    order = {ALL: 0} | {g.name: i + 1 for i, g in enumerate(spec.subgroups)}
    level_order = {(g.name, lv): i for g in spec.subgroups for i, lv in enumerate(g.levels)}
    total = total.assign(
        _g=total.subgroup.map(order),
        _l=[level_order.get((g, lv), 0) for g, lv in zip(total.subgroup, total.level, strict=True)],
    ).sort_values(["_g", "_l"])
    labels = {ALL: ALL} | {g.name: g.label for g in spec.subgroups}
    out = total[["subgroup", "level", "n_patients"]].copy()
    out.insert(1, "subgroup_label", out.subgroup.map(labels))
    for st in spec.strategies:
        out[f"share_{st}"] = total[f"n_{st}"] / total["n_patients"]
    out["mean_evpi_per100"] = total["evpi_sum"] / total["n_patients"]
    return out.reset_index(drop=True)


# --- the whole run -----------------------------------------------------------------------------------------


@dataclass
class CohortResult:
    out: Path
    summary_file: Path
    summary: pd.DataFrame
    n_patients: int
    n_partitions: int
    provenance: dict = field(default_factory=dict)
    strategies: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    """Strategy id -> short label (from the model)."""

    def provenance_line(self) -> str:
        p = self.provenance
        s = (
            f"Time frame: {p['time_frame']}; evidence version {p['evidence_version']}; {p['evidence_words']}; "
            f"{p['n_draws']} draws; seed {p['seed']}; {self.n_patients} patients"
        )
        if p.get("diagnostics_status", "ok") != "ok":
            s += f"; FIT DIAGNOSTICS FAILING ({p['diagnostics_status']})"
        return s


def summary_path(out: Path) -> Path:
    out = Path(out)
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}_summary.csv")


def check_chunk_size(chunk_size: int, *, cli: bool = False) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or not (1 <= chunk_size <= MAX_CHUNK):
        raise InputError(
            input_name("chunk_size", "--chunk-size", cli=cli),
            None,
            None,
            f"got {chunk_size!r}; allowed: a whole number from 1 to {MAX_CHUNK}",
        )


@dataclass(frozen=True)
class Evidence:
    """Where the draws come from: the options of ``pipeline.compare``."""

    posterior: str | Path | None = None
    allow_failed: bool = False
    data: Any = "default"
    prior_only: bool = False
    n_draws: int = 4000
    seed: int = 0


def run_cohort(
    cohort: Path | str,
    out: Path | str,
    *,
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    allow_failed: bool = False,
    data: Any = "default",
    prior_only: bool = False,
    weight: float = DEFAULT_WEIGHT,
    n_draws: int = 1000,
    seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    scheduler: str | None = None,
    subgroups: Sequence[str] | None = None,
    progress: bool | None = None,
    cli: bool = False,
) -> CohortResult:
    """Decision summaries for every patient of ``cohort``, written as partitioned Parquet to ``out``.

    The draws are exactly those of ``pipeline.compare`` with the same registry, ``posterior``, ``data``,
    ``prior_only``, ``n_draws`` and ``seed``. ``subgroups``: covariate fields the cohort summary is split by
    (default: every covariate field). ``scheduler``: a ``dask.distributed`` scheduler address (None: Dask's local
    threaded scheduler). ``progress``: show a progress bar (None: when stderr is a terminal). ``cli``: errors name
    the command's options rather than the arguments."""
    check_options(weight, n_draws, seed, cli=cli)
    check_chunk_size(chunk_size, cli=cli)
    path = Path(cohort)
    out = Path(out)
    columns = read_header(path)
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    problems = inputs.check_columns(columns, str(path), reg.model)
    if problems:
        raise InputError.collect(problems)
    groups = subgroups_for(reg.model, subgroups, cli=cli)
    evidence = Evidence(posterior, allow_failed, data, prior_only, n_draws, seed)
    show = sys.stderr.isatty() if progress is None else progress
    if scheduler is None:
        return _run(path, out, columns, reg, evidence, groups, weight, chunk_size, None, show, cli)
    from distributed import Client

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"{input_name('scheduler', '--scheduler', cli=cli)} {scheduler}",
            None,
            None,
            f"cannot connect ({type(exc).__name__}); allowed: the address of a running dask.distributed scheduler",
        ) from None
    with client:
        return _run(path, out, columns, reg, evidence, groups, weight, chunk_size, client, show, cli)


def _first_profile(parts: list, sizes: list[int], model: DecisionModel) -> Profile:
    """The first patient of a validated cohort, as a profile of its covariate fields (for ``compare``)."""
    k = next(i for i, n in enumerate(sizes) if n)
    frame = parts[k].compute().iloc[:1]
    data = inputs.profile_data(inputs.check_block(frame, model, limit=0).values, 0, model)
    values = {
        name: tuple(v) if model.fields[name].type == "list" else v for name, v in data.items() if name in model.fields
    }
    return Profile(label=str(data["label"]), values=values, model=model)


def _run(
    path, out, columns, reg, evidence: Evidence, groups, weight, chunk_size, client, show, cli: bool = False
) -> CohortResult:
    import dask
    import dask.dataframe as dd

    from outcomes.atomic import write_folder_atomically
    from outcomes.summarize import EVIDENCE_WORDS

    model = reg.model
    with _table_errors(path):
        parts = read_cohort(path, chunk_size)
    sizes = validate(path, parts, model)
    decision = cohort_draws(
        reg,
        evidence.posterior,
        n_draws=evidence.n_draws,
        seed=evidence.seed,
        allow_failed=evidence.allow_failed,
        data=evidence.data,
        prior_only=evidence.prior_only,
        profile=_first_profile(parts, sizes, model),
    )
    draws = decision.draws
    spec = SliceSpec(
        model=model,
        weight=float(weight),
        weight_columns=tuple(inputs.weight_columns(columns)),
        has_patient_id=inputs.PATIENT_ID in columns,
        block=max(1, elements_per_block(decision_model(model)) // draws.sizes["draw"]),
        subgroups=groups,
    )
    shipped = dask.delayed(draws, pure=True)
    slices, offset = [], 0
    for part, n_rows in zip(parts, sizes, strict=True):
        for start in range(0, n_rows, chunk_size):
            slices.append(dask.delayed(compute_slice, nout=2)(part, shipped, start, start + chunk_size, offset, spec))
        offset += n_rows
    empty_frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    meta, counts_meta = compute_slice(empty_frame, draws.isel(draw=slice(0, 2)), 0, 0, 0, spec)
    result = dd.from_delayed([r for r, _ in slices], meta=meta, verify_meta=False)
    counts = dd.from_delayed([c for _, c in slices], meta=counts_meta, verify_meta=False)
    provenance = {
        "time_frame": model.time_frame,
        "time_frame_text": model.time_frame_text,
        "evidence_version": reg.version,
        "evidence": decision.evidence,
        "evidence_words": EVIDENCE_WORDS.get(decision.evidence, decision.evidence),
        "data_file": decision.data_file or "",
        "origin": str(draws.attrs.get("origin", "")),
        "n_draws": int(draws.sizes["draw"]),
        "seed": int(evidence.seed),
        "diagnostics_status": str(draws.attrs.get("diagnostics_status", "ok")),
        "posterior_file": str(evidence.posterior or ""),
        "cohort": str(path),
        "n_patients": offset,
        "default_weight": float(weight),
        "benefit_per100": model.benefit,
        "harm_per100": {"outcomes": harm_weights(model), "rule": "sum of outcome rates x relative weights"},
        "net_per100": "benefit_per100 - weight x harm_per100",
        "strategies": list(model.strategies),
        "subgroups": {g.name: list(g.levels) for g in groups},
        "denominator": DENOMINATOR,
        "note": DISCLAIMER,
    }
    got: dict[str, pd.DataFrame] = {}

    def build(tmp: Path) -> None:
        write = result.to_parquet(tmp, compute=False, write_index=False, write_metadata_file=False)
        if client is None:
            if show:
                from dask.diagnostics import ProgressBar

                with ProgressBar(out=sys.stderr):
                    _, cs = dask.compute(write, counts)
            else:
                _, cs = dask.compute(write, counts)
        else:
            futures = client.compute([write, counts])
            if show:
                from distributed import progress as dprogress

                dprogress(futures, multi=False)
            cs = futures[1].result()  # the small per-slice counts only; the results stay on the workers
            futures[0].result()
        got["summary"] = summary_table([cs], spec)
        (tmp / "_provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")

    summary_file = summary_path(out)
    summary_file.unlink(missing_ok=True)  # never leave an old summary beside a new result
    written = write_folder_atomically(out, build, name=input_name("out", "--out", cli=cli))
    summary = got["summary"].assign(evidence_version=reg.version, time_frame=model.time_frame)
    write_file_atomically(summary_file, lambda tmp: summary.to_csv(tmp, index=False, float_format="%.6g"))
    return CohortResult(
        written, summary_file, summary, offset, len(slices), provenance, spec.strategies, dict(model.short_labels)
    )


def format_summary(result: CohortResult) -> str:
    """The cohort summary as printed by the command (strategies by their short labels)."""
    s = result.summary
    head = ["subgroup_label", "level", "n_patients", *[f"share_{x}" for x in result.strategies], "mean_evpi_per100"]
    shown = s[head].copy()
    for x in result.strategies:
        shown[f"share_{x}"] = shown[f"share_{x}"].map(lambda v: f"{100 * v:.1f}%")
    shown["mean_evpi_per100"] = shown["mean_evpi_per100"].map(lambda v: f"{v:.2f}" if math.isfinite(v) else "")
    shown = shown.rename(
        columns={"subgroup_label": "subgroup", **{f"share_{x}": result.labels.get(x, x) for x in result.strategies}}
    )
    lines = [
        result.provenance_line(),
        f"Share of patients for whom each option has the best expected net outcome "
        f"(weight {result.provenance['default_weight']:g} unless the cohort gives one per patient):",
        shown.to_string(index=False),
        DISCLAIMER,
    ]
    return "\n".join(lines)
