"""Each record's prior against the range it cites (for the clinician and the evidence reviewer).

One row per rate record of the evidence table (``outcomes.elicit.evidence_table``): the prior's 90% interval
(thick bar) and mean (dot), and, just below it, the cited range (black bar with caps) or the cited point
(black diamond). The right-hand label gives the cited value, the effective sample size and the grade.
Assumptions (no published source) are hatched and labelled "assumption"; records not used in the model are
faded and labelled "not used in model".

The Axes carries ``_outcomes_rows``: one dict per row (id, y, prior_low, prior_mean, prior_high, cited_low,
cited_high, cited_point, ess, grade, assumption, used).
"""

from __future__ import annotations

import math
import re

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory, offset_copy

from outcomes.charts.common import PALETTE, finish, new_axes, strategy_color

ASSUMPTION_LABEL = "assumption"
UNUSED_LABEL = "not used in model"
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)%")
_POINT = re.compile(r"^(\d+(?:\.\d+)?)%")


def _cited_from_text(text: str) -> tuple[float | None, float | None, float | None]:
    """(low, high, point) as proportions from the cited text ('92-95%', '44% (n=25)', '50% (40-60%)')."""
    low = high = point = None
    m = _RANGE.search(text)
    if m:
        low, high = float(m.group(1)) / 100, float(m.group(2)) / 100
    p = _POINT.match(text.strip())
    if p and not (m and m.start() == 0):
        point = float(p.group(1)) / 100
    return low, high, point


def _cited(row, registry) -> tuple[float | None, float | None, float | None]:
    if registry is not None:
        try:
            rec = registry.record(row["id"])
        except KeyError:
            rec = None
        if rec is not None:
            return rec.low, rec.high, rec.point
    return _cited_from_text(str(row.get("cited", "")))


def plot_prior_vs_cited(table, registry=None, ax=None, **kwargs):
    """Prior 90% interval and mean of every rate record against the range (or point) it cites.

    Parameters
    ----------
    table : pandas.DataFrame
        ``outcomes.elicit.evidence_table(registry, priors)``.
    registry : Registry, optional
        For the cited values and the strategies' colours.
    ax : matplotlib Axes, optional
    **kwargs
        ``title`` to replace the default title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> registry = oc.load_registry()
    >>> table = oc.evidence_table(registry)
    >>> ax = oc.plot.prior_vs_cited(table, registry)
    >>> len(ax.get_yticklabels()) == int((table["kind"] == "rate").sum())  # one row per cited rate
    True
    """
    model = registry.model if registry is not None else None
    groups = list(dict.fromkeys(str(s) for s in table["strategy"]))
    rows = table[table["kind"] == "rate"].reset_index(drop=True)
    n = len(rows)
    created = ax is None
    fig, ax = new_axes(ax, figsize=(13, 0.62 * n + 2.2))
    right = blended_transform_factory(ax.transAxes, ax.transData)
    out = []
    for i, r in rows.iterrows():
        y = -float(i)
        used, assumption = bool(r["used"]), bool(r["assumption"])
        alpha = 1.0 if used else 0.4
        g = str(r["strategy"])
        color = strategy_color(g, model, PALETTE[-1] if model is not None else PALETTE[groups.index(g) % len(PALETTE)])
        if assumption:
            ax.axhspan(y - 0.45, y + 0.45, facecolor="#f2f2f2", edgecolor="#bbbbbb", hatch="///", linewidth=0, zorder=0)
        lo, mean, hi = 100 * float(r["interval_low"]), 100 * float(r["prior_mean"]), 100 * float(r["interval_high"])
        ax.plot(
            [lo, hi], [y + 0.1, y + 0.1], color=color, linewidth=7, alpha=0.45 * alpha, solid_capstyle="butt", zorder=2
        )
        ax.plot([mean], [y + 0.1], "o", color=color, markersize=8, alpha=alpha, zorder=3, markeredgecolor="white")
        c_lo, c_hi, c_pt = _cited(r, registry)
        if c_lo is not None and c_hi is not None:
            ax.errorbar(
                [100 * (c_lo + c_hi) / 2],
                [y - 0.2],
                xerr=[[100 * (c_hi - c_lo) / 2]] * 2,
                fmt="none",
                ecolor="black",
                elinewidth=1.8,
                capsize=4,
                alpha=alpha,
                zorder=3,
            )
        if c_pt is not None:
            ax.plot([100 * c_pt], [y - 0.2], "D", color="black", markersize=6, alpha=alpha, zorder=4)
        ess = float(r["ess"])
        ess_txt = "ESS ?" if not math.isfinite(ess) else f"ESS {ess:.0f}"
        if bool(r.get("capped", False)) and math.isfinite(float(r.get("uncapped_ess", float("nan")))):
            ess_txt += f" (capped from {float(r['uncapped_ess']):.0f})"
        grade = str(r["grade"])
        second = [] if grade == ASSUMPTION_LABEL else [f"grade {grade.replace('_', ' ')}"]
        if assumption:
            second.append(ASSUMPTION_LABEL.upper())
        if not used:
            second.append(UNUSED_LABEL.upper())
        label = f"cited {r['cited']}  ·  {ess_txt}\n" + "  ·  ".join(second)
        ax.text(
            1.01,
            y,
            label,
            transform=right,
            ha="left",
            va="center",
            fontsize=9.5,
            linespacing=1.3,
            color="#222222" if used else "#888888",
            style="italic" if assumption else "normal",
        )
        out.append(
            {
                "id": str(r["id"]),
                "y": y,
                "prior_low": lo,
                "prior_mean": mean,
                "prior_high": hi,
                "cited_low": None if c_lo is None else 100 * c_lo,
                "cited_high": None if c_hi is None else 100 * c_hi,
                "cited_point": None if c_pt is None else 100 * c_pt,
                "ess": ess,
                "grade": str(r["grade"]),
                "assumption": assumption,
                "used": used,
                "label": label,
            }
        )

    ax.set_yticks([-float(i) for i in range(n)], [str(x) for x in rows["id"]], fontsize=9.5)
    for tick, (_, r) in zip(ax.get_yticklabels(), rows.iterrows(), strict=True):
        if bool(r["assumption"]):
            tick.set_color("#777777")
            tick.set_style("italic")
        if not bool(r["used"]):
            tick.set_alpha(0.5)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-n + 0.4, 0.6)
    ax.set_xlim(0, 100)
    ax.set_xticks(np.arange(0, 101, 10))
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("Probability (%)", fontsize=11)
    handles = [
        Line2D([], [], color="#888888", linewidth=7, alpha=0.45, label="prior 90% interval"),
        Line2D([], [], marker="o", color="#888888", linestyle="none", markersize=8, label="prior mean"),
        Line2D([], [], color="black", linewidth=1.8, marker="|", markersize=8, label="cited range"),
        Line2D([], [], marker="D", color="black", linestyle="none", markersize=6, label="cited value"),
        Patch(facecolor="#f2f2f2", edgecolor="#bbbbbb", hatch="///", label=ASSUMPTION_LABEL),
        Line2D(
            [],
            [],
            marker="o",
            color="#888888",
            alpha=0.4,
            linestyle="none",
            markersize=8,
            label=UNUSED_LABEL + " (faded)",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        frameon=False,
        fontsize=10,
        bbox_transform=offset_copy(ax.transAxes, fig=fig, y=-40, units="points"),
    )
    ax.set_title(
        kwargs.get("title", "Each record's prior (90% interval) against the value it cites"), fontsize=14, loc="left"
    )
    ax._outcomes_rows = out
    version = table.attrs.get("evidence_version") or (registry.version if registry is not None else "unknown")
    if created:
        frame = model.time_frame if model is not None else "see the evidence table"
        finish(fig, frame, version, extra="records' own follow-up times vary: see the evidence table")
    return ax
