"""Command line: ``outcomes evidence | report | update | voi | cohort``.

The only place that turns an ``InputError`` into one line on stderr and exit code 2. Heavy modules are
imported inside each command, so ``outcomes evidence`` never imports pymc, arviz or matplotlib.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn, TextIO

from outcomes.cliutil import Progress, add_decision_options, headless_matplotlib
from outcomes.errors import InputError

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as one line and exit 2 (its own default is a usage dump)."""

    def error(self, message: str) -> NoReturn:  # pragma: no cover - exercised through main()
        raise InputError("command line", None, None, message)


def _cmd_evidence(args: argparse.Namespace) -> int:
    import pandas as pd

    from outcomes.elicit import elicit, evidence_table
    from outcomes.registry import load_registry

    if args.refresh_cache:
        return _refresh_cache(args)
    registry = load_registry(args.registry)
    table = evidence_table(registry, elicit(registry))
    shown = table.assign(
        prior_mean=table.prior_mean.map(lambda v: f"{v:.3f}"),
        interval=[f"{lo:.3f}-{hi:.3f}" for lo, hi in zip(table.interval_low, table.interval_high, strict=True)],
        ess=table.ess.map(lambda v: "" if pd.isna(v) else f"{v:.0f}"),
        used=table.used.map({True: "yes", False: "no (shown only)"}),
    )[["id", "strategy", "outcome", "cited", "prior_mean", "interval", "ess", "grade", "source", "used"]]
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 48):
        print(f"Evidence version {registry.version}  (registry: {registry.path})")
        print("Prior mean and 90% interval: probability for rates, odds ratio for effects; ess = alpha + beta.")
        print(shown.to_string(index=False))
    return 0


def _refresh_cache(args: argparse.Namespace) -> int:
    """``outcomes evidence --refresh-cache``: recompute the shipped maxent results for the shipped registry."""
    from pathlib import Path

    from outcomes.elicit import SHIPPED_CACHE, preliz_version, refresh_shipped_cache, shipped_ranges
    from outcomes.registry import default_registry_path, load_registry

    if args.registry is not None and Path(args.registry).resolve() != default_registry_path().resolve():
        raise InputError(
            "command line",
            None,
            "--refresh-cache",
            f"refreshes the results shipped for the shipped registry ({default_registry_path()}) only; "
            "allowed: --refresh-cache without --registry",
        )
    registry = load_registry()  # validated first: nothing is written for a broken registry
    path = refresh_shipped_cache(registry, SHIPPED_CACHE)
    print(f"Shipped maxent results refreshed with PreliZ {preliz_version()}: {len(shipped_ranges(registry))} ranges")
    print(f"  {path}  (commit it with the priors/ edit)")
    return 0


def _voi_section(decision) -> dict:
    """The report's "What the answer depends on" section (clinician part; single-input EVPPI)."""
    from outcomes.voi.analysis import report_section

    return report_section(decision)


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from outcomes.atomic import write_folder_atomically
    from outcomes.pipeline import compare
    from outcomes.report import ReportInputs, build_report

    headless_matplotlib()
    profile = Path(args.profile) if args.profile else None
    out = Path(args.out) if args.out else Path("reports") / (profile.stem if profile else "default")
    progress = Progress(["load", "priors", "draws", "simulate", "summarize", "charts", "tables", "html"], "report")
    try:
        decision = compare(
            profile,
            registry=args.registry,
            posterior=args.posterior,
            weight=args.weight,
            n_draws=args.draws,
            seed=args.seed,
            step=progress,
            allow_failed=args.allow_failed,
            cli=True,
            data=args.data,
            prior_only=args.prior_only,
        )
        extra: tuple[dict, ...] = ()
        if decision.evidence == "trials":  # beside it, what the guideline summary alone would say
            from outcomes.report.evidence import comparison_section

            seed_view = compare(
                decision.profile,
                registry=decision.registry,
                weight=args.weight,
                n_draws=args.draws,
                seed=args.seed,
                cli=True,
                prior_only=True,
            )
            extra = (comparison_section(decision, seed_view),)
        written = write_folder_atomically(
            out,
            lambda folder: build_report(
                ReportInputs(decision, extra_sections=extra, section_makers=(_voi_section,)), folder, progress
            ),
            name="option --out",
        )
    finally:
        progress.close()
    s = decision.summary
    print(f"Report written to {written / 'report.html'}")
    print(s.provenance.line())
    for strategy, v in s.expected_net.items():
        print(
            f"  {strategy:14s} net per 100 at weight {s.weight:g}: {100 * v:6.1f}   "
            f"P(best) {s.prob_best_at_weight[strategy]:.2f}"
        )
    print(f"  {s.flip_text()}")
    return 0


def _cmd_charts(args: argparse.Namespace) -> int:
    from pathlib import Path

    from outcomes.atomic import write_folder_atomically
    from outcomes.report.batch import build_batch, decide_batch

    headless_matplotlib()
    names = [Path(p).stem for p in args.profiles]
    progress = Progress([*names, "charts"], "charts")
    try:
        decisions = decide_batch(
            args.profiles,
            step=progress,
            registry=args.registry,
            posterior=args.posterior,
            weight=args.weight,
            n_draws=args.draws,
            seed=args.seed,
            allow_failed=args.allow_failed,
            data=args.data,
            prior_only=args.prior_only,
        )
        progress("charts")
        written = write_folder_atomically(
            Path(args.out), lambda folder: build_batch(decisions, names, folder), name="option --out"
        )
    finally:
        progress.close()
    print(f"Charts for {len(names)} profile(s) written to {written} (comparison.csv beside them)")
    for name, d in zip(names, decisions, strict=True):
        print(f"  {name}: preferred at weight {d.summary.weight:g}: {d.summary.preferred}; {d.summary.flip_text()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="outcomes", description="Bayesian outcome charts for shared decisions in revision lumbar surgery.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evidence", help="print the evidence table with every prior and its source")
    ev.add_argument("--registry", default=None, help="registry folder (default: the shipped priors/)")
    ev.add_argument(
        "--refresh-cache",
        action="store_true",
        help="recompute the shipped maxent results with PreliZ after a range in priors/ changed (then commit them)",
    )
    ev.set_defaults(func=_cmd_evidence)

    rp = sub.add_parser("report", help="write the patient report (HTML + charts) for one profile")
    add_decision_options(rp)
    rp.add_argument("--out", default=None, help="output folder (default reports/<profile name>)")
    rp.set_defaults(func=_cmd_report)

    cp = sub.add_parser("charts", help="outcome charts for a batch of profiles, with a comparison table")
    cp.add_argument("profiles", nargs="+", metavar="PROFILE", help="profile YAML files")
    add_decision_options(cp, profile=False)
    cp.add_argument("--out", default="reports/charts", help="output folder (default reports/charts)")
    cp.set_defaults(func=_cmd_charts)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return p


_EXTRA_COMMANDS: list = []


def _register_update(sub) -> None:
    """``outcomes update`` (outcomes.update.command; imports no pymc until the command runs)."""
    from outcomes.update.command import register

    register(sub)


_EXTRA_COMMANDS.append(_register_update)


def _register_voi(sub) -> None:
    """``outcomes voi`` (outcomes.voi.command; the analysis is imported only when the command runs)."""
    from outcomes.voi.command import register

    register(sub)


_EXTRA_COMMANDS.append(_register_voi)


def _register_cohort(sub) -> None:
    """``outcomes cohort`` (outcomes.cohort.command; Dask and the model are imported only when the command runs)."""
    from outcomes.cohort.command import register

    register(sub)


def _register_app(sub) -> None:
    """``outcomes app`` (outcomes.app.command; Panel is imported only when the command runs)."""
    from outcomes.app.command import register

    register(sub)


_EXTRA_COMMANDS.append(_register_cohort)
_EXTRA_COMMANDS.append(_register_app)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings meant for the user (``cli_note = True``) as one "note:" line; others as Python shows them."""
    if getattr(category, "cli_note", False):
        print(f"outcomes: note: {message}", file=sys.stderr)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOWWARNING = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
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
