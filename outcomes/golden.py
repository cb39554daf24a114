"""Golden numbers: the default report's decision summary at its fixed seed, committed as
``tests/golden/default_summary.json`` so that any change of code or dependency that moves a number a patient is
shown is seen (``tests/test_golden.py``).

Regenerate with ``make golden`` (``python -m outcomes.golden --write``), and say in the commit that regenerates it
why the numbers moved. ``python -m outcomes.golden`` alone compares and lists every number that moved (exit 1).

What is pinned: every rate with its 90% interval (as a proportion and out of 100, with its words), every
difference, the preferred option, the expected net outcome and its interval, the probability that each option is
best (at the report's weight and along the preference curve) and the flip weights. The run is the default report's:
the shipped registry and profile with the ``outcomes report`` option defaults (weight, draws, seed). The summary is
taken through ``pipeline.compare(...).summary`` only, so refactoring what lies beneath keeps this working.

Tolerance: the numbers are deterministic for a seed and the locked versions (the simulation's streams depend only
on the seed, not on the number of threads), so floats must agree to ``REL_TOL`` relative (``ABS_TOL`` near zero:
round-off between CPUs, never a real change); integers, words and option names exactly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from outcomes import provenance

GOLDEN_FILE = Path(__file__).resolve().parent.parent / "tests" / "golden" / "default_summary.json"
COMMAND = "make golden"
REL_TOL = 1e-9
ABS_TOL = 1e-12


def report_defaults() -> dict[str, Any]:
    """The ``outcomes report`` option defaults (weight, draws, seed): the golden run is the default report's."""
    from outcomes.cli import build_parser

    args = build_parser().parse_args(["report"])
    return {"weight": args.weight, "n_draws": args.draws, "seed": args.seed}


def _plain(x: Any) -> Any:
    """JSON-ready: numpy scalars to Python numbers, tuples to lists, keys to strings."""
    if hasattr(x, "item") and not isinstance(x, (list, dict, str)):
        return x.item()
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def summary_numbers(summary: Any) -> dict[str, Any]:
    """The decision summary's numbers a patient or clinician is shown (from a ``DecisionSummary``)."""
    prob_best = summary.prob_best.reset_index()
    prob_best.columns = [str(c) for c in prob_best.columns]
    return _plain(
        {
            "rates": summary.rates.to_dict(orient="records"),
            "differences": summary.differences.to_dict(orient="records"),
            "weight": summary.weight,
            "preferred": summary.preferred,
            "expected_net": summary.expected_net,
            "net_interval": summary.net_interval,
            "prob_best_at_weight": summary.prob_best_at_weight,
            "prob_best": prob_best.to_dict(orient="records"),
            "flips": summary.flips,
        }
    )


def compute() -> dict[str, Any]:
    """Run the default report's decision and return the golden document (inputs, versions, numbers)."""
    from outcomes.pipeline import compare

    options = report_defaults()
    decision = compare(None, **options)  # the shipped default profile and registry
    prov = decision.summary.provenance
    return {
        "about": (
            "The default report's decision summary at its fixed seed. Regenerate with "
            f"'{COMMAND}' and say in that commit why the numbers moved."
        ),
        "inputs": {
            **options,
            "profile_digest": prov.profile_digest,
            "evidence_version": prov.evidence_version,
            "n_patients": prov.n_patients,
            "time_frame": prov.time_frame,
        },
        "tolerance": {"float_rel": REL_TOL, "float_abs": ABS_TOL, "other": "exact"},
        "versions": provenance.versions(),  # which code made them (shown, not compared)
        "summary": summary_numbers(decision.summary),
    }


def compare(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Every place where ``actual`` differs from ``expected`` beyond the tolerance, one line each."""
    where = path or "(top)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in actual]
        out += [f"{path}.{k}: not in the golden file" for k in actual if k not in expected]
        for k in expected:
            if k in actual:
                out += compare(actual[k], expected[k], f"{path}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{where}: {len(actual)} items, golden {len(expected)}"]
        return [
            line
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for line in compare(a, e, f"{path}[{i}]")
        ]
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(actual, bool | str | None) or isinstance(expected, bool | str | None):
            return [f"{where}: {actual!r}, golden {expected!r}"]
        a, e = float(actual), float(expected)
        if math.isnan(a) and math.isnan(e):
            return []
        if math.isclose(a, e, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
        rel = abs(a - e) / abs(e) if e else math.inf
        return [f"{where}: {a!r}, golden {e!r} (relative change {rel:.2g})"]
    if type(actual) is not type(expected) or actual != expected:
        return [f"{where}: {actual!r}, golden {expected!r}"]
    return []


def check(golden_file: Path = GOLDEN_FILE) -> list[str]:
    """The numbers that moved against the committed golden file (inputs and numbers; versions are not compared)."""
    golden = json.loads(golden_file.read_text())
    now = compute()
    return compare(now["inputs"], golden["inputs"], "inputs") + compare(now["summary"], golden["summary"], "summary")


def write(golden_file: Path = GOLDEN_FILE) -> Path:
    """Recompute and write the golden file atomically."""
    doc = compute()
    golden_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=golden_file.parent, prefix=".golden-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, indent=1, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, golden_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return golden_file


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m outcomes.golden", description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true", help="recompute and write the golden file (then commit it)")
    p.add_argument("--file", type=Path, default=GOLDEN_FILE, help=f"golden file (default {GOLDEN_FILE})")
    args = p.parse_args(argv)
    if args.write:
        print(f"Golden numbers written to {write(args.file)}; say in the commit why they moved.")
        return 0
    moved = check(args.file)
    for line in moved:
        print(line)
    print(f"{len(moved)} number(s) moved against {args.file}" if moved else "Golden numbers unchanged.")
    return 1 if moved else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
