"""The evidence registry (``priors/``): a folder of human-editable YAML files, read and validated.

* ``model.yaml``        -- the decision model (``outcomes.declaration``): strategies, events, outcomes, parameters,
                           covariates;
* ``bibliography.yaml`` -- ``sources:`` every citable source, by key;
* ``grades.yaml``       -- ``grades:`` evidence grades with their caps (how much a record may weigh);
* ``effects.yaml``      -- ``effects:`` covariate effects (odds ratios on the parameters they touch);
* any other ``*.yaml``  -- ``records:`` one record per cited quantity (one file per strategy).

Split by job:

* :mod:`outcomes.registry.vocabulary` -- range meanings, the reserved ``assumption`` source, defaults, file kinds;
* :mod:`outcomes.registry.records`    -- ``Source``, ``Grade``, the cited-record base ``Cited`` with ``Record`` and
  ``Effect``, ``Registry``, the evidence version (content hash of the folder);
* :mod:`outcomes.registry.validation` -- ``load_registry``: every problem of every file at once, one
  ``InputError`` naming file, entry, field and what is allowed.
"""

from __future__ import annotations

from outcomes.registry.records import Cited, Effect, Grade, Record, Registry, Source, evidence_version
from outcomes.registry.validation import default_registry_path, load_registry, read_yaml
from outcomes.registry.vocabulary import ASSUMPTION, DEFAULT_MASS, EARLIEST_YEAR, RANGE_MEANINGS, SPECIAL_FILES

__all__ = [
    "ASSUMPTION",
    "DEFAULT_MASS",
    "EARLIEST_YEAR",
    "RANGE_MEANINGS",
    "SPECIAL_FILES",
    "Cited",
    "Effect",
    "Grade",
    "Record",
    "Registry",
    "Source",
    "default_registry_path",
    "evidence_version",
    "load_registry",
    "read_yaml",
]
