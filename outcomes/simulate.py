"""Patient-level simulation: parameter draws x profile -> simulated patients' outcome records.

For D draws and N patients per draw, every patient of every strategy gets one uniform number per event
(``model.EVENTS``: 12 in all), compared with that draw's probability -- vectorised numpy, float32 uniforms,
no Python loop over patients. Work is split into chunks of draws so memory stays bounded; chunk ``i`` always
uses the ``i``-th child of ``SeedSequence(seed)``, so the numbers depend on the seed and ``n_patients`` only,
not on how many threads run the chunks (numpy releases the GIL while drawing and comparing, so threads use
both cores).

The result is an ``xarray.Dataset``:

* ``count`` (draw, strategy, outcome): how many of the N patients had each outcome;
* ``rate`` (draw, strategy, outcome): count / N, NaN where the outcome does not apply;
* ``events`` (draw, patient, strategy, outcome) bool, when ``keep_patients`` (small runs);
* ``applicable`` (strategy, outcome); attrs with the provenance (evidence version, seed, time frame, ...).

``to_datatree`` wraps it as an ArviZ-style group (``predictions``) for researchers who want one container.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr

from outcomes import __version__
from outcomes.model import OUTCOMES, TIME_FRAME, applicable_mask, event_probabilities
from outcomes.profile import Profile
from outcomes.registry import STRATEGIES

DEFAULT_PATIENTS = 100
CHUNK_UNIFORMS = 1 << 21  # ~2M uniforms (8 MiB of float32) per chunk: cache-friendly, bounded memory

_O = {o: i for i, o in enumerate(OUTCOMES)}
_S = {s: i for i, s in enumerate(STRATEGIES)}


def chunk_draws(n_patients: int) -> int:
    """Draws per chunk for a given number of patients per draw (part of the random stream's definition)."""
    return max(1, CHUNK_UNIFORMS // (12 * n_patients))


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _probabilities(draws: xr.Dataset, covariates: dict[str, float]) -> dict[str, np.ndarray]:
    """Event probabilities as float32 columns (D,) keyed ``strategy.event``."""
    ev = event_probabilities(draws, covariates)
    return {f"{s}.{k}": np.ascontiguousarray(v, dtype=np.float32) for s, d in ev.items() for k, v in d.items()}


class _Workspace(threading.local):
    """Per-thread buffers, reused across chunks: fresh large arrays cost page faults that serialise threads."""

    def get(self, m: int, n: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        if getattr(self, "shape", None) != (m, n):
            self.shape = (m, n)
            self.u = np.empty((12, m, n), dtype=np.float32)
            self.b = [np.empty((m, n), dtype=bool) for _ in range(6)]
            self.t = np.empty((m, n), dtype=np.float32)
        return self.u, self.b, self.t


_WS = _Workspace()


def _simulate_chunk(
    p: dict[str, np.ndarray],
    lo: int,
    hi: int,
    n: int,
    seed_seq: np.random.SeedSequence,
    counts: np.ndarray,
    events: np.ndarray | None,
) -> None:
    """Simulate draws [lo, hi) into ``counts`` (and ``events``) in place."""
    rng = np.random.Generator(np.random.PCG64(seed_seq))
    m = hi - lo
    u, (b0, b1, b2, b3, b4, b5), thr = _WS.get(m, n)
    rng.random(out=u, dtype=np.float32)

    def col(key: str) -> np.ndarray:
        return p[key][lo:hi, None]

    def put(s: str, o: str, x: np.ndarray) -> np.ndarray:
        c = np.count_nonzero(x, axis=1)
        counts[lo:hi, _S[s], _O[o]] = c
        if events is not None:
            events[lo:hi, :, _S[s], _O[o]] = x
        return c

    def composites(s: str, imp: np.ndarray, harm: np.ndarray, n_imp: np.ndarray, n_harm: np.ndarray) -> None:
        """improved-without-harm and harm-without-improvement, counted from one AND (patients with both)."""
        both = np.logical_and(imp, harm, out=b5)
        n_both = np.count_nonzero(both, axis=1)
        counts[lo:hi, _S[s], _O["improved_without_harm"]] = n_imp - n_both
        counts[lo:hi, _S[s], _O["harm_without_improvement"]] = n_harm - n_both
        if events is not None:
            events[lo:hi, :, _S[s], _O["improved_without_harm"]] = imp & ~harm
            events[lo:hi, :, _S[s], _O["harm_without_improvement"]] = harm & ~imp

    for s, base in (("fusion", 0), ("decompression", 4)):
        imp = np.less(u[base], col(f"{s}.improved"), out=b0)
        comp = np.less(u[base + 1], col(f"{s}.complication"), out=b1)
        n_imp = put(s, "improved", imp)
        n_comp = put(s, "complication", comp)
        counts[lo:hi, _S[s], _O["harm"]] = n_comp  # a surgical strategy's harm is its complication
        if events is not None:
            events[lo:hi, :, _S[s], _O["harm"]] = comp
        composites(s, imp, comp, n_imp, n_comp)
        if s == "fusion":
            put(s, "solid_fusion", np.less(u[2], col("fusion.solid_fusion"), out=b2))
            put(s, "reoperation", np.less(u[3], col("fusion.reoperation"), out=b2))
        else:
            put(s, "later_instability", np.less(u[6], col("decompression.later_instability"), out=b2))

    neuro = np.less(u[7], col("medication.neuropathic"), out=b0)
    put("medication", "neuropathic", neuro)
    # first response: probability depends on the patient's neuropathic status
    np.copyto(thr, col("medication.first_response_other"))
    np.copyto(thr, np.broadcast_to(col("medication.first_response"), thr.shape), where=neuro)
    imp = np.less(u[8], thr, out=b1)
    imp &= np.less(u[9], col("medication.sustained"), out=b2)
    side = np.less(u[10], col("medication.side_effects"), out=b2)
    worse = np.less(u[11], col("medication.deficit_progression"), out=b3)
    n_imp = put("medication", "improved", imp)
    put("medication", "complication", side)
    put("medication", "deficit_progression", worse)
    harm = np.logical_or(side, worse, out=b4)
    n_harm = put("medication", "harm", harm)
    composites("medication", imp, harm, n_imp, n_harm)


def simulate(
    draws: xr.Dataset,
    profile: Profile | dict[str, float],
    *,
    n_patients: int = DEFAULT_PATIENTS,
    seed: int = 0,
    workers: int | None = None,
    keep_patients: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Simulate ``n_patients`` patients per parameter draw for every strategy.

    ``draws``: a draws Dataset (``outcomes.draws``; prior or posterior alike). ``profile``: a ``Profile`` or a
    covariate mapping. ``keep_patients`` defaults to True when draws x patients <= 1e6.
    ``progress(done, total)`` is called after each chunk.
    """
    if n_patients < 1:
        raise ValueError("n_patients must be at least 1")
    covariates = profile.covariates() if isinstance(profile, Profile) else dict(profile)
    n_draws = draws.sizes["draw"]
    p = _probabilities(draws, covariates)
    if keep_patients is None:
        keep_patients = n_draws * n_patients <= 1_000_000
    counts = np.zeros((n_draws, len(STRATEGIES), len(OUTCOMES)), dtype=np.int32)
    events = np.zeros((n_draws, n_patients, len(STRATEGIES), len(OUTCOMES)), dtype=bool) if keep_patients else None

    step = chunk_draws(n_patients)
    bounds = [(lo, min(lo + step, n_draws)) for lo in range(0, n_draws, step)]
    seeds = np.random.SeedSequence(seed).spawn(len(bounds))
    workers = workers or default_workers()
    done = 0

    def run(i: int) -> None:
        lo, hi = bounds[i]
        _simulate_chunk(p, lo, hi, n_patients, seeds[i], counts, events)

    if workers == 1 or len(bounds) == 1:
        for i in range(len(bounds)):
            run(i)
            done += 1
            if progress:
                progress(done, len(bounds))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(run, range(len(bounds))):
                done += 1
                if progress:
                    progress(done, len(bounds))

    mask = applicable_mask()
    rate = np.where(mask.values[None], counts / n_patients, np.nan)
    coords = {"draw": draws["draw"].values, "strategy": list(STRATEGIES), "outcome": list(OUTCOMES)}
    data = {
        "count": (("draw", "strategy", "outcome"), counts),
        "rate": (("draw", "strategy", "outcome"), rate),
        "applicable": (("strategy", "outcome"), mask.values),
    }
    if events is not None:
        data["events"] = (("draw", "patient", "strategy", "outcome"), events)
        coords["patient"] = np.arange(n_patients)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "evidence_version": draws.attrs.get("evidence_version", "unknown"),
            "origin": draws.attrs.get("origin", "external"),
            "diagnostics_status": draws.attrs.get("diagnostics_status", "ok"),
            "seed": int(seed),
            "n_patients": int(n_patients),
            "n_draws": int(n_draws),
            "time_frame": TIME_FRAME,
            "package_version": __version__,
            "profile_label": profile.label if isinstance(profile, Profile) else "covariates",
            "profile_digest": profile.digest() if isinstance(profile, Profile) else "",
        }
    )
    return ds


def to_datatree(sim: xr.Dataset) -> xr.DataTree:
    """The simulation as a DataTree with a ``predictions`` group (ArviZ's container for new-patient outcomes)."""
    sim = sim.expand_dims(chain=[0]) if "chain" not in sim.dims else sim
    group = sim.drop_vars("applicable").drop_vars([v for v in sim.data_vars if v == "events"])
    tree = xr.DataTree.from_dict({"predictions": group, "constant_data": sim[["applicable"]].isel(chain=0, drop=True)})
    tree.attrs.update(sim.attrs)
    return tree
