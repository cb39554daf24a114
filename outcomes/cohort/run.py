"""Decision summaries for every patient of a cohort, on Dask (local threads by default, or a cluster).

Flow: the header is checked; a first Dask pass validates every row (all problems at once, nothing computed);
the parameter draws are made once (the same draws as ``pipeline.decide`` with the same registry, posterior,
draws and seed) and shipped to the workers as one small object; a second pass splits every input partition
into slices of ``chunk_size`` patients, computes each slice's summaries in numpy blocks of bounded size
(``adapter.expected_batch`` then ``summaries.summarize_block``), and writes them with ``to_parquet`` into a
temporary sibling folder that is renamed into place only when everything is written. The cohort summary
(share preferring each option, overall and by subgroup) is reduced from small per-slice counts.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from outcomes.cohort import inputs
from outcomes.cohort.adapter import DrawArrays, expected_batch
from outcomes.cohort.summaries import summarize_block
from outcomes.draws import load_posterior_draws, prior_draws
from outcomes.elicit import elicit
from outcomes.errors import InputError, Problem
from outcomes.model import TIME_FRAME
from outcomes.pipeline import check_options
from outcomes.registry import STRATEGIES, Registry, load_registry
from outcomes.summarize import DEFAULT_WEIGHT, DENOMINATOR

DEFAULT_CHUNK = 20_000
MAX_CHUNK = 10_000_000
BLOCK_ELEMENTS = 1 << 19
"""Draws x patients per numpy block: bounds the working memory of a task (about 150 MB at float64)."""
CSV_BLOCK_BYTES = 16_000_000
AGE_BANDS = ((0, 49, "under 50"), (50, 64, "50-64"), (65, 74, "65-74"), (75, 200, "75 and over"))
OPERATION_BANDS = ((0, 0, "0"), (1, 1, "1"), (2, 2, "2"), (3, 99, "3 or more"))
SUBGROUP_COLUMNS = ("age", "prior_surgeries", "instability")
DISCLAIMER = "These results support, not replace, clinical judgement."
OUTCOMES_USED = ("improved", "harm")


# --- the draws: the same as pipeline.decide ------------------------------------------------------------------


def cohort_draws(
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    *,
    n_draws: int,
    seed: int,
    allow_failed: bool = False,
) -> xr.Dataset:
    """The parameter draws ``pipeline.decide`` uses for the same registry, posterior, draws and seed."""
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    if posterior is not None:
        draws = load_posterior_draws(posterior, reg, allow_failed=allow_failed)
        if draws.sizes["draw"] > n_draws:  # thinned evenly, as decide() does
            stride = draws.sizes["draw"] / n_draws
            draws = draws.isel(draw=[int(i * stride) for i in range(n_draws)])
        return draws
    return prior_draws(elicit(reg), n_draws, seed)


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


def read_cohort(path: Path, chunk_size: int):
    """The cohort as a Dask DataFrame of raw cells (CSV: text, every cell; Parquet: native types)."""
    import dask.dataframe as dd

    if _kind(path) == "csv":
        blocksize = int(min(max(_bytes_per_row(path) * chunk_size * 4, 1 << 20), CSV_BLOCK_BYTES))
        return dd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, blocksize=blocksize)
    return dd.read_parquet(path, split_row_groups=True)


def _check_partition(frame: pd.DataFrame) -> tuple[int, list[tuple[int, str, str]], int]:
    checked = inputs.check_block(frame)
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


def validate(path: Path, parts: list, limit: int = inputs.MAX_LISTED) -> list[int]:
    """Validate every row (a Dask pass); raise one ``InputError`` listing the first ``limit`` problems and a
    count of the rest. Returns the number of rows per partition."""
    import dask

    checks = [dask.delayed(_check_partition)(p) for p in parts]
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
    """What every slice task needs besides its rows (small; pickled into the graph)."""

    weight: float
    weight_columns: tuple[str, ...]
    has_patient_id: bool
    block: int


def _band(values: np.ndarray, bands: Sequence[tuple[int, int, str]]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for lo, hi, name in bands:
        out[(values >= lo) & (values <= hi)] = name
    return out


def result_columns(spec: SliceSpec) -> list[str]:
    """The result's columns, in order (one row per patient and strategy)."""
    cols = ["patient"] + ([inputs.PATIENT_ID] if spec.has_patient_id else []) + list(SUBGROUP_COLUMNS)
    cols += ["strategy", "improved_per100", "improved_low", "improved_high", "harm_per100", "harm_low", "harm_high"]
    cols += ["weight", "net_per100", "net_low", "net_high", "p_best", "preferred", "is_preferred"]
    cols += ["preferred_from_weight", "preferred_to_weight"]
    for k in range(1, len(STRATEGIES)):
        cols += [f"flip_{k}_weight", f"flip_{k}_to"]
    cols += ["evpi_per100", "evpi_se"]
    for c in spec.weight_columns:
        if c != inputs.WEIGHT:
            cols += [f"{c}", f"net_per100_at_{c}", f"p_best_at_{c}", f"preferred_at_{c}", f"evpi_per100_at_{c}"]
    return cols


def compute_slice(frame: pd.DataFrame, arrays: DrawArrays, start: int, stop: int, first_row: int, spec: SliceSpec):
    """Summaries for rows [start, stop) of a validated partition whose first row is cohort row ``first_row``
    (0-based). Returns (result frame, counts frame for the cohort summary)."""
    from outcomes.cohort import summaries

    frame = frame.iloc[start:stop]
    values = inputs.check_block(frame, limit=0).values
    n, s = len(frame), len(STRATEGIES)
    cov = inputs.covariates(values) if n else {}
    used = arrays.covariates_used
    primary = values[inputs.WEIGHT].to_numpy(dtype=float) if inputs.WEIGHT in values else np.full(n, float(spec.weight))
    extra = [c for c in spec.weight_columns if c != inputs.WEIGHT]
    parts: dict[str, list[np.ndarray]] = {}

    def put(name: str, value: np.ndarray) -> None:
        parts.setdefault(name, []).append(value)

    for b0 in range(0, n, spec.block):
        sl = slice(b0, min(b0 + spec.block, n))
        rates = expected_batch(arrays, {c: cov[c][sl] for c in used}, OUTCOMES_USED)
        blk = summarize_block(rates, primary[sl])
        for name in ("improved", "improved_low", "improved_high", "harm", "harm_low", "harm_high"):
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
            net = summaries.net_outcome(rates, values[c].to_numpy(dtype=float)[sl])
            mean = net.mean(axis=-1).T
            put(f"net@{c}", DENOMINATOR * mean)
            put(f"pbest@{c}", summaries.probability_best(net))
            put(f"pref@{c}", np.argmax(mean, axis=1))
            put(f"evpi@{c}", summaries.evpi(DENOMINATOR * net)[0])

    def cat(name: str, shape: tuple[int, ...], dtype: Any = float) -> np.ndarray:
        return np.concatenate(parts[name]) if n else np.zeros((0, *shape), dtype=dtype)

    names = np.asarray(STRATEGIES, dtype=object)
    names_or_empty = np.asarray([*STRATEGIES, ""], dtype=object)  # index -1 -> ""

    def per_patient(x: np.ndarray) -> np.ndarray:  # (n,) -> (n*s,), patient-major
        return np.repeat(x, s)

    def per_row(x: np.ndarray) -> np.ndarray:  # (n, s) -> (n*s,)
        return x.reshape(-1)

    preferred = cat("preferred", (), int)
    out: dict[str, Any] = {"patient": per_patient(np.arange(first_row + start + 1, first_row + start + n + 1))}
    if spec.has_patient_id:
        out[inputs.PATIENT_ID] = per_patient(values[inputs.PATIENT_ID].to_numpy(dtype=object))
    for c in SUBGROUP_COLUMNS:
        out[c] = per_patient(values[c].to_numpy())
    out["strategy"] = np.tile(names, n)
    out["improved_per100"] = per_row(cat("improved", (s,)))
    out["improved_low"] = per_row(cat("improved_low", (s,)))
    out["improved_high"] = per_row(cat("improved_high", (s,)))
    out["harm_per100"] = per_row(cat("harm", (s,)))
    out["harm_low"] = per_row(cat("harm_low", (s,)))
    out["harm_high"] = per_row(cat("harm_high", (s,)))
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
    result = _typed(pd.DataFrame(out, columns=result_columns(spec)))
    counts = _counts(
        values["age"].to_numpy() if n else np.zeros(0, int),
        values["prior_surgeries"].to_numpy() if n else np.zeros(0, int),
        values["instability"].to_numpy() if n else np.zeros(0, bool),
        preferred,
        cat("evpi", ()),
    )
    return result, counts


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes, so that every partition (and an empty one) has the same Parquet schema."""
    kinds = {"patient": "int64", "age": "int64", "prior_surgeries": "int64", "instability": "bool"}
    for c in frame.columns:
        if c in kinds:
            frame[c] = frame[c].astype(kinds[c])
        elif c == "is_preferred":
            frame[c] = frame[c].astype("bool")
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


def _counts(age, operations, instability, preferred, evpi) -> pd.DataFrame:
    """Per subgroup level: patients, patients preferring each strategy, summed EVPI (small; summed later)."""
    groups = {
        "all patients": np.full(len(preferred), "all", dtype=object),
        "age band": _band(np.asarray(age), AGE_BANDS),
        "earlier operations": _band(np.asarray(operations), OPERATION_BANDS),
        "instability": np.where(np.asarray(instability, dtype=bool), "yes", "no").astype(object),
    }
    frames = []
    for name, level in groups.items():
        df = pd.DataFrame({"subgroup": name, "level": level, "evpi_sum": evpi})
        df["n_patients"] = 1
        for k, s in enumerate(STRATEGIES):
            df[f"n_{s}"] = (preferred == k).astype(np.int64)
        frames.append(df.groupby(["subgroup", "level"], as_index=False).sum())
    return pd.concat(frames, ignore_index=True)


def summary_table(counts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Share of patients preferring each strategy, overall and by subgroup, with the mean EVPI per 100."""
    total = pd.concat(counts, ignore_index=True).groupby(["subgroup", "level"], as_index=False, sort=False).sum()
    order = {"all patients": 0, "age band": 1, "earlier operations": 2, "instability": 3}
    level_order = {name: i for i, (_, _, name) in enumerate(AGE_BANDS)} | {
        name: i for i, (_, _, name) in enumerate(OPERATION_BANDS)
    }
    total = total.assign(
        _g=total.subgroup.map(order), _l=total.level.map(lambda v: level_order.get(v, 0 if v in ("all", "no") else 1))
    ).sort_values(["_g", "_l"])
    out = total[["subgroup", "level", "n_patients"]].copy()
    for s in STRATEGIES:
        out[f"share_{s}"] = total[f"n_{s}"] / total["n_patients"]
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

    def provenance_line(self) -> str:
        p = self.provenance
        s = (
            f"Time frame: {p['time_frame']}; evidence version {p['evidence_version']}; {p['origin']} draws: "
            f"{p['n_draws']}; seed {p['seed']}; {self.n_patients} patients"
        )
        if p.get("diagnostics_status", "ok") != "ok":
            s += f"; FIT DIAGNOSTICS FAILING ({p['diagnostics_status']})"
        return s


def summary_path(out: Path) -> Path:
    out = Path(out)
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}_summary.csv")


def check_chunk_size(chunk_size: int) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or not (1 <= chunk_size <= MAX_CHUNK):
        raise InputError(
            "option --chunk-size", None, None, f"got {chunk_size!r}; allowed: a whole number from 1 to {MAX_CHUNK}"
        )


def run_cohort(
    cohort: Path | str,
    out: Path | str,
    *,
    registry: Registry | str | Path | None = None,
    posterior: str | Path | None = None,
    allow_failed: bool = False,
    weight: float = DEFAULT_WEIGHT,
    n_draws: int = 1000,
    seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> CohortResult:
    """Decision summaries for every patient of ``cohort``, written as partitioned Parquet to ``out``.

    ``scheduler``: a ``dask.distributed`` scheduler address (None: Dask's local threaded scheduler).
    ``progress``: show a progress bar (None: when stderr is a terminal)."""
    check_options(weight, n_draws, seed)
    check_chunk_size(chunk_size)
    path = Path(cohort)
    out = Path(out)
    columns = read_header(path)
    problems = inputs.check_columns(columns, str(path))
    if problems:
        raise InputError.collect(problems)
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    draws = cohort_draws(reg, posterior, n_draws=n_draws, seed=seed, allow_failed=allow_failed)
    show = sys.stderr.isatty() if progress is None else progress
    if scheduler is None:
        return _run(path, out, columns, reg, draws, weight, chunk_size, None, show)
    from distributed import Client

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"option --scheduler {scheduler}",
            None,
            None,
            f"cannot connect ({type(exc).__name__}); allowed: the address of a running dask.distributed scheduler",
        ) from None
    with client:
        return _run(path, out, columns, reg, draws, weight, chunk_size, client, show)


def _run(path, out, columns, reg, draws, weight, chunk_size, client, show) -> CohortResult:
    import dask
    import dask.dataframe as dd

    from outcomes.report.build import write_report_atomically

    with _table_errors(path):
        ddf = read_cohort(path, chunk_size)
    parts = ddf.to_delayed()
    sizes = validate(path, parts)
    spec = SliceSpec(
        weight=float(weight),
        weight_columns=tuple(inputs.weight_columns(columns)),
        has_patient_id=inputs.PATIENT_ID in columns,
        block=max(1, BLOCK_ELEMENTS // draws.sizes["draw"]),
    )
    arrays = dask.delayed(DrawArrays.from_draws(draws), pure=True)
    slices, offset = [], 0
    for part, n_rows in zip(parts, sizes, strict=True):
        for start in range(0, n_rows, chunk_size):
            slices.append(dask.delayed(compute_slice, nout=2)(part, arrays, start, start + chunk_size, offset, spec))
        offset += n_rows
    empty_frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    meta = compute_slice(empty_frame, DrawArrays.from_draws(draws.isel(draw=slice(0, 2))), 0, 0, 0, spec)[0]
    result = dd.from_delayed([r for r, _ in slices], meta=meta, verify_meta=False)
    counts_meta = _counts(np.zeros(0, int), np.zeros(0, int), np.zeros(0, bool), np.zeros(0, int), np.zeros(0))
    counts = dd.from_delayed([c for _, c in slices], meta=counts_meta, verify_meta=False)
    provenance = {
        "time_frame": TIME_FRAME,
        "evidence_version": reg.version,
        "origin": str(draws.attrs.get("origin", "")),
        "n_draws": int(draws.sizes["draw"]),
        "seed": int(draws.attrs.get("seed", -1)),
        "diagnostics_status": str(draws.attrs.get("diagnostics_status", "ok")),
        "posterior_file": str(draws.attrs.get("posterior_file", "")),
        "cohort": str(path),
        "n_patients": offset,
        "default_weight": float(weight),
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
        got["summary"] = summary_table([cs])
        (tmp / "_provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")

    summary_file = summary_path(out)
    summary_file.unlink(missing_ok=True)  # never leave an old summary beside a new result
    written = write_report_atomically(out, build)
    summary = got["summary"].assign(evidence_version=reg.version, time_frame=TIME_FRAME)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{summary_file.name}.", dir=summary_file.parent)
    os.close(fd)
    try:
        summary.to_csv(tmp_name, index=False, float_format="%.6g")
        os.replace(tmp_name, summary_file)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return CohortResult(written, summary_file, summary, offset, len(slices), provenance)


def format_summary(result: CohortResult) -> str:
    """The cohort summary as printed by the command."""
    s = result.summary
    head = ["subgroup", "level", "n_patients", *[f"share_{x}" for x in STRATEGIES], "mean_evpi_per100"]
    shown = s[head].copy()
    for x in STRATEGIES:
        shown[f"share_{x}"] = shown[f"share_{x}"].map(lambda v: f"{100 * v:.1f}%")
    shown["mean_evpi_per100"] = shown["mean_evpi_per100"].map(lambda v: f"{v:.2f}" if math.isfinite(v) else "")
    lines = [
        result.provenance_line(),
        f"Share of patients for whom each option has the best expected net outcome "
        f"(weight {result.provenance['default_weight']:g} unless the cohort gives one per patient):",
        shown.to_string(index=False),
        DISCLAIMER,
    ]
    return "\n".join(lines)
