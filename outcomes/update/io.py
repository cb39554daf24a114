"""Save and load an update result as netCDF (one DataTree: every group and attribute kept).

``save_posterior`` writes atomically: to a temporary file in the destination folder, then ``os.replace``,
so a reader never sees a half-written posterior and a failed write leaves any earlier file untouched.
No pymc or arviz import.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Final

import xarray as xr

ENGINE: Final = "h5netcdf"


def save_posterior(tree: xr.DataTree, path: Path | str) -> Path:
    """Write ``tree`` to ``path`` (netCDF4 via h5netcdf) atomically; returns the path."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        tree.to_netcdf(tmp, engine=ENGINE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def load_fit(path: Path | str) -> xr.DataTree:
    """Read a saved update result fully into memory (the file is closed on return)."""
    with xr.open_datatree(Path(path), engine=ENGINE) as tree:
        return tree.load().copy(deep=True)
