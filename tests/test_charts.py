"""Charts obey the risk-communication rules: one denominator, one time frame, whole icons, absolute numbers,
provenance on every figure -- on hand-made summaries (known numbers) and on a real one."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from matplotlib.colors import to_hex
from matplotlib.container import ErrorbarContainer
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from outcomes.charts.benefit_harm import plot_benefit_harm
from outcomes.charts.common import (
    BENEFIT_COLOR,
    DISCLAIMER,
    HARM_COLOR,
    NEUTRAL_COLOR,
    save_figure,
)
from outcomes.charts.icon_array import icon_template, plot_icon_array, plot_icon_arrays
from outcomes.charts.preference import plot_preference_curve
from outcomes.charts.prior_cited import plot_prior_vs_cited
from outcomes.declaration import default_model
from outcomes.draws import from_arrays, prior_draws
from outcomes.elicit import elicit, evidence_table
from outcomes.model import expected_outcomes
from outcomes.profile import load_profile
from outcomes.registry import load_registry
from outcomes.simulate import simulate
from outcomes.summarize import summarize

MODEL = default_model()
STRATEGIES, OUTCOMES, PARAMETERS = tuple(MODEL.strategies), tuple(MODEL.outcomes), MODEL.parameters
APPLICABLE, BENEFITS, HARMS = MODEL.applicable, MODEL.benefits, MODEL.harms


MOVES_PER_ICON = int(np.sum(icon_template().codes == MplPath.MOVETO))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- inputs ---------------------------------------------------------------------------------------------


def hand_summary(
    means: dict[tuple[str, str], float],
    *,
    spread: float = 0.0,
    n_draws: int = 101,
    time_frame: str = "2 years",
    evidence_version: str = "ev-hand",
    weight: float = 1.0,
    missing: tuple[tuple[str, str], ...] = (),
):
    """A summary whose rates have exactly the given means: per draw mean + spread * t, t symmetric in [-1, 1].

    Every applicable outcome not named gets 0.3; ``missing`` outcomes are left NaN (not applicable)."""
    t = np.linspace(-1.0, 1.0, n_draws)
    rate = np.full((n_draws, len(STRATEGIES), len(OUTCOMES)), np.nan)
    for i, s in enumerate(STRATEGIES):
        for o in APPLICABLE[s]:
            if (s, o) in missing:
                continue
            m = means.get((s, o), 0.3)
            width = min(spread, m, 1 - m)  # stays inside [0, 1] and keeps the mean exact
            rate[:, i, OUTCOMES.index(o)] = m + width * t
    da = xr.DataArray(
        rate,
        dims=("draw", "strategy", "outcome"),
        coords={"draw": np.arange(n_draws), "strategy": list(STRATEGIES), "outcome": list(OUTCOMES)},
    )
    ds = xr.Dataset({"rate": da})
    ds.attrs.update(
        evidence_version=evidence_version,
        seed=7,
        time_frame=time_frame,
        n_draws=n_draws,
        n_patients=100,
        origin="hand-made",
    )
    return summarize(ds, weight=weight, model=MODEL)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def real(registry):
    pri = elicit(registry)
    d = prior_draws(pri, 2000, 1)
    summary = summarize(simulate(d, load_profile(), seed=1), weight=1.0)
    return summary, evidence_table(registry, pri)


@pytest.fixture(scope="module")
def from_draws(registry):
    """A summary from hand-made parameter draws (``from_arrays``) through the model's exact expected rates."""
    values = {
        "fusion.improved": 0.81,
        "fusion.serious_complication": 0.35,
        "fusion.solid_fusion": 0.9,
        "fusion.reoperation": 0.004,
        "decompression.improved": 0.44,
        "decompression.serious_complication": 0.09,
        "decompression.reoperation": 0.2,
        "medication.initial_response_neuropathic": 0.4,
        "medication.initial_response_other": 0.2,
        "medication.sustained_response": 0.5,
        "medication.side_effects": 0.3,
        "medication.deficit_progression": 0.3,
        "population.neuropathic_component": 0.3,
    }
    rng = np.random.default_rng(5)
    base = np.array([values.get(k, 0.05) for k in PARAMETERS])  # every other parameter: 5 in 100
    p = np.clip(base[None, :] * np.exp(0.05 * rng.standard_normal((400, len(PARAMETERS)))), 1e-4, 1 - 1e-4)
    draws = from_arrays(p, None, registry, origin="hand-made", seed=5)
    rate = expected_outcomes(draws, load_profile())
    rate.attrs.update(draws.attrs, time_frame="2 years", n_draws=400, n_patients=100)
    return summarize(rate, weight=1.0, model=MODEL)


# --- helpers that read what was drawn ---------------------------------------------------------------------


def icon_patches(ax) -> dict[str, object]:
    return {p.get_gid(): p for p in ax.artists + ax.patches if str(p.get_gid()).startswith("icons-")}


def drawn_icons(ax, gid: str) -> int:
    patch = icon_patches(ax).get(gid)
    if patch is None:
        return 0
    moves = int(np.sum(patch.get_path().codes == MplPath.MOVETO))
    assert moves % MOVES_PER_ICON == 0
    return moves // MOVES_PER_ICON


def icon_slots(ax, gid: str) -> list[int]:
    """Reading-order slot (0 = top left, row by row) of every icon drawn in a patch."""
    path = icon_patches(ax)[gid].get_path()
    per = len(icon_template().vertices)
    centres = path.vertices.reshape(-1, per, 2).mean(axis=1)
    col = np.floor(centres[:, 0]).astype(int)
    row = 9 - np.floor(centres[:, 1]).astype(int)
    return sorted((row * 10 + col).tolist())


def all_text(fig) -> str:
    texts = [t.get_text() for t in fig.findobj(Text)]
    return "\n".join(texts)


def assert_stamped(fig, time_frame: str, evidence_version: str):
    st = getattr(fig, "_outcomes_stamp", None)
    assert st is not None, "figure is not stamped"
    assert st["time_frame"] == time_frame and st["evidence_version"] == evidence_version
    assert f"Time frame: {time_frame}" in st["text"] and f"Evidence version: {evidence_version}" in st["text"]
    assert DISCLAIMER in st["text"]
    assert st["text"] in [t.get_text() for t in fig.texts]  # written on the figure itself


# --- icon arrays ----------------------------------------------------------------------------------------


def test_icon_array_counts_colours_and_grouping():
    s = hand_summary({("fusion", "improved"): 0.81}, spread=0.3)
    ax = plot_icon_array(s, "improved", "fusion")
    info = ax._outcomes_icons
    assert info == {**info, "filled": 81, "unfilled": 19, "total": 100}
    assert drawn_icons(ax, "icons-filled") == 81 and drawn_icons(ax, "icons-unfilled") == 19
    assert icon_slots(ax, "icons-filled") == list(range(81))  # grouped: filled first, row by row
    assert icon_slots(ax, "icons-unfilled") == list(range(81, 100))
    patches = icon_patches(ax)
    assert len(patches) == 2  # one artist per colour, not one per person
    assert to_hex(patches["icons-filled"].get_facecolor()) == BENEFIT_COLOR
    assert to_hex(patches["icons-unfilled"].get_facecolor()) == NEUTRAL_COLOR
    r = s.rate("fusion", "improved")
    caption = f"About 81 of 100 people like you: much better (plausibly {r.per100_low} to {r.per100_high})"
    assert info["caption"] == caption
    assert caption.replace(" ", "") in all_text(ax.figure).replace("\n", "").replace(" ", "")
    assert_stamped(ax.figure, "2 years", "ev-hand")


def test_harm_icons_are_red():
    s = hand_summary({("medication", "harm"): 0.37})
    ax = plot_icon_array(s, "harm", "medication")
    assert drawn_icons(ax, "icons-filled") == 37
    assert to_hex(icon_patches(ax)["icons-filled"].get_facecolor()) == HARM_COLOR


@pytest.mark.parametrize(
    "mean, filled", [(0.004, 0), (0.0099, 0), (0.0101, 1), (0.456, 46), (0.994, 99), (0.9996, 100), (0.5, 50)]
)
def test_filled_count_is_rounded_rate_and_whole_icons(mean, filled):
    s = hand_summary({("fusion", "reoperation"): mean})
    ax = plot_icon_array(s, "reoperation", "fusion")
    info = ax._outcomes_icons
    expected = 0 if 100 * mean < 1 else round(100 * mean)
    assert filled == expected
    assert info["filled"] == filled == drawn_icons(ax, "icons-filled")
    assert info["filled"] + info["unfilled"] == info["total"] == 100
    assert drawn_icons(ax, "icons-filled") + drawn_icons(ax, "icons-unfilled") == 100


def test_rate_below_one_in_100_shows_words_and_no_filled_icon():
    s = hand_summary({("fusion", "reoperation"): 0.004}, spread=0.004)
    ax = plot_icon_array(s, "reoperation", "fusion")
    assert "icons-filled" not in icon_patches(ax)
    assert drawn_icons(ax, "icons-unfilled") == 100
    text = all_text(ax.figure).replace("\n", " ").lower()
    assert "fewer than 1 in 100" in text
    assert "about 0 of 100" not in text


def test_icon_grid_one_denominator_one_time_frame(real):
    s, _ = real
    axes = plot_icon_arrays(s)
    fig = axes.flat[0].get_figure(root=True)
    panels = list(axes.flat)
    assert axes.shape == (2, len(list(dict.fromkeys(s.rates.strategy))))
    assert [a._outcomes_icons["outcome"] for a in axes[:, 0]] == [MODEL.benefit, MODEL.harm]
    strategies = list(dict.fromkeys(s.rates.strategy))
    assert len(panels) == 2 * len(strategies)
    for ax in panels:
        info = ax._outcomes_icons
        assert info["total"] == 100 and info["filled"] + info["unfilled"] == 100
        assert drawn_icons(ax, "icons-filled") + drawn_icons(ax, "icons-unfilled") == 100
        r = s.rate(info["strategy"], info["outcome"])
        assert info["filled"] == (0 if 100 * r["mean"] < 1 else round(100 * r["mean"]))
        assert info["time_frame"] == s.time_frame
    assert {(a._outcomes_icons["outcome"], a._outcomes_icons["strategy"]) for a in panels} == {
        (o, st) for o in (MODEL.benefit, MODEL.harm) for st in strategies
    }
    assert len({a._outcomes_icons["total"] for a in panels}) == 1
    assert len({a._outcomes_icons["time_frame"] for a in panels}) == 1
    assert f"within {s.time_frame}" in fig._suptitle.get_text()
    assert_stamped(fig, s.time_frame, s.evidence_version)
    # each row's outcome title sits above (never on) the panel titles under it
    fig.canvas.draw()
    for row in fig.subfigs:
        top_of_titles = max(a.title.get_window_extent().y1 for a in row.axes)
        assert row._suptitle.get_window_extent().y0 >= top_of_titles, row._suptitle.get_text()


def test_icon_grid_explains_each_outcome_once_in_its_row_title(real):
    from outcomes.charts.icon_array import caption_lines
    from outcomes.wording import explained, short_plain

    s, _ = real
    axes = plot_icon_arrays(s)
    fig = axes.flat[0].get_figure(root=True)
    for row, outcome in zip(fig.subfigs, (MODEL.benefit, MODEL.harm), strict=True):
        title = row._suptitle.get_text()
        assert title.startswith(MODEL.outcome_title(outcome)) and explained(MODEL, outcome) in title.lower()
    for ax in axes[1]:  # the harm row: its long explanation is in the row title, not in every caption
        text = ax._outcomes_icons["caption"]
        assert f"people like you: {short_plain(MODEL, MODEL.harm)}" in text
        assert explained(MODEL, MODEL.harm) not in text
    # the given-axes form has no row titles, so each caption keeps the whole explanation
    _, given = plt.subplots(1, 1)
    one = plot_icon_arrays(s, given, outcomes=[MODEL.harm], strategies=[axes[1, 0]._outcomes_icons["strategy"]])
    assert explained(MODEL, MODEL.harm) in one[0, 0]._outcomes_icons["caption"]
    plt.close("all")
    # a caption's plausible range is never split over two lines
    text = "About 30 of 100 people like you: seriously harmed (plausibly 11 to 57)"
    assert caption_lines(text, 34) == ["About 30 of 100 people like you:", "seriously harmed", "(plausibly 11 to 57)"]
    assert caption_lines("About 51 of 100 people like you: much better (plausibly 35 to 66)", 34)[-1] == (
        "much better (plausibly 35 to 66)"
    )


def test_icon_grid_uses_the_summarys_time_frame_and_marks_not_applicable():
    s = hand_summary({("fusion", "reoperation"): 0.12}, time_frame="1 year", evidence_version="ev-other")
    axes = plot_icon_arrays(s, outcomes=("reoperation",))
    fig = axes.flat[0].get_figure(root=True)
    by_strategy = {a._outcomes_icons["strategy"]: a for a in axes.flat}
    assert by_strategy["fusion"]._outcomes_icons["filled"] == 12
    for st in (st for st in STRATEGIES if "reoperation" not in APPLICABLE[st]):
        info = by_strategy[st]._outcomes_icons
        assert info["applicable"] is False and drawn_icons(by_strategy[st], "icons-filled") == 0
        assert "Does not apply" in all_text(by_strategy[st].figure)
    assert "within 1 year" in fig._suptitle.get_text()
    assert_stamped(fig, "1 year", "ev-other")


def test_icon_grid_from_hand_made_draws(from_draws):
    axes = plot_icon_arrays(from_draws, outcomes=("improved", "reoperation"), strategies=["fusion"])
    fig = axes.flat[0].get_figure(root=True)
    imp, reop = axes[:, 0]
    assert imp._outcomes_icons["filled"] == from_draws.rate("fusion", "improved").per100 > 70
    assert reop._outcomes_icons["filled"] == 0  # fusion.reoperation ~ 0.4 in 100
    assert "Fewer than 1 in 100" in all_text(fig)


def test_icon_grid_draws_into_given_axes_in_outcome_by_strategy_order():
    s = hand_summary({("fusion", "reoperation"): 0.12, ("decompression", "reoperation"): 0.30})
    fig, given = plt.subplots(1, 2)
    axes = plot_icon_arrays(s, given, outcomes=("reoperation",), strategies=["fusion", "decompression"])
    assert axes.shape == (1, 2) and axes[0, 0] is given[0] and axes[0, 1] is given[1]
    assert [a._outcomes_icons["filled"] for a in axes.flat] == [12, 30]
    assert getattr(fig, "_outcomes_stamp", None) is None  # given axes: the caller's figure is not stamped
    with pytest.raises(ValueError, match="ax holds 2 Axes; allowed: one per panel, 2 outcomes x 2 strategies"):
        plot_icon_arrays(s, given, outcomes=("reoperation", "improved"), strategies=["fusion", "decompression"])
    plt.close(fig)


def test_given_axes_are_not_stamped_by_the_chart():
    s = hand_summary({})
    fig, axes = plt.subplots(1, 3)
    plot_icon_array(s, ax=axes[0])
    plot_benefit_harm(s, ax=axes[1])
    plot_preference_curve(s, ax=axes[2])
    assert not hasattr(fig, "_outcomes_stamp")
    assert not any("Evidence version" in t.get_text() for t in fig.texts)


# --- benefit and harm -----------------------------------------------------------------------------------


def _errorbar_points(ax) -> set[tuple[float, float]]:
    pts = set()
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            line = c.lines[0]
            pts |= {
                (round(float(x), 9), round(float(y), 9))
                for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
            }
    return pts


def test_benefit_harm_shows_every_applicable_absolute_rate(real):
    s, _ = real
    ax = plot_benefit_harm(s)
    pts = ax._outcomes_points
    shown = {(p["strategy"], p["outcome"]) for p in pts}
    wanted = {(st, o) for st in STRATEGIES for o in (*BENEFITS, *HARMS) if o in APPLICABLE[st]}
    assert shown == wanted and len(pts) == len(wanted)
    assert set(ax._outcomes_not_applicable) == {
        (st, o) for st in STRATEGIES for o in (*BENEFITS, *HARMS) if o not in APPLICABLE[st]
    }
    drawn = _errorbar_points(ax)
    for p in pts:
        r = s.rate(p["strategy"], p["outcome"])
        assert p["x"] == pytest.approx(100 * r["mean"]) and 0 <= p["low"] <= p["x"] <= p["high"] <= 100
        assert (round(p["x"], 9), round(p["y"], 9)) in drawn  # the point is really drawn there
    assert ax.get_xlim()[0] <= 0 and ax.get_xlim()[1] >= 100
    # benefits first, then harms (higher on the chart = earlier)
    first_harm = max(p["y"] for p in pts if p["outcome"] in HARMS)
    assert min(p["y"] for p in pts if p["outcome"] in BENEFITS) > first_harm
    assert "relative" not in all_text(ax.figure).lower()
    assert_stamped(ax.figure, s.time_frame, s.evidence_version)


def test_benefit_harm_error_bars_match_the_interval_and_marks_not_applicable():
    s = hand_summary(
        {("fusion", "improved"): 0.6, ("decompression", "harm"): 0.1},
        spread=0.2,
        missing=(("medication", "improved_without_harm"),),
    )
    ax = plot_benefit_harm(s, outcomes=["harm", "reoperation", "improved", "improved_without_harm"])
    pts = {(p["strategy"], p["outcome"]): p for p in ax._outcomes_points}
    asked = ("harm", "reoperation", "improved", "improved_without_harm")
    missing = {("medication", "improved_without_harm")}
    shown = {(st, o) for st in STRATEGIES for o in asked if o in APPLICABLE[st] and (st, o) not in missing}
    assert set(pts) == shown
    not_shown = sorted((st, o) for st in STRATEGIES for o in asked if (st, o) not in shown)
    assert sorted(ax._outcomes_not_applicable) == not_shown
    assert all_text(ax.figure).count("not applicable") == len(not_shown)
    assert "Medication: not applicable" in all_text(ax.figure)
    # benefits are listed before harms even when asked for in the other order
    assert pts[("fusion", "improved")]["y"] > pts[("fusion", "harm")]["y"]
    r = s.rate("fusion", "improved")
    p = pts[("fusion", "improved")]
    assert (p["low"], p["x"], p["high"]) == pytest.approx((100 * r["low"], 60.0, 100 * r["high"]))
    assert p["high"] - p["low"] > 30  # the interval is drawn, not just the point
    texts = all_text(ax.figure)
    assert f"60 of 100 ({r.per100_low} to {r.per100_high})" in texts


# --- prior against cited --------------------------------------------------------------------------------


def test_prior_vs_cited_rows_match_table_and_registry(real, registry):
    _, table = real
    ax = plot_prior_vs_cited(table, registry)
    rates = table[table.kind == "rate"].reset_index(drop=True)
    rows = ax._outcomes_rows
    assert [r["id"] for r in rows] == list(rates.id)
    for row, (_, t) in zip(rows, rates.iterrows(), strict=True):
        rec = registry.record(row["id"])
        assert (row["prior_low"], row["prior_mean"], row["prior_high"]) == pytest.approx(
            (100 * t.interval_low, 100 * t.prior_mean, 100 * t.interval_high)
        )
        assert row["cited_low"] == (None if rec.low is None else pytest.approx(100 * rec.low))
        assert row["cited_high"] == (None if rec.high is None else pytest.approx(100 * rec.high))
        assert row["cited_point"] == (None if rec.point is None else pytest.approx(100 * rec.point))
        assert f"ESS {t.ess:.0f}" in row["label"]
        assert ("ASSUMPTION" in row["label"]) == bool(t.assumption)
        assert ("NOT USED IN MODEL" in row["label"]) == (not bool(t.used))
        if not t.assumption:
            assert t.grade.replace("_", " ") in row["label"]
    assert any(r["assumption"] for r in rows) and any(not r["used"] for r in rows)
    # assumptions are hatched
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == int(rates.assumption.sum())
    assert_stamped(ax.figure, "2 years", registry.version)


def test_prior_vs_cited_reads_the_cited_text_without_a_registry(real, registry):
    _, table = real
    with_reg = plot_prior_vs_cited(table, registry)._outcomes_rows
    without = plot_prior_vs_cited(table)._outcomes_rows
    for a, b in zip(with_reg, without, strict=True):
        for k in ("cited_low", "cited_high", "cited_point"):
            assert (a[k] is None) == (b[k] is None)
            if a[k] is not None:
                assert a[k] == pytest.approx(b[k])


# --- preference curve -----------------------------------------------------------------------------------


def test_preference_curve_lines_sum_to_one_and_flip_is_marked():
    # fusion 0.8 - 0.4 w, decompression 0.5 - 0.1 w: flip at w = 1.0; medication 0.2 - 0.3 w never best
    s = hand_summary(
        {
            ("fusion", "improved"): 0.8,
            ("fusion", "serious_harm"): 0.4,
            ("decompression", "improved"): 0.5,
            ("decompression", "serious_harm"): 0.1,
            ("medication", "improved"): 0.2,
            ("medication", "serious_harm"): 0.3,
            ("scs", "improved"): 0.0,
            ("scs", "serious_harm"): 0.5,
            ("rehabilitation", "improved"): 0.0,
            ("rehabilitation", "serious_harm"): 0.5,
            **{(st, "minor_harm"): 0.0 for st in STRATEGIES},
        },
        spread=0.05,
        weight=2.0,
    )
    assert [f["weight"] for f in s.flips] == pytest.approx([1.0])
    ax = plot_preference_curve(s)
    lines = ax._outcomes_lines
    assert set(lines) == set(s.prob_best.columns)
    total = np.sum([ln.get_ydata() for ln in lines.values()], axis=0)
    np.testing.assert_allclose(total, 1.0, atol=1e-9)
    for st, ln in lines.items():
        np.testing.assert_allclose(ln.get_xdata(), s.prob_best.index.to_numpy())
        np.testing.assert_allclose(ln.get_ydata(), s.prob_best[st].to_numpy())
        assert np.all((ln.get_ydata() >= 0) & (ln.get_ydata() <= 1))
    (flip,) = ax._outcomes_flips
    assert flip["marker"].get_xdata()[0] == pytest.approx(1.0)
    assert (flip["from"], flip["to"]) == ("fusion", "decompression")
    assert "1.00" in flip["label"].get_text() and "Decompression alone" in flip["label"].get_text()
    assert list(ax._outcomes_weight_line.get_xdata()) == [2.0, 2.0]
    assert "Your weight: 2" in all_text(ax.figure)
    assert_stamped(ax.figure, "2 years", "ev-hand")


def test_preference_curve_without_flips_has_no_flip_marker():
    s = hand_summary({("fusion", "improved"): 0.9, ("fusion", "serious_harm"): 0.05})
    assert s.flips == []
    ax = plot_preference_curve(s)
    assert ax._outcomes_flips == []
    assert not [ln for ln in ax.lines if str(ln.get_gid()).startswith("flip-")]


def test_preference_curve_on_real_summary(real):
    s, _ = real
    ax = plot_preference_curve(s)
    assert [f["weight"] for f in ax._outcomes_flips] == pytest.approx([f["weight"] for f in s.flips])
    for f in ax._outcomes_flips:
        assert f["marker"].get_xdata()[0] == pytest.approx(f["weight"])
    total = np.sum([ln.get_ydata() for ln in ax._outcomes_lines.values()], axis=0)
    np.testing.assert_allclose(total, 1.0, atol=1e-9)


# --- saving and provenance ------------------------------------------------------------------------------


def test_every_chart_names_time_frame_and_evidence_version(real, registry):
    s, table = real
    figs = [
        plot_icon_array(s).figure,
        plot_icon_arrays(s).flat[0].get_figure(root=True),
        plot_benefit_harm(s).figure,
        plot_preference_curve(s).figure,
        plot_prior_vs_cited(table, registry).figure,
    ]
    for fig in figs:
        assert_stamped(fig, s.time_frame, s.evidence_version)


def test_save_figure_writes_png_and_svg(tmp_path, real):
    s, _ = real
    fig = plot_icon_arrays(s).flat[0].get_figure(root=True)
    paths = save_figure(fig, tmp_path / "charts", "icons")
    assert [p.name for p in paths] == ["icons.png", "icons.svg"]
    png, svg = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert b"<svg" in svg[:2000] and len(svg) > 10_000
    assert s.evidence_version.encode() in svg  # the footer is in the file, as text
    # reproducible: the same chart of the same summary saves to the same SVG (no date, fixed ids)
    again = save_figure(plot_icon_arrays(s).flat[0].get_figure(root=True), tmp_path / "again", "icons")
    assert again[1].read_bytes() == svg
