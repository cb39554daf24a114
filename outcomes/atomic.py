"""Atomic writes: a reader never sees half a file or half a folder, and a failed run leaves nothing behind.

``write_file_atomically`` writes through a temporary sibling file and renames it over the target (posterior
files, summaries, caches, synthetic cohorts); ``write_folder_atomically`` does the same for a whole folder (the
report, the batch charts, the value-of-information folder, the cohort result): a temporary sibling folder is
built, then renamed into place, replacing an old folder as a whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from outcomes.errors import InputError


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


def write_folder_atomically(
    out_dir: Path | str, build: Callable[[Path], object], *, name: str = "argument out"
) -> Path:
    """Run ``build(tmp_folder)`` in a temporary sibling of ``out_dir`` and move it into place only on success.

    An existing ``out_dir`` is replaced as a whole. Raises ``InputError`` naming ``name`` (the caller's argument,
    or on the command line its option, ``outcomes.errors.input_name``) when the folder cannot be written.
    """
    out_dir = Path(out_dir).resolve()
    parent = out_dir.parent
    where = f"{name} {out_dir}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise InputError(
            where, None, None, f"cannot write there ({exc.strerror or exc}); allowed: a folder you can write to"
        ) from None
    if out_dir.exists() and not out_dir.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(where, None, None, "is a file; allowed: a folder (new or existing)")
    try:
        build(tmp)
        os.chmod(tmp, 0o755)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
            os.replace(out_dir, old / "x")
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
