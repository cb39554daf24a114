"""The documentation site (GitHub issue 17): it builds offline with no warning, and what it shows is true.

One Sphinx build (``sphinx-build -W --keep-going -b html docs <tmp>``, as ``make docs`` runs it) is shared by the
slow tests below. They check that the build gave no warning; that no page loads anything from the network;
that every public function has its entry in the API reference; that every notebook page shows its figures;
and that every how-to guide's code runs: its ``python`` blocks and its ``sh`` / ``console`` blocks (the
``outcomes ...`` commands and the steps that prepare their files), in document order, in a temporary folder
holding a copy of the shipped registry, profiles and study files. A block that calls an ``outcomes`` subcommand
this build does not have yet (a guide written ahead of the command) is skipped with the rest of its guide (later
blocks may use its output), naming the subcommand; they run as soon as the command exists. The static checks
(not slow) make sure that every guide and page the issue asks for is in the site, and that every guide has code
for the slow test to run.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HOWTO = sorted(p for p in (DOCS / "howto").glob("*.md") if p.stem != "index")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHIPPED = ("priors", "profiles", "studies")

PLANNED_API = {
    "load_registry": "outcomes.registry.load_registry",
    "elicit": "outcomes.elicit.elicit",
    "prior_draws": "outcomes.draws.prior_draws",
    "posterior_draws": "outcomes.draws.load_posterior_draws",
    "load_profile": "outcomes.profile.load_profile",
    "simulate": "outcomes.simulate.simulate",
    "summarize": "outcomes.summarize.summarize",
    "compare": "outcomes.pipeline.decide",
    "expected_outcomes": "outcomes.model.expected_outcomes",
}
"""The planned ``oc.*`` names (issue 13) and where each lives until ``outcomes/__init__.py`` exports them."""


# --- what must be documented ------------------------------------------------------------------------------


def public_functions() -> list[str]:
    """Fully qualified names the API reference must hold.

    From ``outcomes.__all__`` once it names more than ``__version__`` (a sub-module export such as ``plot`` is
    expanded into its ``__all__``); until then the planned API where it lives today, every ``plot_*`` function
    of ``outcomes.charts`` and the ``__all__`` of ``outcomes.update`` and ``outcomes.voi``.
    """
    import outcomes

    exported = [n for n in getattr(outcomes, "__all__", ()) if n != "__version__"]
    if exported:
        names = []
        for name in exported:
            obj = getattr(outcomes, name)
            if inspect.ismodule(obj):
                members = getattr(obj, "__all__", None) or [m for m in dir(obj) if not m.startswith("_")]
                names += [f"{obj.__name__}.{m}" for m in members]  # its real module name, as autodoc needs
            else:
                names.append(f"outcomes.{name}")
        return names
    names = list(PLANNED_API.values())
    import outcomes.charts as charts

    for info in pkgutil.iter_modules(charts.__path__):
        module = importlib.import_module(f"outcomes.charts.{info.name}")
        names += [
            f"{module.__name__}.{n}"
            for n, f in inspect.getmembers(module, inspect.isfunction)
            if n.startswith("plot_") and f.__module__ == module.__name__
        ]
    for package in ("outcomes.update", "outcomes.voi"):
        names += [f"{package}.{n}" for n in importlib.import_module(package).__all__]
    return names


# --- reading the built HTML -------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "img" and a.get("src"):
            self.images.append(str(a["src"]))
        loaded = {"script": "src", "img": "src", "iframe": "src", "link": "href"}.get(tag)
        if loaded and tag == "link" and a.get("rel") not in ("stylesheet", "preload", "icon", "shortcut icon"):
            loaded = None
        url = str(a.get(loaded) or "") if loaded else ""
        if re.match(r"^(https?:)?//", url):
            self.remote.append(f"<{tag} {loaded}={url}>")


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the site once (as ``make docs`` does) into a temporary folder; fail on any warning."""
    out = tmp_path_factory.mktemp("docs") / "html"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    res = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=1800,
    )
    sphinx_lines = [ln for ln in res.stderr.splitlines() if "[IPKernelApp]" not in ln]
    problems = [ln for ln in sphinx_lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", ln)]
    assert res.returncode == 0 and not problems, "\n".join(problems or sphinx_lines[-30:])
    return out


# --- slow: the built site ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_page_is_offline(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    remote = {str(p.relative_to(site)): read_page(p).remote for p in pages}
    assert not {k: v for k, v in remote.items() if v}, "pages load assets from the network"


@pytest.mark.slow
def test_every_public_function_is_in_the_api_reference(site):
    ids: set[str] = set()
    for page in (site / "api").rglob("*.html"):
        ids |= read_page(page).ids
    expected = public_functions()
    assert len(expected) >= len(PLANNED_API)
    missing = [name for name in expected if name not in ids]
    assert not missing, f"not in the API reference: {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_page_shows_its_figures(site, notebook):
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from test_notebooks import EXPECTED
    finally:
        sys.path.remove(str(ROOT / "tests"))
    page_path = site / "notebooks" / f"{notebook.stem}.html"
    assert page_path.is_file(), f"{notebook.name} is not in the site"
    page = read_page(page_path)
    figures = [src for src in page.images if "_images/" in src]
    least = EXPECTED.get(notebook.stem, (list, 1))[1]
    assert len(figures) >= least, f"{notebook.stem}: {len(figures)} figures, expected at least {least}"
    for src in figures:
        image = (page_path.parent / src).resolve()
        assert image.is_file() and image.stat().st_size > 1000, f"{src} is missing or empty"
    text = page_path.read_text(encoding="utf-8")
    assert "Traceback" not in text and "clinical judgement" in text


# --- how-to guides: their code runs -----------------------------------------------------------------------

FENCE = re.compile(r"^(?P<fence>```+|~~~+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)\s*$", re.S | re.M)


def code_blocks(path: Path) -> list[tuple[str, str, int]]:
    """(language, code, line number) of every fenced block of a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for m in FENCE.finditer(text):
        info = m["info"].strip().strip("{}").split()
        blocks.append((info[0] if info else "", m["body"], text.count("\n", 0, m.start()) + 1))
    return blocks


def shell_commands(lang: str, code: str) -> str | None:
    """The shell code of a ``sh``/``console`` block (console: its ``$ `` prompt lines), else None.

    Every shell block of a guide runs, not only those calling ``outcomes``: a guide's earlier blocks write the
    files its later ones read. Commands that must not run here (``make ...``, a server) go in ``text`` blocks.
    """
    if lang in ("console", "shell-session"):
        return "\n".join(ln[2:] for ln in code.splitlines() if ln.startswith("$ "))
    if lang in ("sh", "bash", "shell"):
        return code
    return None


def calls_outcomes(script: str) -> bool:
    return re.search(r"(^|[\s;&|(])outcomes\s", script, re.M) is not None


def subcommands() -> set[str]:
    from outcomes.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def test_the_site_has_every_page_of_the_brief():
    names = {p.stem for p in HOWTO}
    assert {"evidence", "study_data", "model", "cohort", "clinic", "lock_and_golden"} <= names
    for page in ("getting_started", "intended_use", "explanation/priors", "explanation/model",
                 "explanation/intervals", "explanation/voi", "explanation/evidence", "architecture"):  # fmt: skip
        assert (DOCS / f"{page}.md").is_file(), page
    index = (DOCS / "index.md").read_text()
    assert "architecture" in index and "api/index" in index


def test_every_guide_has_code_the_test_runs():
    for guide in HOWTO:
        runnable = [b for b in code_blocks(guide) if b[0] == "python" or calls_outcomes(shell_commands(*b[:2]) or "")]
        assert runnable, f"{guide.name} has no python block and no block calling outcomes"


@pytest.mark.slow
@pytest.mark.parametrize("guide", HOWTO, ids=[p.stem for p in HOWTO])
def test_howto_code_runs(guide, tmp_path):
    for name in SHIPPED:
        shutil.copytree(ROOT / name, tmp_path / name)
    known = subcommands()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env["OUTCOMES_CACHE_DIR"] = str(tmp_path / ".cache")
    ran, skipped = 0, []
    for lang, code, line in code_blocks(guide):
        where = f"{guide.name}:{line}"
        if skipped and (lang == "python" or shell_commands(lang, code) is not None):
            skipped.append(f"{where} (after a skipped block)")
            continue
        if lang == "python":
            cmd = [sys.executable, "-c", code]
        elif (script := shell_commands(lang, code)) is not None:
            called = set(re.findall(r"(?:^|[\s;&|(])outcomes\s+([a-z][\w-]*)", script, re.M))
            if called - known:
                skipped.append(f"{where} (outcomes {', '.join(sorted(called - known))} is not in this build yet)")
                continue
            cmd = ["bash", "-euo", "pipefail", "-c", script]
        else:
            continue
        res = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, f"{where} failed ({res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
        assert "Traceback" not in res.stderr, f"{where}:\n{res.stderr[-3000:]}"
        ran += 1
    if not ran:
        pytest.skip("; ".join(skipped))
    if skipped:
        print("skipped blocks: " + "; ".join(skipped))
