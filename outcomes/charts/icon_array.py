"""Icon arrays: 100 people like this patient, the ones with an outcome filled in, grouped together.

One panel (``plot_icon_array``) shows one strategy and one outcome: 100 person icons in a 10 x 10 grid,
``round(100 * mean)`` of them coloured (benefits green, harms red), filled first and row by row from the top
left, with the count and its plausible range in words as the caption. A rate below 1 in 100 colours no icon
and says "fewer than 1 in 100". ``plot_icon_arrays`` puts panels in a grid (rows = outcomes, columns =
strategies) with one denominator and one time frame throughout, and returns the panels' Axes as an array (the
matplotlib convention for a grid, as ``plt.subplots`` gives it).

The icons are drawn as one compound path per colour (two artists per panel, not 100), so a grid renders fast.
Each panel's Axes carries ``_outcomes_icons`` ({"filled", "unfilled", "total", "time_frame", ...}) for tests.
"""

from __future__ import annotations

import contextlib
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from outcomes.charts.common import (
    DENOMINATOR,
    NEUTRAL_COLOR,
    finish,
    new_axes,
    outcome_color,
)
from outcomes.wording import icon_caption, row_title

GRID = 10
CAPTION_SIZE = 13
CAPTION_WIDTH = 34


def icon_template() -> Path:
    """One person in a unit cell centred on (0, 0): a round head over a body with rounded shoulders."""
    head = Path.circle((0.0, 0.25), 0.14)
    arc = Path.arc(0, 180)  # unit half circle, counter-clockwise from (1, 0) to (-1, 0)
    top = arc.vertices * np.array([0.24, 0.16]) + np.array([0.0, -0.02])
    verts = np.vstack([[[-0.24, -0.42], [0.24, -0.42]], top, [[-0.24, -0.42]]])
    codes = np.concatenate([[Path.MOVETO, Path.LINETO], [Path.LINETO], np.asarray(arc.codes)[1:], [Path.CLOSEPOLY]])
    body = Path(verts, codes)
    return Path.make_compound_path(head, body)


_TEMPLATE = icon_template()


def icon_positions(n: int = DENOMINATOR, columns: int = GRID) -> np.ndarray:
    """Centres of ``n`` icons in reading order (row by row from the top left)."""
    k = np.arange(n)
    rows = int(np.ceil(n / columns))
    return np.column_stack([k % columns + 0.5, rows - 1 - k // columns + 0.5])


def icons_path(centres: np.ndarray) -> Path:
    """One compound path with a person icon at every centre."""
    if len(centres) == 0:
        return Path(np.zeros((0, 2)))
    v = (np.asarray(_TEMPLATE.vertices)[None, :, :] + centres[:, None, :]).reshape(-1, 2)
    return Path(v, np.tile(np.asarray(_TEMPLATE.codes), len(centres)))


def filled_count(mean: float) -> int:
    """Icons to fill for a rate: round(100 * mean), none below 1 in 100."""
    if not np.isfinite(mean) or DENOMINATOR * mean < 1:
        return 0
    return int(min(DENOMINATOR, round(DENOMINATOR * mean)))


def caption_lines(text: str, width: int = CAPTION_WIDTH) -> list[str]:
    """A caption wrapped to ``width`` characters, its plausible range ('(plausibly 11 to 57)') never split."""
    head, sep, rest = text.partition(" (plausibly ")
    lines = textwrap.wrap(head, width) or [""]
    if sep:
        span = f"(plausibly {rest}"
        if len(lines[-1]) + 1 + len(span) <= width:
            lines[-1] += " " + span
        else:
            lines.append(span)
    return lines


def _draw_icons(ax, filled: int, color: str) -> None:
    centres = icon_positions()
    for part, col, gid in (
        (centres[:filled], color, "icons-filled"),
        (centres[filled:], NEUTRAL_COLOR, "icons-unfilled"),
    ):
        if len(part):
            # add_artist, not add_patch: the limits are fixed below, and computing them from 100 curved
            # outlines is the slowest step of the whole chart
            # (and out of layout: the icons lie inside the axes, measuring their curves is wasted time)
            patch = PathPatch(icons_path(part), facecolor=col, edgecolor="none", gid=gid)
            patch.set_in_layout(False)
            ax.add_artist(patch)
    ax.set_xlim(0, GRID)
    ax.set_ylim(0, GRID)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _panel(
    ax, summary, outcome: str, strategy: str, caption_size: float, min_lines: int = 0, short: bool = False
) -> None:
    try:
        row = summary.rate(strategy, outcome)
    except KeyError:
        row = None
    if row is None or not np.isfinite(float(row["mean"])):
        ax.set_xlim(0, GRID)
        ax.set_ylim(0, GRID)
        ax.set_aspect("equal")
        ax.set_axis_off()
        applies = outcome in summary.model.applicable.get(strategy, ())
        why = "Does not apply to this treatment" if not applies else "No result"
        ax.text(GRID / 2, GRID / 2, why, ha="center", va="center", fontsize=caption_size, color="#555555", wrap=True)
        ax._outcomes_icons = {
            "applicable": False,
            "filled": 0,
            "unfilled": 0,
            "total": 0,
            "strategy": strategy,
            "outcome": outcome,
            "time_frame": summary.time_frame,
            "caption": why,
        }
        return
    filled = filled_count(float(row["mean"]))
    _draw_icons(ax, filled, outcome_color(outcome, summary.model))
    text = icon_caption(row, outcome, summary.model, short=short)
    lines = caption_lines(text)
    lines += [" "] * max(0, min_lines - len(lines))  # equal-height captions keep every grid the same size
    ax.text(
        0.5,
        -0.03,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=caption_size,
        linespacing=1.25,
    )
    if filled == 0:
        ax.text(
            GRID / 2,
            GRID / 2,
            f"Fewer than 1 in {DENOMINATOR}",
            ha="center",
            va="center",
            fontsize=caption_size + 2,
            fontweight="bold",
            color="#333333",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "#999999"},
        )
    ax._outcomes_icons = {
        "applicable": True,
        "filled": filled,
        "unfilled": DENOMINATOR - filled,
        "total": DENOMINATOR,
        "strategy": strategy,
        "outcome": outcome,
        "time_frame": summary.time_frame,
        "caption": text,
    }


def plot_icon_array(summary, outcome: str | None = None, strategy: str | None = None, ax=None, **kwargs):
    """One icon array: how many of 100 people like this patient have ``outcome`` with ``strategy``.

    Parameters
    ----------
    summary : DecisionSummary
    outcome : str, optional
        Default: the decision's benefit outcome.
    strategy : str, optional
        Default: the first strategy of the model.
    ax : matplotlib Axes, optional
    **kwargs
        ``caption_size`` (points).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> summary = oc.compare("default", n_draws=200, seed=1).summary
    >>> oc.plot.icon_array(summary).get_title().splitlines()  # the first strategy, the decision's benefit
    ['Fusion', 'within 2 years']
    """
    outcome = outcome or summary.model.benefit
    strategy = strategy or next(iter(summary.model.strategies))
    created = ax is None
    fig, ax = new_axes(ax, figsize=(4.6, 5.6))
    _panel(ax, summary, outcome, strategy, kwargs.get("caption_size", CAPTION_SIZE))
    if created:
        ax.set_title(
            f"{summary.model.short_label(strategy)}\nwithin {summary.time_frame}", fontsize=15, fontweight="bold"
        )
        finish(fig, summary.time_frame, summary.evidence_version)
    return ax


def plot_icon_arrays(summary, ax=None, *, outcomes=None, strategies=None, **kwargs) -> np.ndarray:
    """A grid of icon arrays (rows = outcomes, columns = strategies) on one denominator and one time frame.

    Parameters
    ----------
    summary : DecisionSummary
    ax : array of matplotlib Axes, optional
        One Axes per panel, shaped (outcomes, strategies) or flat in that order (as ``plt.subplots`` gives them).
        Default: a new figure, one row per outcome under the outcome's title, stamped with the time frame, the
        evidence version and the note that it supports, not replaces, clinical judgement.
    outcomes : sequence of str, optional
        Default: the decision's benefit and harm.
    strategies : sequence of str, optional
        Default: every strategy of the summary.
    **kwargs
        ``caption_size`` (points).

    Returns
    -------
    numpy.ndarray
        The panels' Axes, shaped (outcomes, strategies); each is :func:`plot_icon_array`'s panel. The figure is
        ``axes.flat[0].get_figure(root=True)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import outcomes as oc
    >>> summary = oc.compare("default", n_draws=200, seed=1).summary
    >>> axes = oc.plot.icon_arrays(summary, strategies=summary.model.strategy_ids[:2])
    >>> axes.shape
    (2, 2)
    >>> sum(a.get_title() == summary.model.short_label(summary.model.strategy_ids[0]) for a in axes.flat)
    2
    """
    model = summary.model
    outcomes = list(outcomes) if outcomes is not None else [model.benefit, model.harm]
    if strategies is None:
        strategies = list(dict.fromkeys(summary.rates["strategy"]))
    strategies = list(strategies)
    size = kwargs.get("caption_size", CAPTION_SIZE)
    shape = (len(outcomes), len(strategies))
    created = ax is None
    short = created  # a new grid explains each outcome once, in its row title: its captions keep the short words
    n_lines = 0  # every caption as tall as the tallest, so every panel of the grid has the same size
    for outcome in outcomes:
        for strategy in strategies:
            with contextlib.suppress(KeyError):
                words = icon_caption(summary.rate(strategy, outcome), outcome, model, short=short)
                n_lines = max(n_lines, len(caption_lines(words)))
    if created:
        # more room between rows than the default: the layout engine otherwise lets a row title touch the panel
        # titles under it (measured: 4.6 px of overlap in the second row of the shipped report)
        fig = plt.figure(
            figsize=(4.3 * len(strategies), 5.0 * len(outcomes) + 1.0), layout=ConstrainedLayoutEngine(h_pad=0.15)
        )
        subfigs = fig.subfigures(len(outcomes), 1, squeeze=False, hspace=0.03)[:, 0]
        axes = np.empty(shape, dtype=object)
        for i, (sub, outcome) in enumerate(zip(subfigs, outcomes, strict=True)):
            axes[i] = sub.subplots(1, len(strategies), squeeze=False)[0]
            sub.suptitle(
                row_title(model, outcome),
                x=0.01,
                ha="left",
                fontsize=17,
                fontweight="bold",
                color=outcome_color(outcome, model),
            )
    else:
        given = np.asarray(ax, dtype=object)
        if given.size != len(outcomes) * len(strategies):
            raise ValueError(
                f"ax holds {given.size} Axes; allowed: one per panel, {shape[0]} outcomes x {shape[1]} strategies"
            )
        axes = given.reshape(shape)
        fig = axes.flat[0].get_figure(root=True)
    for i, outcome in enumerate(outcomes):
        for j, strategy in enumerate(strategies):
            panel = axes[i, j]
            _panel(panel, summary, outcome, strategy, size, n_lines, short=short)
            title = model.short_label(strategy)
            panel.set_title(title if created else f"{model.outcome_title(outcome)}: {title}", fontsize=15, pad=8)
    if created:
        fig.suptitle(
            f"Out of {DENOMINATOR} people like you, within {summary.time_frame} of starting treatment", fontsize=19
        )
        finish(fig, summary.time_frame, summary.evidence_version)
    return axes
