"""Assemble the patient report: charts, a self-contained HTML page, and machine-readable tables.

The folder holds ``report.html`` (images embedded, opens anywhere), every chart as PNG and SVG,
``rates.csv``, ``differences.csv`` and ``summary.json`` (with provenance). It is written atomically: built in a
temporary sibling folder, then renamed into place, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from outcomes import __version__, provenance
from outcomes.charts.benefit_harm import plot_benefit_harm
from outcomes.charts.common import DISCLAIMER, save_figure
from outcomes.charts.icon_array import plot_icon_arrays
from outcomes.charts.preference import plot_preference_curve
from outcomes.charts.prior_cited import plot_prior_vs_cited
from outcomes.elicit import evidence_table
from outcomes.pipeline import Decision
from outcomes.wording import (  # patient_lines and weight_words stay importable from here (notebook 01)
    NOT_ONE_PERSON,
    harm_means,
    intro,
    patient_flip_words,
    patient_lines,
    weight_words,
)


@dataclass(frozen=True)
class ReportInputs:
    decision: Decision
    extra_sections: tuple[dict, ...] = ()
    section_makers: tuple[Callable[[Decision], dict], ...] = ()
    """Functions of the decision that return more ``{"title", "html"}`` sections for the clinician part; they run
    in the chart-drawing child process when there is one (e.g. the value-of-information summary)."""


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("outcomes.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,  # a missing variable is an error, never an empty string in a patient's report
    )


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _chart_figure(name: str, d: Decision, table):
    if name == "icon_arrays":
        return plot_icon_arrays(d.summary, outcomes=(d.model.benefit, d.model.harm)).flat[0].get_figure(root=True)
    if name == "benefit_harm":
        return plot_benefit_harm(d.summary).figure
    if name == "preference_curve":
        return plot_preference_curve(d.summary).figure
    if name == "prior_vs_cited":
        return plot_prior_vs_cited(table, registry=d.registry).figure
    raise KeyError(name)


CHARTS = ("icon_arrays", "benefit_harm", "preference_curve", "prior_vs_cited")
# (child, parent): about equal work once the child also runs the section makers
_SPLIT = (("prior_vs_cited",), ("icon_arrays", "benefit_harm", "preference_curve"))
_STATE: dict = {}


def _render(names: tuple[str, ...], with_sections: bool = False) -> tuple[dict[str, str], list[dict]]:
    d, table, folder, makers = _STATE["job"]
    out = {}
    for name in names:
        fig = _chart_figure(name, d, table)
        out[name] = str(save_figure(fig, folder, name)[0])
        plt.close(fig)
    return out, ([make(d) for make in makers] if with_sections else [])


def render_charts(
    d: Decision, table, folder: Path, parallel: bool | None = None, section_makers: tuple = ()
) -> tuple[dict[str, Path], list[dict]]:
    """Draw every chart (PNG + SVG) and run the section makers; returns (chart paths, sections).

    Drawing is CPU-bound matplotlib work that holds the GIL, so on a machine with two or more cores part of the
    work runs in one forked child process (inheriting the imported modules and the data) while this process
    draws the rest."""
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
    _STATE["job"] = (d, table, folder, tuple(section_makers))
    try:
        if not parallel:
            paths, sections = _render(CHARTS, with_sections=True)
        else:
            with warnings.catch_warnings():
                # idle BLAS threads make Python warn that fork() "may lead to deadlocks"; the child only computes
                warnings.simplefilter("ignore", DeprecationWarning)
                with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
                    child = pool.submit(_render, _SPLIT[0], True)
                    paths, _ = _render(_SPLIT[1])
                    child_paths, sections = child.result()
                    paths.update(child_paths)
    finally:
        _STATE.clear()
    return {k: Path(paths[k]) for k in CHARTS}, sections


def build_report(inputs: ReportInputs, folder: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Write the report into ``folder`` (which must exist and be empty). Returns the HTML path."""
    progress = progress or (lambda name: None)
    d = inputs.decision
    summary, reg = d.summary, d.registry
    prov = summary.provenance
    ev = prov.evidence_version

    progress("charts")
    table = evidence_table(reg, d.priors)
    figures, made = render_charts(d, table, folder, section_makers=inputs.section_makers)

    progress("tables")
    summary.rates.to_csv(folder / "rates.csv", index=False)
    summary.differences.to_csv(folder / "differences.csv", index=False)
    table.to_csv(folder / "evidence.csv", index=False)
    meta = summary.to_dict()
    meta["profile"] = d.profile.to_dict()
    meta["posterior_file"] = d.posterior_file
    meta["versions"] = provenance.versions()
    (folder / "summary.json").write_text(json.dumps(meta, indent=2, default=str))

    progress("html")
    sources_used = sorted(
        {r.source for r in reg.records if r.use and not r.is_assumption}
        | {k for r in reg.records if r.use for k in (*r.also_cites, *r.informed_by)}
        | {e.source for e in reg.used_effects if not e.is_assumption}
    )
    m = d.model
    rates = summary.rates.assign(strategy_name=summary.rates.strategy.map(m.short_labels))
    diffs = summary.differences.assign(
        a=summary.differences.strategy_a.map(m.short_labels),
        b=summary.differences.strategy_b.map(m.short_labels),
        label=summary.differences.outcome.map(m.outcome_labels),
    )
    html = (
        _env()
        .get_template("report.html.j2")
        .render(
            profile=d.profile,
            profile_lines=d.profile.describe(),
            summary=summary,
            prov=prov,
            time_frame=m.time_frame,
            time_frame_text=m.time_frame_text,
            evidence_version=ev,
            patient=patient_lines(summary),
            weight_words=weight_words(summary),
            patient_flip=patient_flip_words(summary),
            intro=intro(m),
            harm_means=harm_means(m),
            not_one_person=NOT_ONE_PERSON,
            flip_text=summary.flip_text(),
            images={
                "icon_arrays": _img(figures["icon_arrays"]),
                "benefit_harm": _img(figures["benefit_harm"]),
                "preference": _img(figures["preference_curve"]),
                "prior_cited": _img(figures["prior_vs_cited"]),
            },
            rates=rates.to_dict(orient="records"),
            diffs=diffs.to_dict(orient="records"),
            evidence=table.to_dict(orient="records"),
            sources=[reg.sources[k] for k in sources_used],
            assumptions=[r for r in reg.records if r.use and r.is_assumption]
            + [e for e in reg.used_effects if e.is_assumption],
            evidence_notes=m.notes,
            strategy_labels=m.strategy_labels,
            short_labels=m.short_labels,
            disclaimer=DISCLAIMER,
            posterior_file=d.posterior_file,
            package_version=__version__,
            dependencies_text=provenance.dependencies_text(),
            generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            extra_sections=(*inputs.extra_sections, *made),
        )
    )
    out = folder / "report.html"
    out.write_text(html, encoding="utf-8")
    return out
