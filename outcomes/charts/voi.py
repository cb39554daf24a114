"""Value-of-information charts (``outcomes voi``), every value in net improvements per 100 patients like this one.

* ``plot_evpi``    -- EVPI against the preference weight, its 90% band, the flip weights and the patient's weight;
* ``plot_evppi``   -- EVPPI per parameter, effect and group at the patient's weight, with 90% intervals and the
  EVPI for scale;
* ``plot_evsi``    -- EVSI of a new study against its size (log axis), levelling off towards the parameter's EVPPI;
* ``plot_tornado`` -- each input at the ends of its 90% interval: the expected net advantage of the preferred
  option over the runner-up (left) and the flip weight between them (right).

Each function is ``plot_x(result, ax=None, **kwargs) -> Axes``: it takes an ``outcomes.voi.analysis.VoiResult``
and an optional Axes, and returns the Axes it drew on. Scalars come from the result's typed fields
(``result.evppi.evpi``, ``result.tornado.pair``, ``.flip_base``, ``.inb_base``), never from ``DataFrame.attrs``.
A figure it creates is stamped with the time frame, the evidence version and "Supports, does not replace,
clinical judgement" (``common.stamp``, through ``finish``); on a caller's Axes the figure is stamped once.
"""

from __future__ import annotations

import numpy as np

from outcomes.charts.common import HARM_COLOR, NEUTRAL_COLOR, finish, new_axes, stamp, strategy_color

KIND_COLORS = {"parameter": "#1b6ca8", "effect": "#8e5ea2", "group": "#555555"}
UNITS = "per 100 patients like this one"


def _stamp(fig, result, created: bool) -> None:
    extra = (
        f"weight {result.weight:g}; {result.provenance.get('origin', '')} draws: {result.provenance.get('n_draws', '')}"
    )
    if created:
        finish(fig, result.time_frame, result.evidence_version, extra)
    elif not hasattr(fig, "_outcomes_stamp"):
        stamp(fig, result.time_frame, result.evidence_version, extra)


def plot_evpi(result, ax=None, **kwargs):
    """EVPI against the weight one harm carries, with the flip weights and the patient's weight.

    Parameters
    ----------
    result : VoiResult
        From ``oc.voi.run_voi`` (its tables, time frame and evidence version).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure stamped with the time frame, the evidence version and the note that it
        supports, not replaces, clinical judgement.
    **kwargs
        Passed to the EVPI line's ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> result = oc.voi.run_voi(n_draws=400, study_sizes=(50,), caps=False)
    >>> oc.plot.evpi(result).get_xlabel()
    'Weight: how many improvements one harm cancels'
    >>> [type(getattr(oc.plot, name)(result)).__name__ for name in ("evppi", "evsi", "tornado")]
    ['Axes', 'Axes', 'Axes']
    """
    created = ax is None
    fig, ax = new_axes(ax, figsize=(8, 4.5))
    c = result.evpi
    ax.fill_between(c["weight"], c["low"], c["high"], color=NEUTRAL_COLOR, alpha=0.7, label="90% interval")
    ax.plot(c["weight"], c["evpi"], **{"color": "#222222", "lw": 2, "label": "EVPI", **kwargs})
    for f in result.flips:
        ax.axvline(f["weight"], color=HARM_COLOR, ls="--", lw=1)
        ax.annotate(
            f"flip: {result.short_label(f['from'])} -> {result.short_label(f['to'])}\nat {f['weight']:.2f}",
            (f["weight"], ax.get_ylim()[1] * 0.95),
            fontsize=8,
            ha="left",
            va="top",
            color=HARM_COLOR,
            xytext=(4, 0),
            textcoords="offset points",
        )
    ax.axvline(result.weight, color="#1b6ca8", lw=1.2, ls=":")
    ax.plot(
        [result.weight], [result.evpi_at_weight], "o", color="#1b6ca8", label=f"this patient (weight {result.weight:g})"
    )
    ax.set_xlabel("Weight: how many improvements one harm cancels")
    ax.set_ylabel(f"EVPI, net improvements {UNITS}")
    ax.set_title(f"Value of perfect information (peak at weight {result.peak_weight:.2f})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax._outcomes_evpi = {"weights": c["weight"].to_numpy(), "evpi": c["evpi"].to_numpy(), "flips": result.flips}
    _stamp(fig, result, created)
    return ax


def plot_evppi(result, ax=None, top: int = 18, **kwargs):
    """EVPPI bars (largest first) with 90% intervals; inputs whose EVPPI is zero are left out.

    Parameters
    ----------
    result : VoiResult
        From ``oc.voi.run_voi`` (its tables, time frame and evidence version).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure stamped with the time frame, the evidence version and the note that it
        supports, not replaces, clinical judgement.
    top : int
        Show this many inputs at most.
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    df = result.evppi.table
    df = df[df["high"] > 1e-6].head(top).iloc[::-1]
    created = ax is None
    fig, ax = new_axes(ax, figsize=(9, 0.32 * max(len(df), 3) + 1.6))
    y = np.arange(len(df))
    colors = [KIND_COLORS.get(k, "#555555") for k in df["kind"]]
    ax.barh(y, df["evppi"], **{"color": colors, "alpha": 0.85, **kwargs})
    err = np.vstack([df["evppi"] - df["low"], df["high"] - df["evppi"]])
    ax.errorbar(df["evppi"], y, xerr=np.clip(err, 0, None), fmt="none", ecolor="#222222", lw=1, capsize=2)
    ax.set_yticks(y, [f"{n} [{k}]" for n, k in zip(df["name"], df["kind"], strict=True)], fontsize=8)
    ax.axvline(result.evpi_at_weight, color=HARM_COLOR, ls="--", lw=1, label=f"EVPI {result.evpi_at_weight:.2f}")
    ax.set_xlabel(f"EVPPI, net improvements {UNITS} (weight {result.weight:g})")
    ax.set_title("Which evidence drives the decision")
    ax.set_xlim(left=0)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax._outcomes_bars = df[["name", "kind", "evppi", "low", "high"]].to_dict(orient="records")
    _stamp(fig, result, created)
    return ax


def plot_evsi(result, ax=None, **kwargs):
    """EVSI of a new study against its size, one line per parameter, with its EVPPI as the ceiling.

    Parameters
    ----------
    result : VoiResult
        From ``oc.voi.run_voi`` (its tables, time frame and evidence version).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure stamped with the time frame, the evidence version and the note that it
        supports, not replaces, clinical judgement.
    **kwargs
        Passed to each EVSI line's ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    created = ax is None
    fig, ax = new_axes(ax, figsize=(8, 4.5))
    palette = ["#1b6ca8", "#c77d28", "#5aa469", "#8e5ea2", "#c62828"]
    for i, (param, d) in enumerate(result.evsi.groupby("parameter", sort=False)):
        col = palette[i % len(palette)]
        ax.fill_between(d["n"], d["low"], d["high"], color=col, alpha=0.15)
        ax.plot(d["n"], d["evsi"], "o-", **{"color": col, "label": param, **kwargs})
        ax.axhline(float(d["evppi"].iloc[0]), color=col, ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("Patients in a new study of the parameter")
    ax.set_ylabel(f"EVSI, net improvements {UNITS}")
    ax.set_title(f"Value of a new study (dashed: EVPPI, the limit), weight {result.weight:g}")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, frameon=False)
    _stamp(fig, result, created)
    return ax


def plot_tornado(result, ax=None, top: int = 12, **kwargs):
    """Tornado: each input at the low and high end of its 90% interval, sorted by how much it moves the
    advantage of the preferred option over the runner-up (inputs that do not move it are left out).

    Parameters
    ----------
    result : VoiResult
        From ``oc.voi.run_voi``: its ``tornado`` (a ``TornadoResult``: the pair compared, the flip weight).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure stamped with the time frame, the evidence version and the note that it
        supports, not replaces, clinical judgement.
    top : int
        Show this many inputs at most.
    **kwargs
        Passed to both ends' ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tor = result.tornado
    t = tor.table
    inb_swing = (t["inb_high"] - t["inb_low"]).abs()
    t = t.assign(_inb_swing=inb_swing)[inb_swing > 1e-9]
    t = t.sort_values(["_inb_swing", "name"], ascending=[False, True], kind="stable").head(top).iloc[::-1]
    a, b = tor.pair
    created = ax is None
    if created:
        import matplotlib.pyplot as plt

        fig, (ax, ax2) = plt.subplots(
            1,
            2,
            figsize=(12, 0.36 * max(len(t), 3) + 1.8),
            layout="constrained",
            sharey=True,
            gridspec_kw={"width_ratios": [3, 2]},
        )
    else:
        fig, ax2 = ax.figure, None
    y = np.arange(len(t))
    base = tor.inb_base
    for end, col in (("low", "#9ecae1"), ("high", "#08519c")):
        ax.barh(
            y,
            t[f"inb_{end}"] - base,
            left=base,
            **{"color": col, "height": 0.6, "label": f"input at its {end} end", **kwargs},
        )
    ax.axvline(base, color="#222222", lw=1)
    ax.axvline(0, color=HARM_COLOR, lw=1, ls="--")
    ax.set_yticks(y, list(t["name"]), fontsize=8)
    ax.set_xlabel(f"{result.short_label(a)} minus {result.short_label(b)}: net improvements {UNITS}")
    ax.set_title(f"Tornado at weight {result.weight:g} (other inputs kept at their draws)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    if ax2 is not None:
        fb = tor.flip_base
        for i, r in enumerate(t.itertuples()):
            lo, hi = r.flip_low, r.flip_high
            if np.isfinite(lo) and np.isfinite(hi):
                ax2.plot([lo, hi], [i, i], color=strategy_color(a, result.model, "#444444"), lw=4, alpha=0.6)
            for v, m in ((lo, "<"), (hi, ">")):
                if np.isfinite(v):
                    ax2.plot([v], [i], m, color="#222222", ms=5)
        if np.isfinite(fb):
            ax2.axvline(fb, color="#222222", lw=1)
        ax2.axvline(result.weight, color="#1b6ca8", ls=":", lw=1.2)
        ax2.set_xlabel("Flip weight (<: low end, >: high end)")
        ax2.set_title(f"Where {result.short_label(a)} and {result.short_label(b)} trade places")
    ax._outcomes_tornado = t[["name", "inb_low", "inb_high", "flip_low", "flip_high"]].to_dict(orient="records")
    _stamp(fig, result, created)
    return ax


__all__ = ["plot_evpi", "plot_evppi", "plot_evsi", "plot_tornado"]
