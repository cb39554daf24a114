"""The regression (metamodel) estimator of partial expected value of perfect information, on plain arrays.

Strong, Oakley & Brennan (2014), *Estimating multiparameter partial expected value of perfect information
from a probabilistic sensitivity analysis sample: a nonparametric regression approach*, Med Decis Making
34(3):311-326. Given draws of the inputs ``theta`` and of each strategy's net benefit ``nb``, the conditional
expectation ``g_s(phi) = E[nb_s | phi]`` of the inputs of interest ``phi`` is estimated by regressing
``nb_s`` on ``phi``; then

    EVPPI = mean_i max_s g_s(phi_i) - max_s mean_i g_s(phi_i).

The smoother here is a penalized regression spline: cubic B-splines with knots at quantiles of the input
(so every basis function is supported by draws even when a Beta(0.7, 3.3) input piles up near zero) and the
curvature penalty ``int f''(x)^2 dx`` in the input's own units, whose null space is the straight lines -- a net
benefit that is linear in a parameter (most of this model) is fitted without smoothing bias. (A first version
regressed on ranks; the penalty then pulled fits towards lines in the rank, which biased EVPPI by 2-4% on
linear test models.) For several inputs the basis is a functional ANOVA decomposition, as mgcv's ``ti()``:

* main effects: a sum-to-zero constrained penalized spline per input;
* pairwise interactions: row-wise tensor products of constrained cubic marginals, penalized in each
  direction (the bilinear term, which multiplicative models such as ``sustained * first_response`` need,
  is unpenalized);
* three-way interactions when there are at most four inputs (a product of three probabilities, as in the
  medication response chain, is a genuine three-way term).

One smoothing parameter is chosen per output by REML (default; Wood 2011: less prone than GCV to occasional
undersmoothing, and an undersmoothed fit biases EVPPI upwards) or GCV, both evaluated exactly on a grid
via the Demmler-Reinsch diagonalisation: with ``X'X = L L'`` and ``L^-1 S L^-T = U diag(lam) U'``, the fit
for penalty ``rho`` is ``A (b / (1 + rho lam))`` with ``A = X L^-T U`` (orthonormal columns) and ``b = A'y``,
so every criterion is a sum over ``k`` numbers.

Standard error (Strong et al. 2014, section 3.4, plus the outer Monte Carlo term): the fitted values are
redrawn from the approximate posterior of the spline coefficients, ``N(beta_hat, sigma^2 (X'X + rho S)^-1)``,
EVPPI is recomputed for each redraw, and the spread of those values is combined with the Monte Carlo error of
the outer mean, ``sd_i(max_s g_is - g_is*) / sqrt(n)``.

Why no extra dependency: scikit-learn, statsmodels and pygam are not installed here, and the estimator is
~250 lines of numpy/scipy (a 4000-draw single-input EVPPI with its standard error takes ~4 ms on one core,
``benchmarks/voi.py``). ``scipy.interpolate.make_smoothing_spline`` (GCV) was considered for one input: it
returns no coefficient covariance for the standard error (Strong's method needs one), needs strictly
increasing abscissae (posterior draws repeat), and does not extend to groups of inputs.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg
from scipy.interpolate import BSpline

DEFAULT_SAMPLES = 100
"""Redraws of the fitted values from the coefficient posterior, for the standard error."""

MAX_COLUMNS = 520
"""Largest regression basis (columns) built for a group of inputs; interactions are dropped beyond it."""


# --- bases ----------------------------------------------------------------------------------------------


def difference_penalty(k: int, order: int = 2) -> np.ndarray:
    d = np.diff(np.eye(k), n=order, axis=0)
    return d.T @ d


@dataclass(frozen=True)
class _Marginal:
    basis: np.ndarray  # (n, k-1), sum-to-zero over the sample
    penalty: np.ndarray  # (k-1, k-1)


_GAUSS = np.polynomial.legendre.leggauss(2)


def spline_basis(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Cubic B-splines with knots at quantiles of ``x`` and the penalty ``S_ij = int B_i'' B_j'' dx``.

    At most ``k`` functions (fewer when tied draws make quantile knots coincide). The penalty's null space
    is the straight lines in ``x``, so a net benefit that is linear in a parameter is fitted without bias.
    """
    knots = np.unique(np.quantile(x, np.linspace(0.0, 1.0, max(k - 2, 2))))
    if knots.size < 2:
        raise ValueError("a constant input has no spline basis")
    t = np.r_[[knots[0]] * 3, knots, [knots[-1]] * 3]
    k = t.size - 4
    basis = BSpline.design_matrix(np.clip(x, knots[0], knots[-1]), t, 3).toarray()
    lo, hi = knots[:-1], knots[1:]
    pts = ((hi - lo)[:, None] * (_GAUSS[0] + 1) / 2 + lo[:, None]).ravel()
    wts = ((hi - lo)[:, None] * _GAUSS[1] / 2).ravel()
    d2 = BSpline(t, np.eye(k), 3).derivative(2)(pts)
    return basis, (d2 * wts[:, None]).T @ d2


def _constrained(x: np.ndarray, k: int) -> _Marginal:
    """A penalized spline marginal with the sum-to-zero constraint absorbed (mgcv's identifiability constraint)."""
    b, pen = spline_basis(x, k)
    c = b.mean(axis=0)
    q, _ = np.linalg.qr(c[:, None], mode="complete")
    z = q[:, 1:]
    return _Marginal(b @ z, z.T @ pen @ z)


def _row_kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], -1)


def _tensor(margs: list[_Marginal]) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise tensor product of constrained marginals and its penalty sum_t I x .. x P_t x .. x I."""
    basis = margs[0].basis
    for m in margs[1:]:
        basis = _row_kron(basis, m.basis)
    dims = [m.penalty.shape[0] for m in margs]
    pen = np.zeros((basis.shape[1], basis.shape[1]))
    for t, m in enumerate(margs):
        term = np.ones((1, 1))
        for r, d in enumerate(dims):
            term = np.kron(term, m.penalty if r == t else np.eye(d))
        pen += term
    return basis, pen


@dataclass(frozen=True)
class Design:
    """A regression basis for one set of inputs: X (n, k) with the intercept first, block penalties."""

    x: np.ndarray
    penalty: np.ndarray
    terms: tuple[str, ...]

    @property
    def n_columns(self) -> int:
        return self.x.shape[1]


def _scaled(basis: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """Scale a block penalty to the size of its block of X'X, so one smoothing parameter fits every block."""
    xtx = basis.T @ basis
    pn = np.linalg.norm(pen)
    return pen * (np.linalg.norm(xtx) / pn) if pn > 0 else pen


def build_design(inputs: np.ndarray, *, main_knots: int | None = None, max_columns: int = MAX_COLUMNS) -> Design:
    """The ANOVA spline basis for ``inputs`` (n, d): main effects, pairwise and (d <= 4) three-way terms.

    Constant inputs are dropped (they carry no information). Pairwise terms among the first inputs are
    kept first when the column budget runs out, so callers list the most influential inputs first.
    """
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim == 1:
        inputs = inputs[:, None]
    n = inputs.shape[0]
    keep = [j for j in range(inputs.shape[1]) if np.ptp(inputs[:, j]) > 0]
    u = inputs[:, keep]
    d = len(keep)
    blocks: list[tuple[str, np.ndarray, np.ndarray]] = []
    k1 = main_knots or (20 if d == 1 else 12 if d == 2 else 10)
    k2 = 6 if d <= 2 else 5 if d <= 3 else 4
    mains = [_constrained(u[:, j], k1) for j in range(d)]
    for j, m in enumerate(mains):
        blocks.append((f"s({keep[j]})", m.basis, m.penalty))
    budget = max_columns - 1 - sum(b[1].shape[1] for b in blocks)
    if d >= 2:
        small = [_constrained(u[:, j], k2) for j in range(d)]
        pairs = list(itertools.combinations(range(d), 2))
        per_pair = (k2 - 1) ** 2
        for a, b in pairs:
            if budget < per_pair:
                break
            basis, pen = _tensor([small[a], small[b]])
            blocks.append((f"ti({keep[a]},{keep[b]})", basis, pen))
            budget -= per_pair
        if d <= 4:
            tri = [_constrained(u[:, j], 4) for j in range(d)]
            for a, b, c in itertools.combinations(range(d), 3):
                if budget < 27:
                    break
                basis, pen = _tensor([tri[a], tri[b], tri[c]])
                blocks.append((f"ti({keep[a]},{keep[b]},{keep[c]})", basis, pen))
                budget -= 27
    k = 1 + sum(b[1].shape[1] for b in blocks)
    x = np.empty((n, k))
    x[:, 0] = 1.0
    pen = np.zeros((k, k))
    at = 1
    for _, basis, p in blocks:
        w = basis.shape[1]
        x[:, at : at + w] = basis
        pen[at : at + w, at : at + w] = _scaled(basis, p)
        at += w
    return Design(x=x, penalty=pen, terms=tuple(b[0] for b in blocks))


# --- penalized least squares with the smoothing parameter chosen by REML or GCV ---------------------------


@dataclass
class SmoothFit:
    """Fitted conditional means of several outputs on one design, and their coefficient posterior."""

    fitted: np.ndarray  # (n, m)
    a: np.ndarray  # (n, k) orthonormal Demmler-Reinsch basis
    shrink: np.ndarray  # (k, m): 1 / (1 + rho_j lam)
    sigma: np.ndarray  # (m,) residual sd
    edf: np.ndarray  # (m,) effective degrees of freedom
    rho: np.ndarray  # (m,)
    terms: tuple[str, ...] = field(default=())

    def sampler(self, j: int):
        """A function ``(R, rng) -> (n, R)``: redraws of output ``j``'s fitted values from the coefficient
        posterior N(beta_hat, sigma^2 (X'X + rho S)^-1) (in the Demmler-Reinsch basis: independent normals)."""
        scale = self.sigma[j] * np.sqrt(self.shrink[:, j])

        def draw(n_samples: int, rng: np.random.Generator) -> np.ndarray:
            xi = rng.standard_normal((self.a.shape[1], n_samples)) * scale[:, None]
            out = self.a @ xi
            out += self.fitted[:, j][:, None]
            return out

        return draw


def _criterion(rho: np.ndarray, lam: np.ndarray, b2: np.ndarray, yy: float, n: int, m0: int, how: str) -> np.ndarray:
    """REML or GCV score for each smoothing parameter in ``rho`` (1-d array)."""
    sh = 1.0 / (1.0 + rho[:, None] * lam[None, :])  # (g, k)
    if how == "gcv":
        rss = yy - (b2[None, :] * (2 * sh - sh * sh)).sum(axis=1)
        tr = sh.sum(axis=1)
        return n * np.maximum(rss, 1e-300) / np.maximum(n - tr, 1e-9) ** 2
    q = yy - (b2[None, :] * sh).sum(axis=1)
    pos = lam > 0
    return (n - m0) * np.log(np.maximum(q, 1e-300)) + np.log1p(1.0 / (rho[:, None] * lam[None, pos])).sum(axis=1)


def fit_smooth(design: Design, y: np.ndarray, *, criterion: str = "reml") -> SmoothFit:
    """Penalized regression of every column of ``y`` (n, m) on ``design``, one smoothing parameter each."""
    if criterion not in ("reml", "gcv"):
        raise ValueError("criterion must be 'reml' or 'gcv'")
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    x, s = design.x, design.penalty
    n, k = x.shape
    xtx = x.T @ x
    jitter = 1e-10 * np.trace(xtx) / k
    chol = linalg.cholesky(xtx + jitter * np.eye(k), lower=True)
    li_s = linalg.solve_triangular(chol, s, lower=True)
    m_mat = linalg.solve_triangular(chol, li_s.T, lower=True)
    lam, u = linalg.eigh((m_mat + m_mat.T) / 2)
    lam = np.where(lam > 1e-10 * max(lam.max(), 1e-300), lam, 0.0)
    t = linalg.solve_triangular(chol.T, u, lower=False)  # L^-T U
    a = x @ t
    b = a.T @ y  # (k, m)
    m0 = int(np.sum(lam == 0))
    pos = lam[lam > 0]
    m = y.shape[1]
    rho_out = np.zeros(m)
    if pos.size:
        grid = np.exp(np.linspace(np.log(1e-3 / pos.max()), np.log(1e5 / pos.min()), 90))
        for j in range(m):
            yy = float(y[:, j] @ y[:, j])
            score = _criterion(grid, lam, b[:, j] ** 2, yy, n, m0, criterion)
            i = int(np.argmin(score))
            # refine between the grid neighbours (a fine geometric sub-grid: cheap and monotone-safe)
            lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            fine = np.exp(np.linspace(np.log(lo), np.log(hi), 25))
            fs = _criterion(fine, lam, b[:, j] ** 2, yy, n, m0, criterion)
            rho_out[j] = fine[int(np.argmin(fs))]
    shrink = 1.0 / (1.0 + rho_out[None, :] * lam[:, None])  # (k, m)
    fitted = a @ (b * shrink)
    edf = shrink.sum(axis=0)
    rss = ((y - fitted) ** 2).sum(axis=0)
    sigma = np.sqrt(rss / np.maximum(n - edf, 1.0))
    return SmoothFit(fitted=fitted, a=a, shrink=shrink, sigma=sigma, edf=edf, rho=rho_out, terms=design.terms)


# --- EVPPI from conditional means -------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A value-of-information estimate (per 100 patients) with its standard error and 90% interval."""

    value: float
    se: float
    method: str = ""
    edf: float = float("nan")

    @property
    def low(self) -> float:
        return max(0.0, self.value - 1.645 * self.se)

    @property
    def high(self) -> float:
        return self.value + 1.645 * self.se


def evppi_from_means(g: np.ndarray) -> tuple[float, float]:
    """EVPPI and its outer Monte Carlo standard error from conditional means ``g`` (n, S)."""
    mean = g.mean(axis=0)
    star = int(np.argmax(mean))
    gain = g.max(axis=1) - g[:, star]
    return float(gain.mean()), float(gain.std(ddof=1) / math.sqrt(g.shape[0])) if g.shape[0] > 1 else 0.0


def _fit_se(g: np.ndarray, samplers: list, n_samples: int, seed: int) -> float:
    """Standard deviation of EVPPI over redraws of the conditional means (``samplers[s]`` None: fixed)."""
    if not n_samples or all(f is None for f in samplers):
        return 0.0
    rng = np.random.default_rng(seed)
    best = None
    means = np.empty((len(samplers), n_samples))
    for s, f in enumerate(samplers):
        col = f(n_samples, rng) if f is not None else g[:, s][:, None]
        means[s] = col.mean(axis=0)
        best = np.broadcast_to(col, (g.shape[0], n_samples)).copy() if best is None else np.maximum(best, col)
    assert best is not None  # at least one sampler
    values = best.mean(axis=0) - means.max(axis=0)
    return float(np.std(values, ddof=1))


def estimate(
    g: np.ndarray,
    samplers: list | None = None,
    *,
    method: str = "",
    edf: float = float("nan"),
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
) -> Estimate:
    """EVPPI from conditional means ``g`` (n, S), with the standard error from the fit's redraws (one
    sampler or None per strategy) and the outer Monte Carlo error combined."""
    value, se_outer = evppi_from_means(g)
    se_fit = _fit_se(g, samplers or [None] * g.shape[1], n_samples, seed)
    return Estimate(value=max(value, 0.0), se=math.hypot(se_fit, se_outer), method=method, edf=edf)


def evppi(
    nb: np.ndarray,
    inputs: np.ndarray,
    *,
    reference: int | None = None,
    criterion: str = "reml",
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
) -> Estimate:
    """EVPPI of ``inputs`` (n,) or (n, d) for net benefits ``nb`` (n, S), by regression.

    The incremental net benefits against ``reference`` (default: the strategy with the highest mean) are
    regressed on the inputs, which removes the noise the strategies share. Same units as ``nb``.
    """
    nb = np.asarray(nb, dtype=float)
    if nb.ndim != 2 or nb.shape[1] < 2:
        raise ValueError("nb must have shape (draws, strategies) with at least two strategies")
    ref = int(np.argmax(nb.mean(axis=0))) if reference is None else int(reference)
    others = [s for s in range(nb.shape[1]) if s != ref]
    inb = nb[:, others] - nb[:, [ref]]
    design = build_design(inputs)
    fit = fit_smooth(design, inb, criterion=criterion)
    g = np.zeros_like(nb)
    g[:, others] = fit.fitted
    samplers: list = [None] * nb.shape[1]
    for j, s in enumerate(others):
        samplers[s] = fit.sampler(j)
    d = 1 if np.ndim(inputs) == 1 else np.shape(inputs)[1]
    return estimate(
        g,
        samplers,
        method=f"spline {'GAM' if d == 1 else 'ANOVA tensor GAM'} ({criterion.upper()})",
        edf=float(fit.edf.mean()),
        n_samples=n_samples,
        seed=seed,
    )


def evpi(nb: np.ndarray) -> Estimate:
    """Expected value of perfect information: E max_s nb_s - max_s E nb_s, with its Monte Carlo error."""
    v, se = evppi_from_means(np.asarray(nb, dtype=float))
    return Estimate(value=v, se=se, method="Monte Carlo")
