"""The whole value-of-information analysis for one profile, its tables, charts and the report section.

``run_voi`` loads (registry, profile, priors, prior or posterior draws), builds the net-benefit model and
computes the EVPI curve, the EVPPI table, EVSI for the most valuable parameters, the tornado, the cap
sensitivity and -- with a posterior -- the power-scaling sensitivity, into a ``VoiResult``. The EVPPI table and
the tornado are typed results (``outcomes.voi.results``): ``result.evppi.table`` with ``result.evppi.evpi``, and
``result.tornado.table`` with ``result.tornado.pair`` and ``.flip_base``; no scalar is kept in ``DataFrame.attrs``.
``write_outputs`` writes the CSV tables, ``voi.json`` (with those scalars) and the charts into a folder (the CLI
wraps it in ``outcomes.atomic.write_folder_atomically``). ``report_section`` is the short "What the answer depends
on" block of the clinician part of the patient report.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outcomes.declaration import DecisionModel
from outcomes.draws import DEFAULT_DRAWS
from outcomes.voi.core import (
    DEFAULT_STUDY_SIZES,
    DEFAULT_WEIGHT_RANGE,
    NetBenefitModel,
    evpi_curve,
    evppi_group,
    evppi_table,
    evsi,
    model_flips,
    peak,
    study_parameter,
    tornado,
)
from outcomes.voi.results import EvppiResult, TornadoResult

if TYPE_CHECKING:
    from outcomes.voi.sensitivity import PowerSensitivityResult

EVSI_TARGETS = 3
"""How many parameters (the largest single-parameter EVPPIs) get an EVSI curve by default."""


@dataclass
class VoiResult:
    """Everything ``outcomes voi`` writes, with its provenance.

    Attributes
    ----------
    weight : float
        The patient's preference weight.
    evpi : pandas.DataFrame
        EVPI over the weight grid (``core.evpi_curve``).
    evppi : EvppiResult
        EVPPI per input and group at ``weight`` (``.table``), with the EVPI at that weight (``.evpi``, ``.evpi_se``).
    evsi : pandas.DataFrame
        EVSI of new studies on the chosen parameters (empty when no parameter has an EVPPI above zero).
    tornado : TornadoResult
        One-way sensitivity (``.table``), with the leading pair (``.pair``) and its flip weight (``.flip_base``).
    caps : pandas.DataFrame or None
        Decision summaries with the grade caps halved, doubled and removed (None with ``caps=False``).
    psense
        ``outcomes.voi.sensitivity.power_sensitivity`` of the posterior (None with prior draws).
    flips : list of dict
        The exact flip weights of the expected net outcomes.
    peak_weight : float
        The weight at which EVPI is largest.
    """

    weight: float
    evpi: pd.DataFrame
    evppi: EvppiResult
    evsi: pd.DataFrame
    tornado: TornadoResult
    caps: pd.DataFrame | None
    psense: PowerSensitivityResult | None
    flips: list[dict]
    peak_weight: float
    provenance: dict = field(default_factory=dict)
    model: DecisionModel | None = None

    @property
    def time_frame(self) -> str:
        return str(self.provenance.get("time_frame", "unknown"))

    def short_label(self, strategy: str) -> str:
        return self.model.short_label(strategy) if self.model is not None else strategy

    @property
    def evidence_version(self) -> str:
        return str(self.provenance.get("evidence_version", "unknown"))

    @property
    def evpi_at_weight(self) -> float:
        """EVPI at the patient's weight, per 100 patients like this one."""
        return self.evppi.evpi

    @property
    def evpi_se_at_weight(self) -> float:
        """The Monte Carlo standard error of ``evpi_at_weight``."""
        return self.evppi.evpi_se

    def long_table(self) -> pd.DataFrame:
        """All tables in one tidy frame: section, name, weight, n, value, se, low, high, detail."""
        parts = []
        e = self.evpi
        parts.append(
            pd.DataFrame(
                {
                    "section": "evpi",
                    "name": "EVPI",
                    "kind": "all",
                    "weight": e["weight"],
                    "n": np.nan,
                    "value": e["evpi"],
                    "se": e["se"],
                    "low": e["low"],
                    "high": e["high"],
                    "sources": "",
                    "detail": "preferred: " + e["preferred"],
                }
            )
        )
        v = self.evppi.table
        parts.append(
            pd.DataFrame(
                {
                    "section": "evppi",
                    "name": v["name"],
                    "kind": v["kind"],
                    "weight": v["weight"],
                    "n": np.nan,
                    "value": v["evppi"],
                    "se": v["se"],
                    "low": v["low"],
                    "high": v["high"],
                    "sources": v["sources"],
                    "detail": v["method"],
                }
            )
        )
        if len(self.evsi):
            s = self.evsi
            parts.append(
                pd.DataFrame(
                    {
                        "section": "evsi",
                        "name": s["parameter"],
                        "kind": "parameter",
                        "weight": s["weight"],
                        "n": s["n"],
                        "value": s["evsi"],
                        "se": s["se"],
                        "low": s["low"],
                        "high": s["high"],
                        "sources": "",
                        "detail": "EVPPI " + s["evppi"].map(lambda x: f"{x:.3f}"),
                    }
                )
            )
        t = self.tornado.table
        pair = self.tornado.pair
        for end in ("low", "high"):
            parts.append(
                pd.DataFrame(
                    {
                        "section": f"tornado_{end}",
                        "name": t["name"],
                        "kind": t["kind"],
                        "weight": t["weight"],
                        "n": np.nan,
                        "value": t[f"inb_{end}"],
                        "se": np.nan,
                        "low": np.nan,
                        "high": np.nan,
                        "sources": "",
                        "detail": [
                            f"{end} value {x:.4g}; flip weight {fw:.3f} ({pair[0]} vs {pair[1]})"
                            for x, fw in zip(t[f"{end}_value"], t[f"flip_{end}"], strict=True)
                        ],
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


def top_parameters(evppi: pd.DataFrame, k: int = EVSI_TARGETS) -> list[str]:
    rows = evppi[(evppi["kind"] == "parameter") & (evppi["evppi"] > 0)]
    return rows["name"].head(k).tolist()


def run_voi(
    profile=None,
    *,
    registry=None,
    posterior=None,
    weight: float = 1.0,
    weights: Sequence[float] | None = None,
    study_sizes: Sequence[int] = DEFAULT_STUDY_SIZES,
    study_targets: Sequence[str] | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    allow_failed: bool = False,
    caps: bool = True,
    step: Callable[[str], None] | None = None,
    cli: bool = False,
    data="default",
    prior_only: bool = False,
    decision=None,
) -> VoiResult:
    """The full analysis for one profile (``step(name)`` is called as each stage starts).

    The draws are those of the one-profile comparison (``outcomes.pipeline.compare``: the same evidence, data and
    seed options); pass ``decision`` (a ``compare`` result) to reuse its draws instead of recomputing them."""
    from outcomes.pipeline import check_options, compare
    from outcomes.voi.sensitivity import cap_sensitivity, check_log_groups, power_sensitivity

    step = step or (lambda name: None)
    check_options(weight, n_draws, seed, cli=cli)
    grid = np.linspace(*DEFAULT_WEIGHT_RANGE) if weights is None else np.asarray(weights, dtype=float)
    step("load")
    if decision is None:
        step("draws")
        decision = compare(
            profile,
            registry=registry,
            posterior=posterior,
            weight=weight,
            n_draws=n_draws,
            seed=seed,
            n_patients=1,
            allow_failed=allow_failed,
            cli=cli,
            data=data,
            prior_only=prior_only,
        )
    reg, prof, priors, draws = decision.registry, decision.profile, decision.priors, decision.draws
    if posterior is not None:
        check_log_groups(posterior)  # a file without them fails now, not after the long computations
    covariates = prof.covariates()
    model = NetBenefitModel.from_draws(draws, covariates, priors)
    for t in study_targets or ():
        study_parameter(model, t)  # an unknown name fails before the long computations
    step("evpi")
    curve = evpi_curve(model, grid)
    flips = model_flips(model, float(max(grid.max(), weight)))
    step("evppi")
    table = evppi_table(model, weight, seed=seed)
    step("evsi")
    targets = list(study_targets) if study_targets else top_parameters(table.table)
    evsi_df = (
        pd.concat([evsi(model, t, study_sizes, weight, seed=seed) for t in targets], ignore_index=True)
        if targets
        else pd.DataFrame(
            columns=["target", "parameter", "n", "weight", "evsi", "se", "low", "high", "evppi", "evppi_se"]
        )
    )
    step("tornado")
    tor = tornado(model, weight)
    step("sensitivity")
    cap_df = cap_sensitivity(reg, covariates, weight, n_draws=n_draws, seed=seed) if caps else None
    ps = power_sensitivity(posterior, reg, covariates, weight) if posterior is not None else None
    prov = {
        "evidence_version": reg.version,
        "time_frame": reg.model.time_frame,
        "origin": str(draws.attrs.get("origin", "")),
        "n_draws": int(draws.sizes["draw"]),
        "seed": int(seed),
        "profile_label": prof.label,
        "profile_digest": prof.digest(),
        "posterior_file": str(posterior) if posterior is not None else None,
        "diagnostics_status": str(draws.attrs.get("diagnostics_status", "ok")),
        "units": "net improvements per 100 patients like this one (improved - w x harm)",
    }
    return VoiResult(
        weight=float(weight),
        evpi=curve,
        evppi=table,
        evsi=evsi_df,
        tornado=tor,
        caps=cap_df,
        psense=ps,
        flips=flips,
        peak_weight=peak(curve),
        provenance=prov,
        model=reg.model,
    )


def write_outputs(result: VoiResult, folder: Path, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``voi.csv`` (every table, tidy), one CSV per table, ``voi.json`` and the charts (PNG + SVG)."""
    import matplotlib.pyplot as plt

    from outcomes.charts.common import save_figure
    from outcomes.charts.voi import plot_evpi, plot_evppi, plot_evsi, plot_tornado

    progress = progress or (lambda name: None)
    folder = Path(folder)
    progress("tables")
    written = []
    result.long_table().to_csv(folder / "voi.csv", index=False)
    written.append(folder / "voi.csv")
    tables = {
        "evpi": result.evpi,
        "evppi": result.evppi.table,
        "evsi": result.evsi,
        "tornado": result.tornado.table,
        "cap_sensitivity": result.caps,
        "power_sensitivity": result.psense.table if result.psense is not None else None,
    }
    for name, df in tables.items():
        if df is not None:
            df.to_csv(folder / f"{name}.csv", index=False)
            written.append(folder / f"{name}.csv")
    meta = {
        "provenance": result.provenance,
        "weight": result.weight,
        "evpi_at_weight": result.evpi_at_weight,
        "evpi_se_at_weight": result.evpi_se_at_weight,
        "peak_weight": result.peak_weight,
        "flips": result.flips,
        "evppi": result.evppi.scalars(),
        "tornado": result.tornado.scalars(),
    }
    (folder / "voi.json").write_text(json.dumps(meta, indent=2, default=str))
    written.append(folder / "voi.json")
    progress("charts")
    for name, plot in (
        ("evpi_by_weight", plot_evpi),
        ("evppi", plot_evppi),
        ("evsi_by_study_size", plot_evsi),
        ("tornado", plot_tornado),
    ):
        if name == "evsi_by_study_size" and not len(result.evsi):
            continue
        fig = plot(result).figure
        written.extend(save_figure(fig, folder, name))
        plt.close(fig)
    return written


# --- the report's "What the answer depends on" section -------------------------------------------------------


def quick_evppi(model: NetBenefitModel, weight: float, *, n_samples: int = 40) -> pd.DataFrame:
    """Single-input EVPPI of every parameter and effect an outcome uses (fast: for the report)."""
    rows = []
    for name, kind in zip(model.names, model.kinds, strict=True):
        if not any(name in sup for sup in model.support.values()):
            continue
        est = evppi_group(model, (name,), weight, n_samples=n_samples)
        rows.append(
            {"name": name, "kind": kind, "evppi": est.value, "se": est.se, "sources": ";".join(model.sources(name))}
        )
    df = pd.DataFrame(rows, columns=["name", "kind", "evppi", "se", "sources"])
    return df.sort_values(["evppi", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def report_section(decision, *, top: int = 4) -> dict:
    """``{"title", "html"}``: the inputs whose uncertainty matters most for this patient, and the flip weight."""
    from outcomes.voi.regression import evpi as _evpi

    w = decision.summary.weight
    model = NetBenefitModel.from_draws(decision.draws, decision.profile.covariates(), decision.priors)
    ev = _evpi(model.nb(w))
    table = quick_evppi(model, w)
    flips = decision.summary.flips
    esc = html.escape
    if flips:
        nearest = min(flips, key=lambda f: abs(f["weight"] - w))
        flip = (
            f"The preferred option changes from {esc(decision.model.short_label(nearest['from']).lower())} to "
            f"{esc(decision.model.short_label(nearest['to']).lower())} when one harm counts as much as "
            f"{nearest['weight']:.2f} improvements (this patient's weight: {w:g})."
        )
    else:
        flip = f"The preferred option is the same at every weight shown (this patient's weight: {w:g})."
    lines = [
        f"<p>{flip} With perfect knowledge of every input, the expected net outcome would improve by "
        f"{ev.value:.2f} per 100 patients like this one (EVPI, &plusmn;{ev.se:.2f}). "
        "The inputs below are the ones whose uncertainty could change the choice most (EVPPI, per 100 "
        "patients, regression estimate on the same draws):</p>"
    ]
    shown = table[table["evppi"] > 0].head(top)
    if shown.empty:
        lines.append("<p>No single input's uncertainty changes the preferred option.</p>")
    else:
        lines.append(
            '<table class="voi"><thead><tr><th>Input</th><th>Records</th><th>EVPPI per 100</th></tr></thead><tbody>'
        )
        for r in shown.itertuples():
            lines.append(
                f"<tr><td>{esc(r.name)}</td><td>{esc(r.sources.replace(';', ', '))}</td>"
                f"<td>{r.evppi:.2f} &plusmn; {r.se:.2f}</td></tr>"
            )
        lines.append("</tbody></table>")
    lines.append("<p>Full analysis (groups, study sizes, tornado, prior sensitivity): <code>outcomes voi</code>.</p>")
    return {"title": "What the answer depends on", "html": "\n".join(lines)}


__all__ = ["VoiResult", "quick_evppi", "report_section", "run_voi", "top_parameters", "write_outputs"]
