"""Read and validate a registry folder (``load_registry``): every problem at once.

Loading checks every field of every record, effect, source and grade and reports *all* problems at once in one
``InputError`` whose lines name the file, the entry, the field and what is allowed. The YAML loader is a safe
loader that also refuses duplicate keys. ``model.yaml`` (``outcomes.declaration``) is read first: records and
effects are checked against its parameters and covariates. The keys an entry may have come from its class
(``Record.yaml_keys()``, ``Effect.yaml_keys()``). This module knows nothing about Beta priors or PyMC.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from outcomes import yamlio
from outcomes.declaration import MODEL_FILE, DecisionModel, parse_model
from outcomes.errors import InputError, Problems, quote
from outcomes.registry.records import Effect, Grade, Record, Registry, Source, evidence_version
from outcomes.registry.vocabulary import (
    ASSUMPTION,
    DEFAULT_MASS,
    EARLIEST_YEAR,
    RANGE_MEANINGS,
    SHAPES,
    SPECIAL_FILES,
)

_RECORD_REQUIRED, _RECORD_OPTIONAL = Record.yaml_keys()
_EFFECT_REQUIRED, _EFFECT_OPTIONAL = Effect.yaml_keys()
_SOURCE_FIELDS = tuple(f.name for f in fields(Source) if f.name != "key")
_GRADE_FIELDS = tuple(f.name for f in fields(Grade) if f.name != "name")


def default_registry_path() -> Path:
    """The shipped registry: the checkout's ``priors/``, or its copy inside an installed package."""
    from outcomes.shipped import shipped_dir

    return shipped_dir("priors")


def read_yaml(file: Path, problems: Problems) -> Any:
    shape = SHAPES[SPECIAL_FILES.get(file.name, "records")]
    try:
        text = yamlio.read_text(file)
        data = yamlio.safe_load(text)
    except UnicodeDecodeError:
        problems.add(file, None, None, "is not UTF-8 text; allowed: a YAML file")
        return None
    except OSError as exc:
        problems.add(file, None, None, f"cannot be read ({exc.strerror})")
        return None
    except yamlio.LimitError as exc:
        problems.add(file, None, exc.field, exc.problem)
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or "not valid YAML"
        if isinstance(exc, yamlio.DuplicateKeyError):
            problems.add(file, None, None, f"has a {what}{at}; allowed: each key once per mapping")
            return None
        if "python/" in str(exc) or "constructor" in type(exc).__name__.lower():
            what = "uses a YAML tag that the safe loader refuses (plain YAML only)"
        problems.add(file, None, None, f"is not valid YAML{at}: {what}; allowed: {shape}")
        return None
    if data is None:
        problems.add(file, None, None, f"is empty; allowed: {shape}")
        return None
    return data


def _check_keys(d: dict, required: tuple, optional: tuple, file: Path, where: str, problems: Problems) -> bool:
    ok = True
    for k in d:
        if k not in required and k not in optional:
            problems.add(file, where, str(k), f"unknown key; allowed: {', '.join(required + optional)}")
            ok = False
    for k in required:
        if k not in d:
            problems.add(file, where, k, "is missing (required)")
            ok = False
    return ok


def _known(v: Any, names: Any) -> bool:
    """``v`` is one of ``names`` (a YAML list or mapping, which cannot be a dict key, is not)."""
    return isinstance(v, str) and v in names


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _prob(d: dict, key: str, file: Path, where: str, problems: Problems, *, open_interval: bool = True) -> float | None:
    if key not in d or d[key] is None:
        return None
    v = d[key]
    if not _is_number(v):
        problems.add(file, where, key, f"must be a number in (0, 1), got {quote(v)}")
        return None
    if open_interval and not (0.0 < v < 1.0):
        problems.add(file, where, key, f"must be a probability strictly between 0 and 1, got {quote(v)}")
        return None
    return float(v)


def _text(d: dict, key: str, file: Path, where: str, problems: Problems) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        problems.add(file, where, key, f"must be non-empty text, got {quote(v)}")
        return ""
    return v.strip()


def _key_list(d: dict, key: str, file: Path, where: str, problems: Problems) -> tuple[str, ...]:
    v = d.get(key, [])
    if v is None:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        problems.add(file, where, key, f"must be a list of source keys, got {quote(v)}")
        return ()
    return tuple(v)


def _positive_int(d: dict, key: str, file: Path, where: str, problems: Problems) -> int | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        problems.add(file, where, key, f"must be a positive whole number, got {quote(v)}")
        return None
    return v


def _mass(d: dict, file: Path, where: str, problems: Problems) -> float:
    if "mass" not in d:
        return DEFAULT_MASS
    v = d["mass"]
    if not _is_number(v) or not (0.5 <= v < 1.0):
        problems.add(file, where, "mass", f"must be a number in [0.5, 1), got {quote(v)}")
        return DEFAULT_MASS
    return float(v)


def _bool(d: dict, key: str, file: Path, where: str, problems: Problems) -> bool:
    v = d.get(key, True)
    if not isinstance(v, bool):
        problems.add(file, where, key, f"must be true or false, got {quote(v)}")
        return True
    return v


def _parse_sources(data: Any, file: Path, problems: Problems) -> dict[str, Source]:
    out: dict[str, Source] = {}
    if not isinstance(data, dict) or set(data) != {"sources"} or not isinstance(data["sources"], dict):
        problems.add(file, None, None, f"has the wrong shape; allowed: {SHAPES['sources']}")
        return out
    for key, s in data["sources"].items():
        where = f"source '{key}'"
        if not isinstance(s, dict):
            problems.add(file, where, None, "must be a mapping of fields")
            continue
        ok = _check_keys(s, ("title",), _SOURCE_FIELDS[1:], file, where, problems)
        if not ok:
            continue
        year = s.get("year")
        first, last = EARLIEST_YEAR, datetime.date.today().year + 1
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last):
            problems.add(
                file, where, "year", f"got {quote(year)}; allowed: a year of publication from {first} to {last}"
            )
            continue
        n = _positive_int(s, "n", file, where, problems)
        out[str(key)] = Source(
            key=str(key),
            title=_text(s, "title", file, where, problems),
            container=str(s.get("container", "")),
            year=year,
            design=str(s.get("design", "")),
            n=n,
            population=str(s.get("population", "")),
            note=str(s.get("note", "")),
            authors=str(s.get("authors", "")),
        )
    return out


def _parse_grades(data: Any, file: Path, problems: Problems) -> dict[str, Grade]:
    out: dict[str, Grade] = {}
    if not isinstance(data, dict) or set(data) != {"grades"} or not isinstance(data["grades"], dict):
        problems.add(file, None, None, f"has the wrong shape; allowed: {SHAPES['grades']}")
        return out
    for name, g in data["grades"].items():
        where = f"grade '{name}'"
        if not isinstance(g, dict):
            problems.add(file, where, None, "must be a mapping of fields")
            continue
        if not _check_keys(g, _GRADE_FIELDS, (), file, where, problems):
            continue
        nums = {}
        for k in ("cap", "point_ess", "effect_min_sd"):
            v = g[k]
            if not _is_number(v) or v <= 0:
                problems.add(file, where, k, f"must be a positive number, got {quote(v)}")
            else:
                nums[k] = float(v)
        rw = g["robust_weight"]
        if not _is_number(rw) or not 0 <= rw < 1:
            problems.add(file, where, "robust_weight", f"must be a number in [0, 1), got {rw!r}")
        if len(nums) == 3 and _is_number(rw) and 0 <= rw < 1:
            out[str(name)] = Grade(name=str(name), description=str(g["description"]), robust_weight=float(rw), **nums)
    if ASSUMPTION not in out and not any(p.file == str(file) for p in problems.items):
        problems.add(file, None, "grades", "must define the grade 'assumption'")
    return out


def _parse_value(
    d: dict, file: Path, where: str, problems: Problems
) -> tuple[float | None, float | None, float | None]:
    point = _prob(d, "point", file, where, problems)
    low = _prob(d, "low", file, where, problems)
    high = _prob(d, "high", file, where, problems)
    has_low, has_high = d.get("low") is not None, d.get("high") is not None
    if has_low != has_high:
        problems.add(file, where, "low" if not has_low else "high", "is missing: a range needs both 'low' and 'high'")
    elif not has_low and d.get("point") is None:
        problems.add(file, where, "point", "is missing: give 'point', or 'low' and 'high'")
    if low is not None and high is not None:
        if low >= high:
            problems.add(file, where, "low", f"must be below 'high' ({low} >= {high})")
        elif point is not None and not (low <= point <= high):
            problems.add(file, where, "point", f"must lie inside low-high ({low}-{high}), got {point}")
    return point, low, high


@dataclass(frozen=True)
class _Ref:
    """The cross-checkable parts (id, source, grade, citations) of an entry whose own fields had errors, so that
    its unresolved source or unknown grade is reported in the same pass rather than after the first fix."""

    id: str
    file: str
    kind: str
    source: str
    grade: str
    also_cites: tuple[str, ...]
    informed_by: tuple[str, ...]


def _ref(d: dict, file: Path, kind: str) -> _Ref | None:
    rid, src, grade = d.get("id"), d.get("source"), d.get("grade")
    if not (isinstance(rid, str) and isinstance(src, str) and isinstance(grade, str)):
        return None
    if not (rid.strip() and src.strip() and grade.strip()):
        return None

    def keys(k: str) -> tuple[str, ...]:
        v = d.get(k)
        return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()

    return _Ref(rid.strip(), file.name, kind, src.strip(), grade.strip(), keys("also_cites"), keys("informed_by"))


def _parse_records(
    data: Any, file: Path, problems: Problems, broken: list[_Ref] | None = None, model: DecisionModel | None = None
) -> list[Record]:
    out: list[Record] = []
    if not isinstance(data, dict) or set(data) != {"records"} or not isinstance(data["records"], list):
        problems.add(file, None, None, f"has the wrong shape; allowed: {SHAPES['records']}")
        return out
    for i, r in enumerate(data["records"]):
        if not isinstance(r, dict):
            problems.add(file, f"record #{i + 1}", None, "must be a mapping of fields")
            continue
        rid = r.get("id")
        where = f"record '{rid}'" if isinstance(rid, str) and rid else f"record #{i + 1}"
        before = len(problems.items)
        _check_keys(r, _RECORD_REQUIRED, _RECORD_OPTIONAL, file, where, problems)
        if (not isinstance(rid, str) or not rid.strip()) and "id" in r:
            problems.add(file, where, "id", f"must be non-empty text, got {quote(rid)}")
        strategy = r.get("strategy")
        groups = model.parameter_groups if model is not None else {}
        if model is not None and "strategy" in r and not _known(strategy, groups):
            problems.add(file, where, "strategy", f"unknown {quote(strategy)}; allowed: {', '.join(groups)}")
        elif _known(strategy, groups) and "outcome" in r and not _known(r.get("outcome"), groups[str(strategy)]):
            problems.add(
                file,
                where,
                "outcome",
                f"unknown {quote(r.get('outcome'))} for {strategy}; allowed: {', '.join(groups[str(strategy)])}",
            )
        if "range_meaning" in r and not _known(r.get("range_meaning"), RANGE_MEANINGS):
            problems.add(
                file,
                where,
                "range_meaning",
                f"unknown {quote(r.get('range_meaning'))}; allowed: {', '.join(RANGE_MEANINGS)}",
            )
        point, low, high = _parse_value(r, file, where, problems)
        n = _positive_int(r, "n", file, where, problems)
        mass = _mass(r, file, where, problems)
        use = _bool(r, "use", file, where, problems)
        texts = {
            k: _text(r, k, file, where, problems)
            for k in ("time_frame", "population", "note", "source", "grade")
            if k in r
        }
        also = _key_list(r, "also_cites", file, where, problems)
        informed = _key_list(r, "informed_by", file, where, problems)
        if n is not None and point is None and low is not None and high is not None:
            problems.add(file, where, "point", "is missing: a sample size 'n' needs the observed 'point' value")
        if len(problems.items) > before:
            if broken is not None and (ref := _ref(r, file, "record")):
                broken.append(ref)
            continue
        out.append(
            Record(
                id=str(rid).strip(),  # validated above: non-empty text
                strategy=str(strategy),
                outcome=r["outcome"],
                range_meaning=r["range_meaning"],
                file=file.name,
                point=point,
                low=low,
                high=high,
                mass=mass,
                n=n,
                also_cites=also,
                informed_by=informed,
                use=use,
                **texts,
            )
        )
    return out


def _parse_effects(
    data: Any, file: Path, problems: Problems, broken: list[_Ref] | None = None, model: DecisionModel | None = None
) -> list[Effect]:
    covariates = model.covariates if model is not None else {}
    parameters = model.parameters if model is not None else ()
    out: list[Effect] = []
    if not isinstance(data, dict) or set(data) != {"effects"} or not isinstance(data["effects"], list):
        problems.add(file, None, None, f"has the wrong shape; allowed: {SHAPES['effects']}")
        return out
    for i, e in enumerate(data["effects"]):
        if not isinstance(e, dict):
            problems.add(file, f"effect #{i + 1}", None, "must be a mapping of fields")
            continue
        eid = e.get("id")
        where = f"effect '{eid}'" if isinstance(eid, str) and eid else f"effect #{i + 1}"
        before = len(problems.items)
        _check_keys(e, _EFFECT_REQUIRED, _EFFECT_OPTIONAL, file, where, problems)
        if "id" in e and (not isinstance(eid, str) or not eid.strip()):
            problems.add(file, where, "id", f"must be non-empty text, got {quote(eid)}")
        if model is not None and "covariate" in e and not _known(e["covariate"], covariates):
            problems.add(file, where, "covariate", f"unknown {quote(e['covariate'])}; allowed: {', '.join(covariates)}")
        for k in ("reference", "per"):
            if k in e and not _is_number(e[k]):
                problems.add(file, where, k, f"must be a number, got {quote(e[k])}")
        # an effect's reference and per lie in the covariate's range (the declaration's population range)
        fld = covariates[e["covariate"]] if _known(e.get("covariate"), covariates) else None
        if fld is not None:
            lo, hi = fld.population_range()
            what = f"{e['covariate']} ({fld.plain})"
            if _is_number(e.get("reference")) and not lo <= e["reference"] <= hi:
                problems.add(
                    file,
                    where,
                    "reference",
                    f"got {quote(e['reference'])}; allowed: a value of {what} from {lo:g} to {hi:g}",
                )
            if _is_number(e.get("per")) and not 0 < e["per"] <= hi - lo:
                problems.add(
                    file,
                    where,
                    "per",
                    f"must be a positive number of units of {what}, at most {hi - lo:g}, got {quote(e['per'])}",
                )
        elif _is_number(e.get("per")) and e["per"] <= 0:
            problems.add(file, where, "per", f"must be a positive number, got {quote(e['per'])}")
        targets = e.get("targets")
        if "targets" in e:
            if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
                problems.add(
                    file, where, "targets", f"must be a non-empty list of strategy.outcome, got {quote(targets)}"
                )
            else:
                for t in targets:
                    if model is not None and t not in parameters:
                        problems.add(file, where, "targets", f"unknown {quote(t)}; allowed: {', '.join(parameters)}")
        ors = {}
        for k in ("odds_ratio", "low", "high"):
            if k in e and e[k] is not None:
                if not _is_number(e[k]) or e[k] <= 0:
                    problems.add(file, where, k, f"must be a positive odds ratio, got {quote(e[k])}")
                else:
                    ors[k] = float(e[k])
        if (e.get("low") is None) != (e.get("high") is None):
            problems.add(
                file,
                where,
                "low" if e.get("low") is None else "high",
                "is missing: a range needs both 'low' and 'high'",
            )
        if "low" in ors and "high" in ors:
            if ors["low"] >= ors["high"]:
                problems.add(file, where, "low", f"must be below 'high' ({ors['low']} >= {ors['high']})")
            elif "odds_ratio" in ors and not (ors["low"] <= ors["odds_ratio"] <= ors["high"]):
                problems.add(file, where, "odds_ratio", "must lie inside low-high")
        if "range_meaning" in e and not _known(e.get("range_meaning"), RANGE_MEANINGS):
            problems.add(
                file,
                where,
                "range_meaning",
                f"unknown {quote(e.get('range_meaning'))}; allowed: {', '.join(RANGE_MEANINGS)}",
            )
        mass = _mass(e, file, where, problems)
        n = _positive_int(e, "n", file, where, problems)
        use = _bool(e, "use", file, where, problems)
        texts = {k: _text(e, k, file, where, problems) for k in ("note", "source", "grade") if k in e}
        also = _key_list(e, "also_cites", file, where, problems)
        informed = _key_list(e, "informed_by", file, where, problems)
        applies = None
        if "applies" in e:
            a = e["applies"]
            ok = isinstance(a, list) and len(a) == 2 and all(_is_number(x) for x in a) and a[0] <= a[1]
            if ok and fld is not None:
                lo_c, hi_c = fld.population_range()
                ok = lo_c <= a[0] and a[1] <= hi_c
            if not ok:
                problems.add(
                    file, where, "applies", f"got {quote(a)}; allowed: [low, high] within the covariate's range"
                )
            else:
                applies = (float(a[0]), float(a[1]))
        if len(problems.items) > before:
            if broken is not None and (ref := _ref(e, file, "effect")):
                broken.append(ref)
            continue
        out.append(
            Effect(
                id=str(eid).strip(),  # validated above: non-empty text
                covariate=e["covariate"],
                reference=float(e["reference"]),
                per=float(e["per"]),
                targets=tuple(str(t) for t in targets or ()),
                odds_ratio=ors["odds_ratio"],
                range_meaning=e["range_meaning"],
                file=file.name,
                low=ors.get("low"),
                high=ors.get("high"),
                mass=mass,
                n=n,
                also_cites=also,
                informed_by=informed,
                use=use,
                applies=applies,
                **texts,
            )
        )
    return out


def load_registry(path: Path | str | None = None) -> Registry:
    """Load and validate an evidence registry folder and its decision model.

    Parameters
    ----------
    path : str or Path, optional
        A registry folder (``model.yaml``, ``bibliography.yaml``, ``grades.yaml``, ``effects.yaml`` and record
        files); default: the shipped one.

    Returns
    -------
    Registry
        Records, effects, sources, grades, the decision model (``.model``) and the evidence version (a hash of
        the folder's files).

    Raises
    ------
    InputError
        Every problem found, at once: file, record, field and what is allowed.

    Examples
    --------
    >>> import outcomes as oc
    >>> reg = oc.load_registry()
    >>> reg.model.strategy_ids
    ('fusion', 'decompression', 'medication', 'scs', 'rehabilitation')
    >>> reg.version.startswith("ev-")
    True
    """
    shipped = path is None
    path = Path(path) if path is not None else default_registry_path()
    problems = Problems()
    if not path.is_dir():
        if shipped:
            raise InputError(
                str(path),
                None,
                None,
                "the shipped registry is missing from this installation (reinstall the package, or install "
                "the source checkout with 'pip install -e .'); allowed: a registry folder of your own (argument path; "
                "on the command line --registry DIR)",
            )
        raise InputError(str(path), None, None, "is not a folder; allowed: a registry folder of *.yaml files")
    files = sorted(path.glob("*.yaml"))
    names = {f.name for f in files}
    for required in ("bibliography.yaml", "grades.yaml", MODEL_FILE):
        if required not in names:
            problems.add(
                path / required,
                None,
                None,
                f"is missing; a registry needs bibliography.yaml, grades.yaml and {MODEL_FILE}",
            )
    problems.raise_if_any()

    # the decision model first: records and effects are checked against its vocabulary
    model: DecisionModel | None = None
    model_data = read_yaml(path / MODEL_FILE, problems)
    if model_data is not None:
        model, model_problems = parse_model(model_data, str(path / MODEL_FILE))
        problems.items.extend(model_problems.items)

    sources: dict[str, Source] = {}
    grades: dict[str, Grade] = {}
    records: list[Record] = []
    broken: list[_Ref] = []
    effects: list[Effect] = []
    declared: dict[str, set[str]] = {"sources": set(), "grades": set()}  # keys named, even if invalid
    for f in files:
        kind = SPECIAL_FILES.get(f.name, "records")
        if kind == "model":
            continue
        data = read_yaml(f, problems)
        if data is None:
            continue
        if kind in declared and isinstance(data, dict) and isinstance(data.get(kind), dict):
            declared[kind].update(str(k) for k in data[kind])
        if kind == "sources":
            sources = _parse_sources(data, f, problems)
        elif kind == "grades":
            grades = _parse_grades(data, f, problems)
        elif kind == "effects":
            effects = _parse_effects(data, f, problems, broken, model)
        else:
            records.extend(_parse_records(data, f, problems, broken, model))

    # cross-record checks: ids, sources, grades, completeness. A bibliography that could not be read as a whole
    # (empty, not YAML, wrong shape) is reported once, not again by every record citing it.
    bibliography = str(path / "bibliography.yaml")
    bibliography_read = not any(p.file == bibliography and p.where is None for p in problems.items)
    seen: dict[str, str] = {}
    items: list[Record | Effect | _Ref] = [*records, *effects, *broken]
    for item in items:
        kind = item.kind if isinstance(item, _Ref) else ("record" if isinstance(item, Record) else "effect")
        where = f"{kind} '{item.id}'"
        if item.id in seen:
            problems.add(path / item.file, where, "id", f"duplicate id (also in {seen[item.id]}); ids must be unique")
        seen.setdefault(item.id, item.file)
        if item.source == ASSUMPTION:
            if item.grade != ASSUMPTION:
                problems.add(
                    path / item.file,
                    where,
                    "grade",
                    f"must be 'assumption' when source is 'assumption', got {quote(item.grade)}",
                )
        elif bibliography_read and item.source not in sources and item.source not in declared["sources"]:
            problems.add(
                path / item.file,
                where,
                "source",
                f"{quote(item.source)} does not resolve in bibliography.yaml; allowed: a source key or 'assumption'",
            )
        for k in (*item.also_cites, *item.informed_by):
            if bibliography_read and k not in sources and k not in declared["sources"]:
                problems.add(
                    path / item.file,
                    where,
                    "also_cites" if k in item.also_cites else "informed_by",
                    f"{quote(k)} does not resolve in bibliography.yaml",
                )
        if grades and item.grade not in grades and item.grade not in declared["grades"]:
            problems.add(path / item.file, where, "grade", f"unknown {quote(item.grade)}; allowed: {', '.join(grades)}")
    if not problems and model is not None:
        for p in model.parameters:
            if not any(r.use and r.parameter == p for r in records):
                problems.add(path, None, p, "has no record in use; every model parameter needs at least one")
    problems.raise_if_any()
    assert model is not None
    return Registry(
        path=path,
        records=tuple(records),
        effects=tuple(effects),
        sources=sources,
        grades=grades,
        version=evidence_version(path),
        model=model,
        files=tuple(f.name for f in files),
    )
