"""Typed results of the value-of-information analysis: a table, and its scalars as fields beside it.

pandas drops ``DataFrame.attrs`` on many operations (slicing, ``concat``, ``merge``), so a number that belongs to
a whole table -- the EVPI an EVPPI table is a share of, the two leading strategies a tornado compares and their
flip weight -- is a field of a frozen dataclass next to the table, never an attr of it. Each result shows itself
in Jupyter (``_repr_html_``): one line with its scalars in plain words, the table, and the time frame, evidence
version and disclaimer every page carries.

* ``EvppiResult``   -- ``outcomes.voi.core.evppi_table``: EVPPI per input and group, with the EVPI at that weight;
* ``TornadoResult`` -- ``outcomes.voi.core.tornado``: one-way sensitivity, with the leading pair and its flip weight;
* ``PowerSensitivityResult`` (in ``outcomes.voi.sensitivity``, on this base) -- power-scaling sensitivity of a
  posterior, with its threshold and the posterior it read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from html import escape
from typing import Any

import pandas as pd

from outcomes.wording import DISCLAIMER

UNITS = "net improvements per 100 patients like this one"
_HTML_ROWS = 30
"""Rows of a table shown when pandas' notebook view is switched off (``display.notebook_repr_html``)."""


@dataclass(frozen=True, eq=False, kw_only=True)
class TableResult:
    """A table of the value-of-information analysis with the scalars that belong to the whole table.

    Frozen: the fields cannot be reassigned (the table itself is an ordinary DataFrame). No equality by value
    (comparing DataFrames has no single truth value); compare ``table`` and ``scalars()`` instead.

    Attributes
    ----------
    table : pandas.DataFrame
        The rows (see the subclass).
    weight : float
        The preference weight (how many improvements one harm cancels) every row is computed at.
    time_frame : str
        The decision model's time frame, e.g. ``"2 years"``.
    evidence_version : str
        The evidence version of the draws the table was computed from.
    diagnostics_status : str
        ``"ok"``, or why the posterior behind the draws failed its diagnostics (then shown on every view).
    """

    table: pd.DataFrame
    weight: float
    time_frame: str
    evidence_version: str
    diagnostics_status: str = "ok"

    def heading(self) -> str:
        """One line with the table's scalars in plain words (each result says its own)."""
        raise NotImplementedError

    def scalars(self) -> dict[str, Any]:
        """Every field but the table, as a plain dict (for ``voi.json``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "table"}

    def provenance_line(self) -> str:
        """Time frame, evidence version (and a failing fit's status), as on every chart and page."""
        line = f"Time frame: {self.time_frame}; evidence version {self.evidence_version}"
        if self.diagnostics_status != "ok":
            line += f"; FIT DIAGNOSTICS FAILING ({self.diagnostics_status})"
        return line

    def _repr_html_(self) -> str:
        # pandas' own notebook view honours the reader's display options (rows, columns, column width)
        table = self.table._repr_html_() or self.table.to_html(max_rows=_HTML_ROWS)
        return (
            f"<div><p><b>{escape(self.heading())}</b></p>{table}"
            f"<small>{escape(self.provenance_line())}. {escape(DISCLAIMER)}</small></div>"
        )


def _number(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}" if math.isfinite(x) else "not defined"


@dataclass(frozen=True, eq=False, kw_only=True)
class EvppiResult(TableResult):
    """EVPPI of every parameter, effect and group at one weight, and the EVPI each is a share of.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per input or group, largest EVPPI first: ``name``, ``kind`` (parameter, effect or group),
        ``weight``, ``evppi``, ``se``, ``low``, ``high`` (90% interval), ``share_of_evpi``, ``used_by`` (the
        strategies whose net outcome uses it), ``members``, ``sources`` (registry records) and ``method``.
    evpi : float
        EVPI at ``weight``, in net improvements per 100 patients like this one: what knowing every input would
        gain. Every row's EVPPI is at most this (up to Monte Carlo error).
    evpi_se : float
        The Monte Carlo standard error of ``evpi``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"name": ["a", "b"], "evppi": [0.5, 0.2]})
    >>> r = EvppiResult(table=table, weight=1.0, evpi=2.0, evpi_se=0.1, time_frame="2 years", evidence_version="v1")
    >>> r.heading()
    'EVPPI at weight 1: ... knowing every input (EVPI) is worth 2.00 (± 0.10) net improvements per 100 patients ...'
    >>> r.table.iloc[:1].attrs, r.evpi  # the scalar is a field: slicing the table cannot lose it
    ({}, 2.0)
    """

    evpi: float
    evpi_se: float

    def heading(self) -> str:
        return (
            f"EVPPI at weight {self.weight:g}: the value of knowing each input; knowing every input (EVPI) is worth "
            f"{_number(self.evpi)} (± {_number(self.evpi_se)}) {UNITS}"
        )


@dataclass(frozen=True, eq=False, kw_only=True)
class TornadoResult(TableResult):
    """One-way sensitivity: each input at the ends of its interval, with the two leading strategies compared.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per input, largest ``swing`` first: ``name``, ``kind``, ``interval_from`` (prior or the draws),
        ``low_value``/``high_value``, per strategy ``nb_<s>_low``/``_high``/``_base`` and ``delta_<s>`` (expected
        net outcome per 100), ``inb_low``/``inb_high``/``inb_base`` (the leading pair's difference),
        ``flip_low``/``flip_high`` (their flip weight with the input at each end) and ``swing``.
    pair : tuple of str
        The preferred strategy and the runner-up at ``weight`` on the current evidence (by expected net outcome).
    flip_base : float
        The weight where the two trade places on the current evidence; NaN if they never do at a weight >= 0.
    inb_base : float
        The preferred strategy's expected net outcome minus the runner-up's, per 100, on the current evidence.
    mass : float
        The probability mass of the interval each input is moved across (0.9: its 90% interval).

    Examples
    --------
    >>> import pandas as pd
    >>> r = TornadoResult(table=pd.DataFrame({"name": ["a"]}), weight=1.0, pair=("fusion", "decompression"),
    ...                   flip_base=1.64, inb_base=2.5, mass=0.9, time_frame="2 years", evidence_version="v1")
    >>> r.heading()
    'Tornado at weight 1: fusion ahead of decompression by 2.50 ...; they trade places at weight 1.64; ... 90% interval'
    >>> r.scalars()["pair"]
    ('fusion', 'decompression')
    """

    pair: tuple[str, str]
    flip_base: float
    inb_base: float
    mass: float

    def heading(self) -> str:
        a, b = self.pair
        flip = (
            f"they trade places at weight {self.flip_base:.2f}"
            if math.isfinite(self.flip_base)
            else "they do not trade places at any weight"
        )
        return (
            f"Tornado at weight {self.weight:g}: {a} ahead of {b} by {_number(self.inb_base)} {UNITS}; {flip}; "
            f"each input at the ends of its {self.mass:.0%} interval"
        )


__all__ = ["EvppiResult", "TableResult", "TornadoResult"]
