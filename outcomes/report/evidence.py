"""The report's comparison of the seed view (what the guideline summary claims) with the numbers after the
verified trial data, and each prior-data conflict in plain words."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any


def _param_words(model: Any, parameter: str) -> tuple[str, str]:
    """(option, quantity) in words for a registry parameter ``group.name``."""
    group, name = parameter.split(".", 1)
    option = model.short_label(group) if group in model.strategies else group.replace("_", " ")
    quantity = model.outcome_plain(name) if name in model.outcomes else name.replace("_", " ")
    return option, quantity


def conflict_sentences(decision: Any) -> list[str]:
    """One plain sentence per quantity whose cited prior the study data contradict."""
    table = decision.conflicts
    if table is None or not len(table):
        return []
    out = []
    for r in table.itertuples(index=False):
        if not bool(r.conflict):
            continue
        option, quantity = _param_words(decision.model, str(r.parameter))
        kept = getattr(r, "seed_weight_posterior", None)
        kept_txt = (
            f" The cited figure kept {round(100 * float(kept))} in 100 parts of its weight." if kept is not None else ""
        )
        out.append(
            f"{option}, {quantity}: the guideline summary implies about {round(100 * float(r.seed_mean))} in 100; "
            f"the trials found {int(r.events)} of {int(r.total)} ({round(100 * float(r.observed))} in 100). "
            f"The numbers shown follow the trials.{kept_txt}"
        )
    return out


def comparison_section(decision: Any, seed: Any) -> dict:
    """``{"title", "html"}``: benefit and harm per option in the seed view and with the trials, side by side."""
    m = decision.model
    s, s0 = decision.summary, seed.summary
    rows = []
    for st in m.strategies:
        for o in (m.benefit, m.harm):
            rows.append(
                f"<tr><td>{escape(m.short_label(st))}</td><td>{escape(m.outcome_title(o))}</td>"
                f"<td>{escape(str(s0.rate(st, o)['text']))}</td><td>{escape(str(s.rate(st, o)['text']))}</td></tr>"
            )
    pref = (
        f"<p>Preferred at weight {s.weight:g}: <strong>{escape(m.short_label(s0.preferred))}</strong> on the "
        f"guideline summary's figures alone; <strong>{escape(m.short_label(s.preferred))}</strong> with the trial "
        "data.</p>"
    )
    conflicts = conflict_sentences(decision)
    ctext = (
        "<ul>" + "".join(f"<li>{escape(c)}</li>" for c in conflicts) + "</ul>"
        if conflicts
        else "<p>No cited figure conflicts with the trial data.</p>"
    )
    html = (
        f"<p>Out of 100 people like this patient, {escape(m.time_frame_text)}. Left: the cited rates alone, as the "
        "guideline summary gives them (the seed view). Right: the same rates updated with the verified trial "
        f"counts ({escape(Path(str(decision.data_file or '')).name)}).</p>"
        "<table><tr><th>Option</th><th>Outcome</th><th>Guideline summary alone</th><th>With the trials</th></tr>"
        + "".join(rows)
        + "</table>"
        + pref
        + "<h3>Where the trials disagree with the guideline summary</h3>"
        + ctext
    )
    return {"title": "What the guideline summary claims, and what the trials show", "html": html}
