"""Shared fixtures for the test suite.

* Every test runs with ``OUTCOMES_CACHE_DIR`` pointing at a session-wide temporary folder, so no test writes
  into the user's home (tests that study the cache itself point it somewhere else with ``monkeypatch``).
* ``alias_bomb(levels, width)`` is a "billion laughs" YAML flow list (width ** levels values once expanded).
* ``registry_copy`` is a private copy of the shipped ``priors/`` folder; ``edit_file`` changes one file's text;
  ``mutate_registry`` applies one edit action (as in ``tests/data/malformed_registries.yaml``) to a fresh copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRIORS_DIR = ROOT / "priors"
PROFILES_DIR = ROOT / "profiles"
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One maxent cache folder shared by the whole session (warms up once)."""
    return tmp_path_factory.mktemp("outcomes-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch: pytest.MonkeyPatch, session_cache_dir: Path) -> None:
    monkeypatch.setenv("OUTCOMES_CACHE_DIR", str(session_cache_dir))


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped registry folder."""
    dst = tmp_path / "priors"
    shutil.copytree(PRIORS_DIR, dst)
    return dst


@pytest.fixture
def edit_file() -> Callable[[Path, str, str], Path]:
    """``edit_file(path, old, new)``: replace text that occurs exactly once in ``path`` (fails loudly otherwise)."""

    def edit(path: Path, old: str, new: str) -> Path:
        text = path.read_text(encoding="utf-8")
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times in {path.name}; the edit must be unambiguous"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    return edit


@pytest.fixture
def mutate_registry(registry_copy: Path, edit_file) -> Callable[[dict], Path]:
    """``mutate_registry(action)``: apply ``{"replace": {file, old, new}}``, ``{"write": {file, text[, encoding]}}``
    or ``{"delete": {file}}`` to the registry copy and return the folder."""

    def mutate(action: dict) -> Path:
        if "replace" in action:
            a = action["replace"]
            edit_file(registry_copy / a["file"], a["old"], a["new"])
        elif "write" in action:
            a = action["write"]
            (registry_copy / a["file"]).write_bytes(a["text"].encode(a.get("encoding", "utf-8")))
        elif "delete" in action:
            (registry_copy / action["delete"]["file"]).unlink()
        else:
            raise ValueError(f"no edit action in {sorted(action)}")
        return registry_copy

    return mutate


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    names = [f"l{i}" for i in range(levels)]
    parts = [f"&{names[0]} [" + ", ".join(["lol"] * width) + "]"]
    parts += [f"&{names[i]} [" + ", ".join([f"*{names[i - 1]}"] * width) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


@pytest.fixture
def alias_bomb() -> Callable[..., str]:
    """``alias_bomb(levels=9, width=9)``: a YAML flow list that expands to about width ** levels values."""
    return _alias_bomb
