"""The variable names of a posterior file (``outcomes update``), in one place, importable without PyMC.

``p_<group>__<name>`` for a registry parameter, ``log_or__<effect id>`` for a covariate effect, ``tau_<...>`` for a
random-effects scale. The writer (``outcomes.update``) and the readers (``outcomes.draws``, the value-of-information
sensitivity) use these functions, so the format is defined once.
"""

from __future__ import annotations

P_PREFIX = "p_"
EFFECT_PREFIX = "log_or__"
TAU_PREFIX = "tau_"


def p_name(parameter: str) -> str:
    """Posterior variable of a registry parameter: ``fusion.improved`` -> ``p_fusion__improved``."""
    return P_PREFIX + parameter.replace(".", "__")


def tau_name(parameter: str) -> str:
    """Random-effects scale of a parameter: ``fusion.improved`` -> ``tau_fusion__improved``."""
    return TAU_PREFIX + parameter.replace(".", "__")


def effect_name(effect_id: str) -> str:
    """Posterior variable of a covariate effect's log odds ratio."""
    return EFFECT_PREFIX + effect_id
