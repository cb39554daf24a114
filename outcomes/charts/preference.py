"""Preference curve: how likely each strategy is to be the best choice, as the patient's values change.

x: the preference weight w -- how many improvements one harm cancels out (net = improved - w * harm);
y: the probability (0 to 1) that a strategy gives the best net outcome (``summary.prob_best``), one line per
strategy. The patient's own weight is a vertical line; every flip point (``summary.flips``: where the strategy
with the best expected net outcome changes) is marked on the top edge and labelled.

The Axes carries ``_outcomes_lines`` (strategy -> Line2D), ``_outcomes_weight_line`` and ``_outcomes_flips``
(one dict per flip: weight, from, to, marker) for tests.
"""

from __future__ import annotations

from matplotlib.ticker import PercentFormatter

from outcomes.charts.common import finish, new_axes, strategy_color


def plot_preference_curve(summary, ax=None, **kwargs):
    """Probability that each strategy is best against the preference weight, with the patient's weight and flips.

    Parameters
    ----------
    summary : DecisionSummary
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot`` for every strategy's line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> summary = oc.compare("default", n_draws=200, seed=1).summary
    >>> ax = oc.plot.preference(summary)
    >>> legend = [t.get_text() for t in ax.get_legend().get_texts()]
    >>> legend == [summary.model.short_label(s) for s in summary.model.strategy_ids]
    True
    """
    model = summary.model
    created = ax is None
    fig, ax = new_axes(ax, figsize=(10, 5.8))
    pb = summary.prob_best
    w = pb.index.to_numpy(dtype=float)
    lines = {}
    for s in pb.columns:
        (line,) = ax.plot(
            w,
            pb[s].to_numpy(dtype=float),
            **{
                "color": strategy_color(s, model),
                "linewidth": 2.8,
                "label": model.short_label(s),
                "gid": f"prob-best-{s}",
                **kwargs,
            },
        )
        lines[s] = line

    weight_line = ax.axvline(
        summary.weight, color="black", linewidth=2.2, linestyle="-", zorder=2.6, gid="patient-weight"
    )
    ax.annotate(
        f"Your weight: {summary.weight:g}",
        xy=(summary.weight, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 5),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=12,
        fontweight="bold",
    )

    flips = []
    for k, f in enumerate(summary.flips):
        x = float(f["weight"])
        ax.axvline(x, color="#555555", linewidth=1.4, linestyle=":", zorder=2.6)
        (marker,) = ax.plot(
            [x],
            [1.0],
            marker="v",
            markersize=12,
            color="#333333",
            linestyle="none",
            clip_on=False,
            zorder=5,
            gid=f"flip-{k}",
        )
        text = (
            f"At {x:.2f}: best on average changes\nfrom {model.short_label(f['from'])} to {model.short_label(f['to'])}"
        )
        label = ax.annotate(
            text,
            xy=(x, 1.0),
            xycoords="data",
            xytext=(6, -10 - 34 * (k % 3)),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=10.5,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#999999", "alpha": 0.9},
        )
        flips.append({"weight": x, "from": f["from"], "to": f["to"], "marker": marker, "label": label})

    ax.set_xlim(float(w.min()), float(w.max()))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.tick_params(labelsize=11)
    ax.grid(color="#eeeeee")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("How many improvements would one harm cancel out for you?  (preference weight)", fontsize=12)
    ax.set_ylabel("Chance this treatment is the best choice", fontsize=12)
    ax.set_title(
        f"Which treatment is best depends on how you weigh harms (within {summary.time_frame})",
        fontsize=14,
        loc="left",
        pad=26,
    )
    ax.legend(loc="center right", fontsize=11, frameon=True, framealpha=0.9)
    ax._outcomes_lines = lines
    ax._outcomes_weight_line = weight_line
    ax._outcomes_flips = flips
    if created:
        finish(fig, summary.time_frame, summary.evidence_version)
    return ax
