"""Prior vs posterior per quantity after ``outcomes update``, with prior-data conflict flags.

``plot_prior_posterior(table_or_data, ax=None)`` takes the table of ``outcomes.update.conflict.conflict_table``
(or an update DataTree, whose table it asks that function for) and draws, per quantity with data, the prior
interval and mean (grey), the posterior interval and mean (strategy colour) and the observed rate of the
pooled studies (cross); a quantity whose data conflict with its prior is labelled in red. No pymc or arviz.
"""

from __future__ import annotations

import numpy as np

from outcomes.charts.common import HARM_COLOR, NEUTRAL_COLOR, PALETTE, finish, new_axes

PRIOR_COLOR = "#8a9099"


def plot_prior_posterior(table_or_data, ax=None, **kwargs):
    """Prior and posterior intervals per quantity, with the observed data and prior-data conflicts marked.

    Parameters
    ----------
    table_or_data : pandas.DataFrame or xarray.DataTree
        A conflict table (``outcomes.update.conflict.conflict_table``) or an update result (``oc.fit``).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure stamped with the time frame, the evidence version and the note that it
        supports, not replaces, clinical judgement.
    **kwargs
        Passed to the posterior intervals' ``Axes.hlines``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> tree = oc.fit("verified_trials", oc.elicit(oc.load_registry()), seed=1)
    >>> ax = oc.plot.prior_posterior(tree)
    >>> [label.get_text().splitlines()[0] for label in ax.get_yticklabels()]  # one row per updated quantity
    ['fusion.improved', 'decompression.improved']
    """
    import pandas as pd

    if isinstance(table_or_data, pd.DataFrame):
        table = table_or_data
    else:
        from outcomes.update.conflict import conflict_table

        table = conflict_table(table_or_data)
    fig, ax = new_axes(ax, figsize=(8, 1.2 + 0.9 * max(len(table), 1)))
    pct = round(100 * table.attrs.get("interval", 0.9))
    y = np.arange(len(table))[::-1].astype(float)
    groups = list(dict.fromkeys(str(p).split(".")[0] for p in table["parameter"]))
    for yi, row in zip(y, table.itertuples(index=False), strict=True):
        color = PALETTE[groups.index(row.parameter.split(".")[0]) % len(PALETTE)]
        ax.hlines(
            yi + 0.15,
            row.prior_low,
            row.prior_high,
            color=PRIOR_COLOR,
            lw=5,
            alpha=0.6,
            label="prior" if yi == y[0] else None,
        )
        ax.plot(row.prior_mean, yi + 0.15, "o", color=PRIOR_COLOR, mec="white")
        ax.hlines(
            yi - 0.15,
            row.posterior_low,
            row.posterior_high,
            **{"color": color, "lw": 5, "label": "posterior" if yi == y[0] else None, **kwargs},
        )
        ax.plot(row.posterior_mean, yi - 0.15, "o", color=color, mec="white")
        ax.plot(row.observed, yi, "x", color="black", ms=7, label="observed (pooled studies)" if yi == y[0] else None)
        if row.conflict:
            ax.text(
                1.01,
                yi,
                f"conflict\np = {row.tail_p:.2g}",
                color=HARM_COLOR,
                fontsize=8,
                va="center",
                transform=ax.get_yaxis_transform(),
                clip_on=False,
            )
    labels = [
        f"{p}\n{e}/{n} in {s} stud{'y' if s == 1 else 'ies'}"
        for p, e, n, s in zip(table.parameter, table.events, table.total, table.studies, strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.grid(axis="x", color=NEUTRAL_COLOR, lw=0.6)
    ax.set_xlabel(f"Probability (mean and {pct}% interval)")
    thr = table.attrs.get("threshold", 0.05)
    ax.set_title(
        f"Prior vs posterior after the study data (conflict: prior predictive tail p < {thr:g})",
        fontsize=10,
        loc="left",
    )
    if len(table):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8, frameon=False)
    finish(
        fig,
        str(table.attrs.get("time_frame", "")) or "as reported by the studies",
        str(table.attrs.get("evidence_version", "")),
    )
    return ax
