"""Benefits and harms side by side: every strategy's absolute rates per 100 on one common 0-100 scale.

Rows are outcomes (benefits first, then harms); within a row, one point per strategy (colour = strategy) at
its expected number out of 100 with its 90% interval as error bars, and the numbers written out at the right.
An outcome that does not apply to a strategy is shown as "not applicable", never silently left out. Only
absolute numbers are shown, never a relative risk.

The Axes carries ``_outcomes_points`` (one dict per strategy-outcome drawn: strategy, outcome, x, low, high, y,
per100) and ``_outcomes_not_applicable`` (list of (strategy, outcome)) for tests.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.transforms import blended_transform_factory, offset_copy

from outcomes.charts.common import BENEFIT_COLOR, DENOMINATOR, HARM_COLOR, finish, new_axes, strategy_color

NOT_APPLICABLE = "not applicable"


def _ordered_outcomes(summary, outcomes) -> tuple[list[str], list[str], list[str]]:
    """(benefits, harms, others) in display order: the requested outcomes, or every benefit and harm."""
    m = summary.model
    present = set(summary.rates["outcome"])
    if outcomes is None:
        outcomes = [o for o in (*m.benefits, *m.harms) if o in present]
    outcomes = list(dict.fromkeys(outcomes))
    benefits = [o for o in outcomes if o in m.benefits]
    harms = [o for o in outcomes if o in m.harms]
    others = [o for o in outcomes if o not in m.benefits and o not in m.harms]
    return benefits, harms, others


def _numbers(r) -> str:
    """'84 of 100 (51 to 99)': the absolute number and its plausible range."""

    def n(v: float) -> str:
        return "<1" if DENOMINATOR * v < 1 else str(round(DENOMINATOR * v))

    lo, hi = n(float(r["low"])), n(float(r["high"]))
    rng = "" if lo == hi else f" ({lo} to {hi})"
    return f"{n(float(r['mean']))} of {DENOMINATOR}{rng}"


def plot_benefit_harm(summary, outcomes=None, ax=None, **kwargs):
    """Each strategy's benefits and harms per 100 people (with 90% intervals) on one 0-100 scale.

    Parameters
    ----------
    summary : DecisionSummary
        From ``oc.summarize`` or ``oc.compare(...).summary``.
    outcomes : sequence of str, optional
        Outcome ids to show (default: every benefit and harm of the decision model).
    ax : matplotlib Axes, optional
        Draw into this Axes (default: a new figure).
    **kwargs
        Passed to ``Axes.errorbar`` for every strategy's points.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> summary = oc.compare("default", n_draws=200, seed=1).summary
    >>> ax = oc.plot.benefit_harm(summary)
    >>> ax.get_xlabel().startswith(f"People out of 100 like you, within {summary.time_frame}")
    True
    """
    model = summary.model
    strategies = list(dict.fromkeys(summary.rates["strategy"]))
    benefits, harms, others = _ordered_outcomes(summary, outcomes)
    groups = [
        ("Benefits (more is better)", BENEFIT_COLOR, benefits),
        ("Harms (fewer is better)", HARM_COLOR, harms),
        ("Other outcomes", "#444444", others),
    ]
    groups = [g for g in groups if g[2]]
    n_slots = sum(1 + len(g[2]) * (len(strategies) + 1) for g in groups)

    created = ax is None
    fig, ax = new_axes(ax, figsize=(11, 0.24 * n_slots + 2.0))
    right = blended_transform_factory(ax.transAxes, ax.transData)

    y = 0.0
    xs = {s: [] for s in strategies}
    ys = {s: [] for s in strategies}
    errs = {s: [] for s in strategies}
    points, not_applicable, ticks, ticklabels = [], [], [], []
    for heading, color, outs in groups:
        ax.text(0.0, y, heading, transform=right, ha="left", va="center", fontsize=13, fontweight="bold", color=color)
        band_top = y + 0.5
        y -= 1
        for k, outcome in enumerate(outs):
            row_ys = []
            for s in strategies:
                row_ys.append(y)
                applies = outcome in model.applicable.get(s, ())
                try:
                    r = summary.rate(s, outcome) if applies else None
                except KeyError:
                    r = None
                if r is None or not np.isfinite(float(r["mean"])):
                    not_applicable.append((s, outcome))
                    ax.text(
                        1.0,
                        y,
                        f"{model.short_label(s)}: {NOT_APPLICABLE}",
                        ha="left",
                        va="center",
                        fontsize=10,
                        style="italic",
                        color="#666666",
                        gid=f"not-applicable-{s}-{outcome}",
                    )
                else:
                    m, lo, hi = (DENOMINATOR * float(r[c]) for c in ("mean", "low", "high"))
                    xs[s].append(m)
                    ys[s].append(y)
                    errs[s].append((max(0.0, m - lo), max(0.0, hi - m)))
                    points.append(
                        {
                            "strategy": s,
                            "outcome": outcome,
                            "x": m,
                            "low": lo,
                            "high": hi,
                            "y": y,
                            "per100": int(r["per100"]),
                        }
                    )
                    ax.text(
                        1.01,
                        y,
                        _numbers(r),
                        transform=right,
                        ha="left",
                        va="center",
                        fontsize=10.5,
                        color=strategy_color(s, model, "black"),
                    )
                y -= 1
            ticks.append(float(np.mean(row_ys)))
            ticklabels.append("\n".join(textwrap.wrap(model.outcome_label(outcome), 26)))
            ax.axhline(y + 0.5, color="#dddddd", linewidth=0.8, zorder=0)
            if k < len(outs) - 1:
                y -= 1  # a gap between outcomes
        ax.axhspan(y + 0.5, band_top, color=color, alpha=0.05, zorder=0, linewidth=0)
        y -= 1

    for s in strategies:
        if not xs[s]:
            continue
        e = np.array(errs[s]).T
        ax.errorbar(
            xs[s],
            ys[s],
            xerr=e,
            fmt="o",
            **{
                "color": strategy_color(s, model),
                "ecolor": strategy_color(s, model),
                "elinewidth": 2.2,
                "capsize": 4,
                "markersize": 8,
                "label": model.short_label(s),
                "gid": f"points-{s}",
                **kwargs,
            },
        )

    ax.set_xlim(-1.5, DENOMINATOR + 1.5)  # the common 0-100 scale, with room for a dot at 0 or 100
    ax.set_ylim(y + 0.5, 0.8)
    ax.set_yticks(ticks, ticklabels, fontsize=11)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks(np.arange(0, DENOMINATOR + 1, 10))
    ax.tick_params(axis="x", labelsize=11)
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(
        f"People out of {DENOMINATOR} like you, within {summary.time_frame}  "
        "(dot: best estimate; bar: plausible range, 90%)",
        fontsize=12,
    )
    below = offset_copy(ax.transAxes, fig=fig, y=-44, units="points")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=below,
        ncol=len(strategies),
        frameon=False,
        fontsize=12,
    )
    ax.set_title(
        f"Benefits and harms of each treatment: people out of {DENOMINATOR}, within {summary.time_frame}",
        fontsize=15,
        loc="left",
    )
    ax._outcomes_points = points
    ax._outcomes_not_applicable = not_applicable
    ax._outcomes_scale = (0, DENOMINATOR)
    ax._outcomes_time_frame = summary.time_frame
    if created:
        finish(fig, summary.time_frame, summary.evidence_version)
    return ax
