"""Shared look and the provenance footer every chart carries."""

from __future__ import annotations

import matplotlib.pyplot as plt  # the backend is the caller's: the CLI selects Agg, a notebook keeps inline

DISCLAIMER = "Supports, does not replace, clinical judgement."

PALETTE = ("#1b6ca8", "#5aa469", "#c77d28", "#7b5ea7", "#b5485d", "#3d8c95", "#8c6d31", "#555555")
"""Strategy colours, by the strategy's position in the decision model (colour-blind-distinguishable first three)."""
BENEFIT_COLOR = "#2e7d32"
HARM_COLOR = "#c62828"
NEUTRAL_COLOR = "#d0d4d9"


def strategy_color(strategy: str, model=None, default: str = "#555555") -> str:
    """The colour of a strategy: its position in the model's strategies picks from ``PALETTE``."""
    if model is None or strategy not in model.strategies:
        return default
    return PALETTE[list(model.strategies).index(strategy) % len(PALETTE)]


def footer_text(time_frame: str, evidence_version: str, extra: str = "") -> str:
    parts = [f"Time frame: {time_frame}", f"Evidence version: {evidence_version}"]
    if extra:
        parts.append(extra)
    parts.append(DISCLAIMER)
    return "  |  ".join(parts)


def stamp(fig, time_frame: str, evidence_version: str, extra: str = "") -> None:
    """Write the provenance footer on a figure and remember it in ``fig._outcomes_stamp`` for tests."""
    text = footer_text(time_frame, evidence_version, extra)
    fig.text(0.01, 0.005, text, fontsize=7, color="#444444", ha="left", va="bottom", wrap=True)
    fig._outcomes_stamp = {"time_frame": time_frame, "evidence_version": evidence_version, "text": text}


def new_axes(ax=None, figsize=(8, 4.5)):
    """Return (fig, ax): the given Axes' figure, or a new figure."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


# --- helpers shared by the decision charts ---------------------------------------------------------------

DENOMINATOR = 100
"""Every patient-facing chart counts people out of this many."""

FOOTER_INCHES = 0.32
"""Room kept free at the bottom of a figure for the provenance footer."""


def outcome_color(outcome: str, model=None) -> str:
    """Benefits (and good information, e.g. a solid fusion) green, harms red, anything else dark grey; the
    role comes from the decision model's declaration."""
    if model is None or outcome not in model.outcomes:
        return "#555555"
    o = model.outcomes[outcome]
    if o.is_harm:
        return HARM_COLOR
    if o.is_benefit:
        return BENEFIT_COLOR
    return "#555555"


def reserve_footer(fig, inches: float = FOOTER_INCHES) -> None:
    """Keep the bottom ``inches`` of a constrained-layout figure free for the footer ``stamp`` writes."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        h = min(0.2, inches / fig.get_figheight())
        engine.set(rect=(0, h, 1, 1 - h))


def finish(fig, time_frame: str, evidence_version: str, extra: str = "") -> None:
    """Stamp a figure this package created and keep room for the footer."""
    reserve_footer(fig)
    stamp(fig, time_frame, evidence_version, extra)


def save_figure(fig, folder, name: str, formats=("png", "svg"), dpi: int = 110) -> list:
    """Write ``fig`` as ``folder/name.<format>`` for every format; returns the paths written.

    PNG at ``dpi``; every format with ``bbox_inches="tight"``. SVG output is reproducible (no date, fixed id
    salt: the same chart of the same summary gives the same file) and keeps its words as text (searchable, read
    by screen readers, smaller and faster to write than glyph outlines).
    """
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        path = folder / f"{name}.{fmt}"
        kwargs = {"format": fmt, "bbox_inches": "tight"}
        if fmt == "png":
            kwargs["dpi"] = dpi
            kwargs["pil_kwargs"] = {"compress_level": 3}  # ~4x faster to encode than level 6, ~10% larger
        if fmt == "svg":
            kwargs["metadata"] = {"Date": None}
        with plt.rc_context({"svg.hashsalt": "outcomes", "svg.fonttype": "none"}):
            fig.savefig(path, **kwargs)
        paths.append(path)
    return paths
