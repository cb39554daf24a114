"""Patient profile: a validated, human-editable YAML file -> a frozen ``Profile``.

The fields and their allowed values come from the decision model's ``profile`` section (``model.yaml``,
``outcomes.declaration``); ``label`` (required) and ``notes`` (optional) are free text for every model. Every
declared field is required unless it says ``required: false`` (no silent defaults). A bad profile raises
``InputError`` naming the file, the field and the allowed values. ``Profile.covariates()`` gives the numbers
the covariate effects act on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outcomes import yamlio
from outcomes.declaration import DecisionModel, default_model
from outcomes.errors import InputError, Problems, quote

TEXT_FIELDS = ("label", "notes")
"""Free-text fields every profile has (``label`` required, ``notes`` optional)."""
MAX_TEXT = 2000


def default_profile_path() -> Path:
    return profiles_dir() / "default.yaml"


def profiles_dir() -> Path:
    """The shipped profiles (the checkout's ``profiles/``, or its copy inside an installed package)."""
    from outcomes.shipped import shipped_dir

    return shipped_dir("profiles")


def shipped_profiles() -> dict[str, Path]:
    """Shipped profiles by name (file stem), e.g. ``default``."""
    from outcomes.shipped import shipped_files

    return shipped_files("profiles")


@dataclass(frozen=True)
class Profile:
    """A validated patient profile. Field values are attributes (``profile.age``) and ``profile.values``."""

    label: str
    values: dict[str, Any]
    model: DecisionModel = field(repr=False, compare=False)
    notes: str = ""
    file: str = ""

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def covariates(self) -> dict[str, float]:
        """Numeric covariates for the covariate effects (the model's covariate fields)."""
        return {k: f.to_number(self.values[k]) for k, f in self.model.covariates.items() if k in self.values}

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label}
        for k, v in self.values.items():
            d[k] = list(v) if isinstance(v, tuple) else v
        d["notes"] = self.notes
        return d

    def replace(self, **changes: Any) -> Profile:
        """A new profile with some fields changed, validated again."""
        return parse_profile({**self.to_dict(), **changes}, self.file or "<profile>", self.model)

    def digest(self) -> str:
        """A short hash of the profile's content (provenance)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:10]

    def describe(self) -> list[str]:
        """The profile in plain words, one field per line (the model's plain description of each field)."""
        out = []
        for k, f in self.model.fields.items():
            if k not in self.values:
                continue
            v = self.values[k]
            if f.type == "bool":
                txt = "yes" if v else "no"
            elif f.type == "list":
                txt = ", ".join(str(x).replace("_", " ") for x in v) or "none recorded"
            else:
                txt = str(v).replace("_", " ")
            out.append(f"{f.plain[:1].upper()}{f.plain[1:]}: {txt}")
        return out


def parse_profile(data: Any, file: str = "<profile>", model: DecisionModel | None = None) -> Profile:
    """Validate a mapping (as read from YAML) into a ``Profile``; every problem is reported at once."""
    model = model if model is not None else default_model()
    fields = model.fields
    names = ["label", *fields, "notes"]
    problems = Problems()
    if not isinstance(data, dict):
        raise InputError(file, None, None, "must be a mapping of profile fields; allowed fields: " + ", ".join(names))
    for k in data:
        if k not in names:
            problems.add(file, None, str(k)[:40], "unknown field; allowed: " + ", ".join(names))
    label = data.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        problems.add(file, None, "label", f"got {quote(label)}; allowed: text (a short name for this profile)")
    notes = data.get("notes", "")
    if not isinstance(notes, str) or len(notes) > MAX_TEXT:
        problems.add(file, None, "notes", f"got {quote(notes)}; allowed: text of at most {MAX_TEXT} characters")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            if f.required:
                problems.add(file, None, name, f"is missing; allowed: {f.allowed()}")
            continue
        v = data[name]
        if not f.check(v):
            hint = ""
            if f.type == "choice" and isinstance(v, bool):
                hint = ' (YAML reads an unquoted yes/no as true/false: write "yes" or "no" in quotes)'
            got = quote(v)
            if f.type == "list" and isinstance(v, list):
                bad = [x for x in v if not (isinstance(x, str) and x in f.levels)]
                got = ", ".join(quote(x) for x in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            problems.add(file, None, name, f"got {got}; allowed: {f.allowed()}{hint}")
            continue
        values[name] = tuple(v) if f.type == "list" else v
    problems.raise_if_any()
    return Profile(label=str(label), values=values, model=model, notes=str(notes), file=file)


def load_profile(
    path: Path | str | None = None, *, registry: Any = None, model: DecisionModel | None = None
) -> Profile:
    """Load and validate a patient profile.

    Parameters
    ----------
    path : str or Path, optional
        A profile YAML file, or the name of a shipped profile (``"default"``, the seed patient, when omitted).
    registry : Registry, optional
        Validate against this registry's decision model.
    model : DecisionModel, optional
        Validate against this decision model (default: the registry's, else the shipped model).

    Returns
    -------
    Profile

    Examples
    --------
    >>> import outcomes as oc
    >>> p = oc.load_profile("default")
    >>> p.prior_surgeries
    2
    >>> p.covariates()["instability"]
    1.0
    """
    if model is None and registry is not None:
        model = registry.model
    shipped = shipped_profiles()
    if path is None:
        path = default_profile_path()
    elif isinstance(path, str) and path in shipped and not Path(path).exists():
        path = shipped[path]
    path = Path(path)
    try:
        text = yamlio.read_text(path)
    except FileNotFoundError:
        raise InputError(str(path), None, None, "does not exist; allowed: a profile YAML file") from None
    except yamlio.LimitError as exc:
        raise InputError(str(path), None, None, exc.problem) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), None, None, f"cannot be read ({exc}); allowed: a profile YAML file") from None
    try:
        data = yamlio.safe_load(text)
    except yamlio.LimitError as exc:
        raise InputError(str(path), None, exc.field, exc.problem) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        if isinstance(exc, yamlio.DuplicateKeyError):
            raise InputError(str(path), None, None, f"has a {exc.problem}{at}; allowed: each field once") from None
        raise InputError(str(path), None, None, f"is not valid YAML{at} (plain YAML only)") from None
    if data is None:
        raise InputError(str(path), None, None, "is empty; allowed: a mapping of profile fields")
    return parse_profile(data, str(path), model)
