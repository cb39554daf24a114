"""One error type for every mistake a user can make in an input file or option.

``InputError`` carries *where* (file, record or row id), *which field*, and *what is allowed*, and
formats them as one readable line. Several problems found in one pass are reported together
(``InputErrors``). Only ``cli.py`` turns these into a line on stderr and exit code 2.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from os import PathLike

_QUOTE = reprlib.Repr(maxlevel=2, maxlist=4, maxtuple=4, maxdict=4, maxset=4, maxstring=60, maxother=60, maxlong=40)


def quote(value: object) -> str:
    """``repr(value)`` bounded in length, for quoting a user's value in a message: a huge or deeply shared value
    (for example a YAML alias bomb) is shown as its first few items, never expanded in full."""
    return _QUOTE.repr(value)


def input_name(argument: str, option: str, *, cli: bool = False) -> str:
    """How an error names a caller's input: the command's option on the command line (``option --draws``), the
    function's argument otherwise (``argument n_draws``)."""
    return f"option {option}" if cli else f"argument {argument}"


@dataclass(frozen=True)
class Problem:
    file: str
    where: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + f": {self.message}"


class InputError(ValueError):
    """A user mistake in an input file or option. ``str(err)`` is one line per problem."""

    def __init__(
        self,
        file: str | PathLike[str],
        where: str | None = None,
        field: str | None = None,
        message: str = "invalid value",
        *,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = problems if problems else [Problem(str(file), where, field, message)]
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def collect(cls, problems: list[Problem]) -> InputError:
        return cls("", problems=list(problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]


class Problems:
    """Accumulate problems during validation, then raise them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str | PathLike[str], where: str | None, field: str | None, message: str) -> None:
        self.items.append(Problem(str(file), where, field, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError.collect(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)
