"""Value of information on the patient's scale: net improvements per 100 patients like this one.

For a preference weight ``w`` (how many improvements one harm cancels), strategy ``s`` and draw ``i`` of the
parameters (prior or posterior alike),

    NB_s,i = 100 * (improved_s,i - w * harm_s,i)

with the exact per-draw expected rates of ``outcomes.model.expected_outcomes`` (the conditional expectation
over the profile's patients: no patient noise, so the value of information is about the evidence only).

* ``evpi_curve``  -- EVPI(w) = E max_s NB_s - max_s E NB_s over a range of weights, its Monte Carlo error, and
  the weight where it peaks (near a flip point, where the decision is closest).
* ``evppi_table`` -- EVPPI of every parameter, every effect and named groups by the regression method
  (``outcomes.voi.regression``). The model is used, not only its draws: each strategy's net outcome depends on
  a known subset of the inputs (its *support*, found by perturbing one input at a time), so for a group ``G``
  ``E[NB_s | G]`` is NB_s itself when ``G`` holds the whole support, a constant when they share nothing (the
  prior draws are independent), and otherwise a regression of NB_s on the inputs of ``G`` in its support --
  lower-dimensional than regressing on all of ``G``. With posterior draws, inputs correlated with the support
  (|Spearman rho| > 0.1) are added, as conditioning on them carries information.
* ``evsi``        -- EVSI of a new study of ``n`` patients on one parameter (or the parameter of one registry
  record): an exact preposterior analysis over the draws. The prior is the draws' empirical distribution (for
  prior draws, samples of the Beta prior); a study's data are ``x ~ Binomial(n, theta)``; the posterior given
  ``x`` reweights the draws by the Binomial likelihood; every ``x = 0..n`` is summed with its predictive
  probability (the Beta-Binomial for a Beta prior) -- no simulated data sets. The conditional means reweighted
  are the smoothed ``E[NB_s | theta]`` of that parameter's EVPPI fit, so noise in the other parameters does not
  inflate the value, and ``0 <= EVSI(n) <= EVPPI`` holds exactly; EVSI is non-decreasing in ``n`` (a larger
  binomial sample is Blackwell-more informative).
* ``tornado``     -- each input moved to the ends of its 90% interval (the prior's exact interval for prior
  draws, the draws' quantiles for a posterior) with **every other input kept at its draws** (so the bar is the
  conditional expectation E[NB_s | theta_j = q], not a plug-in at the means, which would hide the model's
  non-linearity); the change in each strategy's expected NB and in the flip weight of the two leading strategies.

``evppi_table`` and ``tornado`` return typed results (``outcomes.voi.results``): the table and the scalars that
belong to all of it (the EVPI at the weight; the leading pair, its flip weight and its difference) as fields of a
frozen dataclass, never as ``DataFrame.attrs``, which pandas drops on slicing, concatenation and merging. Only
``net_benefit``'s xarray DataArray keeps its ``weight`` and ``units`` attrs, as xarray's convention is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special  # scipy.stats is ~0.25 s to import; rank correlation is done here in numpy

from outcomes.declaration import DecisionModel
from outcomes.draws import DEFAULT_DRAWS
from outcomes.elicit import Priors
from outcomes.model import benefit_rate, expected_outcomes, harm_score
from outcomes.model import net_benefit as _net_benefit
from outcomes.summarize import DENOMINATOR, flip_points
from outcomes.voi import regression
from outcomes.voi.regression import Estimate
from outcomes.voi.results import EvppiResult, TornadoResult


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Column-wise ranks with ties given their average rank (as scipy.stats.rankdata)."""
    out = np.empty(x.shape, dtype=float)
    for j in range(x.shape[1]):
        col = x[:, j]
        order = np.argsort(col, kind="mergesort")
        sorted_col = col[order]
        # first index of each run of equal values, and the run lengths
        starts = np.flatnonzero(np.r_[True, sorted_col[1:] != sorted_col[:-1]])
        lengths = np.diff(np.r_[starts, len(col)])
        avg = starts + (lengths - 1) / 2.0
        out[order, j] = np.repeat(avg, lengths)
    return out


def spearman_matrix(x: np.ndarray) -> np.ndarray:
    """Spearman rank correlation between the columns of ``x`` (Pearson correlation of average ranks)."""
    return np.atleast_2d(np.corrcoef(_average_ranks(np.asarray(x, dtype=float)), rowvar=False))


INTERVAL = 0.90
DEFAULT_STUDY_SIZES = (25, 50, 100, 200, 400, 1000)
DEFAULT_WEIGHT_RANGE = (0.0, 5.0, 50)
_DEPENDENCE = 0.1


def net_benefit(draws: xr.Dataset, covariates: dict[str, float], weight: float, model: DecisionModel) -> xr.DataArray:
    """Net improvements per 100 patients like this one, per draw and strategy: 100 (benefit - w harm).

    An xarray DataArray (draw, strategy) whose ``attrs`` name the weight and the units (xarray's convention for
    a variable's metadata; no scalar result of the analysis is kept in attrs)."""
    rate = expected_outcomes(draws, covariates, model)
    nb = _net_benefit(rate, model, weight)
    nb.name = "net_benefit_per100"
    nb.attrs.update({"weight": float(weight), "units": "net improvements per 100 patients"})
    return nb.drop_vars("outcome", errors="ignore").transpose("draw", "strategy")


@dataclass
class NetBenefitModel:
    """Per-draw expected improvements and harms per 100 of every strategy, with the inputs they come from.

    ``inputs`` (n, k) holds the parameter draws then the effect draws (``names``); ``support[s]`` is the set
    of inputs strategy ``s``'s net outcome depends on for this profile.
    """

    draws: xr.Dataset
    covariates: dict[str, float]
    improved: np.ndarray
    harm: np.ndarray
    inputs: np.ndarray
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    support: dict[str, frozenset[str]]
    priors: Priors | None = None
    decision_model: DecisionModel | None = None
    strategies: tuple[str, ...] = ()
    dependent: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_draws(
        cls,
        draws: xr.Dataset,
        covariates: dict[str, float],
        priors: Priors | None = None,
        decision_model: DecisionModel | None = None,
    ) -> NetBenefitModel:
        if decision_model is None:
            if priors is None or priors.registry is None:
                raise ValueError("decision_model is required when priors do not carry their registry")
            decision_model = priors.registry.model
        p = np.asarray(draws["p"].transpose("draw", "parameter").values, dtype=float)
        params = tuple(str(v) for v in draws["parameter"].values)
        if draws.sizes.get("effect", 0):
            lor = np.asarray(draws["log_or"].transpose("draw", "effect").values, dtype=float)
            effects = tuple(str(v) for v in draws["effect"].values)
        else:
            lor, effects = np.zeros((p.shape[0], 0)), ()
        model = cls(
            draws=draws,
            covariates=dict(covariates),
            improved=np.empty(0),
            harm=np.empty(0),
            inputs=np.column_stack([p, lor]),
            names=params + effects,
            kinds=("parameter",) * len(params) + ("effect",) * len(effects),
            support={},
            priors=priors,
            decision_model=decision_model,
            strategies=tuple(decision_model.strategies),
        )
        model.improved, model.harm = model.evaluate(model.inputs)
        model.support = model._find_support()
        if str(draws.attrs.get("origin", "")) != "prior":
            model.dependent = model._find_dependence()
        return model

    # -- the outcome model on modified inputs --------------------------------------------------------------

    @property
    def n_draws(self) -> int:
        return self.inputs.shape[0]

    @property
    def n_parameters(self) -> int:
        return self.kinds.count("parameter")

    def provenance(self) -> dict[str, str]:
        """Time frame, evidence version and diagnostics status of the draws (the fields every result carries)."""
        dm = self.decision_model
        assert dm is not None
        return {
            "time_frame": dm.time_frame,
            "evidence_version": str(self.draws.attrs.get("evidence_version", "unknown")),
            "diagnostics_status": str(self.draws.attrs.get("diagnostics_status", "ok")),
        }

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown parameter or effect {name!r}") from None

    def evaluate(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected improved and harm per 100, (n, S) each, for a modified input matrix of the same shape."""
        k = self.n_parameters
        ds = self.draws.copy()
        ds["p"] = (("draw", "parameter"), np.clip(inputs[:, :k], 1e-12, 1 - 1e-12))
        if inputs.shape[1] > k:
            ds["log_or"] = (("draw", "effect"), inputs[:, k:])
        dm = self.decision_model
        assert dm is not None
        rate = expected_outcomes(ds, self.covariates, dm).sel(strategy=list(self.strategies))
        imp = DENOMINATOR * benefit_rate(rate, dm).transpose("draw", "strategy").values
        harm = DENOMINATOR * harm_score(rate, dm).transpose("draw", "strategy").values
        return imp, harm

    def nb(self, weight: float) -> np.ndarray:
        """Net benefit per 100, (n, S), at ``weight``."""
        return self.improved - weight * self.harm

    def _find_support(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {s: set() for s in self.strategies}
        for j, name in enumerate(self.names):
            x = self.inputs.copy()
            x[:, j] = np.roll(x[:, j], 1)
            if np.array_equal(x[:, j], self.inputs[:, j]):
                continue  # a constant input: no uncertainty to resolve
            imp, harm = self.evaluate(x)
            moved = (np.abs(imp - self.improved).max(axis=0) > 1e-9) | (np.abs(harm - self.harm).max(axis=0) > 1e-9)
            for s, m in zip(self.strategies, moved, strict=True):
                if m:
                    found[s].add(name)
        return {s: frozenset(v) for s, v in found.items()}

    def _find_dependence(self) -> dict[str, frozenset[str]]:
        """Inputs correlated (|Spearman rho| > 0.1) with some input of each strategy's support (posterior)."""
        varying = np.ptp(self.inputs, axis=0) > 0
        rho = np.zeros((len(self.names),) * 2)
        if varying.sum() >= 2:
            rho[np.ix_(varying, varying)] = spearman_matrix(self.inputs[:, varying])
        out = {}
        for s, sup in self.support.items():
            idx = [self.index(n) for n in sup]
            near = {self.names[j] for j in range(len(self.names)) if idx and np.max(np.abs(rho[j, idx])) > _DEPENDENCE}
            out[s] = frozenset(near - set(sup))
        return out

    def relevant(self, strategy: str, group: Iterable[str]) -> list[str]:
        """The inputs of ``group`` that inform strategy's net outcome (its support, plus dependent inputs)."""
        keep = self.support[strategy] | self.dependent.get(strategy, frozenset())
        return [g for g in group if g in keep]

    def sources(self, name: str) -> tuple[str, ...]:
        if self.priors is not None:
            if name in self.priors.parameters:
                return tuple(self.priors.parameters[name].sources)
            if name in self.priors.effects:
                return tuple(self.priors.effects[name].sources)
        return (name,)

    def interval(self, name: str, mass: float = INTERVAL) -> tuple[float, float, str]:
        """The 90% interval an input is moved across in the tornado, and where it comes from."""
        origin = str(self.draws.attrs.get("origin", ""))
        if self.priors is not None and origin == "prior":
            prior = self.priors.parameters.get(name) or self.priors.effects.get(name)
            if prior is not None:
                lo, hi = prior.interval(mass)
                return float(lo), float(hi), "prior"
        tail = (1 - mass) / 2
        lo, hi = np.quantile(self.inputs[:, self.index(name)], [tail, 1 - tail])
        return float(lo), float(hi), origin or "draws"


# --- EVPI ------------------------------------------------------------------------------------------------


def parse_weights(lo: float, hi: float, n: int) -> np.ndarray:
    return np.linspace(float(lo), float(hi), int(n))


def evpi_curve(model: NetBenefitModel, weights: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """EVPI per 100 patients at each weight, with its Monte Carlo standard error and the preferred strategy."""
    rows = []
    for w in np.asarray(weights, dtype=float):
        nb = model.nb(w)
        est = regression.evpi(nb)
        means = nb.mean(axis=0)
        rows.append(
            {
                "weight": float(w),
                "evpi": est.value,
                "se": est.se,
                "low": est.low,
                "high": est.high,
                "preferred": model.strategies[int(np.argmax(means))],
                **{f"nb_{s}": float(m) for s, m in zip(model.strategies, means, strict=True)},
            }
        )
    return pd.DataFrame(rows)


def model_flips(
    model: NetBenefitModel, w_max: float, improved: np.ndarray | None = None, harm: np.ndarray | None = None
) -> list[dict]:
    """Exact flip weights of the expected net outcomes (``summarize.flip_points`` on the model's means)."""
    imp = model.improved if improved is None else improved
    harm = model.harm if harm is None else harm
    mi = {s: float(v) / DENOMINATOR for s, v in zip(model.strategies, np.atleast_2d(imp).mean(axis=0), strict=True)}
    mh = {s: float(v) / DENOMINATOR for s, v in zip(model.strategies, np.atleast_2d(harm).mean(axis=0), strict=True)}
    return flip_points(mi, mh, w_max)


def peak(curve: pd.DataFrame) -> float:
    """The weight at which EVPI is largest."""
    return float(curve["weight"].iloc[int(np.argmax(curve["evpi"].to_numpy()))])


# --- EVPPI -----------------------------------------------------------------------------------------------


def default_groups(model: NetBenefitModel) -> dict[str, tuple[str, ...]]:
    """Named groups: each strategy's parameters, the medication response chain, the covariate effects, all."""
    params = [n for n, k in zip(model.names, model.kinds, strict=True) if k == "parameter"]
    effects = [n for n, k in zip(model.names, model.kinds, strict=True) if k == "effect"]
    groups = {f"{s} parameters": tuple(p for p in params if p.split(".")[0] == s) for s in model.strategies}
    if model.decision_model is not None:
        for name, chain in model.decision_model.chains().items():
            groups[name] = tuple(p for p in chain if p in params)
    if effects:
        groups["covariate effects"] = tuple(effects)
    groups["all parameters and effects"] = tuple(model.names)
    return {k: v for k, v in groups.items() if v}


def evppi_group(
    model: NetBenefitModel,
    group: Sequence[str],
    weight: float,
    *,
    criterion: str = "reml",
    n_samples: int = regression.DEFAULT_SAMPLES,
    seed: int = 0,
    use_structure: bool = True,
) -> Estimate:
    """EVPPI (per 100 patients) of a set of inputs at ``weight``.

    With ``use_structure`` each strategy is handled by what its net outcome depends on (module docstring);
    without, every strategy's incremental net benefit is regressed on all of ``group`` (the plain method).
    """
    group = list(dict.fromkeys(group))
    for g in group:
        model.index(g)
    nb = model.nb(weight)
    if not use_structure:
        x = model.inputs[:, [model.index(g) for g in group]]
        return regression.evppi(nb, x, criterion=criterion, n_samples=n_samples, seed=seed)
    _n, n_s = nb.shape
    g_means = np.empty_like(nb)
    samplers: list = [None] * n_s
    by_inputs: dict[tuple[str, ...], list[int]] = {}
    exact = const = 0
    for s, strategy in enumerate(model.strategies):
        rel = model.relevant(strategy, group)
        if model.support[strategy] <= set(group) and not model.dependent.get(strategy):
            g_means[:, s] = nb[:, s]
            exact += 1
        elif not rel:
            g_means[:, s] = nb[:, s].mean()
            const += 1
        else:
            # most influential first, so that the interaction budget keeps their pairs
            col = nb[:, s]
            order = sorted(
                rel,
                key=lambda name: (
                    -abs(spearman_matrix(np.column_stack([model.inputs[:, model.index(name)], col]))[0, 1])
                ),
            )
            by_inputs.setdefault(tuple(order), []).append(s)
    edf = []
    for inputs, strategies in by_inputs.items():
        x = model.inputs[:, [model.index(g) for g in inputs]]
        fit = regression.fit_smooth(regression.build_design(x), nb[:, strategies], criterion=criterion)
        for j, s in enumerate(strategies):
            g_means[:, s] = fit.fitted[:, j]
            samplers[s] = fit.sampler(j)
        edf.extend(fit.edf.tolist())
    if by_inputs:
        dims = sorted({len(k) for k in by_inputs})
        method = f"spline regression on {'/'.join(map(str, dims))} input(s) ({criterion.upper()})"
        if exact:
            method += f"; {exact} strategy exact"
    elif exact:
        method = "exact: the group holds every input of the net outcomes it touches"
    else:
        method = "zero: no strategy's net outcome uses these inputs"
    return regression.estimate(
        g_means,
        samplers,
        method=method,
        edf=float(np.mean(edf)) if edf else float("nan"),
        n_samples=n_samples,
        seed=seed,
    )


def evppi_table(
    model: NetBenefitModel,
    weight: float,
    *,
    groups: dict[str, Sequence[str]] | None = None,
    criterion: str = "reml",
    n_samples: int = regression.DEFAULT_SAMPLES,
    seed: int = 0,
    progress=None,
) -> EvppiResult:
    """EVPPI of every parameter, every effect and every group at ``weight``, sorted by value (largest first).

    Returns an ``EvppiResult``: the table (``.table``, one row per input or group) and the EVPI at ``weight``
    with its standard error (``.evpi``, ``.evpi_se``) as fields.
    """
    progress = progress or (lambda name: None)
    evpi = regression.evpi(model.nb(weight))
    items: list[tuple[str, str, tuple[str, ...]]] = [
        (n, k, (n,)) for n, k in zip(model.names, model.kinds, strict=True)
    ]
    items += [(name, "group", tuple(members)) for name, members in (groups or default_groups(model)).items()]
    rows = []
    for name, kind, members in items:
        progress(name)
        est = evppi_group(model, members, weight, criterion=criterion, n_samples=n_samples, seed=seed)
        srcs = tuple(dict.fromkeys(s for m in members for s in model.sources(m)))
        used_by = [s for s in model.strategies if set(members) & model.support[s]]
        rows.append(
            {
                "name": name,
                "kind": kind,
                "weight": float(weight),
                "evppi": est.value,
                "se": est.se,
                "low": est.low,
                "high": est.high,
                "share_of_evpi": est.value / evpi.value if evpi.value > 0 else float("nan"),
                "used_by": ";".join(used_by),
                "members": ";".join(members),
                "sources": ";".join(srcs),
                "method": est.method,
            }
        )
    df = pd.DataFrame(rows)
    order = np.lexsort((df["name"].to_numpy(), -df["evppi"].to_numpy()))
    return EvppiResult(
        table=df.iloc[order].reset_index(drop=True),
        weight=float(weight),
        evpi=evpi.value,
        evpi_se=evpi.se,
        **model.provenance(),
    )


# --- EVSI ------------------------------------------------------------------------------------------------


def study_parameter(model: NetBenefitModel, target: str) -> str:
    if target in model.names and model.kinds[model.index(target)] == "parameter":
        return target
    registry = model.priors.registry if model.priors is not None else None
    if registry is not None:
        try:
            return registry.record(target).parameter
        except (KeyError, ValueError):
            pass
    raise KeyError(
        f"{target!r} is neither a model parameter nor a registry record id; a new study's data are "
        "binomial counts of one parameter"
    )


def evsi(
    model: NetBenefitModel,
    target: str,
    sizes: Sequence[int] = DEFAULT_STUDY_SIZES,
    weight: float = 1.0,
    *,
    smoothed: bool = True,
    criterion: str = "reml",
    n_samples: int = 50,
    seed: int = 0,
) -> pd.DataFrame:
    """EVSI (per 100 patients) of a new study of each size in ``sizes`` on one parameter or record's parameter.

    Returns one row per size: ``n``, ``evsi``, ``se``, ``low``, ``high``, and the parameter's ``evppi`` (the
    limit as n grows) for comparison.
    """
    parameter = study_parameter(model, target)
    j = model.index(parameter)
    theta = np.clip(model.inputs[:, j], 1e-12, 1 - 1e-12)
    nb = model.nb(weight)
    _n_draws, n_s = nb.shape
    samplers: list = [None] * n_s
    if smoothed:
        g = np.empty_like(nb)
        users = [s for s, st in enumerate(model.strategies) if parameter in model.relevant(st, [parameter])]
        others = [s for s in range(n_s) if s not in users]
        g[:, others] = nb[:, others].mean(axis=0)
        if users:
            fit = regression.fit_smooth(regression.build_design(theta), nb[:, users], criterion=criterion)
            g[:, users] = fit.fitted
            for k, s in enumerate(users):
                samplers[s] = fit.sampler(k)
    else:
        g = nb
    df = evsi_arrays(theta, g, sizes, samplers=samplers, n_samples=n_samples, seed=seed)
    df.insert(0, "parameter", parameter)
    df.insert(0, "target", target)
    df.insert(3, "weight", float(weight))
    return df


def evsi_arrays(
    theta: np.ndarray,
    g: np.ndarray,
    sizes: Sequence[int],
    *,
    samplers: list | None = None,
    n_samples: int = 50,
    seed: int = 0,
) -> pd.DataFrame:
    """EVSI of a Binomial study of each size on ``theta`` (D,), for conditional means ``g`` (D, S).

    Exact preposterior analysis over the draws: the joint probability of study result ``x`` and draw ``i`` is
    ``Binom(x; n, theta_i) / D`` (summing over ``i`` gives the predictive, the Beta-Binomial for Beta draws);
    the value is ``sum_x max_s sum_i joint[x, i] g[i, s] - max_s mean_i g[i, s]``.
    """
    theta = np.clip(np.asarray(theta, dtype=float), 1e-12, 1 - 1e-12)
    g = np.asarray(g, dtype=float)
    n_draws, n_s = g.shape
    samplers = samplers or [None] * n_s
    evppi_est = regression.estimate(g, samplers, n_samples=n_samples, seed=seed)
    rng = np.random.default_rng(seed)
    redraws = None
    if n_samples and any(f is not None for f in samplers):
        redraws = np.stack(
            [
                f(n_samples, rng) if f is not None else np.broadcast_to(g[:, [s]], (n_draws, n_samples))
                for s, f in enumerate(samplers)
            ],
            axis=2,
        )  # (n, R, S)
    log_t, log_1t = np.log(theta), np.log1p(-theta)
    base = g.mean(axis=0)
    star = int(np.argmax(base))
    rows = []
    for n in sizes:
        n = int(n)
        x = np.arange(n + 1)
        # joint probability of (study result x, draw i) under the draws' prior: Binom(x; n, theta_i) / D
        log_joint = (
            (special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1))[:, None]
            + x[:, None] * log_t[None, :]
            + (n - x)[:, None] * log_1t[None, :]
            - math.log(n_draws)
        )
        joint = np.exp(log_joint)  # (n+1, D)
        pre = joint @ g  # (n+1, S): P(x) * E[g_s | x]
        choice = np.argmax(pre, axis=1)
        value = float(pre.max(axis=1).sum() - base.max())
        # outer Monte Carlo error: the value is the mean over draws of each draw's expected gain
        per_draw = (joint * n_draws * (g[:, choice].T - g[:, star][None, :])).sum(axis=0)
        se_outer = float(per_draw.std(ddof=1) / math.sqrt(n_draws))
        se_fit = 0.0
        if redraws is not None:
            r = n_samples
            pre_r = (joint @ redraws.reshape(n_draws, -1)).reshape(n + 1, r, n_s)
            vals = pre_r.max(axis=2).sum(axis=0) - redraws.mean(axis=0).max(axis=1)
            se_fit = float(np.std(vals, ddof=1))
        se = math.hypot(se_outer, se_fit)
        rows.append(
            {
                "n": n,
                "evsi": max(value, 0.0),
                "se": se,
                "low": max(0.0, value - 1.645 * se),
                "high": value + 1.645 * se,
                "evppi": evppi_est.value,
                "evppi_se": evppi_est.se,
            }
        )
    return pd.DataFrame(rows)


# --- tornado ---------------------------------------------------------------------------------------------


def _crossing(imp: np.ndarray, harm: np.ndarray, a: int, b: int) -> float:
    """Weight where strategies a and b have equal expected net outcome (NaN if never at a weight >= 0)."""
    dh = harm[a] - harm[b]
    if abs(dh) < 1e-12:
        return float("nan")
    w = (imp[a] - imp[b]) / dh
    return float(w) if w >= 0 else float("nan")


def tornado(
    model: NetBenefitModel, weight: float, *, names: Sequence[str] | None = None, mass: float = INTERVAL
) -> TornadoResult:
    """One-way sensitivity: each input at the low and high end of its 90% interval, others at their draws.

    Returns a ``TornadoResult``. Its table's columns: name, kind, low/high input values, per strategy the
    expected NB per 100 at the low and high ends and their change (``delta_<s>`` = high - low), the leading
    pair's incremental NB (``inb_*``) and flip weight at each end, and ``swing`` (largest |change| over
    strategies), sorted by swing. The leading pair (``.pair``), its flip weight and incremental NB on the current
    evidence (``.flip_base``, ``.inb_base``) are fields.
    """
    names = list(model.names if names is None else names)
    base_imp, base_harm = model.improved.mean(axis=0), model.harm.mean(axis=0)
    base_nb = base_imp - weight * base_harm
    order = np.argsort(-base_nb)
    a, b = int(order[0]), int(order[1])
    base_flip = _crossing(base_imp, base_harm, a, b)
    rows = []
    for name in names:
        j = model.index(name)
        lo, hi, where = model.interval(name, mass)
        row: dict[str, Any] = {
            "name": name,
            "kind": model.kinds[j],
            "interval_from": where,
            "low_value": lo,
            "high_value": hi,
            "weight": float(weight),
            "pair": f"{model.strategies[a]}/{model.strategies[b]}",
            "flip_base": base_flip,
        }
        for end, v in (("low", lo), ("high", hi)):
            x = model.inputs.copy()
            x[:, j] = v
            imp, harm = model.evaluate(x)
            mi, mh = imp.mean(axis=0), harm.mean(axis=0)
            for s, strat in enumerate(model.strategies):
                row[f"nb_{strat}_{end}"] = float(mi[s] - weight * mh[s])
            row[f"flip_{end}"] = _crossing(mi, mh, a, b)
        for s, strat in enumerate(model.strategies):
            row[f"nb_{strat}_base"] = float(base_nb[s])
            row[f"delta_{strat}"] = row[f"nb_{strat}_high"] - row[f"nb_{strat}_low"]
        row["inb_low"] = row[f"nb_{model.strategies[a]}_low"] - row[f"nb_{model.strategies[b]}_low"]
        row["inb_high"] = row[f"nb_{model.strategies[a]}_high"] - row[f"nb_{model.strategies[b]}_high"]
        row["inb_base"] = float(base_nb[a] - base_nb[b])
        row["swing"] = max(abs(row[f"delta_{s}"]) for s in model.strategies)
        rows.append(row)
    df = pd.DataFrame(rows)
    if rows:
        df = df.iloc[np.lexsort((df["name"].to_numpy(), -df["swing"].to_numpy()))].reset_index(drop=True)
    return TornadoResult(
        table=df,
        weight=float(weight),
        pair=(model.strategies[a], model.strategies[b]),
        flip_base=base_flip,
        inb_base=float(base_nb[a] - base_nb[b]),
        mass=float(mass),
        **model.provenance(),
    )


# --- nested Monte Carlo reference (tests and benchmarks) -------------------------------------------------


def evppi_nested(
    nb_fn,
    sample_group,
    sample_rest,
    n_outer: int,
    n_inner: int,
    rng: np.random.Generator,
    outer: np.ndarray | None = None,
    debias: bool = True,
) -> Estimate:
    """Two-level Monte Carlo EVPPI: for each outer draw of the group, the inner mean over the other inputs.

    ``nb_fn(group_values (m, g), rest_values (m, r)) -> (m, S)``; ``sample_group(k, rng) -> (k, g)``;
    ``sample_rest(k, rng) -> (k, r)``. The inputs must be independent. ``outer`` fixes the outer draws (then
    ``sample_group`` is not used). The plain estimate is biased upwards by the inner noise, by O(1 / n_inner);
    with ``debias`` the bias is removed to first order by Richardson extrapolation, 2 E_J - E_{J/2}, with the
    two halves of each inner sample giving E_{J/2}. The standard error is that of the per-outer-draw terms.
    """
    phi = sample_group(n_outer, rng) if outer is None else np.asarray(outer)
    half = n_inner // 2
    full: np.ndarray = np.empty(0)
    halves: np.ndarray = np.empty(0)
    for k in range(phi.shape[0]):
        vals = nb_fn(np.repeat(phi[k : k + 1], n_inner, axis=0), sample_rest(n_inner, rng))
        if k == 0:
            full = np.empty((phi.shape[0], vals.shape[1]))
            halves = np.empty((2, phi.shape[0], vals.shape[1]))
        full[k] = vals.mean(axis=0)
        halves[0, k] = vals[:half].mean(axis=0)
        halves[1, k] = vals[half : 2 * half].mean(axis=0)

    def terms(cond: np.ndarray) -> np.ndarray:
        return cond.max(axis=1) - cond[:, int(np.argmax(cond.mean(axis=0)))]

    contrib = terms(full)
    if debias:
        contrib = 2 * contrib - 0.5 * (terms(halves[0]) + terms(halves[1]))
    se = float(contrib.std(ddof=1) / math.sqrt(contrib.size))
    return Estimate(
        value=float(contrib.mean()),
        se=se,
        method=f"nested Monte Carlo {phi.shape[0]} x {n_inner}{' (debiased)' if debias else ''}",
    )


__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_STUDY_SIZES",
    "NetBenefitModel",
    "default_groups",
    "evpi_curve",
    "evppi_group",
    "evppi_nested",
    "evppi_table",
    "evsi",
    "evsi_arrays",
    "model_flips",
    "net_benefit",
    "peak",
    "study_parameter",
    "tornado",
]
