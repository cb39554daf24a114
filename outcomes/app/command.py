"""``outcomes app``: serve the decision aid on localhost (imports Panel only when the command runs)."""

from __future__ import annotations

import argparse

from outcomes.cliutil import number
from outcomes.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("app", help="serve the decision-aid web page for the clinic (127.0.0.1 by default)")
    p.add_argument("--profile", default=None, help="starting patient profile YAML (default: the shipped seed patient)")
    p.add_argument("--registry", default=None, help="registry folder (default: the shipped priors/)")
    p.add_argument(
        "--posterior", default=None, help="posterior .nc written by 'outcomes update' (default: the verified trials)"
    )
    p.add_argument(
        "--data",
        default="default",
        help="study counts CSV to update the cited rates with (default: the verified trials)",
    )
    p.add_argument("--prior-only", action="store_true", help="the seed view: the cited rates alone (no study data)")
    p.add_argument("--port", type=number(int, 1), default=5006, help="port (default 5006)")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--draws", type=number(int), default=4000, help="parameter draws (default 4000)")
    p.add_argument("--seed", type=number(int), default=0, help="random seed (default 0)")
    p.add_argument("--show", action="store_true", help="open the page in the default browser")
    p.add_argument("--allow-failed", action="store_true", help="use a posterior whose diagnostics failed (stamped)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.port > 65535:
        raise InputError("option --port", None, None, f"got {args.port}; allowed: a whole number from 1 to 65535")
    from outcomes.app.server import serve

    try:
        serve(
            profile=args.profile,
            registry=args.registry,
            posterior=args.posterior,
            port=args.port,
            address=args.address,
            n_draws=args.draws,
            seed=args.seed,
            allow_failed=args.allow_failed,
            data=args.data,
            prior_only=args.prior_only,
            show=args.show,
        )
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise InputError(
            f"option --port {args.port} / --address {args.address}",
            None,
            None,
            f"cannot listen there ({exc.strerror or exc}); allowed: a free port on an address of this machine",
        ) from None
    return 0
