"""Sphinx configuration for the `outcomes` documentation (``make docs``).

The build is offline: no intersphinx inventories, no remote fonts, scripts or images (MathJax is not loaded).
The notebooks in ``notebooks/`` are committed without outputs; ``_notebooks.execute_all`` runs each one here
with papermill, at the small sizes the test suite uses (``tests/test_notebooks.py``: ``SMALL``), into
``docs/notebooks/`` (git-ignored), and myst-nb renders those executed copies. A notebook is re-run only when
the notebook, the package, the registry, the profiles, the study files or the lock changed
(``OUTCOMES_DOCS_EXECUTE=force`` re-runs every one). The API reference page is written from the package's
public API (``_ext/public_api.py``) at build time.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import _notebooks  # noqa: E402  (docs/_ext is put on the path just above)
import public_api  # noqa: E402

import outcomes  # noqa: E402
from outcomes.registry import load_registry  # noqa: E402

project = "outcomes"
author = "the outcomes contributors"
copyright = "the outcomes contributors (MIT licence)"
version = release = outcomes.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_copybutton",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# --- MyST and notebooks ---------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_substitutions = {"release": release, "evidence_version": load_registry().version}
myst_heading_anchors = 3
nb_execution_mode = "off"  # executed by _notebooks.execute_all (papermill, small sizes) before the build reads them
nb_merge_streams = True

# --- API reference --------------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False, "show-inheritance": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

# --- HTML -----------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "outcomes"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "getting_started": [], "intended_use": []}
html_static_path = ["_static"]
html_css_files = ["outcomes.css"]
html_show_sourcelink = False
copybutton_prompt_text = r"\$ "
copybutton_prompt_is_regexp = True


def _prepare() -> None:
    """Write the generated sources before Sphinx looks for documents (it lists them before any event)."""
    (DOCS / "api").mkdir(exist_ok=True)
    page = DOCS / "api" / "index.rst"
    text = public_api.reference_rst()
    if not page.is_file() or page.read_text() != text:
        page.write_text(text)
    _notebooks.execute_all(ROOT / "notebooks", DOCS / "notebooks", ROOT)


_prepare()

_ABSOLUTE_VALUE = re.compile(r"(?<![\\`\w])\|(\w+)\|(?![`\w])")


def _plain_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    """The package's docstrings are plain text: ``|x|`` means an absolute value, not an rST substitution."""
    lines[:] = [_ABSOLUTE_VALUE.sub(r"\\|\1\\|", line) for line in lines]


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _plain_docstring)
