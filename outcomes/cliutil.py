"""Small pieces shared by the command modules (``cli.py``, ``update/command.py``, ``voi/command.py``):
argparse number types whose errors name the option, and a progress display that is silent off a terminal."""

from __future__ import annotations

import argparse
import sys


def number(kind, minimum=None):
    """An argparse ``type`` for ``int`` or ``float``; a bad value becomes one line naming the option."""
    word = "whole number" if kind is int else "number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {word}") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = word
    return parse


def add_decision_options(parser, *, profile: bool = True) -> None:
    """The options every command that runs the decision for a profile shares (report, charts, voi)."""
    if profile:
        parser.add_argument("--profile", default=None, help="patient profile YAML (default: the shipped seed patient)")
    parser.add_argument("--registry", default=None, help="registry folder (default: the shipped priors/)")
    parser.add_argument(
        "--posterior", default=None, help="posterior .nc written by 'outcomes update' (an MCMC fit, for example)"
    )
    parser.add_argument(
        "--data",
        default="default",
        help="study counts CSV to update the cited rates with, exactly (default: the shipped verified trials, "
        "studies/verified_trials.csv, for the shipped registry)",
    )
    parser.add_argument(
        "--prior-only",
        action="store_true",
        help="the seed view: the cited rates alone, as the guideline summary gives them (no study data)",
    )
    parser.add_argument(
        "--weight", type=number(float), default=1.0, help="how many improvements one harm cancels, 0 to 100 (default 1)"
    )
    parser.add_argument("--draws", type=number(int), default=4000, help="parameter draws (default 4000)")
    parser.add_argument("--seed", type=number(int), default=0, help="random seed (default 0)")
    parser.add_argument(
        "--allow-failed",
        action="store_true",
        help="use a posterior whose diagnostics failed (every output is stamped as failing)",
    )


def headless_matplotlib() -> None:
    """Commands write files only: use the Agg backend (never a window, even on a desktop) unless the user chose
    one with MPLBACKEND. Called by the command handlers, not at import, so a notebook keeps its inline backend."""
    import os

    if not os.environ.get("MPLBACKEND"):
        import matplotlib

        matplotlib.use("Agg")


class Progress:
    """A tqdm bar over named steps on a terminal; silent when stderr is not a terminal."""

    def __init__(self, steps: list[str], desc: str):
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=len(steps), desc=desc, unit="step", leave=False, file=sys.stderr)
        self.seen = 0

    def __call__(self, name: str) -> None:
        if self.bar is not None:
            if self.seen:
                self.bar.update(1)
            self.bar.set_postfix_str(name)
        self.seen += 1

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
