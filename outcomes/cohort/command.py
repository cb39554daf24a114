"""``outcomes cohort``: decision summaries for every patient of a cohort, or a synthetic cohort.

    outcomes cohort COHORT.(csv|parquet) --out RESULT.parquet [--registry DIR] [--posterior FILE]
                    [--data CSV | --prior-only] [--allow-failed] [--weight W] [--draws D] [--seed S]
                    [--subgroups FIELD,...] [--chunk-size N] [--scheduler ADDRESS]
    outcomes cohort --synthesize N --out cohort.(csv|parquet) [--seed S]

The result (partitioned Parquet, one row per patient and strategy) is written atomically; the cohort summary
goes beside it as ``RESULT_summary.csv`` and is printed. Importing this module imports nothing heavy.
"""

from __future__ import annotations

import argparse

from outcomes.cliutil import add_decision_options, number
from outcomes.errors import InputError


def register(sub) -> None:
    """Add the ``cohort`` subcommand to an argparse subparsers object."""
    cp = sub.add_parser(
        "cohort",
        help="decision summaries for every patient of a cohort (CSV or Parquet), on Dask",
        description="Per patient and strategy: expected benefit and harm per 100 with 90% intervals, net "
        "outcome, P(best), preferred option, flip weights and EVPI, from the same parameter draws as "
        "'outcomes report'. Columns: the decision model's profile fields (priors/model.yaml; the covariate "
        "fields are required), optional patient_id, weight and weight_<name>.",
    )
    cp.add_argument("cohort", nargs="?", default=None, metavar="COHORT", help="cohort table (.csv or .parquet)")
    add_decision_options(cp, profile=False)  # the report's defaults, so a patient's row matches their report
    for action in cp._actions:
        if action.dest == "weight":
            action.help = "default preference weight, 0 to 100, for patients without a 'weight' column (default 1)"
    cp.add_argument("--out", required=True, help="result folder (partitioned Parquet), or the synthetic cohort file")
    cp.add_argument(
        "--subgroups",
        default=None,
        metavar="FIELD,...",
        help="covariate fields to split the cohort summary by (default: every covariate field)",
    )
    cp.add_argument("--chunk-size", type=number(int, 1), default=None, help="patients per Dask task (default 20000)")
    cp.add_argument("--scheduler", default=None, help="address of a dask.distributed scheduler (default: local)")
    cp.add_argument(
        "--synthesize", type=number(int, 1), default=None, metavar="N", help="write a synthetic cohort of N patients"
    )
    cp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.synthesize is not None:
        if args.cohort is not None:
            raise InputError("command line", None, "COHORT", "give either a cohort file or --synthesize N, not both")
        from outcomes.cohort.synth import write_synthetic

        out = write_synthetic(args.synthesize, Path(args.out), seed=args.seed, cli=True)
        print(f"Synthetic cohort of {args.synthesize} patients written to {out}")
        return 0
    if args.cohort is None:
        raise InputError("command line", None, "COHORT", "is missing; allowed: a cohort .csv or .parquet file")
    from outcomes.cohort.run import DEFAULT_CHUNK, format_summary, run_cohort

    result = run_cohort(
        Path(args.cohort),
        Path(args.out),
        registry=args.registry,
        posterior=args.posterior,
        allow_failed=args.allow_failed,
        data=args.data,
        prior_only=args.prior_only,
        subgroups=[x.strip() for x in args.subgroups.split(",") if x.strip()] if args.subgroups else None,
        weight=args.weight,
        n_draws=args.draws,
        seed=args.seed,
        chunk_size=args.chunk_size if args.chunk_size is not None else DEFAULT_CHUNK,
        scheduler=args.scheduler,
        cli=True,
    )
    print(f"Decision summaries for {result.n_patients} patients written to {result.out} ({result.n_partitions} parts)")
    print(f"Cohort summary written to {result.summary_file}")
    print(format_summary(result))
    return 0
