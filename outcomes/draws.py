"""Parameter draws: from the priors, from any array, or from a saved posterior -- the same shape either way.

A draws object is an ``xarray.Dataset`` with

* ``p`` (draw, parameter): probabilities, one column per registry parameter ``strategy.outcome``;
* ``log_or`` (draw, effect): log odds ratios of the covariate effects, with per-effect coordinates
  ``covariate``, ``reference``, ``per`` and ``targets`` (``;``-joined);
* attrs ``evidence_version``, ``origin`` ("prior" or "posterior"), ``seed``, and for a posterior ``data_hash``.

This module does not import pymc or arviz: a posterior saved by ``outcomes.update`` is read with xarray.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from outcomes.elicit import Priors
from outcomes.errors import InputError
from outcomes.posterior_names import effect_name, p_name
from outcomes.registry import Registry

DEFAULT_DRAWS = 4000


def _effect_coords(registry: Registry, effect_ids: list[str]) -> dict:
    effects = [registry.effect(e) for e in effect_ids]
    return {
        "effect": effect_ids,
        "covariate": ("effect", [e.covariate for e in effects]),
        "reference": ("effect", np.array([e.reference for e in effects], dtype=float)),
        "per": ("effect", np.array([e.per for e in effects], dtype=float)),
        "targets": ("effect", [";".join(e.targets) for e in effects]),
        "applies_low": ("effect", np.array([e.applies[0] if e.applies else np.nan for e in effects], dtype=float)),
        "applies_high": ("effect", np.array([e.applies[1] if e.applies else np.nan for e in effects], dtype=float)),
    }


def from_arrays(
    p: np.ndarray,
    log_or: np.ndarray | None,
    registry: Registry,
    *,
    origin: str = "external",
    effect_ids: list[str] | None = None,
    seed: int | None = None,
    **attrs,
) -> xr.Dataset:
    """Wrap arrays of draws: ``p`` (D, n_parameters) in ``registry.parameters`` order, ``log_or`` (D, n_effects)."""
    p = np.asarray(p, dtype=float)
    params = registry.parameters
    if p.ndim != 2 or p.shape[1] != len(params):
        raise ValueError(f"p must have shape (draws, {len(params)}) in registry.parameters order, got {p.shape}")
    if not np.all((p > 0) & (p < 1)):
        raise ValueError("every probability draw must lie strictly between 0 and 1")
    effect_ids = effect_ids if effect_ids is not None else [e.id for e in registry.used_effects]
    if log_or is None:
        log_or = np.zeros((p.shape[0], len(effect_ids)))
    log_or = np.asarray(log_or, dtype=float)
    if log_or.shape != (p.shape[0], len(effect_ids)):
        raise ValueError(f"log_or must have shape ({p.shape[0]}, {len(effect_ids)}), got {log_or.shape}")
    coords = {"draw": np.arange(p.shape[0]), "parameter": list(params), **_effect_coords(registry, effect_ids)}
    ds = xr.Dataset({"p": (("draw", "parameter"), p), "log_or": (("draw", "effect"), log_or)}, coords=coords)
    ds.attrs.update(
        {"evidence_version": registry.version, "origin": origin, "seed": -1 if seed is None else int(seed), **attrs}
    )
    return ds


def prior_draws(
    priors: Priors,
    n_draws: int = DEFAULT_DRAWS,
    rng: np.random.Generator | int | None = None,
    *,
    seed: int | None = None,
) -> xr.Dataset:
    """Independent draws from every parameter's prior and every effect's Normal prior.

    A parameter's prior is its robust Beta mixture (``outcomes.elicit.BetaMixture``: a component drawn by weight,
    then its Beta), or the plain capped Beta for ``elicit(..., robust=False)``; attr ``prior_kind`` says which.

    Parameters
    ----------
    priors : Priors
        From :func:`outcomes.elicit.elicit`.
    n_draws : int
        Number of draws.
    rng, seed : Generator or int, optional
        The random stream (``seed=`` is the same as an integer ``rng``); same seed, same draws.

    Returns
    -------
    xarray.Dataset
        ``p`` (draw, parameter) and ``log_or`` (draw, effect), with the evidence version in its attrs.

    Examples
    --------
    >>> import outcomes as oc
    >>> draws = oc.prior_draws(oc.elicit(oc.load_registry()), 500, seed=7)
    >>> draws["p"].dims
    ('draw', 'parameter')
    """
    if seed is not None:
        if rng is not None:
            raise ValueError("give rng or seed, not both")
        rng = seed
    if priors.registry is None:
        raise ValueError("priors must carry their registry (use outcomes.elicit.elicit)")
    seed = rng if isinstance(rng, int) else None
    rng = np.random.default_rng(rng)
    p = np.column_stack([priors.parameters[k].draw(rng, n_draws) for k in priors.registry.parameters])
    # a Beta with alpha < 1 can return exactly 0 in floating point; keep draws inside (0, 1)
    p = np.clip(p, 1e-9, 1 - 1e-9)
    effect_ids = list(priors.effects)
    log_or = (
        np.column_stack([priors.effects[e].draw(rng, n_draws) for e in effect_ids])
        if effect_ids
        else np.zeros((n_draws, 0))
    )
    return from_arrays(
        p,
        log_or,
        priors.registry,
        origin="prior",
        effect_ids=effect_ids,
        seed=seed,
        cap_scale="none" if priors.cap_scale is None else float(priors.cap_scale),
        prior_kind="robust mixture" if priors.robust else "plain Beta",
    )


def load_posterior_draws(path: Path | str, registry: Registry, *, allow_failed: bool = False) -> xr.Dataset:
    """Read a posterior saved by ``outcomes update`` (netCDF DataTree) into draws of the usual shape.

    Refuses, with an ``InputError``, a file that is not such a posterior, one made from another evidence
    version, or one whose diagnostics failed (unless ``allow_failed``; it is then stamped as failing).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            str(path), None, None, "does not exist; allowed: a posterior .nc file written by 'outcomes update'"
        )
    try:
        tree = xr.open_datatree(path, engine="h5netcdf")
    except Exception as exc:
        raise InputError(
            str(path),
            None,
            None,
            f"cannot be read as netCDF ({type(exc).__name__}); "
            "allowed: a posterior .nc file written by 'outcomes update'",
        ) from None
    return draws_from_tree(tree, registry, allow_failed=allow_failed, source=str(path))


def draws_from_tree(
    tree: xr.DataTree, registry: Registry, *, allow_failed: bool = False, source: str = "<update result>"
) -> xr.Dataset:
    """Draws of the usual shape from an update result (``outcomes.update.fit``), in memory or read from a file."""
    path = source
    attrs = dict(tree.attrs)
    if "posterior" not in tree.children:
        raise InputError(str(path), None, "posterior", "group is missing; allowed: a file written by 'outcomes update'")
    version = attrs.get("evidence_version")
    if version != registry.version:
        raise InputError(
            str(path),
            None,
            "evidence_version",
            f"is {version!r} but the registry is {registry.version}; refit the posterior with "
            "'outcomes update' on this registry",
        )
    failing = str(attrs.get("diagnostics_status", "ok")) != "ok"
    if failing and not allow_failed:
        raise InputError(
            str(path),
            None,
            "diagnostics_status",
            f"is {attrs.get('diagnostics_status')!r}; a posterior that failed its diagnostics is not used",
        )
    post = tree["posterior"].to_dataset()
    try:
        p = np.stack([post[p_name(k)].values.reshape(-1) for k in registry.parameters], axis=1)
        effect_ids = [e.id for e in registry.used_effects]
        log_or = (
            np.stack([post[effect_name(e)].values.reshape(-1) for e in effect_ids], axis=1)
            if effect_ids
            else np.zeros((p.shape[0], 0))
        )
    except KeyError as exc:
        raise InputError(str(path), None, str(exc.args[0]), "variable is missing from the posterior group") from None
    ds = from_arrays(
        np.clip(p, 1e-9, 1 - 1e-9),
        log_or,
        registry,
        origin="posterior",
        effect_ids=effect_ids,
        data_hash=str(attrs.get("data_hash", "")),
        posterior_file=str(path),
        data_file=str(attrs.get("data_file", "")),
        diagnostics_status=str(attrs.get("diagnostics_status", "ok")),
    )
    return ds


def posterior_draws(
    path: Path | str, registry: Registry, *, n_draws: int | None = None, allow_failed: bool = False
) -> xr.Dataset:
    """Draws from a posterior written by ``outcomes update``, thinned evenly to ``n_draws`` if given.

    Parameters
    ----------
    path : str or Path
        The posterior netCDF file.
    registry : Registry
        The registry it was fitted on (the evidence version must match).
    n_draws : int, optional
        Keep this many draws, evenly spaced (default: all).
    allow_failed : bool
        Accept a fit that failed its diagnostics (the draws are then stamped as failing).

    Returns
    -------
    xarray.Dataset
        The same shape as :func:`prior_draws`: ``p`` (draw, parameter) and ``log_or`` (draw, effect).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import outcomes as oc
    >>> from outcomes.update.io import save_posterior
    >>> reg = oc.load_registry()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "posterior.nc"
    >>> _ = save_posterior(oc.fit("verified_trials", oc.elicit(reg), seed=1), path)
    >>> draws = oc.posterior_draws(path, reg, n_draws=1000)
    >>> draws.sizes["draw"], draws.attrs["origin"]
    (1000, 'posterior')
    """
    draws = load_posterior_draws(path, registry, allow_failed=allow_failed)
    if n_draws is not None and draws.sizes["draw"] > n_draws:
        stride = draws.sizes["draw"] / n_draws
        draws = draws.isel(draw=[int(i * stride) for i in range(n_draws)])
    return draws
