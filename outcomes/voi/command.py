"""``outcomes voi``: which evidence drives the decision, on the patient's scale.

    outcomes voi [--profile FILE] [--registry DIR] [--posterior FILE] [--weight W] [--weights LO:HI:N]
                 [--study-sizes 50,100,400] [--study-on PARAM,...] [--draws D] [--seed S] [--out DIR]

Writes ``voi.csv`` (every table), one CSV per table, ``voi.json`` and the charts (PNG and SVG) into the
output folder atomically. Importing this module imports nothing heavy (the handler imports the analysis).
"""

from __future__ import annotations

import argparse
import math

from outcomes.cliutil import Progress, add_decision_options, headless_matplotlib
from outcomes.errors import InputError

MAX_STUDY_SIZE = 10_000
MAX_WEIGHT_POINTS = 2_000


def parse_weights(text: str):
    """``LO:HI:N`` -> N weights from LO to HI (0 <= LO < HI, N >= 2); anything else is an InputError."""
    import numpy as np

    from outcomes.pipeline import MAX_WEIGHT

    bad = InputError("option --weights", None, None, f"got '{text}'; allowed: LO:HI:N with 0 <= LO < HI, N >= 2")
    parts = str(text).split(":")
    if len(parts) != 3:
        raise bad
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise bad from None
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo < hi <= MAX_WEIGHT and 2 <= n <= MAX_WEIGHT_POINTS):
        raise bad
    return np.linspace(lo, hi, n)


def parse_study_sizes(text: str) -> list[int]:
    """``50,100,400`` -> sorted distinct sizes from 1 to 10000; anything else is an InputError."""
    bad = InputError(
        "option --study-sizes",
        None,
        None,
        f"got '{text}'; allowed: comma-separated whole numbers from 1 to {MAX_STUDY_SIZE}, e.g. 50,100,400",
    )
    items = [s.strip() for s in str(text).split(",")]
    if not items or any(not s for s in items):
        raise bad
    try:
        sizes = [int(s) for s in items]
    except ValueError:
        raise bad from None
    if any(not (1 <= n <= MAX_STUDY_SIZE) for n in sizes):
        raise bad
    return sorted(set(sizes))


def register(sub) -> None:
    """Add the ``voi`` subcommand to an argparse subparsers object."""
    vp = sub.add_parser(
        "voi",
        help="value of information: which evidence drives this patient's decision",
        description="EVPI over weights, EVPPI per parameter/effect/group, EVSI of new studies, "
        "tornado and prior sensitivity, in net improvements per 100 patients like "
        "this one.",
    )
    add_decision_options(vp)
    vp.add_argument("--weights", default="0:5:50", help="EVPI weight grid LO:HI:N (default 0:5:50)")
    vp.add_argument(
        "--study-sizes",
        default="25,50,100,200,400,1000",
        help="new-study sizes for EVSI, comma-separated (default 25,50,100,200,400,1000)",
    )
    vp.add_argument(
        "--study-on",
        default=None,
        help="parameters or registry record ids for EVSI, comma-separated (default: the 3 largest EVPPIs)",
    )
    vp.add_argument("--out", default=None, help="output folder (default reports/voi-<profile name>)")
    vp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from outcomes.pipeline import check_options

    # every option is checked before anything is computed or written
    weights = parse_weights(args.weights)
    sizes = parse_study_sizes(args.study_sizes)
    check_options(args.weight, args.draws, args.seed, cli=True)
    targets = [t.strip() for t in args.study_on.split(",") if t.strip()] if args.study_on else None

    from outcomes.atomic import write_folder_atomically
    from outcomes.voi.analysis import run_voi, write_outputs

    profile = Path(args.profile) if args.profile else None
    out = Path(args.out) if args.out else Path("reports") / f"voi-{profile.stem if profile else 'default'}"
    headless_matplotlib()
    progress = Progress(["load", "draws", "evpi", "evppi", "evsi", "tornado", "sensitivity", "tables", "charts"], "voi")
    try:
        try:
            result = run_voi(
                profile,
                registry=args.registry,
                posterior=args.posterior,
                weight=args.weight,
                weights=weights,
                study_sizes=sizes,
                study_targets=targets,
                n_draws=args.draws,
                seed=args.seed,
                allow_failed=args.allow_failed,
                step=progress,
                cli=True,
                data=args.data,
                prior_only=args.prior_only,
            )
        except KeyError as exc:  # an unknown --study-on name
            raise InputError("option --study-on", None, None, f"{exc.args[0]}") from None
        written = write_folder_atomically(
            out, lambda folder: write_outputs(result, folder, progress), name="option --out"
        )
    finally:
        progress.close()
    print(f"Value of information written to {written}")
    print(
        f"Units: net improvements per 100 patients like this one, at weight {result.weight:g}; "
        f"evidence version {result.evidence_version}; "
        f"{result.provenance['origin']} draws: {result.provenance['n_draws']}"
    )
    print(
        f"  EVPI {result.evpi_at_weight:.2f}; EVPI peaks at weight {result.peak_weight:.2f}; "
        + (
            "flips: " + "; ".join(f"{f['from']}->{f['to']} at {f['weight']:.2f}" for f in result.flips)
            if result.flips
            else "no flip in the weight range"
        )
    )
    for r in result.evppi.table.head(5).itertuples():
        print(f"  EVPPI {r.name:42s} {r.evppi:7.2f} +/- {r.se:.2f}")
    return 0
