"""Atomic writes: a reader never sees half a file or half a folder, and a failed run leaves nothing behind.

``write_file_atomically`` writes through a temporary sibling and renames it over the target; the report, the
batch charts and the cohort result use ``outcomes.report.build.write_report_atomically`` for whole folders, on the
same principle (a temporary sibling folder renamed into place).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_file_atomically(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` for a temporary file beside ``path``, then rename it over ``path``.

    The folder is created if needed; on any error the temporary file is removed and the error raised.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
