"""HTML and SVG for the clinic page and the handout: icon arrays, the benefit-and-harm chart, numbers in words.

The static charts (``outcomes.charts``) take about 1 s for the two in matplotlib; a page update must take well under
0.15 s, so the live page draws the same charts as inline SVG with the same conventions: the colours of
``charts.common`` (benefits green, harms red, one colour per strategy, grey for the rest), 100 people per icon
array filled row by row from the top left (``round(100 * mean)``, none below 1 in 100), one 0-100 scale for
every benefit and harm with the 90% interval as a bar, "not applicable" written out, and the stamp (time frame,
evidence version, "supports, does not replace") under every chart. Everything that came from a user (the
profile's label and notes) is HTML-escaped here.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outcomes.app.engine import Evidence, LiveSummary
from outcomes.charts.common import (
    BENEFIT_COLOR,
    HARM_COLOR,
    NEUTRAL_COLOR,
    footer_text,
    outcome_color,
    strategy_color,
)
from outcomes.declaration import BENEFIT, HARM, DecisionModel
from outcomes.profile import Profile
from outcomes.summarize import EVIDENCE_WORDS
from outcomes.wording import (
    DENOMINATOR,
    DISCLAIMER,
    NOT_ONE_PERSON,
    explained,
    flip_text,
    harm_means,
    icon_caption,
    intro,
    patient_flip_words,
    patient_lines,
    profile_words,
    weighed_harms,
    weight_words,
)

esc = html.escape
GRID = 10


def icon_outcomes(model: DecisionModel) -> tuple[str, ...]:
    """The icon arrays' outcomes: the decision's benefit, then every harm it weighs (serious, then minor)."""
    return (model.benefit, *weighed_harms(model))


def _short_count(row: pd.Series) -> str:
    """'12 of 100 (plausibly 5 to 20)' for a narrow icon caption (the full caption is the image's label)."""
    mean, lo, hi = _n(float(row["mean"])), _n(float(row["low"])), _n(float(row["high"]))
    rng = "" if lo == hi else f" (plausibly {lo} to {hi})"
    return f"{mean} of {DENOMINATOR}{rng}"


def filled_count(mean: float) -> int:
    """Icons to fill for a rate: round(100 * mean), none below 1 in 100 (as ``charts.icon_array``)."""
    if not np.isfinite(mean) or DENOMINATOR * mean < 1:
        return 0
    return int(min(DENOMINATOR, round(DENOMINATOR * mean)))


def _icons_path(cells: Iterable[int]) -> str:
    """One SVG path with a person (round head, rounded shoulders) in each cell of the 10 x 10 grid."""
    parts = []
    for k in cells:
        x, y = k % GRID, k // GRID
        parts.append(
            f"M{x + 0.36:.2f} {y + 0.25:.2f}a.14 .14 0 1 0 .28 0a.14 .14 0 1 0 -.28 0"
            f"M{x + 0.26:.2f} {y + 0.92:.2f}h.48v-.4a.24 .16 0 0 0 -.48 0z"
        )
    return "".join(parts)


def stamp(summary: LiveSummary) -> str:
    return f'<p class="oc-stamp">{esc(footer_text(summary.time_frame, summary.evidence_version))}</p>'


def icon_array_svg(summary: LiveSummary, strategy: str, outcome: str) -> str:
    """One icon array (100 people) with its caption; "does not apply" when the outcome does not apply."""
    m = summary.model
    if outcome not in m.applicable.get(strategy, ()):
        return '<div class="oc-icons oc-na">Does not apply to this treatment</div>'
    row = summary.rate(strategy, outcome)
    filled = filled_count(float(row["mean"]))
    color = outcome_color(outcome, m)
    cap = icon_caption(row, outcome, m)
    over = (
        f'<text x="5" y="5.3" text-anchor="middle" font-size="1" font-weight="bold" fill="#333">'
        f"Fewer than 1 in {DENOMINATOR}</text>"
        if filled == 0
        else ""
    )
    return (
        f'<div class="oc-icons" data-strategy="{esc(strategy)}" data-outcome="{esc(outcome)}" data-filled="{filled}">'
        f'<svg viewBox="0 0 {GRID} {GRID}" role="img" aria-label="{esc(cap)}"><title>{esc(cap)}</title>'
        f'<path fill="{color}" d="{_icons_path(range(filled))}"/>'
        f'<path fill="{NEUTRAL_COLOR}" d="{_icons_path(range(filled, DENOMINATOR))}"/>{over}</svg>'
        f'<div class="oc-caption">{esc(_short_count(row))}</div></div>'
    )


def icon_arrays_html(summary: LiveSummary, strategies: list[str]) -> str:
    """Rows = the benefit and each weighed harm, columns = strategies, on one denominator and one time frame."""
    m = summary.model
    out = [f'<h3 class="oc-h">Out of {DENOMINATOR} people like you, {esc(m.time_frame_text)}</h3>']
    cols = f"grid-template-columns: repeat({len(strategies)}, minmax(0, 1fr))"
    for outcome in icon_outcomes(m):
        title = esc(m.outcome_title(outcome))
        words = esc(explained(m, outcome))
        out.append(
            f'<div class="oc-row-title" style="color:{outcome_color(outcome, m)}">{title}'
            f' <span class="oc-row-words">({words})</span></div>'
            if words.lower() != title.lower()
            else f'<div class="oc-row-title" style="color:{outcome_color(outcome, m)}">{title}</div>'
        )
        out.append(f'<div class="oc-icon-row" style="{cols}">')
        for s in strategies:
            out.append(f'<div class="oc-icon-cell"><div class="oc-icon-head">{esc(m.short_label(s))}</div>')
            out.append(icon_array_svg(summary, s, outcome))
            out.append("</div>")
        out.append("</div>")
    out.append(stamp(summary))
    return "".join(out)


def _n(v: float) -> str:
    return "<1" if DENOMINATOR * v < 1 else str(round(DENOMINATOR * v))


def _numbers(r: pd.Series) -> str:
    lo, hi = _n(float(r["low"])), _n(float(r["high"]))
    rng = "" if lo == hi else f" ({lo} to {hi})"
    return f"{_n(float(r['mean']))} of {DENOMINATOR}{rng}"


def benefit_harm_svg(summary: LiveSummary, strategies: list[str]) -> str:
    """Every strategy's benefits and harms per 100 on one 0-100 scale, dots with 90% bars, numbers at the right.

    Each outcome's title is a row heading over one line per strategy (a narrow column keeps the scale wide); the
    legend wraps onto as many lines as the strategies need."""
    m = summary.model
    present = set(summary.rates["outcome"])
    groups = [
        ("Benefits (more is better)", BENEFIT_COLOR, [o for o in m.benefits if o in present]),
        ("Harms (fewer is better)", HARM_COLOR, [o for o in m.harms if o in present]),
    ]
    x0, plot_w, num_x = 14.0, 320.0, 346.0
    width = 640
    row_h, label_h, head_h, gap = 17.0, 19.0, 26.0, 8.0

    def sx(v: float) -> float:
        return x0 + plot_w * min(max(DENOMINATOR * v, 0.0), DENOMINATOR) / DENOMINATOR

    legend = []
    lx, ly = 4.0, 13.0
    for s in strategies:
        w = 34 + 8.4 * len(m.short_label(s))
        if lx > 4.0 and lx + w > width:
            lx, ly = 4.0, ly + 22
        legend.append(
            f'<circle cx="{lx + 6}" cy="{ly}" r="6" fill="{strategy_color(s, m)}"/>'
            f'<text x="{lx + 16}" y="{ly + 5}" class="leg">{esc(m.short_label(s))}</text>'
        )
        lx += w
    y0 = ly + 17.0
    y = y0
    bands: list[str] = []
    body: list[str] = []
    for heading, color, outs in groups:
        if not outs:
            continue
        top = y
        body.append(f'<text x="4" y="{y + 18:.1f}" class="h" fill="{color}">{esc(heading)}</text>')
        y += head_h
        for outcome in outs:
            body.append(f'<text x="6" y="{y + 14:.1f}" class="lab">{esc(m.outcome_title(outcome))}</text>')
            y += label_h
            for s in strategies:
                cy = y + row_h / 2
                c = strategy_color(s, m)
                r = None
                if outcome in m.applicable.get(s, ()):
                    try:
                        r = summary.rate(s, outcome)
                    except KeyError:
                        r = None
                if r is None or not np.isfinite(float(r["mean"])):
                    na = f"{esc(m.short_label(s))}: not applicable"
                    body.append(f'<text x="{x0 + 4}" y="{cy + 4.5:.1f}" class="na">{na}</text>')
                else:
                    mx, lo, hi = sx(float(r["mean"])), sx(float(r["low"])), sx(float(r["high"]))
                    body.append(
                        f'<path d="M{lo:.1f} {cy:.1f}H{hi:.1f}M{lo:.1f} {cy - 4.5:.1f}v9M{hi:.1f} {cy - 4.5:.1f}v9" '
                        f'stroke="{c}" stroke-width="2.2" fill="none"/><circle cx="{mx:.1f}" cy="{cy:.1f}" r="5" '
                        f'fill="{c}"/><text x="{num_x}" y="{cy + 4.5:.1f}" class="num" fill="{c}">'
                        f"{esc(m.short_label(s))}: {esc(_numbers(r))}</text>"
                    )
                y += row_h
            body.append(f'<line x1="4" x2="{width - 4}" y1="{y + gap / 2:.1f}" y2="{y + gap / 2:.1f}" stroke="#ddd"/>')
            y += gap
        bands.append(
            f'<rect x="0" y="{top:.1f}" width="{width}" height="{y - top:.1f}" fill="{color}" fill-opacity="0.05"/>'
        )
        y += 6
    axis_y = y + 2
    grid = []
    for t in range(0, DENOMINATOR + 1, 10):
        x = x0 + plot_w * t / DENOMINATOR
        grid.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0:.1f}" y2="{axis_y:.1f}" stroke="#e6e6e6"/>'
            f'<text x="{x:.1f}" y="{axis_y + 15:.1f}" text-anchor="middle" class="tick">{t}</text>'
        )
    height = axis_y + 56
    return (
        f'<h3 class="oc-h">Benefits and harms of each treatment: people out of {DENOMINATOR}</h3>'
        f'<svg class="oc-bh" viewBox="0 0 {width} {height:.0f}" role="img" '
        'aria-label="Benefits and harms of each treatment per 100 people, with plausible ranges">'
        "<style>.h{font:bold 15px sans-serif}.lab{font:600 13.5px sans-serif;fill:#222}.num{font:13px sans-serif}"
        ".na{font:italic 12.5px sans-serif;fill:#666}.tick{font:12.5px sans-serif;fill:#444}"
        ".leg{font:14px sans-serif;fill:#222}.xl{font:12.5px sans-serif;fill:#333}</style>"
        + "".join(bands)
        + "".join(grid)
        + "".join(body)
        + "".join(legend)
        + f'<line x1="{x0}" x2="{x0 + plot_w}" y1="{axis_y:.1f}" y2="{axis_y:.1f}" stroke="#888"/>'
        + f'<text x="4" y="{axis_y + 34:.1f}" class="xl">People out of {DENOMINATOR} like you, '
        f"{esc(m.time_frame_text)}</text>"
        + f'<text x="4" y="{axis_y + 50:.1f}" class="xl">Dot: best estimate. Bar: plausible range (90%).</text></svg>'
        + stamp(summary)
    )


def numbers_html(summary: LiveSummary) -> str:
    """Per strategy, the numbers with their plausible ranges in words."""
    m = summary.model
    out = ['<h3 class="oc-h">The numbers in words</h3>', f"<p>{esc(intro(m))}</p>", '<div class="oc-options">']
    for opt in patient_lines(summary):
        out.append(f'<div class="oc-option" data-strategy="{esc(opt["strategy"])}"><h4>{esc(opt["short"])}</h4><ul>')
        for it in opt["items"]:
            out.append(
                f'<li data-outcome="{esc(it["outcome"])}"><span class="oc-{it["kind"]}">{esc(it["label"])}</span>: '
                f'<strong class="oc-freq">{esc(it["text"])}</strong> '
                f'<span class="oc-small">({esc(it["certainty"])})</span>.</li>'
            )
        out.append("</ul></div>")
    out.append(f'</div><p class="oc-small">{esc(harm_means(m))}</p>')
    return "".join(out)


def preference_html(summary: LiveSummary, answers_text: str, consistent: bool, other_flip: str = "") -> str:
    """Which option fits the answers, how sure that is, and what would change it."""
    best = summary.model.short_label(summary.preferred)
    cls = "oc-answers" if consistent else "oc-answers oc-bad"
    weights = " ".join(f'data-w-{esc(o)}="{w:.6g}"' for o, w in summary.harm_weights.items())
    more = f"<p>{esc(other_flip)}</p>" if other_flip else ""
    return (
        f'<p class="{cls}">{esc(answers_text)}</p>'
        f'<div class="oc-fit" data-preferred="{esc(summary.preferred)}" data-weight="{summary.weight:.6g}" {weights}>'
        f"Fits these answers best: <strong>{esc(best)}</strong></div>"
        f"<p>{esc(weight_words(summary))}</p><p>{esc(patient_flip_words(summary))}</p>{more}"
    )


SOURCE_WORDS = {
    "trials": "updated with the verified trial data",
    "posterior": "updated with study data",
    "seed": "seed view: the cited rates alone, as the guideline summary gives them",
    "prior": "from the published evidence (no study data)",
}
"""The header's words for ``decision.evidence``."""


def header_html(evidence: Evidence, summary: LiveSummary) -> str:
    failing = ""
    if evidence.diagnostics_status != "ok":
        failing = (
            f'<div class="oc-failing">Warning: the model fit behind these numbers failed its checks '
            f"({esc(evidence.diagnostics_status)}). Do not use them for a decision.</div>"
        )
    origin = SOURCE_WORDS.get(evidence.source, evidence.source)
    return (
        '<div class="oc-header"><h1>Treatment options: what happens to 100 people like this patient</h1>'
        f'<p class="oc-meta">Time frame: <strong>{esc(evidence.model.time_frame_text)}</strong> &middot; Evidence '
        f"version <code>{esc(evidence.version)}</code> ({esc(origin)}) &middot; <strong>{esc(DISCLAIMER)}</strong></p>"
        f"{failing}</div>"
    )


# --- clinician tab ----------------------------------------------------------------------------------------


def _table(df: pd.DataFrame, cls: str = "oc-table") -> str:
    head = "".join(f"<th>{esc(str(c))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in r) + "</tr>" for r in df.itertuples(index=False))
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


@dataclass(frozen=True)
class _View:
    """What ``report.evidence.comparison_section`` reads from a decision (without the slow parts of a summary)."""

    model: DecisionModel
    summary: Any
    conflicts: Any = None
    data_file: str | None = None


def net_formula(summary: LiveSummary) -> str:
    """'Much better - w x (Serious harm + 0.2 x Minor harm)' with the weights in force."""
    m = summary.model
    harms = " + ".join(
        m.outcome_title(o) if o == m.harm else f"{w:.3g} x {m.outcome_title(o)}"
        for o, w in summary.harm_weights.items()
    )
    return f"{m.outcome_title(m.benefit)} - {summary.weight:.3g} x ({harms})"


def clinician_html(evidence: Evidence, summary: LiveSummary, profile: Profile) -> str:
    """The evidence view, net outcomes at the weights, every rate, the seed view beside the trials with each
    conflict in plain words, and the evidence behind each strategy's numbers."""
    from outcomes.report.evidence import comparison_section, conflict_sentences

    s = summary
    m = s.model
    reg = evidence.registry
    net = pd.DataFrame(
        {
            "Option": [m.strategy_label(k) for k in s.expected_net],
            "Net per 100": [f"{100 * v:.0f}" for v in s.expected_net.values()],
            "90% interval": [f"{100 * lo:.0f} to {100 * hi:.0f}" for lo, hi in s.net_interval.values()],
            "P(best)": [f"{p:.2f}" for p in s.prob_best_at_weight.values()],
        }
    )
    flip = flip_text(s.flips, s.preferred, max(5.0, s.weight), m)
    rates = s.rates
    rates_shown = pd.DataFrame(
        {
            "Option": rates.strategy.map(m.short_labels),
            "Outcome": rates.label,
            "Per 100": rates.per100,
            "90% interval": [f"{a} to {b}" for a, b in zip(rates.per100_low, rates.per100_high, strict=True)],
            "Certainty": rates.certainty,
        }
    )
    source = EVIDENCE_WORDS.get(evidence.source, evidence.source)
    if evidence.data_file:
        source += f" ({Path(evidence.data_file).name})"
    if evidence.posterior_file:
        source += f" ({Path(evidence.posterior_file).name})"
    out = [
        f"<h3>Evidence view: {esc(evidence.source)}</h3><p>The numbers shown are the {esc(source)}.</p>",
        f"<h3>Net outcome per 100 at the patient's weights: {esc(net_formula(s))}</h3>",
        _table(net),
        f"<p>{esc(flip)} (Weights of the serious harm, with the other harms at the patient's relative weights.)</p>",
        f"<p class='oc-small'>{esc(s.provenance.line())}; profile {esc(profile.digest())}</p>",
        "<h3>Rates per 100 patients like this one (mean and 90% interval)</h3>",
        _table(rates_shown),
    ]
    decision = _View(m, s, evidence.conflict, evidence.data_file or evidence.posterior_file)
    seed = s.result.seed_view
    if seed is not None and evidence.source == "trials":
        sec = comparison_section(decision, _View(m, seed.at(s.weight, s.other_harms)))
        out.append(f"<h3>{esc(sec['title'])}</h3>{sec['html']}")
    else:
        sentences = conflict_sentences(decision)
        if sentences:
            out.append(
                "<h3>Where the study data disagree with the cited figures</h3><ul>"
                + "".join(f"<li>{esc(c)}</li>" for c in sentences)
                + "</ul>"
            )
        if seed is not None:
            s0 = seed.at(s.weight, s.other_harms)
            rows = [
                {
                    "Option": m.short_label(k),
                    "Outcome": m.outcome_title(o),
                    "Cited rates alone (seed view)": s0.rate(k, o)["text"],
                    "Numbers shown": s.rate(k, o)["text"],
                }
                for k in m.strategies
                for o in (m.benefit, m.harm)
            ]
            out.append("<h3>The seed view beside the numbers shown</h3>" + _table(pd.DataFrame(rows)))
    out += [
        "<h3>The evidence behind each number</h3>",
        "<p class='oc-small'>Records in use and shown only, with the prior each became (probability for rates, "
        "odds ratio for effects), its effective sample size (ESS) and grade. Covariate effects act on the rates "
        "through the profile.</p>",
    ]
    cov = profile.covariates()
    for k in m.strategies:
        t = evidence.evidence_for(k)
        if t.empty:
            continue
        shown = pd.DataFrame(
            {
                "Record": [i + ("" if u else " (not used)") for i, u in zip(t.id, t.used, strict=True)],
                "Outcome": t.outcome,
                "Cited": t.cited,
                "Prior mean (90%)": [
                    f"{mean:.2f} ({lo:.2f}-{hi:.2f})"
                    for mean, lo, hi in zip(t.prior_mean, t.interval_low, t.interval_high, strict=True)
                ],
                "ESS": ["" if pd.isna(e) else f"{e:.0f}" for e in t.ess],
                "Grade": t.grade,
                "Source": [
                    "assumption" if a else reg.sources[src].citation() if src in reg.sources else src
                    for a, src in zip(t.assumption, t.source, strict=True)
                ],
            }
        )
        out.append(f"<h4>{esc(m.strategy_label(k))}</h4>{_table(shown)}")
    effects = [
        {
            "Effect": e.id,
            "Covariate": e.covariate,
            "This profile": f"{cov[e.covariate]:g}" if e.covariate in cov else "-",
            "Reference": f"{e.reference:g}",
            "Cited": e.cited(),
            "Grade": e.grade,
            "Acts here": "yes" if cov.get(e.covariate, e.reference) != e.reference else "no (at reference)",
        }
        for e in reg.used_effects
    ]
    if effects:
        out.append("<h4>Covariate effects for this profile</h4>" + _table(pd.DataFrame(effects)))
    c = evidence.conflict
    title = "<h3>Conflicts between the cited priors and the trial data</h3>"
    if c is not None and not c.empty:
        shown = pd.DataFrame(
            {
                "Parameter": c.parameter,
                "Events/total": [f"{e}/{n}" for e, n in zip(c.events, c.total, strict=True)],
                "Prior mean (90%)": [
                    f"{mean:.2f} ({lo:.2f}-{hi:.2f})"
                    for mean, lo, hi in zip(c.prior_mean, c.prior_low, c.prior_high, strict=True)
                ],
                "Posterior mean (90%)": [
                    f"{mean:.2f} ({lo:.2f}-{hi:.2f})"
                    for mean, lo, hi in zip(c.posterior_mean, c.posterior_low, c.posterior_high, strict=True)
                ],
                "Tail p": [f"{p:.3g}" for p in c.tail_p],
                "Conflict": ["CONFLICT" if f else "-" for f in c.conflict],
            }
        )
        out.append(
            title + "<p class='oc-small'>Two-sided Beta-Binomial prior predictive tail probability of each "
            "quantity's pooled count under the cited (grade-capped) prior; flagged below 0.05.</p>" + _table(shown)
        )
    elif evidence.posterior_file:
        out.append(title + "<p>No observed data in the posterior.</p>")
    else:
        out.append(
            title + "<p>No trial data were used (seed view or no data; start without <code>--prior-only</code>, or "
            "with <code>--posterior</code> from <code>outcomes update</code>, to see them).</p>"
        )
    out.append(stamp(summary))
    return "".join(out)


# --- the handout ------------------------------------------------------------------------------------------

HANDOUT_CSS = """
@page { size: A4; margin: 11mm 12mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d2430; font-size: 9.5pt; line-height: 1.25;
       max-width: 780px; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 16pt; margin: 0 0 .15em; } h2 { font-size: 12pt; margin: .55em 0 .2em; }
p { margin: .3em 0; }
.meta { color: #444; font-size: 9pt; margin: 0 0 .3em; }
.note { background: #fff7e0; border-left: 4px solid #e0a800; padding: .3em .6em; margin: .3em 0; }
table { border-collapse: collapse; width: 100%; margin: .25em 0; }
th, td { border-bottom: 1px solid #dde2e8; padding: .18em .35em; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
.benefit { color: #2e7d32; } .harm { color: #c62828; }
.profile { columns: 2; margin: .15em 0; padding-left: 1.2em; font-size: 8.5pt; } .profile li { margin: 0; }
.icons { display: grid; gap: .15em .5em; margin: .3em 0; }
.icons svg { width: 44px; height: 44px; display: block; } .icons .cap { font-size: 7.5pt; line-height: 1.2; }
.icons .rowhead { font-weight: bold; font-size: 8.5pt; align-self: center; }
.icons .colhead { font-weight: bold; font-size: 8pt; align-self: end; }
table.numbers { font-size: 8.5pt; }
.fit { font-size: 11pt; } .bad { color: #b00020; font-weight: bold; }
.foot { border-top: 1px solid #ccd; margin-top: .5em; padding-top: .25em; color: #444; font-size: 8pt; }
@media print { body { max-width: none; margin: 0; padding: 0; } }
"""


def handout_html(
    evidence: Evidence,
    summary: LiveSummary,
    profile: Profile,
    answers_text: str,
    *,
    auto_print: bool,
    answers_ok: bool = True,
) -> str:
    """The one-page patient handout (a whole HTML document with its print stylesheet). The weights in force are
    said once (``weight_words``); ``answers_text`` is shown only when the answers contradict each other."""
    m = summary.model
    today = _dt.date.today().isoformat()
    strategies = list(m.strategies)
    shown = list(m.patient_outcomes)
    rows = []
    for opt in patient_lines(summary):
        cells = {it["outcome"]: it for it in opt["items"]}
        rows.append(
            f"<tr><td><strong>{esc(opt['short'])}</strong></td>"
            + "".join(f"<td>{esc(cells[o]['text'])}</td>" if o in cells else "<td>-</td>" for o in shown)
            + "</tr>"
        )
    heads = "".join(
        f'<th class="{BENEFIT if m.outcomes[o].is_benefit else HARM}">{esc(m.outcome_title(o))}</th>' for o in shown
    )
    icons = ['<div class="rowhead"></div>'] + [
        f'<div class="colhead">{esc(m.short_label(k))}</div>' for k in strategies
    ]
    for outcome in icon_outcomes(m):
        icons.append(f'<div class="rowhead">{esc(m.outcome_title(outcome))}</div>')
        for s in strategies:
            if outcome not in m.applicable.get(s, ()):
                icons.append("<div></div>")
                continue
            r = summary.rate(s, outcome)
            filled = filled_count(float(r["mean"]))
            icons.append(
                f'<div><svg viewBox="0 0 {GRID} {GRID}" role="img" aria-label="{esc(icon_caption(r, outcome, m))}">'
                f'<path fill="{outcome_color(outcome, m)}" d="{_icons_path(range(filled))}"/>'
                f'<path fill="{NEUTRAL_COLOR}" d="{_icons_path(range(filled, DENOMINATOR))}"/></svg>'
                f'<div class="cap">{filled or "fewer than 1"} of {DENOMINATOR}</div></div>'
            )
    script = "<script>window.addEventListener('load', () => window.print());</script>" if auto_print else ""
    grid = f"grid-template-columns: 7em repeat({len(strategies)}, 1fr)"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Your choices, in numbers</title><style>{HANDOUT_CSS}</style></head><body>"
        "<h1>Your choices, in numbers</h1>"
        f'<p class="meta">Made on {today}. Time frame: {esc(m.time_frame_text)}. Evidence version '
        f"{esc(evidence.version)}.</p>"
        f'<div class="note"><strong>{esc(DISCLAIMER)}</strong> {esc(NOT_ONE_PERSON)}</div>'
        f"<h2>About you</h2><p>{esc(profile.label)}</p>"
        '<ul class="profile">' + "".join(f"<li>{esc(x)}</li>" for x in profile_words(profile)) + "</ul>"
        f"<h2>What happens to 100 people like you</h2><p>{esc(intro(m))}</p>"
        f'<table class="numbers"><thead><tr><th>Choice</th>{heads}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
        f"<p>{esc(harm_means(m))}</p>"
        f'<div class="icons" style="{grid}">' + "".join(icons) + "</div>"
        "<h2>What matters to you</h2>"
        + ("" if answers_ok else f'<p class="bad">{esc(answers_text)}</p>')
        + f'<p class="fit">Fits best: <strong>{esc(m.short_label(summary.preferred))}</strong>.</p>'
        f"<p>{esc(weight_words(summary))}</p><p>{esc(patient_flip_words(summary))}</p>"
        f'<p class="foot">{esc(DISCLAIMER)} Time frame: {esc(m.time_frame_text)}. Evidence version '
        f"{esc(evidence.version)}. Made on {today}. Every number is out of {DENOMINATOR} people.</p>"
        f"{script}</body></html>"
    )
