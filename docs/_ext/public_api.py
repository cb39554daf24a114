"""The public API that the documentation's reference lists, read from the package itself.

Once ``outcomes/__init__.py`` exports the researcher's API lazily (``import outcomes as oc``; issue 13),
``outcomes.__all__`` names it and the reference documents ``outcomes.<name>`` (a sub-module such as ``oc.plot``
is expanded into its own ``__all__``). Until then ``outcomes.__all__`` holds only ``__version__`` and the
reference documents the functions where they live today (``FALLBACK`` and the chart functions found in
``outcomes.charts``). Either way it ends with the ``__all__`` of ``outcomes.update`` and ``outcomes.voi``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

FALLBACK: dict[str, tuple[str, ...]] = {
    "Evidence and priors": (
        "outcomes.registry.load_registry",
        "outcomes.elicit.elicit",
        "outcomes.elicit.evidence_table",
    ),
    "Draws, profiles and simulation": (
        "outcomes.draws.prior_draws",
        "outcomes.draws.load_posterior_draws",
        "outcomes.profile.load_profile",
        "outcomes.simulate.simulate",
        "outcomes.model.expected_outcomes",
    ),
    "Decision summaries": (
        "outcomes.summarize.summarize",
        "outcomes.summarize.DecisionSummary",
        "outcomes.pipeline.decide",
        "outcomes.pipeline.Decision",
    ),
}
"""Where the planned ``oc.*`` functions live today (``oc.compare`` is ``pipeline.decide``; ``oc.posterior_draws``
is ``draws.load_posterior_draws``)."""


def _has_api(package: ModuleType) -> bool:
    return any(name != "__version__" for name in getattr(package, "__all__", ()))


def _module_all(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [f"{module_name}.{name}" for name in module.__all__]


def _chart_functions() -> list[str]:
    import outcomes.charts as charts

    names = []
    for info in sorted(pkgutil.iter_modules(charts.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"outcomes.charts.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("plot_") and obj.__module__ == module.__name__:
                names.append(f"{module.__name__}.{name}")
    return names


def public_api() -> dict[str, list[str]]:
    """Section title -> fully qualified names that the API reference must document."""
    import outcomes

    if _has_api(outcomes):
        functions, modules = [], {}
        for name in outcomes.__all__:
            if name == "__version__":
                continue
            obj = getattr(outcomes, name)
            if inspect.ismodule(obj):
                members = getattr(obj, "__all__", None) or [n for n in dir(obj) if not n.startswith("_")]
                # documented under the module's real name (``oc.plot`` may be another module under an alias)
                modules[f"oc.{name} ({obj.__name__})"] = [f"{obj.__name__}.{m}" for m in members]
            else:
                functions.append(f"outcomes.{name}")
        sections = {"import outcomes as oc": functions, **modules}
    else:
        sections = {title: list(names) for title, names in FALLBACK.items()}
        sections["Charts (outcomes.charts)"] = _chart_functions()
    sections["Updating with study data (outcomes.update)"] = _module_all("outcomes.update")
    sections["Value of information (outcomes.voi)"] = _module_all("outcomes.voi")
    return sections


def _rst_title(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


def reference_rst() -> str:
    """The API reference page (reStructuredText), one autosummary table per section."""
    import outcomes

    lines = [
        ".. This page is written by docs/conf.py from docs/_ext/public_api.py at every build; do not edit.",
        "",
        *_rst_title("API reference", "="),
        "Generated from the docstrings of the installed package at build time. ``tests/test_docs.py`` checks that",
        "every public function is here. Results support, and do not replace, clinical judgement.",
        "",
    ]
    if not _has_api(outcomes):
        lines += [
            ".. note::",
            "",
            "   The one-import API (``import outcomes as oc`` with ``oc.load_registry``, ``oc.elicit``,",
            "   ``oc.prior_draws``, ``oc.posterior_draws``, ``oc.load_profile``, ``oc.simulate``, ``oc.summarize``,",
            "   ``oc.compare``, ``oc.expected_outcomes`` and ``oc.plot.*``) is being added. Until it is, this page",
            "   documents each function in the module where it lives: ``oc.compare`` is",
            "   ``outcomes.pipeline.decide`` and ``oc.posterior_draws`` is ``outcomes.draws.load_posterior_draws``.",
            "   The page switches to the ``oc.*`` names by itself once ``outcomes.__all__`` lists them.",
            "",
        ]
    for title, names in public_api().items():
        lines += [*_rst_title(title, "-"), ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {name}" for name in names]
        lines += [""]
    return "\n".join(lines)
