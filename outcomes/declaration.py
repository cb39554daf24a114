"""The decision model, declared as data (``model.yaml`` in the registry folder), and its validating loader.

This is the only module that knows the shape of a decision model. Everything else, the simulator
(``outcomes.simulate``), the exact per-draw expectations (``outcomes.model``), the registry's vocabulary, the
profile's fields, the study data's covariate ranges, the summaries, charts, report and value of information,
reads its vocabulary from a :class:`DecisionModel`. The file's format is documented at the top of the shipped
``priors/model.yaml``.

Loading reports every problem at once (file, the field's path, what is allowed): unknown parameters, unknown
events or outcomes, an event conditioned on itself or on a later event, and outcome definitions that refer to
each other in a cycle are refused.

Boolean expressions (``improved and not harm``) are parsed with :mod:`ast` and only ``and``, ``or``, ``not``,
parentheses, names and the constants ``true`` and ``false`` (an outcome a strategy cannot have) are accepted.
They are kept as small trees of tuples: ``("const", bool)``, ``("var", name)``, ``("not", x)``,
``("and", (x, y, ...))``, ``("or", (x, y, ...))``.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from outcomes.errors import Problems

MODEL_FILE = "model.yaml"
ROLES = ("benefit", "harm", "information")
BENEFIT, HARM, INFORMATION = ROLES
TONES = ("good", "bad", "neutral")
FIELD_TYPES = ("int", "number", "bool", "choice", "list", "text")
MAX_EVENTS_PER_STRATEGY = 12  # the exact expectation enumerates 2**k joint event states per strategy
POPULATION = "population"

Expr = tuple[Any, ...]

_TOP_KEYS = (
    "name",
    "description",
    "notes",
    "time_frame",
    "profile",
    "parameters",
    "strategies",
    "outcomes",
    "decision",
)
_TOP_REQUIRED = ("name", "time_frame", "profile", "parameters", "strategies", "outcomes", "decision")
_FIELD_KEYS = ("type", "min", "max", "levels", "plain", "covariate", "required", "study_range")
_STRATEGY_KEYS = ("label", "short", "plain", "events", "outcomes")
_OUTCOME_KEYS = ("role", "label", "title", "plain", "expr", "patient", "tone")


# --- expressions ---------------------------------------------------------------------------------------------


class ExprError(ValueError):
    pass


def parse_expr(text: Any) -> Expr:
    """Parse ``text`` (``a and not (b or c)``) into a tuple tree; raise ``ExprError`` on anything else."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("allowed: a boolean expression over names with and, or, not and parentheses")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ExprError(f"{text[:80]!r} is not a boolean expression; allowed: names with and, or, not") from None

    def conv(node: ast.AST) -> Expr:
        if isinstance(node, ast.Name):
            if node.id in ("true", "false"):
                return ("const", node.id == "true")
            return ("var", node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return ("const", node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ("not", conv(node.operand))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return (op, tuple(conv(v) for v in node.values))
        raise ExprError(f"{text[:80]!r} uses something other than names, and, or, not and parentheses")

    return conv(tree)


def expr_names(e: Expr) -> set[str]:
    if e[0] == "const":
        return set()
    if e[0] == "var":
        return {e[1]}
    if e[0] == "not":
        return expr_names(e[1])
    return set().union(*(expr_names(x) for x in e[1]))


def expr_text(e: Expr) -> str:
    if e[0] == "const":
        return "true" if e[1] else "false"
    if e[0] == "var":
        return str(e[1])
    if e[0] == "not":
        inner = expr_text(e[1])
        return f"not {inner}" if e[1][0] in ("var", "not") else f"not ({inner})"
    return f" {e[0]} ".join(expr_text(x) if x[0] in ("var", "not", "const") else f"({expr_text(x)})" for x in e[1])


def substitute(e: Expr, table: dict[str, Expr]) -> Expr:
    """Replace every name that ``table`` knows by its expression."""
    if e[0] == "const":
        return e
    if e[0] == "var":
        return table.get(e[1], e)
    if e[0] == "not":
        return ("not", substitute(e[1], table))
    return (e[0], tuple(substitute(x, table) for x in e[1]))


# --- the model's parts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of the patient's profile. int/number/bool fields and choice fields with numeric levels are
    covariates unless ``covariate`` is false; list and text fields never are."""

    name: str
    type: str
    plain: str
    min: float | None = None
    max: float | None = None
    levels: tuple[str, ...] = ()
    level_values: tuple[float, ...] = ()
    covariate: bool = True
    required: bool = True
    study_range: tuple[float, float] | None = None

    @property
    def is_covariate(self) -> bool:
        if not self.covariate:
            return False
        return self.type in ("int", "number", "bool") or (self.type == "choice" and bool(self.level_values))

    def allowed(self) -> str:
        """What a valid value is, in words (for error messages and forms)."""
        if self.type == "int":
            return f"a whole number from {self.min:g} to {self.max:g}"
        if self.type == "number":
            return f"a number from {self.min:g} to {self.max:g}"
        if self.type == "bool":
            return "true or false"
        if self.type == "choice":
            return "one of " + ", ".join(self.levels)
        if self.type == "list":
            return "a list of " + ", ".join(self.levels)
        return "text"

    def to_number(self, value: Any) -> float:
        """The covariate's number for a valid value."""
        if self.type == "choice":
            return float(self.level_values[self.levels.index(value)])
        return float(value)

    def value_range(self) -> tuple[float, float]:
        """The covariate's numeric range for a patient (bool 0-1; choice lowest-highest level)."""
        if self.type == "bool":
            return (0.0, 1.0)
        if self.type == "choice":
            return (min(self.level_values), max(self.level_values))
        return (float(self.min), float(self.max))  # type: ignore[arg-type]

    def population_range(self) -> tuple[float, float]:
        """The allowed range of a study population's mean (``study_range`` if declared, else the patient range)."""
        return self.study_range if self.study_range is not None else self.value_range()

    def check(self, value: Any) -> bool:
        """Whether ``value`` (as read from YAML or a form) is allowed."""
        t = self.type
        if t == "int":
            return isinstance(value, int) and not isinstance(value, bool) and self.min <= value <= self.max  # type: ignore[operator]
        if t == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            return ok and self.min <= value <= self.max
        if t == "bool":
            return isinstance(value, bool)
        if t == "choice":
            return isinstance(value, str) and value in self.levels
        if t == "list":
            return isinstance(value, (list, tuple)) and all(isinstance(x, str) and x in self.levels for x in value)
        return isinstance(value, str)


@dataclass(frozen=True)
class Event:
    """A per-patient event: probability ``parameter``, or (``condition`` true) ``then`` / (false) ``otherwise``."""

    name: str
    parameter: str | None = None
    condition: str | None = None
    then: str | None = None
    otherwise: str | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        if self.parameter is not None:
            return (self.parameter,)
        return (str(self.then), str(self.otherwise))


@dataclass(frozen=True)
class Strategy:
    id: str
    label: str
    short: str
    plain: str
    events: tuple[Event, ...]
    outcomes: dict[str, Expr]
    """Outcome id -> expression over this strategy's *events* (fully expanded, derived outcomes included)."""

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.events)

    @property
    def parameters(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.events:
            for p in e.parameters:
                seen.setdefault(p)
        return tuple(seen)


@dataclass(frozen=True)
class Outcome:
    id: str
    role: str
    label: str
    plain: str
    patient: bool = False
    tone: str = "neutral"
    expr: Expr | None = None
    title: str = ""
    """A short heading for charts (defaults to the label)."""

    @property
    def is_benefit(self) -> bool:
        return self.role == BENEFIT or (self.role == INFORMATION and self.tone == "good")

    @property
    def is_harm(self) -> bool:
        return self.role == HARM or (self.role == INFORMATION and self.tone == "bad")


@dataclass(frozen=True)
class DecisionModel:
    """A validated decision model. Build it with :func:`load_model` or :func:`parse_model`."""

    name: str
    description: str
    time_frame: str
    time_frame_text: str
    fields: dict[str, Field]
    parameter_groups: dict[str, tuple[str, ...]]
    strategies: dict[str, Strategy]
    outcomes: dict[str, Outcome]
    benefit: str
    harm: str
    file: str = ""
    other_harms: dict[str, float] = field(default_factory=dict)
    """Further harms weighed in the decision, each with its default weight relative to ``harm`` (a minor harm
    that counts as 0.2 of a serious one: 0.2). The patient can change these weights."""
    notes: tuple[str, ...] = ()
    """Notes on the evidence for researchers (shown in the report's evidence section)."""
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The declaration as read (JSON-compatible): results carry it so they describe themselves."""

    def to_json(self) -> str:
        return json.dumps(self.data, separators=(",", ":"))  # key order is meaningful (events, outcomes)

    # vocabulary ----------------------------------------------------------------------------------------------
    @cached_property
    def strategy_ids(self) -> tuple[str, ...]:
        return tuple(self.strategies)

    @cached_property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(self.outcomes)

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Every registry parameter, as ``group.name``, in declaration order."""
        return tuple(f"{g}.{n}" for g, names in self.parameter_groups.items() for n in names)

    @cached_property
    def covariates(self) -> dict[str, Field]:
        return {k: f for k, f in self.fields.items() if f.is_covariate}

    @cached_property
    def applicable(self) -> dict[str, tuple[str, ...]]:
        """Per strategy, the outcomes it has (in result-axis order)."""
        return {s: tuple(o for o in self.outcomes if o in st.outcomes) for s, st in self.strategies.items()}

    @cached_property
    def benefits(self) -> tuple[str, ...]:
        return tuple(o for o, d in self.outcomes.items() if d.role == "benefit")

    @cached_property
    def harms(self) -> tuple[str, ...]:
        return tuple(o for o, d in self.outcomes.items() if d.role == "harm")

    @cached_property
    def patient_outcomes(self) -> tuple[str, ...]:
        """The outcomes shown to a patient (``patient: true``), in display order."""
        return tuple(o for o, d in self.outcomes.items() if d.patient)

    @cached_property
    def n_events(self) -> int:
        return sum(len(s.events) for s in self.strategies.values())

    def strategy_label(self, s: str) -> str:
        return self.strategies[s].label if s in self.strategies else s

    def short_label(self, s: str) -> str:
        return self.strategies[s].short if s in self.strategies else s

    def outcome_label(self, o: str) -> str:
        return self.outcomes[o].label if o in self.outcomes else o

    def outcome_plain(self, o: str) -> str:
        return self.outcomes[o].plain if o in self.outcomes else o

    def outcome_title(self, o: str) -> str:
        return self.outcomes[o].title if o in self.outcomes else o

    @cached_property
    def short_labels(self) -> dict[str, str]:
        return {s: st.short for s, st in self.strategies.items()}

    @cached_property
    def strategy_labels(self) -> dict[str, str]:
        return {s: st.label for s, st in self.strategies.items()}

    @cached_property
    def outcome_labels(self) -> dict[str, str]:
        return {o: d.label for o, d in self.outcomes.items()}

    def parameters_behind(self, strategy: str, outcome: str) -> tuple[str, ...]:
        """The parameters an outcome of a strategy depends on (through its events and their conditions)."""
        st = self.strategies[strategy]
        ev = {e.name: e for e in st.events}
        seen: dict[str, None] = {}

        def visit(name: str) -> None:
            e = ev[name]
            if e.condition is not None:
                visit(e.condition)
            for p in e.parameters:
                seen.setdefault(p)

        for n in sorted(expr_names(st.outcomes[outcome]), key=st.event_names.index):
            visit(n)
        return tuple(seen)

    def chains(self) -> dict[str, tuple[str, ...]]:
        """Named groups of parameters that act together on a strategy's benefit (more than one parameter),
        e.g. a conditional first response and the response being kept: for grouped value of information."""
        out = {}
        for s in self.strategies:
            ps = self.parameters_behind(s, self.benefit)
            if len(ps) > 1:
                out[f"{self.short_label(s).lower()} benefit chain"] = ps
        return out


# --- loading ----------------------------------------------------------------------------------------------------


def _text(d: dict, key: str, file: str, where: str, problems: Problems, required: bool = True) -> str:
    v = d.get(key)
    if v is None:
        if required:
            problems.add(file, where, key, "is missing; allowed: text")
        return ""
    if not isinstance(v, str) or not v.strip():
        problems.add(file, where, key, f"got {_short(v)}; allowed: non-empty text")
        return ""
    return v.strip()


def _short(v: Any, limit: int = 60) -> str:
    """A value for an error message, never longer than ``limit`` characters."""
    if isinstance(v, (dict, list, tuple)):
        return f"a {type(v).__name__} of {len(v)} items"
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 3] + "..."


def _unknown_keys(d: dict, allowed: tuple[str, ...], file: str, where: str, problems: Problems) -> None:
    for k in d:
        if k not in allowed:
            problems.add(file, where, str(k), "unknown field; allowed: " + ", ".join(allowed))


def _is_id(x: Any) -> bool:
    return isinstance(x, str) and x.isidentifier() and x not in ("and", "or", "not", "if", "else")


def _parse_field(name: str, d: Any, file: str, problems: Problems) -> Field | None:
    where = f"profile field '{name}'"
    if not isinstance(d, dict):
        problems.add(file, where, None, "must be a mapping with type (and min/max or levels) and plain")
        return None
    before = len(problems.items)
    _unknown_keys(d, _FIELD_KEYS, file, where, problems)
    t = d.get("type")
    if t not in FIELD_TYPES:
        problems.add(file, where, "type", f"got {_short(t)}; allowed: {', '.join(FIELD_TYPES)}")
        return None
    plain = _text(d, "plain", file, where, problems)
    lo = hi = None
    levels: tuple[str, ...] = ()
    values: tuple[float, ...] = ()
    if t in ("int", "number"):
        lo, hi = d.get("min"), d.get("max")
        ok = all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in (lo, hi))
        if not ok or lo > hi or (t == "int" and not all(isinstance(x, int) for x in (lo, hi))):  # type: ignore[operator]
            problems.add(file, where, "min/max", f"got {_short(lo)}/{_short(hi)}; allowed: finite numbers, min <= max")
    if t in ("choice", "list"):
        lv = d.get("levels")
        if isinstance(lv, dict) and t == "choice":
            levels = tuple(str(k) for k in lv)
            if not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in lv.values()
            ):
                problems.add(file, where, "levels", "a choice's level values must be finite numbers")
            else:
                values = tuple(float(v) for v in lv.values())
        elif isinstance(lv, list) and lv and all(isinstance(x, str) and x for x in lv):
            levels = tuple(lv)
        else:
            problems.add(file, where, "levels", "allowed: a list of names, or (choice) a mapping name -> number")
        if len(set(levels)) != len(levels):
            problems.add(file, where, "levels", "each level once")
    cov = d.get("covariate", True)
    req = d.get("required", True)
    for k, v in (("covariate", cov), ("required", req)):
        if not isinstance(v, bool):
            problems.add(file, where, k, f"got {_short(v)}; allowed: true or false")
    sr = d.get("study_range")
    study_range = None
    if sr is not None:
        ok = isinstance(sr, list) and len(sr) == 2
        ok = ok and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in sr)
        if not ok or sr[0] > sr[1]:
            problems.add(file, where, "study_range", "allowed: [low, high], two finite numbers")
        else:
            study_range = (float(sr[0]), float(sr[1]))
    if len(problems.items) > before:
        return None
    return Field(
        name=name,
        type=t,
        plain=plain,
        min=lo,
        max=hi,
        levels=levels,
        level_values=values,
        covariate=bool(cov),
        required=bool(req),
        study_range=study_range,
    )


def parse_model(data: Any, file: str = MODEL_FILE) -> tuple[DecisionModel | None, Problems]:
    """Validate a mapping (as read from ``model.yaml``); returns the model (None if invalid) and the problems."""
    problems = Problems()
    if not isinstance(data, dict):
        problems.add(file, None, None, "must be a mapping with " + ", ".join(_TOP_REQUIRED))
        return None, problems
    _unknown_keys(data, _TOP_KEYS, file, "model", problems)
    for k in _TOP_REQUIRED:
        if k not in data:
            problems.add(file, "model", k, "is missing")
    if problems:
        return None, problems

    name = _text(data, "name", file, "model", problems)
    description = _text(data, "description", file, "model", problems, required=False)
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
        problems.add(file, "model", "notes", "allowed: a list of texts")
        notes = []
    tf = data["time_frame"]
    if isinstance(tf, dict):
        _unknown_keys(tf, ("label", "text"), file, "time_frame", problems)
        tf_label = _text(tf, "label", file, "time_frame", problems)
        tf_text = _text(tf, "text", file, "time_frame", problems)
    else:
        problems.add(file, "model", "time_frame", "allowed: a mapping with label ('2 years') and text")
        tf_label = tf_text = ""

    # profile fields
    fields: dict[str, Field] = {}
    prof = data["profile"]
    if not isinstance(prof, dict) or not prof:
        problems.add(file, "model", "profile", "allowed: a mapping field name -> {type, ...}")
    else:
        for fname, fd in prof.items():
            if not _is_id(fname) or fname in ("label", "notes"):
                problems.add(
                    file, "profile", str(fname), "allowed: a name of letters, digits and _ (not label or notes)"
                )
                continue
            f = _parse_field(fname, fd, file, problems)
            if f is not None:
                fields[fname] = f

    # parameters
    groups: dict[str, tuple[str, ...]] = {}
    pd_ = data["parameters"]
    if not isinstance(pd_, dict) or not pd_:
        problems.add(file, "model", "parameters", "allowed: a mapping group -> list of parameter names")
    else:
        for g, names in pd_.items():
            if not _is_id(g) or not isinstance(names, list) or not names or not all(_is_id(n) for n in names):
                problems.add(file, "parameters", str(g), "allowed: a group name -> a list of parameter names")
                continue
            if len(set(names)) != len(names):
                problems.add(file, "parameters", str(g), "each parameter once")
            groups[g] = tuple(names)
    params = {f"{g}.{n}" for g, ns in groups.items() for n in ns}
    param_list = ", ".join(sorted(params)) if len(params) <= 30 else f"{len(params)} declared parameters"

    # outcomes (global)
    outcomes: dict[str, Outcome] = {}
    od = data["outcomes"]
    if not isinstance(od, dict) or not od:
        problems.add(file, "model", "outcomes", "allowed: a mapping outcome id -> {role, label, plain, ...}")
        od = {}
    for oid, d in od.items():
        where = f"outcome '{oid}'"
        if not _is_id(oid) or not isinstance(d, dict):
            problems.add(file, where, None, "allowed: an outcome id -> {role, label, plain, expr?, patient?, tone?}")
            continue
        before = len(problems.items)
        _unknown_keys(d, _OUTCOME_KEYS, file, where, problems)
        role = d.get("role")
        if role not in ROLES:
            problems.add(file, where, "role", f"got {_short(role)}; allowed: {', '.join(ROLES)}")
        tone = d.get("tone", "good" if role == "benefit" else "bad" if role == "harm" else "neutral")
        if tone not in TONES:
            problems.add(file, where, "tone", f"got {_short(tone)}; allowed: {', '.join(TONES)}")
        patient = d.get("patient", False)
        if not isinstance(patient, bool):
            problems.add(file, where, "patient", f"got {_short(patient)}; allowed: true or false")
        label = _text(d, "label", file, where, problems)
        plain = _text(d, "plain", file, where, problems)
        title = _text(d, "title", file, where, problems, required=False) or label
        expr = None
        if "expr" in d:
            try:
                expr = parse_expr(d["expr"])
            except ExprError as exc:
                problems.add(file, where, "expr", str(exc))
        if len(problems.items) == before:
            outcomes[oid] = Outcome(oid, str(role), label, plain, bool(patient), str(tone), expr, title)
    for oid, o in outcomes.items():
        if o.expr is not None:
            for n in sorted(expr_names(o.expr) - set(od)):
                problems.add(file, f"outcome '{oid}'", "expr", f"unknown outcome {n!r}; allowed: {', '.join(od)}")

    # strategies
    strategies: dict[str, Strategy] = {}
    sd = data["strategies"]
    if not isinstance(sd, dict) or not sd:
        problems.add(
            file, "model", "strategies", "allowed: a mapping strategy id -> {label, short, plain, events, outcomes}"
        )
        sd = {}
    for sid, d in sd.items():
        st = _parse_strategy(sid, d, file, params, param_list, od, outcomes, problems)
        if st is not None:
            strategies[sid] = st
    if POPULATION in sd:
        problems.add(file, f"strategy '{POPULATION}'", None, "is reserved for facts about patients; use another id")

    # decision
    dec = data["decision"]
    benefit = harm = ""
    other_harms: dict[str, float] = {}
    if not isinstance(dec, dict):
        problems.add(file, "model", "decision", "allowed: {benefit: OUTCOME, harm: OUTCOME}")
    else:
        _unknown_keys(dec, ("benefit", "harm", "other_harms"), file, "decision", problems)
        benefit, harm = dec.get("benefit", ""), dec.get("harm", "")
        oh = dec.get("other_harms", {})
        if not isinstance(oh, dict):
            problems.add(file, "decision", "other_harms", "allowed: a mapping harm outcome -> relative weight >= 0")
            oh = {}
        for k, v in oh.items():
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
            if k not in outcomes or outcomes[k].role != "harm" or k == harm or not ok:
                problems.add(
                    file,
                    "decision",
                    f"other_harms.{k}",
                    f"got {_short(v)}; allowed: another declared harm outcome -> a relative weight >= 0",
                )
                continue
            for s, st in strategies.items():
                if k not in st.outcomes:
                    problems.add(
                        file, f"strategy '{s}'", "outcomes", f"does not define {k!r}, a harm the decision weighs"
                    )
        other_harms = {str(k): float(v) for k, v in oh.items()}
        for k, v, role in (("benefit", benefit, "benefit"), ("harm", harm, "harm")):
            if v not in outcomes:
                if not (isinstance(v, str) and v in od):  # an outcome with its own problems is reported once
                    problems.add(file, "decision", k, f"got {_short(v)}; allowed: a declared outcome with role {role}")
                continue
            if outcomes[v].role != role:
                problems.add(file, "decision", k, f"{v!r} has role {outcomes[v].role}; allowed: role {role}")
            for s, st in strategies.items():
                if v not in st.outcomes:
                    problems.add(file, f"strategy '{s}'", "outcomes", f"does not define {v!r}, the decision's {k}")

    # every parameter used; every covariate-free declaration consistent
    used = {p for st in strategies.values() for p in st.parameters}
    if strategies and not problems:
        for p in sorted(params - used):
            problems.add(file, "parameters", p, "is declared but no event uses it; allowed: remove it or use it")
    if problems:
        return None, problems
    model = DecisionModel(
        name=name,
        description=description,
        time_frame=tf_label,
        time_frame_text=tf_text,
        fields=fields,
        parameter_groups=groups,
        strategies=strategies,
        outcomes=outcomes,
        benefit=benefit,
        harm=harm,
        other_harms=other_harms,
        file=file,
        notes=tuple(n.strip() for n in notes),
        data=json.loads(json.dumps(data)),
    )
    return model, problems


@lru_cache(maxsize=16)
def model_from_json(text: str) -> DecisionModel:
    """The model a result was computed with, from the JSON it carries (``DecisionModel.to_json``)."""
    model, problems = parse_model(json.loads(text), "<declaration carried by a result>")
    problems.raise_if_any()
    assert model is not None
    return model


def _parse_strategy(
    sid: Any,
    d: Any,
    file: str,
    params: set[str],
    param_list: str,
    declared_outcomes: dict,
    outcomes: dict[str, Outcome],
    problems: Problems,
) -> Strategy | None:
    where = f"strategy '{sid}'"
    if not _is_id(sid) or not isinstance(d, dict):
        problems.add(file, where, None, "allowed: a strategy id -> {label, short, plain, events, outcomes}")
        return None
    before = len(problems.items)
    _unknown_keys(d, _STRATEGY_KEYS, file, where, problems)
    label = _text(d, "label", file, where, problems)
    short = _text(d, "short", file, where, problems)
    plain = _text(d, "plain", file, where, problems)
    ev = d.get("events")
    events: list[Event] = []
    if not isinstance(ev, dict) or not ev:
        problems.add(file, where, "events", "allowed: a mapping event name -> PARAMETER or {if, then, else}")
        ev = {}
    if len(ev) > MAX_EVENTS_PER_STRATEGY:
        problems.add(file, where, "events", f"has {len(ev)} events; allowed: at most {MAX_EVENTS_PER_STRATEGY}")
    names = list(ev)
    for i, (en, spec) in enumerate(ev.items()):
        ew = f"{where} event '{en}'"
        if not _is_id(en):
            problems.add(file, ew, None, "allowed: an event name of letters, digits and _")
            continue
        if isinstance(spec, str):
            if spec not in params:
                problems.add(file, ew, "p", f"unknown parameter {spec!r}; allowed: {param_list}")
                continue
            events.append(Event(en, parameter=spec))
        elif isinstance(spec, dict):
            _unknown_keys(spec, ("if", "then", "else"), file, ew, problems)
            cond, then, other = spec.get("if"), spec.get("then"), spec.get("else")
            ok = True
            if cond not in names:
                problems.add(file, ew, "if", f"unknown event {_short(cond)}; allowed: an earlier event of {sid}")
                ok = False
            elif names.index(cond) >= i:
                problems.add(
                    file,
                    ew,
                    "if",
                    f"{cond!r} is not an earlier event (a cycle); allowed: an event listed before {en!r}",
                )
                ok = False
            for k, v in (("then", then), ("else", other)):
                if v not in params:
                    problems.add(file, ew, k, f"unknown parameter {_short(v)}; allowed: {param_list}")
                    ok = False
            if ok:
                events.append(Event(en, condition=cond, then=then, otherwise=other))
        else:
            problems.add(file, ew, None, "allowed: a parameter key (group.name) or {if: EVENT, then: P, else: P}")
    od = d.get("outcomes")
    own: dict[str, Expr] = {}
    if not isinstance(od, dict) or not od:
        problems.add(file, where, "outcomes", "allowed: a mapping outcome id -> expression over events")
        od = {}
    for oid, text in od.items():
        if oid not in declared_outcomes:
            problems.add(
                file, f"{where} outcome '{oid}'", None, f"unknown outcome; allowed: {', '.join(declared_outcomes)}"
            )
            continue
        try:
            own[oid] = parse_expr(text)
        except ExprError as exc:
            problems.add(file, f"{where} outcome '{oid}'", None, str(exc))
    if len(problems.items) > before:
        return None
    # expand: names are events, or this strategy's other outcomes; then derived (global) outcomes
    ev_names = {e.name for e in events}
    resolved: dict[str, Expr] = {}

    def resolve(oid: str, stack: tuple[str, ...]) -> Expr | None:
        if oid in resolved:
            return resolved[oid]
        if oid in stack:
            problems.add(
                file,
                f"{where} outcome '{oid}'",
                None,
                "is defined through itself (a cycle): " + " -> ".join((*stack, oid)),
            )
            return None
        if oid in own:
            expr = own[oid]
            local = True
        elif oid in outcomes and outcomes[oid].expr is not None:
            expr = outcomes[oid].expr  # type: ignore[assignment]
            local = False
        else:
            return None
        table: dict[str, Expr] = {}
        for n in expr_names(expr):
            if local and n in ev_names:
                continue  # inside a strategy's own definitions, an event's name means the event
            sub = resolve(n, (*stack, oid))
            if sub is None:
                if local:
                    problems.add(
                        file,
                        f"{where} outcome '{oid}'",
                        None,
                        f"unknown name {n!r}; allowed: an event of {sid} ({', '.join(names)}) or one of its outcomes",
                    )
                return None
            table[n] = sub
        out = substitute(expr, table)
        resolved[oid] = out
        return out

    for oid in own:
        resolve(oid, ())
    changed = True
    while changed:  # derived outcomes apply where every outcome they name is defined (possibly derived too)
        changed = False
        for oid, o in outcomes.items():
            if oid not in resolved and o.expr is not None and all(n in resolved for n in expr_names(o.expr)):
                changed = resolve(oid, ()) is not None or changed
    if len(problems.items) > before:
        return None
    ordered = {o: resolved[o] for o in declared_outcomes if o in resolved}
    return Strategy(sid, label, short, plain, tuple(events), ordered)


def load_model(path: Path | str) -> DecisionModel:
    """Load and validate a ``model.yaml`` file on its own.

    Parameters
    ----------
    path : str or Path
        A decision model file (``priors/model.yaml`` is the shipped one).

    Returns
    -------
    DecisionModel
        Strategies, events, outcomes, roles and words, covariates, the time frame and the decision.

    Raises
    ------
    InputError
        Every problem at once, naming the file, the field and what is allowed.

    Examples
    --------
    >>> import outcomes as oc
    >>> from outcomes.registry import default_registry_path
    >>> model = oc.load_model(default_registry_path() / "model.yaml")
    >>> model.time_frame, model.benefit
    ('2 years', 'improved')
    """
    from outcomes.registry import read_yaml

    path = Path(path)
    problems = Problems()
    data = read_yaml(path, problems)
    problems.raise_if_any()
    model, problems = parse_model(data, str(path))
    problems.raise_if_any()
    assert model is not None
    return model


def default_model() -> DecisionModel:
    """The shipped decision model (``priors/model.yaml`` beside the package)."""
    from outcomes.registry import default_registry_path

    return _default_model(str(default_registry_path() / MODEL_FILE))


@lru_cache(maxsize=4)
def _default_model(path: str) -> DecisionModel:
    return load_model(path)
