"""The public API that the documentation's reference lists, read from the package itself.

``outcomes/__init__.py`` exports the researcher's API lazily (``import outcomes as oc``); ``outcomes.__all__``
names it and the reference documents ``outcomes.<name>`` (a sub-module such as ``oc.plot`` is expanded into its
own ``__all__``), then the ``__all__`` of ``outcomes.update`` and ``outcomes.voi``.
"""

from __future__ import annotations

import importlib
import inspect


def _module_all(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [f"{module_name}.{name}" for name in module.__all__]


def public_api() -> dict[str, list[str]]:
    """Section title -> fully qualified names that the API reference must document."""
    import outcomes

    functions: list[str] = []
    modules: dict[str, list[str]] = {}
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
    for module, title in (("outcomes.update", "Updating with study data"), ("outcomes.voi", "Value of information")):
        if not any(key.endswith(f"({module})") for key in modules):  # listed once, even if ``oc`` exports it
            sections[f"{title} ({module})"] = _module_all(module)
    return sections


def _rst_title(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


def reference_rst() -> str:
    """The API reference page (reStructuredText), one autosummary table per section."""
    lines = [
        ".. This page is written by docs/conf.py from docs/_ext/public_api.py at every build; do not edit.",
        "",
        *_rst_title("API reference", "="),
        "Generated from the docstrings of the installed package at build time. ``tests/test_docs.py`` checks that",
        "every public function is here. Results support, and do not replace, clinical judgement.",
        "",
    ]
    for title, names in public_api().items():
        lines += [*_rst_title(title, "-"), ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {name}" for name in names]
        lines += [""]
    return "\n".join(lines)
