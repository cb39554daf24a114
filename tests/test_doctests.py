"""The public API's docstring examples run (numpy-style Examples sections)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "outcomes.registry.validation",
    "outcomes.elicit",
    "outcomes.draws",
    "outcomes.profile",
    "outcomes.voi.results",
    "outcomes.simulate",
    "outcomes.model",
    "outcomes.summarize",
    "outcomes.pipeline",
    "outcomes.charts.icon_array",
    "outcomes.charts.benefit_harm",
    "outcomes.charts.preference",
    "outcomes.charts.prior_cited",
    "outcomes.charts.prior_posterior",
    "outcomes.charts.voi",
    "outcomes.declaration",
    "outcomes.update",
    "outcomes.update.data",
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    assert result.attempted > 0, f"{name} has no examples"
