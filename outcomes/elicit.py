"""Turn registry records into priors whose weight matches the evidence.

Rules (documented in docs/architecture.md):

* **Counts** -- a record with a sample size ``n`` and an observed ``point``: Beta(k + 1/2, n - k + 1/2)
  (the Jeffreys posterior of the reported counts, k = point * n).
* **Range** -- a record with ``low``/``high``: the maximum-entropy Beta that puts ``mass`` (default 90%) inside
  the range (PreliZ ``maxent``). The shipped registry's results are shipped (``SHIPPED_CACHE``); others are
  cached on disk keyed by low/high/mass, the rule and the PreliZ version, so PreliZ is imported only when a new
  range appears.
* **Point** -- a point value with neither range nor sample size: mean = point, effective sample size
  (alpha + beta) = the grade's ``point_ess``.
* **Cap** -- then the effective sample size is capped at the grade's ``cap`` (scaled by ``cap_scale``;
  ``cap_scale=None`` removes the cap), keeping the mean. A guideline summary of unnamed studies must not
  weigh like a thousand patients.
* **Pooling** -- several records in use for one parameter add their pseudo-counts.
* **Effects** -- log(odds ratio) ~ Normal(log(OR), sd), with sd from the range (``mass`` inside) and at least
  the grade's ``effect_min_sd`` (divided by sqrt(cap_scale) so that halving caps widens effects alike).
* **Robust prior** -- each model parameter's (pooled, capped) Beta becomes a two-component mixture
  ``(1 - r) * Beta(capped) + r * Beta(1, 1)`` (Schmidli et al. 2014, the robust meta-analytic-predictive
  prior), ``r`` the grades' ``robust_weight`` (for pooled records, their capped-ESS-weighted mean). A Beta
  mixture is conjugate to the Binomial: the posterior is a mixture of the updated Betas whose weights are
  proportional to each prior weight times its Beta-Binomial marginal likelihood (``BetaMixture.update``), so
  data that conflict with the seed move the weight to the flat component. ``elicit(..., robust=False)`` gives
  the plain capped Betas.

Every prior keeps the ids of the records it came from.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

import numpy as np
from scipy import special  # scipy.stats (~0.5 s to import) only where a frozen distribution is asked for

from outcomes.registry import Effect, Grade, Record, Registry, default_registry_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

INTERVAL = 0.90
"""Width of every credible interval the package shows."""

_CACHE_FORMAT = "maxent-v2"


@dataclass(frozen=True)
class BetaPrior:
    """A Beta prior on a probability, with where it came from."""

    alpha: float
    beta: float
    sources: tuple[str, ...]
    method: str = "pooled"
    uncapped_ess: float | None = None
    capped: bool = False

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def ess(self) -> float:
        """Effective sample size alpha + beta."""
        return self.alpha + self.beta

    def interval(self, mass: float = INTERVAL) -> tuple[float, float]:
        tail = (1 - mass) / 2
        lo, hi = special.betaincinv(self.alpha, self.beta, [tail, 1 - tail])
        return float(lo), float(hi)

    def scipy(self):
        """A frozen ``scipy.stats.beta`` distribution."""
        from scipy import stats

        return stats.beta(self.alpha, self.beta)

    def pymc(self, name: str, **kwargs):
        """A ``pymc.Beta`` random variable (call inside a ``pm.Model`` context)."""
        import pymc as pm

        return pm.Beta(name, alpha=self.alpha, beta=self.beta, **kwargs)

    def logit_moments(self) -> tuple[float, float]:
        """Mean and sd of logit(p) under this Beta (digamma/trigamma identities)."""
        mu = special.digamma(self.alpha) - special.digamma(self.beta)
        sd = math.sqrt(special.polygamma(1, self.alpha) + special.polygamma(1, self.beta))
        return float(mu), float(sd)

    def draw(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.beta(self.alpha, self.beta, size=size)

    # -- the interface shared with BetaMixture (a plain Beta is a one-component mixture) --

    def describe(self) -> str:
        """``Beta(a, b)``."""
        return f"Beta({self.alpha:.3g}, {self.beta:.3g})"

    @property
    def informative(self) -> BetaPrior:
        """The grade-capped Beta (itself)."""
        return self

    @property
    def robust_weight(self) -> float:
        """Weight of a weakly informative component: none."""
        return 0.0

    @property
    def components(self) -> tuple[tuple[float, float, float], ...]:
        """(weight, alpha, beta) per component."""
        return ((1.0, self.alpha, self.beta),)

    def cdf(self, x) -> np.ndarray:
        return special.betainc(self.alpha, self.beta, np.asarray(x, dtype=float))

    def logpdf(self, x) -> np.ndarray:
        return _beta_logpdf(np.asarray(x, dtype=float), self.alpha, self.beta)

    def update(self, events: int, total: int) -> BetaPrior:
        """The conjugate posterior after ``events`` of ``total``."""
        return BetaPrior(
            self.alpha + events, self.beta + total - events, self.sources, method="posterior", capped=self.capped
        )


WEAK_COMPONENT: tuple[float, float] = (1.0, 1.0)
"""The weakly informative component of every robust prior: Beta(1, 1) (see priors/grades.yaml for why)."""


def _beta_logpdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    return special.xlogy(a - 1, x) + special.xlog1py(b - 1, -x) - special.betaln(a, b)


@dataclass(frozen=True)
class BetaMixture:
    """A robust prior (or its posterior): ``sum_k weights[k] * Beta(alphas[k], betas[k])``.

    Component 0 is the informative (grade-capped, possibly updated) Beta; component 1 the weakly informative one.
    """

    weights: tuple[float, ...]
    alphas: tuple[float, ...]
    betas: tuple[float, ...]
    sources: tuple[str, ...]
    method: str = "robust"
    capped: bool = False

    @classmethod
    def robust(cls, prior: BetaPrior, robust_weight: float, weak: tuple[float, float] = WEAK_COMPONENT) -> BetaMixture:
        if not 0 < robust_weight < 1:
            raise ValueError("robust_weight must lie strictly between 0 and 1")
        return cls(
            weights=(1.0 - robust_weight, robust_weight),
            alphas=(prior.alpha, weak[0]),
            betas=(prior.beta, weak[1]),
            sources=prior.sources,
            capped=prior.capped,
        )

    @property
    def informative(self) -> BetaPrior:
        """The informative (seed) component alone."""
        return BetaPrior(self.alphas[0], self.betas[0], self.sources, method="informative", capped=self.capped)

    def describe(self) -> str:
        """``0.63 x Beta(37.8, 3.15) + 0.37 x Beta(1, 1)``."""
        return " + ".join(f"{w:.2f} x Beta({a:.3g}, {b:.3g})" for w, a, b in self.components)

    @property
    def seed_weight(self) -> float:
        """Weight of the informative component (what the seed keeps)."""
        return float(self.weights[0])

    @property
    def robust_weight(self) -> float:
        return float(1.0 - self.weights[0])

    @property
    def components(self) -> tuple[tuple[float, float, float], ...]:
        return tuple(zip(self.weights, self.alphas, self.betas, strict=True))

    @property
    def mean(self) -> float:
        return float(sum(w * a / (a + b) for w, a, b in self.components))

    @property
    def ess(self) -> float:
        """Effective sample size of the informative component (the robust mixture has no single one)."""
        return self.alphas[0] + self.betas[0]

    def cdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return sum(w * special.betainc(a, b, x) for w, a, b in self.components)

    def logpdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        terms = np.stack([np.log(w) + _beta_logpdf(x, a, b) for w, a, b in self.components if w > 0])
        return special.logsumexp(terms, axis=0)

    def responsibilities(self, x) -> np.ndarray:
        """P(component k | p = x), shape (n_components, *x.shape)."""
        x = np.asarray(x, dtype=float)
        terms = np.stack(
            [np.log(w) + _beta_logpdf(x, a, b) if w > 0 else np.full(x.shape, -np.inf) for w, a, b in self.components]
        )
        return np.exp(terms - special.logsumexp(terms, axis=0))

    def interval(self, mass: float = INTERVAL) -> tuple[float, float]:
        tail = (1 - mass) / 2
        return self.ppf(tail), self.ppf(1 - tail)

    def ppf(self, q: float) -> float:
        """Quantile by bisection on the mixture cdf (60 halvings: below 1e-17)."""
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if float(self.cdf(mid)) < q:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def draw(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draws: a component by weight, then that component's Beta."""
        shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
        comp = rng.choice(len(self.weights), size=shape, p=np.asarray(self.weights) / sum(self.weights))
        a = np.asarray(self.alphas)[comp]
        b = np.asarray(self.betas)[comp]
        return rng.beta(a, b)

    def update(self, events: int, total: int) -> BetaMixture:
        """The exact posterior after ``events`` of ``total`` (a Beta mixture is conjugate to the Binomial):
        component k becomes Beta(a_k + events, b_k + total - events) with weight proportional to
        w_k * B(a_k + events, b_k + total - events) / B(a_k, b_k), its Beta-Binomial marginal likelihood (the
        binomial coefficient is common to all components and cancels)."""
        k, n = int(events), int(total)
        logw = np.array(
            [
                (np.log(w) if w > 0 else -np.inf) + special.betaln(a + k, b + n - k) - special.betaln(a, b)
                for w, a, b in self.components
            ]
        )
        w = np.exp(logw - special.logsumexp(logw))
        return BetaMixture(
            weights=tuple(float(v) for v in w),
            alphas=tuple(a + k for a in self.alphas),
            betas=tuple(b + n - k for b in self.betas),
            sources=self.sources,
            method="posterior",
            capped=self.capped,
        )

    def scipy(self):  # pragma: no cover - no frozen scipy mixture; kept for interface parity
        raise NotImplementedError("a Beta mixture has no frozen scipy.stats distribution; use cdf/logpdf/draw")

    def pymc(self, name: str, **kwargs):
        """A ``pymc.Mixture`` of Betas (call inside a ``pm.Model`` context); PyMC gives it the Betas' log-odds
        transform, so NUTS samples it on the logit scale like a single Beta."""
        import pymc as pm

        return pm.Mixture(
            name,
            w=np.asarray(self.weights),
            comp_dists=[pm.Beta.dist(alpha=a, beta=b) for a, b in zip(self.alphas, self.betas, strict=True)],
            **kwargs,
        )


Prior = BetaPrior | BetaMixture
"""A parameter's prior: a plain Beta, or a robust Beta mixture (same interface: mean, interval, cdf, logpdf,
draw, update, components, informative, robust_weight, pymc)."""


def prior_from_attrs(attrs) -> Prior:
    """Rebuild a parameter's prior from the attrs a saved update writes (``outcomes.update.tree``)."""
    a, b = float(attrs["prior_alpha"]), float(attrs["prior_beta"])
    plain = BetaPrior(a, b, (str(attrs.get("parameter", "")),))
    r = float(attrs.get("prior_robust_weight", 0.0))
    if r <= 0:
        return plain
    return BetaMixture.robust(plain, r, (float(attrs["prior_weak_alpha"]), float(attrs["prior_weak_beta"])))


@dataclass(frozen=True)
class EffectPrior:
    """A Normal prior on a log odds ratio."""

    mu: float
    sd: float
    sources: tuple[str, ...]

    @property
    def mean(self) -> float:
        return self.mu

    def interval(self, mass: float = INTERVAL) -> tuple[float, float]:
        z = float(special.ndtri(0.5 + mass / 2))
        return self.mu - z * self.sd, self.mu + z * self.sd

    def describe(self) -> str:
        """``Normal(0.3, 0.5)`` (on the log odds ratio)."""
        return f"Normal({self.mu:.3g}, {self.sd:.3g})"

    def logpdf(self, x) -> np.ndarray:
        """Log density of the Normal at ``x`` (log odds ratios)."""
        z = (np.asarray(x, dtype=float) - self.mu) / self.sd
        return -0.5 * z**2 - np.log(self.sd * np.sqrt(2 * np.pi))

    def scipy(self):
        from scipy import stats

        return stats.norm(self.mu, self.sd)

    def pymc(self, name: str, **kwargs):
        import pymc as pm

        return pm.Normal(name, mu=self.mu, sigma=self.sd, **kwargs)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.normal(self.mu, self.sd, size=size)


@dataclass(frozen=True)
class Priors:
    """All priors of a registry: per record, per model parameter (pooled), per effect."""

    version: str
    records: dict[str, BetaPrior]
    parameters: dict[str, Prior]
    """Per model parameter: the robust mixture (``robust=True``), or the plain capped Beta."""
    effects: dict[str, EffectPrior]
    cap_scale: float | None = 1.0
    registry: Registry | None = field(default=None, compare=False, repr=False)
    robust: bool = True


# --- maximum entropy ------------------------------------------------------------------------------------

MAXENT_METHOD = "preliz.maxent(Beta)"
"""The elicitation rule behind a cached maxent result: PreliZ's maximum-entropy Beta for a range and its mass."""

REFRESH_COMMAND = "outcomes evidence --refresh-cache"
"""The one command that recomputes the shipped maxent results after a range in ``priors/`` changes."""

SHIPPED_CACHE = Path(__file__).resolve().parent / "data" / "maxent_shipped.json"
"""Maxent results for the shipped registry's ranges, computed with the locked PreliZ and checked against it by the
tests, so a fresh machine need not import PreliZ (which also imports PyMC) to write the first report. They are read
before the user cache, so a user cache filled by another PreliZ version never overrides them. Refresh with
``outcomes evidence --refresh-cache`` (``REFRESH_COMMAND``)."""


class ShippedResultsOutdated(UserWarning):
    """A range of the shipped registry has no shipped maxent result (the registry was edited): PreliZ computes it
    now, and the shipped results should be refreshed with ``REFRESH_COMMAND``."""

    cli_note = True  # ``outcomes`` prints it as one "note:" line


def cache_dir() -> Path:
    d = os.environ.get("OUTCOMES_CACHE_DIR")
    if d:
        return Path(d)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "outcomes"


def preliz_version() -> str:
    """The installed PreliZ version, read from its metadata (without importing PreliZ)."""
    try:
        return importlib.metadata.version("preliz")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - preliz is a dependency
        return "not-installed"


def _range_key(low: float, high: float, mass: float) -> str:
    return f"{low!r}|{high!r}|{mass!r}"


def _cache_key(low: float, high: float, mass: float, preliz: str | None = None) -> str:
    """The user-cache key: the range and its mass, the elicitation rule, and the PreliZ version that computed it."""
    return f"{_CACHE_FORMAT}|{MAXENT_METHOD}|preliz={preliz or preliz_version()}|{_range_key(low, high, mass)}"


def _valid_entry(hit: object) -> TypeGuard[list[float]]:
    return (
        isinstance(hit, list)
        and len(hit) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0 for v in hit)
    )


def _read_json(f: Path) -> dict:
    try:
        data = json.loads(f.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # a corrupted file is ignored (a cache is rewritten)


def _load_shipped(f: Path | None = None) -> dict[str, list[float]]:
    """The shipped results by range key; empty if the file is missing or was made by another rule or format."""
    data = _read_json(f or SHIPPED_CACHE)
    if data.get("format") != _CACHE_FORMAT or data.get("method") != MAXENT_METHOD:
        return {}
    results = data.get("results")
    return results if isinstance(results, dict) else {}


def _load_cache(f: Path | None = None) -> dict[str, list[float]]:
    return _read_json(f or cache_dir() / "maxent.json")


def _write_json_atomically(path: Path, data: dict, *, indent: int) -> None:
    """Write ``data`` to a temporary sibling, then rename it over ``path`` (a reader never sees half a file)."""
    from outcomes.atomic import write_file_atomically

    text = json.dumps(data, sort_keys=True, indent=indent) + "\n"
    write_file_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _save_cache(cache: dict[str, list[float]]) -> None:
    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        _write_json_atomically(d / "maxent.json", cache, indent=0)
    except OSError:  # a read-only home: elicitation still works, only slower next time
        pass


def maxent_beta_preliz(low: float, high: float, mass: float = INTERVAL) -> tuple[float, float]:
    """PreliZ's maximum-entropy Beta with ``mass`` inside [low, high] (imports PreliZ: ~3 s the first time)."""
    import preliz as pz

    dist = pz.Beta()
    pz.maxent(dist, low, high, mass, plot=False)
    return float(dist.alpha), float(dist.beta)


def maxent_beta(low: float, high: float, mass: float = INTERVAL, *, use_cache: bool = True) -> tuple[float, float]:
    """Maximum-entropy Beta for a range: the shipped result, else the user cache (same PreliZ version and rule),
    else PreliZ (and the result is stored in the user cache)."""
    if use_cache:
        shipped = _load_shipped().get(_range_key(low, high, mass))
        if _valid_entry(shipped):
            return float(shipped[0]), float(shipped[1])
        hit = _load_cache().get(_cache_key(low, high, mass))
        if _valid_entry(hit):
            return float(hit[0]), float(hit[1])
    a, b = maxent_beta_preliz(low, high, mass)
    if use_cache:
        cache = _load_cache()
        cache[_cache_key(low, high, mass)] = [a, b]
        _save_cache(cache)
    return a, b


def shipped_ranges(registry: Registry) -> list[tuple[float, float, float]]:
    """Every (low, high, mass) of the registry's range records (those elicited by maxent)."""
    return sorted({(lo, hi, r.mass) for r, lo, hi in _maxent_records(registry)})


def _maxent_records(registry: Registry) -> list[tuple[Record, float, float]]:
    """The records elicited by maxent (a range, and not counts), with their range."""
    return [
        (r, r.low, r.high)
        for r in registry.records
        if r.low is not None and r.high is not None and not (r.n is not None and r.point is not None)
    ]


def is_shipped_registry(registry: Registry) -> bool:
    return Path(registry.path).resolve() == default_registry_path().resolve()


def missing_shipped_ranges(registry: Registry) -> list[Record]:
    """The maxent records of ``registry`` whose range has no valid shipped result."""
    shipped = _load_shipped()
    return [r for r, lo, hi in _maxent_records(registry) if not _valid_entry(shipped.get(_range_key(lo, hi, r.mass)))]


def refresh_shipped_cache(registry: Registry, path: Path | None = None) -> Path:
    """Recompute the shipped maxent results with PreliZ for every range of ``registry``; written atomically."""
    import scipy

    path = path or SHIPPED_CACHE
    data = {
        "format": _CACHE_FORMAT,
        "method": MAXENT_METHOD,
        "preliz": preliz_version(),
        "scipy": scipy.__version__,
        "refresh": REFRESH_COMMAND,
        "results": {
            _range_key(lo, hi, m): list(maxent_beta_preliz(lo, hi, m)) for lo, hi, m in shipped_ranges(registry)
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json_atomically(path, data, indent=1)
    return path


# --- records -> priors ----------------------------------------------------------------------------------


def _cap(alpha: float, beta: float, cap: float | None) -> tuple[float, float, bool]:
    ess = alpha + beta
    if cap is None or ess <= cap:
        return alpha, beta, False
    m = alpha / ess
    return m * cap, (1 - m) * cap, True


def grade_cap(grade: Grade, cap_scale: float | None) -> float | None:
    return None if cap_scale is None else grade.cap * cap_scale


def elicit_record(record: Record, grade: Grade, *, cap_scale: float | None = 1.0, maxent=maxent_beta) -> BetaPrior:
    """One record -> its Beta prior (counts, maxent range, or point), capped by its grade."""
    if record.n is not None and record.point is not None:
        k = record.point * record.n
        a, b, method = k + 0.5, record.n - k + 0.5, "counts"
    elif record.low is not None and record.high is not None:
        a, b = maxent(record.low, record.high, record.mass)
        method = "maxent"
    elif record.point is not None:
        ess = grade.point_ess
        a, b, method = record.point * ess, (1 - record.point) * ess, "point"
    else:  # the registry refuses such a record
        raise ValueError(f"record {record.id!r} has neither a range nor a point value")
    ca, cb, capped = _cap(a, b, grade_cap(grade, cap_scale))
    return BetaPrior(alpha=ca, beta=cb, sources=(record.id,), method=method, uncapped_ess=a + b, capped=capped)


def elicit_effect(effect: Effect, grade: Grade, *, cap_scale: float | None = 1.0) -> EffectPrior:
    mu = math.log(effect.odds_ratio)
    sd_range = 0.0
    if effect.low is not None and effect.high is not None:
        z = float(special.ndtri(0.5 + effect.mass / 2))
        sd_range = (math.log(effect.high) - math.log(effect.low)) / (2 * z)
    if cap_scale is None:
        sd = sd_range if sd_range > 0 else grade.effect_min_sd
    else:
        sd = max(sd_range, grade.effect_min_sd / math.sqrt(cap_scale))
    return EffectPrior(mu=mu, sd=sd, sources=(effect.id,))


def pool(priors: list[BetaPrior]) -> BetaPrior:
    """Several records of one quantity: their pseudo-counts add."""
    if len(priors) == 1:
        return priors[0]
    return BetaPrior(
        alpha=sum(p.alpha for p in priors),
        beta=sum(p.beta for p in priors),
        sources=tuple(s for p in priors for s in p.sources),
        method="pooled",
        capped=any(p.capped for p in priors),
    )


def robust_weight(registry: Registry, parameter: str, records: dict[str, BetaPrior]) -> float:
    """Weight of the weakly informative component for a parameter: the grades' ``robust_weight`` of its records
    in use, weighted by each record's capped effective sample size (the share of the pooled prior it makes)."""
    used = registry.records_for(parameter)
    ess = np.array([records[r.id].ess for r in used])
    weights = np.array([registry.grades[r.grade].robust_weight for r in used])
    return float(np.sum(ess * weights) / np.sum(ess))


def robustify(prior: BetaPrior, weight: float) -> Prior:
    """The robust prior of one parameter (the plain Beta when ``weight`` is 0)."""
    return prior if weight <= 0 else BetaMixture.robust(prior, weight)


def elicit(registry: Registry, *, cap_scale: float | None = 1.0, use_cache: bool = True, robust: bool = True) -> Priors:
    """Every record, parameter and effect of a registry -> priors (robust mixtures unless ``robust=False``).

    A record becomes a Beta prior (counts: the Jeffreys posterior; a range: the maximum-entropy Beta with the
    stated mass inside; a point: the grade's effective sample size), capped at its grade's effective sample
    size; the records in use for one parameter are pooled; with ``robust`` the pooled Beta is mixed with a
    weakly informative Beta(1, 1) at the grades' ``robust_weight`` (Schmidli et al. 2014), so that trial data
    that disagree with the seed win; an effect becomes a Normal prior on log(odds ratio).

    Parameters
    ----------
    registry : Registry
    cap_scale : float or None
        Multiply every grade's cap by this (``None``: no caps), for sensitivity analyses.
    use_cache : bool
        Use the shipped and the user cache of maximum-entropy results.
    robust : bool
        Robust mixture priors (default) or the plain capped Betas (the seed's own view).

    Returns
    -------
    Priors
        ``records``, ``parameters`` (pooled, one per model parameter) and ``effects``.

    Examples
    --------
    A range read from the guideline summary (92-95%) would weigh as 722 patients; its grade caps it at 15, and the
    records of one parameter pool by adding their counts:

    >>> import outcomes as oc
    >>> reg = oc.load_registry()
    >>> plain = oc.elicit(reg, robust=False)
    >>> for r in reg.records_for("fusion.solid_fusion"):
    ...     b = plain.records[r.id]
    ...     print(r.id, r.grade, reg.grades[r.grade].cap, round(b.alpha + b.beta, 1), b.method)
    fusion_solid_guideline very_low 15.0 15.0 maxent
    fusion_solid_fischgrund very_low 15.0 10.0 point
    >>> pooled = plain.parameters["fusion.solid_fusion"]
    >>> round(pooled.alpha, 2), round(pooled.beta, 2)
    (22.22, 2.78)

    The robust prior mixes that Beta with Beta(1, 1) at the grades' ``robust_weight`` (0.5 for very low evidence):

    >>> oc.elicit(reg).parameters["fusion.solid_fusion"].weights
    (0.5, 0.5)
    """
    if cap_scale is not None and not cap_scale > 0:
        raise ValueError("cap_scale must be positive or None")

    if use_cache and is_shipped_registry(registry) and (stale := missing_shipped_ranges(registry)):
        where = ", ".join(f"{r.file} record '{r.id}' ({r.low:g}-{r.high:g})" for r in stale)
        warnings.warn(
            f"the shipped maxent results do not cover {where}, so PreliZ computes them now (slow); "
            f"refresh the shipped results with: {REFRESH_COMMAND}",
            ShippedResultsOutdated,
            stacklevel=2,
        )

    def _maxent(low: float, high: float, mass: float) -> tuple[float, float]:
        return maxent_beta(low, high, mass, use_cache=use_cache)

    records = {
        r.id: elicit_record(r, registry.grades[r.grade], cap_scale=cap_scale, maxent=_maxent) for r in registry.records
    }
    pooled = {p: pool([records[r.id] for r in registry.records_for(p)]) for p in registry.parameters}
    parameters: dict[str, Prior] = (
        {p: robustify(b, robust_weight(registry, p, records)) for p, b in pooled.items()} if robust else dict(pooled)
    )
    effects = {e.id: elicit_effect(e, registry.grades[e.grade], cap_scale=cap_scale) for e in registry.used_effects}
    return Priors(
        version=registry.version,
        records=records,
        parameters=parameters,
        effects=effects,
        cap_scale=cap_scale,
        registry=registry,
        robust=robust,
    )


def evidence_table(registry: Registry, priors: Priors | None = None) -> pd.DataFrame:
    """The evidence table: one row per record and effect, with its cited value, prior, grade and source.

    Parameters
    ----------
    registry : Registry
    priors : Priors, optional
        The elicited priors (default: ``elicit(registry)``).

    Returns
    -------
    pandas.DataFrame
        One row per record and effect (``kind``): ``id``, ``cited``, the prior (``prior_mean``, ``interval_low``,
        ``interval_high``, ``ess`` and ``uncapped_ess``), whether it is ``capped``, ``grade``, ``source``, whether
        it is an ``assumption`` and ``used``.

    Examples
    --------
    >>> import outcomes as oc
    >>> table = oc.evidence_table(oc.load_registry())
    >>> {"id", "cited", "prior_mean", "grade", "source"} <= set(table.columns)
    True
    """
    import pandas as pd

    priors = priors or elicit(registry)
    rows = []
    for r in registry.records:
        p = priors.records[r.id]
        lo, hi = p.interval()
        rows.append(
            {
                "id": r.id,
                "kind": "rate",
                "strategy": r.strategy,
                "outcome": r.outcome,
                "cited": r.cited(),
                "range_meaning": r.range_meaning,
                "time_frame": r.time_frame,
                "prior": f"Beta({p.alpha:.3g}, {p.beta:.3g})",
                "prior_mean": p.mean,
                "interval_low": lo,
                "interval_high": hi,
                "ess": p.ess,
                "uncapped_ess": p.uncapped_ess,
                "capped": p.capped,
                "method": p.method,
                "grade": r.grade,
                "source": r.source,
                "assumption": r.is_assumption,
                "used": r.use,
            }
        )
    for e in registry.effects:
        ep = priors.effects.get(e.id) or elicit_effect(e, registry.grades[e.grade], cap_scale=priors.cap_scale)
        lo, hi = ep.interval()
        rows.append(
            {
                "id": e.id,
                "kind": "effect",
                "strategy": ", ".join(t.split(".")[0] for t in e.targets),
                "outcome": f"{e.covariate} -> " + ", ".join(t.split(".")[1] for t in e.targets),
                "cited": e.cited(),
                "range_meaning": e.range_meaning,
                "time_frame": "",
                "prior": f"logOR ~ Normal({ep.mu:.2f}, {ep.sd:.2f})",
                "prior_mean": math.exp(ep.mu),
                "interval_low": math.exp(lo),
                "interval_high": math.exp(hi),
                "ess": float("nan"),
                "uncapped_ess": float("nan"),
                "capped": False,
                "method": "normal",
                "grade": e.grade,
                "source": e.source,
                "assumption": e.is_assumption,
                "used": e.use,
            }
        )
    df = pd.DataFrame(rows)
    df.attrs["evidence_version"] = registry.version
    return df
