"""Convergence diagnostics after every MCMC fit (ArviZ): R-hat, bulk and tail ESS, divergences.

The gate (``check``): any sampled quantity with R-hat > ``RHAT_MAX`` (1.01) or bulk ESS < ``ESS_BULK_MIN``
(400), or any divergent transition after tuning, fails the fit. A failing fit raises ``DiagnosticsError``
(a ``RuntimeError``), or, with ``allow_failed=True``, is kept and stamped
``diagnostics_status = "failing: <reason>"`` (``outcomes.draws.load_posterior_draws`` refuses such a file
unless asked explicitly). Tail ESS is reported next to bulk ESS (not gated).

Only quantities that NUTS sampled are checked: parameters without data are exact prior draws.
arviz is imported inside the functions (the update path only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import xarray as xr

RHAT_MAX = 1.01
ESS_BULK_MIN = 400


class DiagnosticsError(RuntimeError):
    """The MCMC fit failed its convergence diagnostics (pass allow_failed / --allow-failed to keep it)."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__(
            f"MCMC diagnostics failed: {diagnostics.reason}. Run more draws (--draws) or a "
            "different seed; or keep the fit, stamped as failing, with --allow-failed"
        )


class DiagnosticRow(TypedDict):
    """One sampled scalar's diagnostics."""

    name: str
    rhat: float
    ess_bulk: float
    ess_tail: float


@dataclass(frozen=True)
class Diagnostics:
    rows: tuple[DiagnosticRow, ...]
    """Per sampled scalar: name, rhat, ess_bulk, ess_tail."""
    divergences: int
    n_draws: int
    failures: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def reason(self) -> str:
        return "; ".join(self.failures)

    @property
    def status(self) -> str:
        return "ok" if self.ok else f"failing: {self.reason}"

    @property
    def max_rhat(self) -> float:
        return max((r["rhat"] for r in self.rows), default=float("nan"))

    @property
    def min_ess_bulk(self) -> float:
        return min((r["ess_bulk"] for r in self.rows), default=float("nan"))

    @property
    def min_ess_tail(self) -> float:
        return min((r["ess_tail"] for r in self.rows), default=float("nan"))

    def table(self):
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=["name", "rhat", "ess_bulk", "ess_tail"])

    def text(self) -> str:
        lines = [
            f"Diagnostics ({self.n_draws} draws; gate: R-hat <= {RHAT_MAX}, bulk ESS >= {ESS_BULK_MIN}, "
            f"no divergences): {self.status}",
            f"  divergences: {self.divergences}   max R-hat: {self.max_rhat:.4f}   "
            f"min bulk ESS: {self.min_ess_bulk:.0f}   min tail ESS: {self.min_ess_tail:.0f}",
        ]
        if self.rows:
            lines.append(
                "  " + self.table().to_string(index=False, float_format=lambda v: f"{v:.3f}").replace("\n", "\n  ")
            )
        return "\n".join(lines)


def _flat(ds: xr.Dataset) -> dict[str, float]:
    """One entry per scalar: ``name`` or ``name[label]``."""
    out = {}
    for name, da in ds.data_vars.items():
        if da.ndim == 0:
            out[str(name)] = float(da.values)
            continue
        for idx in np.ndindex(da.shape):
            labels = ",".join(
                str(da[d].values[i]) if d in da.coords else str(i) for d, i in zip(da.dims, idx, strict=True)
            )
            out[f"{name}[{labels}]"] = float(da.values[idx])
    return out


def compute(tree: xr.DataTree, var_names: list[str] | None = None) -> Diagnostics:
    """R-hat, bulk/tail ESS of the sampled variables and the divergence count; the gate applied."""
    import arviz as az

    post = tree["posterior"].to_dataset()
    if var_names is None:
        listed = str(post.attrs.get("sampled_variables", ""))
        var_names = [v for v in listed.split(";") if v] or [str(v) for v in post.data_vars]
    sub = post[var_names]
    rhat = _flat(az.rhat(sub))
    bulk = _flat(az.ess(sub, method="bulk"))
    tail = _flat(az.ess(sub, method="tail"))
    rows = tuple(DiagnosticRow(name=k, rhat=rhat[k], ess_bulk=bulk[k], ess_tail=tail[k]) for k in rhat)
    divergences = 0
    if "sample_stats" in tree.children and "diverging" in tree["sample_stats"].to_dataset():
        divergences = int(np.asarray(tree["sample_stats"]["diverging"].values).sum())
    failures = []
    bad_rhat = [r for r in rows if not (r["rhat"] <= RHAT_MAX)]
    if bad_rhat:
        worst = max(bad_rhat, key=lambda r: r["rhat"] if np.isfinite(r["rhat"]) else np.inf)
        failures.append(
            f"R-hat {worst['rhat']:.3f} > {RHAT_MAX} ({worst['name']}"
            + (f" and {len(bad_rhat) - 1} more" if len(bad_rhat) > 1 else "")
            + ")"
        )
    bad_ess = [r for r in rows if not (r["ess_bulk"] >= ESS_BULK_MIN)]
    if bad_ess:
        worst = min(bad_ess, key=lambda r: r["ess_bulk"] if np.isfinite(r["ess_bulk"]) else -np.inf)
        failures.append(
            f"bulk ESS {worst['ess_bulk']:.0f} < {ESS_BULK_MIN} ({worst['name']}"
            + (f" and {len(bad_ess) - 1} more" if len(bad_ess) > 1 else "")
            + ")"
        )
    if divergences:
        failures.append(f"{divergences} divergent transition{'s' if divergences != 1 else ''}")
    n_draws = int(post.sizes.get("chain", 1) * post.sizes.get("draw", 0))
    return Diagnostics(rows=rows, divergences=divergences, n_draws=n_draws, failures=tuple(failures))


def check(tree: xr.DataTree, *, allow_failed: bool = False) -> Diagnostics:
    """Apply the gate: stamp ``diagnostics_status`` on the tree, raise ``DiagnosticsError`` unless allowed."""
    diag = compute(tree)
    tree.attrs["diagnostics_status"] = diag.status
    tree.attrs["max_rhat"] = float(diag.max_rhat)
    tree.attrs["min_ess_bulk"] = float(diag.min_ess_bulk)
    tree.attrs["min_ess_tail"] = float(diag.min_ess_tail)
    tree.attrs["divergences"] = int(diag.divergences)
    if not diag.ok and not allow_failed:
        raise DiagnosticsError(diag)
    return diag
