"""Patient profile: a validated, human-editable YAML file -> a frozen ``Profile``.

Every field is required (no silent defaults); ``label`` and ``notes`` are free text. A bad profile raises
``InputError`` naming the file, the field and the allowed values. ``Profile.covariates()`` gives the numbers
the covariate effect records act on (see ``outcomes.registry.COVARIATES``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from outcomes import yamlio
from outcomes.errors import InputError, Problems, quote

FALLS = ("none", "occasional", "frequent")
NEUROPATHIC = ("yes", "no", "unknown")
TREATMENTS = (
    "physical_therapy",
    "epidural_injections",
    "facet_injections",
    "medication",
    "chiropractic",
    "multidisciplinary_care",
    "other",
)

# field -> (kind, allowed / range, plain-language description)
FIELDS: dict[str, tuple[str, Any, str]] = {
    "label": ("text", None, "a short name for this profile"),
    "age": ("int", (18, 100), "age in years"),
    "prior_surgeries": ("int", (0, 6), "number of earlier lumbar operations"),
    "instability": ("bool", None, "documented segmental instability (e.g. post-laminectomy)"),
    "progressive_deficit": ("bool", None, "progressive neurological deficit such as give-way weakness"),
    "falls": ("choice", FALLS, "falls because of leg weakness"),
    "bilateral_radicular": ("bool", None, "radicular symptoms in both legs"),
    "conservative_care_months": ("int", (0, 600), "months of failed conservative care"),
    "failed_treatments": ("list", TREATMENTS, "conservative treatments tried without relief"),
    "neuropathic_features": ("choice", NEUROPATHIC, "neuropathic pain features on examination or screening"),
    "smoker": ("bool", None, "current smoker"),
    "diabetes": ("bool", None, "diabetes"),
    "notes": ("text", None, "free-text notes shown in the report"),
}
OPTIONAL = {"notes"}


def default_profile_path() -> Path:
    return Path(__file__).resolve().parent.parent / "profiles" / "default.yaml"


@dataclass(frozen=True)
class Profile:
    label: str
    age: int
    prior_surgeries: int
    instability: bool
    progressive_deficit: bool
    falls: str
    bilateral_radicular: bool
    conservative_care_months: int
    failed_treatments: tuple[str, ...]
    neuropathic_features: str
    smoker: bool
    diabetes: bool
    notes: str = ""
    file: str = ""

    def covariates(self) -> dict[str, float]:
        """Numeric covariates for the effect records (names as in ``registry.COVARIATES``)."""
        return {
            "prior_surgeries": float(self.prior_surgeries),
            "instability": float(self.instability),
            "progressive_deficit": float(self.progressive_deficit),
            "falls": 0.0 if self.falls == "none" else 1.0,
            "bilateral_radicular": float(self.bilateral_radicular),
            "smoker": float(self.smoker),
            "diabetes": float(self.diabetes),
            "neuropathic_features": {"yes": 1.0, "unknown": 0.0, "no": -1.0}[self.neuropathic_features],
            "age": float(self.age),
        }

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("file")
        d["failed_treatments"] = list(self.failed_treatments)
        return d

    def digest(self) -> str:
        """A short hash of the profile's content (provenance)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:10]

    def describe(self) -> list[str]:
        """The profile in plain words, one fact per line."""
        yes = lambda b: "yes" if b else "no"  # noqa: E731
        tried = ", ".join(t.replace("_", " ") for t in self.failed_treatments) or "none recorded"
        return [
            f"Age {self.age}; {self.prior_surgeries} earlier lumbar operation(s)",
            f"Documented instability: {yes(self.instability)}",
            f"Progressive weakness (give-way): {yes(self.progressive_deficit)}; falls: {self.falls}",
            f"Leg symptoms on both sides: {yes(self.bilateral_radicular)}",
            f"Neuropathic pain features: {self.neuropathic_features}",
            f"Failed conservative care: {self.conservative_care_months} months ({tried})",
            f"Smoker: {yes(self.smoker)}; diabetes: {yes(self.diabetes)}",
        ]


def _allowed(kind: str, spec: Any) -> str:
    if kind == "int":
        return f"a whole number from {spec[0]} to {spec[1]}"
    if kind == "bool":
        return "true or false"
    if kind == "choice":
        return "one of " + ", ".join(spec)
    if kind == "list":
        return "a list of " + ", ".join(spec)
    return "text"


def parse_profile(data: Any, file: str = "<profile>") -> Profile:
    """Validate a mapping (as read from YAML) into a ``Profile``; every problem is reported at once."""
    problems = Problems()
    if not isinstance(data, dict):
        raise InputError(file, None, None, "must be a mapping of profile fields; allowed fields: " + ", ".join(FIELDS))
    for k in data:
        if k not in FIELDS:
            problems.add(file, None, str(k), "unknown field; allowed: " + ", ".join(FIELDS))
    values: dict[str, Any] = {}
    for name, (kind, spec, _) in FIELDS.items():
        if name not in data:
            if name not in OPTIONAL:
                problems.add(file, None, name, f"is missing; allowed: {_allowed(kind, spec)}")
            continue
        v = data[name]
        ok = True
        if kind == "int":
            ok = isinstance(v, int) and not isinstance(v, bool) and spec[0] <= v <= spec[1]
        elif kind == "bool":
            ok = isinstance(v, bool)
        elif kind == "choice":
            ok = isinstance(v, str) and v in spec
        elif kind == "list":
            ok = isinstance(v, list) and all(isinstance(x, str) and x in spec for x in v)
            v = tuple(v) if ok else v
        else:
            ok = isinstance(v, str) and (bool(v.strip()) or name in OPTIONAL)
        if not ok:
            hint = ""
            if kind == "choice" and isinstance(v, bool):
                hint = ' (YAML reads an unquoted yes/no as true/false: write "yes" or "no" in quotes)'
            problems.add(file, None, name, f"got {quote(v)}; allowed: {_allowed(kind, spec)}{hint}")
        values[name] = v
    problems.raise_if_any()
    return Profile(file=file, **values)


def load_profile(path: Path | str | None = None) -> Profile:
    """Load a profile YAML file (default: the shipped seed patient)."""
    path = Path(path) if path is not None else default_profile_path()
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
    return parse_profile(data, str(path))
