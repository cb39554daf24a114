"""``outcomes update``: fit the study data, print diagnostics and the conflict table, save the posterior.

    outcomes update --data FILE [--registry DIR] [--pooling none|random] [--method auto|exact|mcmc]
                    [--draws N] [--seed S] [--out posterior.nc] [--allow-failed] [--sampler auto|nutpie|pymc]

Importing this module imports neither pymc nor arviz (the handler imports the update code when it runs).
A bad data file or option is an ``InputError`` (one line per problem, exit 2, nothing written); a fit that
fails its diagnostics exits 1 without writing unless ``--allow-failed``.
"""

from __future__ import annotations

import argparse
import sys

from outcomes.cliutil import number
from outcomes.errors import InputError

EXIT_DIAGNOSTICS_FAILED = 1


def register(sub) -> None:
    """Add the ``update`` subcommand to an argparse subparsers object."""
    from outcomes.update import DEFAULT_DRAWS, DEFAULT_SEED, METHODS
    from outcomes.update.spec import POOLINGS

    up = sub.add_parser(
        "update",
        help="update the priors with study data (PyMC) and save the posterior",
        description="Update the registry priors with study counts; print diagnostics and the "
        "prior-data conflict table; write the posterior (netCDF) atomically.",
    )
    up.add_argument("--data", required=True, help="study CSV file (format: outcomes/update/data.py)")
    up.add_argument("--registry", default=None, help="registry folder (default: the shipped priors/)")
    up.add_argument(
        "--pooling",
        choices=POOLINGS,
        default="random",
        help="several studies of one quantity: random effects (default) or one common probability",
    )
    up.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="exact (conjugate, no MCMC), mcmc (NUTS), or auto: exact when valid (default)",
    )
    up.add_argument(
        "--draws",
        type=number(int, minimum=1),
        default=DEFAULT_DRAWS,
        help=f"draws per chain, 4 chains (exact: 4x as many from one chain); default {DEFAULT_DRAWS}",
    )
    up.add_argument(
        "--seed", type=number(int, minimum=0), default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    up.add_argument("--out", default="posterior.nc", help="output file (default posterior.nc)")
    up.add_argument(
        "--sampler",
        choices=("auto", "nutpie", "pymc"),
        default="auto",
        help="NUTS implementation (default auto: nutpie when installed)",
    )
    up.add_argument(
        "--allow-failed",
        action="store_true",
        help="keep a fit that fails its diagnostics, stamped diagnostics_status='failing: ...'",
    )
    up.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from outcomes.elicit import elicit
    from outcomes.registry import load_registry
    from outcomes.update import fit, load_studies
    from outcomes.update.conflict import conflict_table, conflict_text
    from outcomes.update.io import save_posterior
    from outcomes.update.spec import build_spec

    registry = load_registry(args.registry)
    data = load_studies(args.data, registry.model)  # InputError -> exit 2, nothing written
    priors = elicit(registry)
    spec = build_spec(data, priors, args.pooling)
    if args.method == "exact" and not spec.exact_ok:
        raise InputError(
            str(data.path), None, "method", f"'exact' does not apply ({spec.exact_reason}); allowed: auto or mcmc"
        )
    out = sys.stdout
    print(
        f"Evidence version {registry.version}; data {data.path} ({data.data_hash}); "
        f"{len(data.studies)} rows, {len(data.parameters)} quantities; pooling {args.pooling}",
        file=out,
    )
    _print_populations(spec, out)
    for s in data.unused:
        print(f"  not used (use = no): {s.label} {s.events}/{s.total} ({s.design}, {s.time_frame})", file=out)
    method = "exact" if args.method == "exact" or (args.method == "auto" and spec.exact_ok) else "mcmc"
    if method == "mcmc" and args.method == "auto":
        print(f"MCMC needed: {spec.exact_reason}", file=out)
    from outcomes.update.diagnostics import DiagnosticsError

    try:
        tree = fit(
            data,
            priors,
            pooling=args.pooling,
            method=method,
            draws=args.draws,
            seed=args.seed,
            sampler=args.sampler,
            allow_failed=args.allow_failed,
            progress=sys.stderr.isatty(),
        )
    except DiagnosticsError as err:
        print(err.diagnostics.text(), file=out)
        print(f"outcomes: {err}", file=sys.stderr)
        print("outcomes: nothing written", file=sys.stderr)
        return EXIT_DIAGNOSTICS_FAILED
    print(f"Method: {tree.attrs['method']} ({tree.attrs['sampler']}), seed {tree.attrs['seed']}", file=out)
    if tree.attrs["method"] == "mcmc":
        from outcomes.update.diagnostics import compute

        print(compute(tree).text(), file=out)
    else:
        print("Diagnostics: not needed (independent draws from the exact posterior)", file=out)
    print(conflict_text(conflict_table(tree)), file=out)
    path = save_posterior(tree, args.out)
    print(f"Wrote {path} (diagnostics: {tree.attrs['diagnostics_status']})", file=out)
    return 0


def _print_populations(spec, out) -> None:
    """Which covariate mix each study is taken to have."""
    print(
        "Study populations (covariates that shift a study's log-odds; a covariate not given is taken at the "
        "reference population of its effect):",
        file=out,
    )
    registry = spec.priors.registry
    time_frame = registry.model.time_frame
    for i, s in enumerate(spec.data.studies):
        moved = [f"{e} x {spec.shifts[i, j]:+.2f}" for j, e in enumerate(spec.effects) if spec.shifts[i, j]]
        ref = []
        for c in spec.assumed_reference[i]:
            refs = [
                f"{registry.effect(e).reference:g}"
                for e in spec.priors.effects
                if registry.effect(e).covariate == c and s.parameter in registry.effect(e).targets
            ]
            ref.append(f"{c} = reference ({', '.join(refs)})")
        parts = (["shift: " + "; ".join(moved)] if moved else ["no shift"]) + (
            ["not given: " + "; ".join(ref)] if ref else []
        )
        if s.time_frame != time_frame:
            parts.append(f"time frame differs from the model's {time_frame}")
        print(f"  {s.label} {s.events}/{s.total} ({s.design}, {s.time_frame}): " + "; ".join(parts), file=out)
