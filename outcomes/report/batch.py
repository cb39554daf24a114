"""Outcome charts for a batch of profiles: one folder per profile plus a comparison table.

Every profile is validated before anything is computed (all problems reported at once), and the whole
batch folder is written atomically, like the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from outcomes.declaration import DecisionModel
from outcomes.elicit import evidence_table
from outcomes.errors import InputError, Problem
from outcomes.pipeline import Decision, compare
from outcomes.profile import Profile, load_profile
from outcomes.registry import Registry, load_registry
from outcomes.report.build import render_charts


def load_profiles(paths: Sequence[str | Path], model: DecisionModel | None = None) -> list[Profile]:
    """Load every profile; raise one ``InputError`` listing the problems of all of them."""
    profiles, problems = [], []
    for p in paths:
        try:
            profiles.append(load_profile(p, model=model))
        except InputError as err:
            problems.extend(err.problems)
    stems = [Path(p).stem for p in paths]
    for stem in {s for s in stems if stems.count(s) > 1}:
        problems.append(
            Problem(
                "command line",
                None,
                "PROFILE",
                f"two profiles share the file name '{stem}'; allowed: profiles with distinct file names",
            )
        )
    if problems:
        raise InputError.collect(problems)
    return profiles


def decide_batch(paths: Sequence[str | Path], step: Callable[[str], None] | None = None, **options) -> list[Decision]:
    reg = options.get("registry")
    reg = reg if isinstance(reg, Registry) else load_registry(reg)
    options["registry"] = reg
    profiles = load_profiles(paths, reg.model)
    out = []
    for path, prof in zip(paths, profiles, strict=True):
        if step:
            step(Path(path).stem)
        out.append(compare(prof, **options))
    return out


def comparison_table(decisions: Sequence[Decision], names: Sequence[str]) -> pd.DataFrame:
    """Key rates per profile and strategy (per 100, with 90% interval), and the preferred strategy."""
    rows = []
    for name, d in zip(names, decisions, strict=True):
        s = d.summary
        for _, r in s.rates[s.rates.outcome.isin(d.model.patient_outcomes)].iterrows():
            rows.append(
                {
                    "profile": name,
                    "label": d.profile.label,
                    "strategy": r.strategy,
                    "outcome": r.outcome,
                    "outcome_label": d.model.outcome_label(r.outcome),
                    "per100": r.per100,
                    "per100_low": r.per100_low,
                    "per100_high": r.per100_high,
                    "preferred_at_weight": s.preferred,
                    "weight": s.weight,
                    "evidence_version": s.evidence_version,
                    "seed": s.provenance.seed,
                }
            )
    return pd.DataFrame(rows)


def build_batch(decisions: Sequence[Decision], names: Sequence[str], folder: Path) -> pd.DataFrame:
    """Charts (PNG + SVG) per profile into ``folder/<name>/`` and ``folder/comparison.csv``."""
    for name, d in zip(names, decisions, strict=True):
        sub = folder / name
        sub.mkdir()
        render_charts(d, evidence_table(d.registry, d.priors), sub)
    table = comparison_table(decisions, names)
    table.to_csv(folder / "comparison.csv", index=False)
    return table
