"""The registry's own vocabulary: what a range means, the reserved source key, defaults and the file kinds.

The decision model (``model.yaml``, read by ``outcomes.declaration``) gives the strategies, the parameters and the
covariates; this module keeps none of its own. The keys a record or an effect may have are its fields
(``outcomes.registry.records``), not a list kept here.
"""

from __future__ import annotations

from outcomes.declaration import MODEL_FILE

RANGE_MEANINGS: dict[str, str] = {
    "range_across_studies": "the range of results across several studies",
    "confidence_interval": "a confidence interval from one study or a meta-analysis",
    "plausible_range": "a range judged plausible where nothing is measured (assumptions)",
    "single_study": "a single study's result",
    "summary_point": "a single figure from a summary or an assumption",
}
"""What a record's or an effect's low-high range means (its ``range_meaning``)."""

ASSUMPTION = "assumption"
"""The reserved source key for a number with no source; it requires grade ``assumption``."""

DEFAULT_MASS = 0.90
"""The probability mass a low-high range holds when an entry does not say (``mass``)."""

EARLIEST_YEAR = 1800
"""The earliest publication year a source may give (the latest is next year: accepted, in press)."""

SPECIAL_FILES: dict[str, str] = {
    "bibliography.yaml": "sources",
    "grades.yaml": "grades",
    "effects.yaml": "effects",
    MODEL_FILE: "model",
}
"""The registry files with their own kind; any other ``*.yaml`` file holds ``records``."""

SHAPES: dict[str, str] = {
    "sources": "a mapping with one key 'sources' holding a mapping of source keys",
    "grades": "a mapping with one key 'grades' holding a mapping of grade names",
    "effects": "a mapping with one key 'effects' holding a list of effects",
    "records": "a mapping with one key 'records' holding a list of records",
    "model": "a decision model: a mapping with name, time_frame, profile, parameters, strategies, outcomes, decision",
}
"""The shape of each kind of registry file, as the error messages say it."""
