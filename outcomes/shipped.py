"""Where the shipped evidence registry, patient profiles and study files live.

In a source checkout they are the repository's ``priors/``, ``profiles/`` and ``studies/`` folders; the package
reaches them through the links in ``outcomes/shipped/``, and a built wheel carries copies of them there as
package data, so an installed (non-editable) package finds them by name too: ``oc.load_profile("default")``,
``oc.load_studies("norwegian_registry_2020")``.
"""

from __future__ import annotations

from pathlib import Path

KINDS = {"priors": "*.yaml", "profiles": "*.yaml", "studies": "*.csv"}


def shipped_dir(kind: str) -> Path:
    """The folder of shipped ``priors``, ``profiles`` or ``studies`` (real path, symbolic links resolved)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    return (Path(__file__).parent / "shipped" / kind).resolve()


def shipped_files(kind: str) -> dict[str, Path]:
    """Shipped files of one kind by name (file stem), e.g. ``{"default": .../profiles/default.yaml}``."""
    d = shipped_dir(kind)
    return {f.stem: f for f in sorted(d.glob(KINDS[kind]))} if d.is_dir() else {}


def resolve(kind: str, name_or_path: str | Path) -> Path:
    """A path as given, or, when no such file exists and it names a shipped file, the shipped file."""
    p = Path(name_or_path)
    if p.exists() or not isinstance(name_or_path, str):
        return p
    return shipped_files(kind).get(name_or_path, p)
