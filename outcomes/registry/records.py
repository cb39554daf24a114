"""What a loaded registry holds: sources, grades, cited records and effects, and the registry itself.

Records (cited probabilities) and effects (cited odds ratios of a covariate) share one base, :class:`Cited`:
its fields (id, source, grade, range, mass, n, citations, use, ...) are declared once. The YAML keys an entry
may have are its class's fields (:meth:`Cited.yaml_keys`), so a new field is one line here and is then
accepted, required or optional, by the validation (``outcomes.registry.validation``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from outcomes.declaration import DecisionModel
from outcomes.registry.vocabulary import ASSUMPTION, DEFAULT_MASS


@dataclass(frozen=True)
class Source:
    """One citable source of ``bibliography.yaml``."""

    key: str
    title: str
    container: str = ""
    year: int | None = None
    design: str = ""
    n: int | None = None
    population: str = ""
    note: str = ""
    authors: str = ""

    def citation(self) -> str:
        who = f"{self.authors}. " if self.authors else ""
        year = f" ({self.year})" if self.year else ""
        where = f" {self.container}." if self.container else ""
        return f"{who}{self.title}.{where}{year}".strip()


@dataclass(frozen=True)
class Grade:
    """An evidence grade of ``grades.yaml``: how much a record of this grade may weigh."""

    name: str
    description: str
    cap: float
    point_ess: float
    effect_min_sd: float
    robust_weight: float
    """Weight of the weakly informative component of a robust prior (``outcomes.elicit``): the prior probability
    that this grade's evidence does not describe the patient at all (Schmidli et al. 2014)."""


@dataclass(frozen=True, kw_only=True)
class Cited:
    """What records and effects share: an id, a source (or the reserved 'assumption'), a grade, a note, an
    optional low-high range with the mass it holds, a sample size, further citations, and whether it is used."""

    id: str
    range_meaning: str
    source: str
    grade: str
    note: str
    file: str
    """The registry file it was read from (set by the loader, not a YAML key)."""
    low: float | None = None
    high: float | None = None
    mass: float = DEFAULT_MASS
    n: int | None = None
    also_cites: tuple[str, ...] = ()
    informed_by: tuple[str, ...] = ()
    use: bool = True

    _NOT_YAML: ClassVar[frozenset[str]] = frozenset({"file"})

    @property
    def is_assumption(self) -> bool:
        return self.source == ASSUMPTION

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None

    @classmethod
    def yaml_keys(cls) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(required, optional) YAML keys of this kind of entry, from its fields: ``id`` first, then the kind's
        own fields, then the shared ones; a field without a default is required."""
        shared = {f.name for f in dataclasses.fields(Cited)}
        every = [f for f in dataclasses.fields(cls) if f.name not in cls._NOT_YAML]
        ordered = sorted(every, key=lambda f: (f.name != "id", f.name in shared))  # stable: declaration order
        missing = dataclasses.MISSING
        required = tuple(f.name for f in ordered if f.default is missing and f.default_factory is missing)
        optional = tuple(f.name for f in ordered if f.name not in required)
        return required, optional


@dataclass(frozen=True, kw_only=True)
class Record(Cited):
    """One cited probability (a strategy's outcome rate, or a population share)."""

    strategy: str
    outcome: str
    time_frame: str
    population: str
    point: float | None = None

    @property
    def parameter(self) -> str:
        return f"{self.strategy}.{self.outcome}"

    def cited(self) -> str:
        """The reported value as text, e.g. ``92-95%`` or ``53% (n=25)``."""
        if self.has_range:
            txt = f"{_pct(self.low)}-{_pct(self.high)}%"
            if self.point is not None:
                txt = f"{_pct(self.point)}% ({txt})"
        else:
            txt = f"{_pct(self.point)}%"
        if self.n:
            txt += f" (n={self.n})"
        return txt


@dataclass(frozen=True, kw_only=True)
class Effect(Cited):
    """A covariate effect: odds ratio per ``per`` units of ``covariate`` away from ``reference`` (its ``low`` and
    ``high`` are odds ratios too)."""

    covariate: str
    reference: float
    per: float
    targets: tuple[str, ...]
    odds_ratio: float
    applies: tuple[float, float] | None = None
    """An indicator (one level of a categorical effect): the odds ratio applies when the covariate lies in
    [low, high], and not at all otherwise (``reference``/``per`` are then unused). A non-log-linear pattern, such
    as the registry's odds by number of earlier operations, is a set of such effects, one per level."""

    def cited(self) -> str:
        txt = f"OR {self.odds_ratio:g}"
        if self.has_range:
            txt += f" ({self.low:g}-{self.high:g})"
        return txt


@dataclass(frozen=True)
class Registry:
    """A loaded, validated registry: records, effects, sources, grades, the decision model, the evidence version."""

    path: Path
    records: tuple[Record, ...]
    effects: tuple[Effect, ...]
    sources: dict[str, Source]
    grades: dict[str, Grade]
    version: str
    model: DecisionModel
    files: tuple[str, ...] = field(default=())

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every model parameter (``strategy.outcome``), in the declaration's order."""
        return self.model.parameters

    def record(self, record_id: str) -> Record:
        for r in self.records:
            if r.id == record_id:
                return r
        raise KeyError(record_id)

    def effect(self, effect_id: str) -> Effect:
        for e in self.effects:
            if e.id == effect_id:
                return e
        raise KeyError(effect_id)

    def records_for(self, parameter: str) -> tuple[Record, ...]:
        """The records in use that inform one model parameter (``strategy.outcome``)."""
        return tuple(r for r in self.records if r.use and r.parameter == parameter)

    @property
    def used_effects(self) -> tuple[Effect, ...]:
        return tuple(e for e in self.effects if e.use)


def _pct(x: float | None) -> str:
    if x is None:
        return "?"
    v = 100 * x
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.1f}"


def evidence_version(path: Path | str) -> str:
    """Content hash of every ``*.yaml`` file in the registry folder (names and bytes): the evidence version."""
    path = Path(path)
    h = hashlib.sha256()
    for f in sorted(path.glob("*.yaml")):
        h.update(f.name.encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return "ev-" + h.hexdigest()[:12]
