"""The profile form's rules on the server: every value the browser sends is checked here, whatever the widget.

The fields, their kinds and allowed values come from ``outcomes.profile.FIELDS`` and the checks from
``outcomes.profile.parse_profile`` (one field changed at a time against the last valid profile), so the form
and a profile file obey the same rules. On top of those the page limits what a browser may send: text length,
the length of a typed number, the size of an uploaded file. A bad value gives a message for its field and keeps
the field's last valid value; nothing is echoed back unescaped, and nothing here writes or logs anything.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from outcomes import yamlio
from outcomes.errors import InputError
from outcomes.profile import FIELDS, OPTIONAL, Profile, parse_profile

MAX_TEXT = {"label": 120, "notes": 1000}
"""Longest label and notes the page accepts (characters)."""
MAX_NUMBER_CHARS = 6
MAX_UPLOAD_BYTES = 64 * 1024
_INT = re.compile(r"[+-]?\d+")


def allowed_text(name: str) -> str:
    """What a field allows, in words (from ``profile.FIELDS``)."""
    kind, spec, _ = FIELDS[name]
    if kind == "int":
        return f"a whole number from {spec[0]} to {spec[1]}"
    if kind == "bool":
        return "yes or no"
    if kind == "choice":
        return "one of " + ", ".join(spec)
    if kind == "list":
        return "any of " + ", ".join(t.replace("_", " ") for t in spec)
    limit = MAX_TEXT.get(name, 200)
    return f"text of at most {limit} characters" + ("" if name in OPTIONAL else " (not empty)")


def _shown(value: Any) -> str:
    """A short, safe rendering of what was entered (for the message; escaped again by the page)."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 24 else text[:21] + "..."


def to_value(name: str, raw: Any) -> tuple[Any, str | None]:
    """A widget's raw value as the profile's type, or a message (the browser can send anything)."""
    kind, spec, _ = FIELDS[name]
    if kind == "int":
        if isinstance(raw, bool):
            return None, f"Not a whole number. Allowed: {allowed_text(name)}."
        if isinstance(raw, int):
            return raw, None
        if not isinstance(raw, str):
            return None, f"Not a whole number. Allowed: {allowed_text(name)}."
        text = raw.strip()
        if len(text) > MAX_NUMBER_CHARS:
            return None, f"Too long ({len(text)} characters). Allowed: {allowed_text(name)}."
        if not _INT.fullmatch(text):
            shown = f" ({_shown(text)})" if text else ""
            return None, f"Not a whole number{shown}. Allowed: {allowed_text(name)}."
        return int(text), None
    if kind == "text":
        if not isinstance(raw, str):
            return None, f"Not text. Allowed: {allowed_text(name)}."
        limit = MAX_TEXT.get(name, 200)
        if len(raw) > limit:
            return None, f"Too long ({len(raw)} characters). Allowed: {allowed_text(name)}."
        if any(not ch.isprintable() and ch not in "\n\t" for ch in raw):
            return None, f"Contains control characters. Allowed: {allowed_text(name)}."
        return raw, None
    if kind == "list":
        if not isinstance(raw, (list, tuple)) or len(raw) > len(spec):
            return None, f"Not a list of treatments. Allowed: {allowed_text(name)}."
        return list(raw), None
    return raw, None


def check_field(name: str, raw: Any, previous: Profile) -> tuple[Any, str | None]:
    """(value, None) if ``raw`` is a valid value of field ``name``, else (None, message)."""
    value, message = to_value(name, raw)
    if message:
        return None, message
    data = previous.to_dict()
    data[name] = value
    try:
        parse_profile(data, "form")
    except InputError as err:
        mine = [p for p in err.problems if p.field == name]
        if mine:
            return None, f"Not allowed: {_shown(value)}. Allowed: {allowed_text(name)}."
        raise  # pragma: no cover - another field of a valid profile cannot fail
    return value, None


def apply_form(values: dict[str, Any], previous: Profile) -> tuple[Profile, dict[str, str]]:
    """The profile from the form's values: each invalid field keeps its previous value and gets a message."""
    data = previous.to_dict()
    messages: dict[str, str] = {}
    for name in FIELDS:
        if name not in values:
            continue
        value, message = check_field(name, values[name], previous)
        if message:
            messages[name] = message
        else:
            data[name] = value
    profile = parse_profile(data, previous.file or "form")
    return profile, messages


def form_values(profile: Profile) -> dict[str, Any]:
    """The widget values that show a profile (numbers as text, lists as lists)."""
    out: dict[str, Any] = {}
    for name, (kind, _, _) in FIELDS.items():
        v = getattr(profile, name)
        out[name] = str(v) if kind == "int" else list(v) if kind == "list" else v
    return out


def profile_from_upload(data: Any, filename: str | None) -> Profile:
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
    profile = parse_profile(parsed, name)
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
