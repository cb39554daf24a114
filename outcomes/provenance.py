"""Which code produced a result: this package's version (from git, via setuptools-scm) and the versions of the
numerical libraries behind the numbers.

Versions are read from the installed packages' metadata (``importlib.metadata``), never by importing them, so the
report path, which must not import pymc or arviz, can record them too. ``summary.json``, the report's footer and a
saved posterior's netCDF attributes carry them.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

from outcomes import __version__

DEPENDENCIES: tuple[str, ...] = ("numpy", "scipy", "pymc", "arviz", "preliz", "nutpie")
"""The libraries whose version can move a number a patient is shown."""

NOT_INSTALLED = "not installed"


def package_version() -> str:
    """This package's version (``0.1.devN+gHASH`` between releases: the commit is in it)."""
    return __version__


@functools.cache
def _dependency_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return NOT_INSTALLED


def versions() -> dict[str, str]:
    """``{"outcomes": ..., "numpy": ..., ...}``: this package first, then ``DEPENDENCIES`` in order."""
    return {"outcomes": package_version(), **{name: _dependency_version(name) for name in DEPENDENCIES}}


def dependencies_text() -> str:
    """The dependencies' versions for a footer: ``numpy 2.3.1, scipy 1.16.0, ...``."""
    return ", ".join(f"{name} {_dependency_version(name)}" for name in DEPENDENCIES)


def netcdf_attrs() -> dict[str, str]:
    """Flat string attributes for a netCDF file: ``version_outcomes``, ``version_numpy``, ..."""
    return {f"version_{name}": v for name, v in versions().items()}
