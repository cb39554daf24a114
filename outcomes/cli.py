"""Command line: ``outcomes evidence | report | update | voi``.

The only place that turns an ``InputError`` into one line on stderr and exit code 2. Heavy modules are
imported inside each command, so ``outcomes evidence`` never imports pymc, arviz or matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from outcomes.errors import InputError

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as one line and exit 2 (its own default is a usage dump)."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        raise InputError("command line", None, None, message)


def _cmd_evidence(args: argparse.Namespace) -> int:
    import pandas as pd

    from outcomes.elicit import evidence_table, elicit
    from outcomes.registry import load_registry

    registry = load_registry(args.registry)
    table = evidence_table(registry, elicit(registry))
    shown = table.assign(
        prior_mean=table.prior_mean.map(lambda v: f"{v:.3f}"),
        interval=[f"{lo:.3f}-{hi:.3f}" for lo, hi in zip(table.interval_low, table.interval_high)],
        ess=table.ess.map(lambda v: "" if pd.isna(v) else f"{v:.0f}"),
        used=table.used.map({True: "yes", False: "no (shown only)"}),
    )[["id", "strategy", "outcome", "cited", "prior_mean", "interval", "ess", "grade", "source", "used"]]
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 48):
        print(f"Evidence version {registry.version}  (registry: {registry.path})")
        print("Prior mean and 90% interval: probability for rates, odds ratio for effects; ess = alpha + beta.")
        print(shown.to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="outcomes", description="Bayesian outcome charts for shared decisions in revision lumbar surgery.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evidence", help="print the evidence table with every prior and its source")
    ev.add_argument("--registry", default=None, help="registry folder (default: the shipped priors/)")
    ev.set_defaults(func=_cmd_evidence)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return p


_EXTRA_COMMANDS: list = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except InputError as err:
        for problem in err.problems:  # one line per mistake; a single mistake is a single line
            print(f"outcomes: error: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # pragma: no cover
        print("outcomes: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
