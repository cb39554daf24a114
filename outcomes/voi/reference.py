"""A small reference model with known structure, shared by the VOI tests and ``benchmarks/voi.py``.

Five independent inputs (three Beta probabilities, a Normal log odds ratio, and one input no strategy uses)
and three strategies whose net benefit is nonlinear in them: small enough for nested Monte Carlo, rich
enough to check group EVPPI, interactions, and that an unused input is worth nothing.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def toy_sample(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of the five inputs, columns (t1, t2, t3, t4, unused)."""
    return np.column_stack(
        [rng.beta(6, 4, n), rng.beta(3, 7, n), rng.beta(5, 5, n), rng.normal(0, 0.5, n), rng.beta(2, 2, n)]
    )


def toy_nb(x: np.ndarray) -> np.ndarray:
    """Net benefit of the three strategies (columns) for input rows ``x``; column 4 is never used."""
    t1, t2, t3, t4 = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    return np.column_stack(
        [
            np.zeros(len(t1)),
            100 * (special.expit(special.logit(t1) + t4) - 0.5 * t2) - 45,
            100 * (t3 * (0.4 + 0.6 * t1) - 0.2 * t2) - 32,
        ]
    )
