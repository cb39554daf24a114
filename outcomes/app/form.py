"""The profile form's rules on the server: every value the browser sends is checked here, whatever the widget.

The fields, their kinds and allowed values come from the decision model (``model.fields``: ``Field.type``,
``allowed()``, ``plain``) and the checks from ``outcomes.profile.parse_profile`` (one field changed at a time against
the last valid profile), so the form and a profile file obey the same rules, and a field added to ``model.yaml``
appears in the form. On top of those the page limits what a browser may send: text length, the length of a typed
number, the size of an uploaded file. A bad value gives a message for its field and keeps the field's last valid
value; nothing is echoed back unescaped, and nothing here writes or logs anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from outcomes import yamlio
from outcomes.declaration import DecisionModel, Field
from outcomes.errors import InputError
from outcomes.profile import Profile, parse_profile

LABEL, NOTES = "label", "notes"
"""The profile's own text entries (every other entry is a field of the decision model)."""
MAX_TEXT = {LABEL: 120, NOTES: 1000}
"""Longest label and notes the page accepts (characters)."""
MAX_NUMBER_CHARS = 6
MAX_DECIMAL_CHARS = 12
MAX_UPLOAD_BYTES = 64 * 1024
_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


@dataclass(frozen=True)
class FormField:
    """One entry of the form: a field of the decision model, or the profile's label or notes (``field`` None)."""

    name: str
    kind: str
    """int, number, bool, choice, list or text (``Field.type``)."""
    desc: str
    field: Field | None = None
    optional: bool = False


def form_fields(model: DecisionModel) -> dict[str, FormField]:
    """The form's entries in order: the label, the model's fields, the notes."""
    out = {LABEL: FormField(LABEL, "text", "a short name for this profile")}
    for name, f in model.fields.items():
        out[name] = FormField(name, f.type, f.plain, f, not f.required)
    out[NOTES] = FormField(NOTES, "text", "free-text notes shown in the report", optional=True)
    return out


def allowed_text(name: str, model: DecisionModel) -> str:
    """What a field allows, in words (from the model's ``Field``)."""
    ff = form_fields(model)[name]
    f = ff.field
    if f is None:
        limit = MAX_TEXT.get(name, 200)
        return f"text of at most {limit} characters" + ("" if ff.optional else " (not empty)")
    if f.type == "bool":
        return "yes or no"
    if f.type == "list":
        return "any of " + ", ".join(t.replace("_", " ") for t in f.levels)
    if f.type == "text":
        return f"text of at most {MAX_TEXT.get(name, 200)} characters"
    return f.allowed()


def _shown(value: Any) -> str:
    """A short, safe rendering of what was entered (for the message; escaped again by the page)."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 24 else text[:21] + "..."


def to_value(name: str, raw: Any, model: DecisionModel) -> tuple[Any, str | None]:
    """A widget's raw value as the profile's type, or a message (the browser can send anything)."""
    ff = form_fields(model)[name]
    kind = ff.kind

    def bad(what: str) -> tuple[Any, str]:
        return None, f"{what}. Allowed: {allowed_text(name, model)}."

    if kind in ("int", "number"):
        word = "a whole number" if kind == "int" else "a number"
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return bad(f"Not {word}")
        if isinstance(raw, int) or (kind == "number" and isinstance(raw, float) and math.isfinite(raw)):
            return raw, None
        if not isinstance(raw, str):
            return bad(f"Not {word}")
        text = raw.strip()
        if not text and ff.optional:
            return None, None
        limit = MAX_NUMBER_CHARS if kind == "int" else MAX_DECIMAL_CHARS
        if len(text) > limit:
            return bad(f"Too long ({len(text)} characters)")
        if not (_INT if kind == "int" else _NUMBER).fullmatch(text):
            shown = f" ({_shown(text)})" if text else ""
            return bad(f"Not {word}{shown}")
        return (int(text) if kind == "int" else float(text)), None
    if kind == "text":
        if not isinstance(raw, str):
            return bad("Not text")
        limit = MAX_TEXT.get(name, 200)
        if len(raw) > limit:
            return bad(f"Too long ({len(raw)} characters)")
        if any(not ch.isprintable() and ch not in "\n\t" for ch in raw):
            return bad("Contains control characters")
        return raw, None
    if kind == "list":
        levels = ff.field.levels if ff.field is not None else ()
        if not isinstance(raw, (list, tuple)) or len(raw) > len(levels):
            return bad("Not a list of choices")
        return list(raw), None
    return raw, None


def _set(data: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        data.pop(name, None)  # an optional field left empty
    else:
        data[name] = value


def check_field(name: str, raw: Any, previous: Profile) -> tuple[Any, str | None]:
    """(value, None) if ``raw`` is a valid value of field ``name``, else (None, message)."""
    model = previous.model
    value, message = to_value(name, raw, model)
    if message:
        return None, message
    data = previous.to_dict()
    _set(data, name, value)
    try:
        parse_profile(data, "form", model)
    except InputError as err:
        mine = [p for p in err.problems if p.field == name]
        if mine:
            return None, f"Not allowed: {_shown(value)}. Allowed: {allowed_text(name, model)}."
        raise  # pragma: no cover - another field of a valid profile cannot fail
    return value, None


def apply_form(values: dict[str, Any], previous: Profile) -> tuple[Profile, dict[str, str]]:
    """The profile from the form's values: each invalid field keeps its previous value and gets a message."""
    data = previous.to_dict()
    messages: dict[str, str] = {}
    for name in form_fields(previous.model):
        if name not in values:
            continue
        value, message = check_field(name, values[name], previous)
        if message:
            messages[name] = message
        else:
            _set(data, name, value)
    profile = parse_profile(data, previous.file or "form", previous.model)
    return profile, messages


def form_values(profile: Profile) -> dict[str, Any]:
    """The widget values that show a profile (numbers as text, lists as lists)."""
    out: dict[str, Any] = {}
    d = profile.to_dict()
    for name, ff in form_fields(profile.model).items():
        v = d.get(name)
        if ff.kind in ("int", "number"):
            out[name] = "" if v is None else str(v)
        elif ff.kind == "list":
            out[name] = list(v or ())
        elif ff.kind == "bool":
            out[name] = bool(v)
        elif ff.kind == "text":
            out[name] = "" if v is None else str(v)
        else:
            out[name] = v
    return out


def profile_from_upload(data: Any, filename: str | None, model: DecisionModel) -> Profile:
    """A profile from an uploaded file's bytes; ``InputError`` (one line per problem) if it is not a valid one."""
    name = _shown(filename or "uploaded file")
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise InputError(name, None, None, "is empty; allowed: a profile YAML file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            name, None, None, f"is {len(data)} bytes; allowed: a profile YAML file of at most {MAX_UPLOAD_BYTES} bytes"
        )
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(name, None, None, "is not UTF-8 text; allowed: a profile YAML file") from None
    try:
        parsed = yamlio.safe_load(text)
    except yaml.YAMLError:
        raise InputError(name, None, None, "is not valid YAML; allowed: a profile YAML file") from None
    if parsed is None:
        raise InputError(name, None, None, "is empty; allowed: a mapping of profile fields")
    profile = parse_profile(parsed, name, model)
    problems = []
    for field, limit in MAX_TEXT.items():
        if len(getattr(profile, field)) > limit:
            problems.append(f"field '{field}': is longer than {limit} characters")
    if problems:
        raise InputError(name, None, None, "; ".join(problems))
    return profile


def profile_yaml(profile: Profile) -> bytes:
    """The profile as a YAML file that ``outcomes report --profile`` reads back."""
    head = "# Patient profile saved from the outcomes decision aid; see profiles/default.yaml for the fields.\n"
    return (head + yaml.safe_dump(profile.to_dict(), sort_keys=False, allow_unicode=True)).encode("utf-8")
