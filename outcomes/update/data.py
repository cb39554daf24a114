"""Read and validate a study data file (CSV) for ``outcomes update``.

Format
------
A UTF-8 CSV file with a header row. Lines whose first non-blank character is ``#`` are comments (use them
for provenance). One row per study arm and outcome: the number of patients with the event (``events``)
out of those followed (``total``).

Required columns:

* ``study_id``   -- short name of the study (e.g. ``NORDSTEN-DS``);
* ``strategy``   -- ``fusion``, ``decompression``, ``medication`` or ``population``;
* ``outcome``    -- a registry outcome of that strategy (the decision model's parameters, ``model.yaml``), so that
  ``strategy.outcome`` is a registry parameter such as ``fusion.improved``;
* ``events``     -- whole number >= 0;
* ``total``      -- whole number >= 1 and >= ``events``;
* ``time_frame`` -- follow-up of the count, e.g. ``2 years``;
* ``design``     -- one of ``DESIGNS`` (``rct``, ``cohort``, ...);
* ``citation``   -- where the counts come from.

Optional columns:

* ``note`` -- free text (e.g. how the counts were read off the paper);
* provenance (``PROVENANCE_COLUMNS``, kept verbatim in ``Study.provenance``): ``outcome_definition`` (the
  source's own definition of the outcome and how it maps onto the model's), ``source_text`` (the sentence the
  count was read from), ``read_at`` (where it was read: a journal page, an abstract, a table) and
  ``verification`` (``read``: events and total are in the source text; ``derived``: computed exactly from a
  read percentage and a read denominator, the computation in ``note``);
* ``use`` -- ``yes`` (default when absent or empty) or ``no``: a row with ``use`` = ``no`` is validated and kept
  in ``StudyData.unused`` (e.g. a 5-year count beside a 2-year model) but never enters the update;
* any covariate of the decision model (``age``, ``instability``, ``prior_surgeries``, ...) -- the
  *mean* value of that covariate in the study population (a share for 0/1 covariates). An empty cell or an
  absent column means the study population is the **reference population** of every effect on that
  covariate (no shift); the printed table says so.

``study_id`` + ``strategy`` + ``outcome`` must be unique. Every problem in the file is collected and reported
at once, one line each, naming the file, the row (file line number and study id), the field and what is
allowed (``outcomes.errors.InputError``). The file's bytes are hashed (``data_hash``) so that a saved
posterior names the data it was fitted to.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from outcomes.declaration import DecisionModel, default_model
from outcomes.errors import InputError, Problems

REQUIRED_COLUMNS: tuple[str, ...] = (
    "study_id",
    "strategy",
    "outcome",
    "events",
    "total",
    "time_frame",
    "design",
    "citation",
)
PROVENANCE_COLUMNS: tuple[str, ...] = ("outcome_definition", "source_text", "read_at", "verification")
VERIFICATIONS: tuple[str, ...] = ("read", "derived")
USE_VALUES: tuple[str, ...] = ("yes", "no")
OPTIONAL_COLUMNS: tuple[str, ...] = ("note", *PROVENANCE_COLUMNS, "use")
DESIGNS: tuple[str, ...] = ("rct", "cohort", "registry", "case_series", "case_control", "other")


@dataclass(frozen=True)
class Study:
    """One row: ``events`` of ``total`` patients in one study arm had the outcome."""

    study_id: str
    strategy: str
    outcome: str
    events: int
    total: int
    time_frame: str
    design: str
    citation: str
    line: int
    note: str = ""
    covariates: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    """``PROVENANCE_COLUMNS`` present in the file, verbatim."""
    use: bool = True

    @property
    def parameter(self) -> str:
        return f"{self.strategy}.{self.outcome}"

    @property
    def label(self) -> str:
        return f"{self.study_id}:{self.parameter}"


@dataclass(frozen=True)
class StudyData:
    path: Path
    studies: tuple[Study, ...]
    data_hash: str
    unused: tuple[Study, ...] = ()
    """Valid rows marked ``use`` = ``no``: shown, never fitted."""

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameters with data, in first-appearance order."""
        return tuple(dict.fromkeys(s.parameter for s in self.studies))

    def for_parameter(self, parameter: str) -> tuple[Study, ...]:
        return tuple(s for s in self.studies if s.parameter == parameter)


def data_hash(raw: bytes) -> str:
    """Short sha256 of the study file's bytes."""
    return "sha256-" + hashlib.sha256(raw).hexdigest()[:16]


def _whole(text: str) -> int | None:
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v) or v != int(v) or "e" in text.lower():
        return None
    return int(v)


def parse_studies(raw: bytes, path: Path | str = "<data>", model: DecisionModel | None = None) -> StudyData:
    """Parse and validate study data from bytes; raises ``InputError`` listing every problem."""
    path = Path(path)
    file = str(path)
    problems = Problems()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(file, None, None, "is not UTF-8 text; allowed: a CSV study file") from None
    # keep file line numbers: comment and blank lines become empty lines that csv skips
    lines = text.splitlines()
    kept = ["" if (not ln.strip() or ln.lstrip().startswith("#")) else ln for ln in lines]
    first = next((i for i, ln in enumerate(kept) if ln), None)
    if first is None:
        raise InputError(
            file,
            None,
            None,
            "has no header row and no data; allowed: a CSV file with columns " + ", ".join(REQUIRED_COLUMNS),
        )
    reader = csv.reader(io.StringIO("\n".join(kept[first:])), skipinitialspace=True, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        rows = []
        for cells in reader:
            rows.append((first + reader.line_num, cells))
    except csv.Error as exc:
        raise InputError(file, f"row {first + reader.line_num}", None, f"is not valid CSV ({exc})") from None

    model = model if model is not None else default_model()
    covariates = model.covariates
    groups = model.parameter_groups
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS + tuple(covariates)
    if not set(header) & set(allowed):  # the first row names no column at all: it is data, not a header
        raise InputError(
            file,
            f"row {first + 1}",
            None,
            "the header row is missing (this first row names no column); allowed: a first row naming the columns "
            + ", ".join(REQUIRED_COLUMNS),
        )
    for col in header:
        if col not in allowed:
            problems.add(file, "header", col or "(empty)", f"unknown column; allowed: {', '.join(allowed)}")
    for col in REQUIRED_COLUMNS:
        if col not in header:
            problems.add(file, "header", col, "is missing (required column)")
    dup = sorted({c for c in header if header.count(c) > 1})
    for col in dup:
        problems.add(file, "header", col, "appears more than once; each column once")
    problems.raise_if_any()
    if not any(any(c.strip() for c in cells) for _, cells in rows):
        raise InputError(file, None, None, "has a header but no study rows; allowed: at least one row")

    studies: list[Study] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        sid_guess = cells[header.index("study_id")].strip() if len(cells) > header.index("study_id") else ""
        where = f"row {line} ('{sid_guess}')" if sid_guess else f"row {line}"
        if len(cells) != len(header):
            problems.add(file, where, None, f"has {len(cells)} cells but the header has {len(header)} columns")
            continue
        r = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        before = len(problems.items)
        for col in ("study_id", "time_frame", "citation"):
            if not r[col]:
                problems.add(file, where, col, "must be non-empty text")
        strategy, outcome = r["strategy"], r["outcome"]
        if strategy not in groups:
            problems.add(file, where, "strategy", f"unknown {strategy!r}; allowed: {', '.join(groups)}")
        elif outcome not in groups[strategy]:
            problems.add(
                file, where, "outcome", f"unknown {outcome!r} for {strategy}; allowed: {', '.join(groups[strategy])}"
            )
        if r["design"] not in DESIGNS:
            problems.add(file, where, "design", f"unknown {r['design']!r}; allowed: {', '.join(DESIGNS)}")
        events, total = _whole(r["events"]), _whole(r["total"])
        if events is None or events < 0:
            problems.add(file, where, "events", f"must be a whole number >= 0, got {r['events']!r}")
            events = None
        if total is None or total < 1:
            problems.add(file, where, "total", f"must be a whole number >= 1, got {r['total']!r}")
            total = None
        if events is not None and total is not None and events > total:
            problems.add(file, where, "events", f"must not exceed total ({events} > {total})")
        covs: dict[str, float] = {}
        for cov in (h for h in header if h in covariates):  # in the file's column order
            fld = covariates[cov]
            cell = r.get(cov, "")
            if not cell:
                continue
            lo, hi = fld.population_range()
            try:
                v = float(cell)
            except ValueError:
                v = float("nan")
            if not math.isfinite(v) or not (lo <= v <= hi):
                problems.add(
                    file,
                    where,
                    cov,
                    f"must be the study population's mean, a number in [{lo:g}, {hi:g}] "
                    f"({fld.plain}), got {cell!r}; leave empty for the reference population",
                )
                continue
            covs[cov] = v
        if r.get("verification") and r["verification"] not in VERIFICATIONS:
            problems.add(
                file, where, "verification", f"unknown {r['verification']!r}; allowed: {', '.join(VERIFICATIONS)}"
            )
        use = r.get("use") or "yes"
        if use not in USE_VALUES:
            problems.add(file, where, "use", f"unknown {use!r}; allowed: {', '.join(USE_VALUES)} (empty means yes)")
        key = (r["study_id"], f"{strategy}.{outcome}")
        if r["study_id"] and key in seen:
            problems.add(
                file,
                where,
                "study_id",
                f"duplicate study and outcome {key[0]} {key[1]} (also row "
                f"{seen[key]}); allowed: one row per study arm and outcome",
            )
        seen.setdefault(key, line)
        if len(problems.items) > before or events is None or total is None:
            continue
        studies.append(
            Study(
                study_id=r["study_id"],
                strategy=strategy,
                outcome=outcome,
                events=events,
                total=total,
                time_frame=r["time_frame"],
                design=r["design"],
                citation=r["citation"],
                line=line,
                note=r.get("note", ""),
                covariates=covs,
                provenance={c: r[c] for c in PROVENANCE_COLUMNS if c in r},
                use=use == "yes",
            )
        )
    problems.raise_if_any()
    if not any(s.use for s in studies):
        raise InputError(file, None, "use", "every row is marked use = no; allowed: at least one row in use")
    return StudyData(
        path=path,
        studies=tuple(s for s in studies if s.use),
        data_hash=data_hash(raw),
        unused=tuple(s for s in studies if not s.use),
    )


def load_studies(path: Path | str, model: DecisionModel | None = None) -> StudyData:
    """Read and validate a study CSV file (see the module docstring for the format).

    Parameters
    ----------
    path : str or Path
        A CSV file, or the name of a shipped one (``"verified_trials"``, ``"norwegian_registry_2020"``).
    model : DecisionModel, optional
        The decision model whose parameters and covariates the rows must name (default: the shipped one).

    Returns
    -------
    StudyData
        The studies, their counts and covariates, and the file's content hash.

    Raises
    ------
    InputError
        Every problem of the file at once: row, column and what is allowed.

    Examples
    --------
    >>> import outcomes as oc
    >>> data = oc.load_studies("verified_trials")
    >>> "fusion.improved" in data.parameters
    True
    """
    from outcomes.shipped import resolve

    path = resolve("studies", path)
    if not path.is_file():
        raise InputError(str(path), None, None, "does not exist; allowed: a CSV study file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot be read ({exc.strerror})") from None
    return parse_studies(raw, path, model)
