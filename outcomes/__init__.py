"""outcomes: published clinical rates -> Bayesian priors -> patient-level outcomes -> shared-decision charts.

Data flows one way (see docs/architecture.md):
evidence files -> registry -> elicit -> draws -> simulate -> summarize -> charts -> report.
Heavy imports (pymc, arviz, preliz) live only in the modules that need them.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("outcomes")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
