"""Patient-level simulation: parameter draws x profile -> simulated patients' outcome records.

The simulator is compiled once per decision model (``outcomes.declaration``) into a short list of array
operations (:class:`Plan`): for D draws and N patients per draw, every patient of every strategy gets one float32
uniform per declared event (in declaration order), compared with that draw's (covariate-shifted) probability;
a conditional event compares against its ``then`` or ``else`` probability by the state of its condition;
outcomes are the declared boolean expressions, evaluated with numpy logical operations on whole chunks (shared
sub-expressions once). An outcome of the form ``A and not B`` is counted as count(A) - count(A and B), so the two
composites of a benefit and a harm cost one AND. No Python loop over patients and no per-strategy code.

Work is split into chunks of draws so memory stays bounded; chunk ``i`` always uses the ``i``-th child of
``SeedSequence(seed)``, so the numbers depend on the seed and ``n_patients`` only, not on how many threads run
the chunks (numpy releases the GIL while drawing and comparing, so threads use both cores).

The result is an ``xarray.Dataset``:

* ``count`` (draw, strategy, outcome): how many of the N patients had each outcome;
* ``rate`` (draw, strategy, outcome): count / N, NaN where the outcome does not apply;
* ``events`` (draw, patient, strategy, outcome) bool, when ``keep_patients`` (small runs);
* ``applicable`` (strategy, outcome); attrs with the provenance (evidence version, seed, time frame, ...) and
  the declaration itself (``model_json``), so summaries and charts take their vocabulary from the result.

``to_datatree`` wraps it as an ArviZ-style group (``predictions``) for researchers who want one container.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr

from outcomes import __version__
from outcomes.declaration import DecisionModel, Expr
from outcomes.model import adjusted_parameters, applicable_mask, covariates_of, model_of

DEFAULT_PATIENTS = 100
CHUNK_UNIFORMS = 1 << 21  # ~2M uniforms (8 MiB of float32) per chunk: cache-friendly, bounded memory


def chunk_draws(n_patients: int, n_events: int) -> int:
    """Draws per chunk for a given number of patients per draw (part of the random stream's definition)."""
    return max(1, CHUNK_UNIFORMS // (n_events * n_patients))


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


# --- the compiled plan ------------------------------------------------------------------------------------------

# Operations on per-thread boolean buffers (m draws x n patients):
#   ("event", dst, slot, param)                 dst = u[slot] < p[param]
#   ("cond", dst, slot, cond, then, else)       dst = u[slot] < (p[then] where buf[cond] else p[else])
#   ("not", dst, src) / ("and", dst, srcs) / ("or", dst, srcs) / ("const", dst, value)
#   ("count", s, o, src)                        counts[:, s, o] = count(buf[src])
#   ("diff", s, o, a, ab)                       counts[:, s, o] = count(buf[a]) - count(buf[ab])   (A and not B)


@dataclass(frozen=True)
class Plan:
    n_events: int
    n_buffers: int
    ops: tuple[tuple[Any, ...], ...]
    strategies: tuple[str, ...]
    outcomes: tuple[str, ...]


def _canon(e: Expr) -> Expr:
    """A canonical form: nested and/or flattened, operands sorted, so equal sub-expressions share a buffer."""
    if e[0] in ("var", "const"):
        return e
    if e[0] == "not":
        inner = _canon(e[1])
        return inner[1] if inner[0] == "not" else ("not", inner)
    parts: list[Expr] = []
    for x in (_canon(y) for y in e[1]):
        parts.extend(x[1] if x[0] == e[0] else (x,))
    uniq = sorted(set(parts), key=repr)
    return uniq[0] if len(uniq) == 1 else (e[0], tuple(uniq))


@lru_cache(maxsize=32)
def _compile(model_json: str) -> Plan:
    from outcomes.declaration import model_from_json

    model = model_from_json(model_json)
    ops: list[tuple[Any, ...]] = []
    slot = 0
    n_buffers = 0
    outcome_index = {o: j for j, o in enumerate(model.outcomes)}
    for si, st in enumerate(model.strategies.values()):
        buf: dict[Expr, int] = {}

        def need(e: Expr, buf: dict[Expr, int] = buf) -> int:
            if e in buf:
                return buf[e]
            if e[0] == "var":
                raise AssertionError(f"event {e[1]} has no buffer")  # events are placed first
            if e[0] == "const":
                dst = len(buf)
                ops.append(("const", dst, bool(e[1])))
                buf[e] = dst
                return dst
            if e[0] == "not":
                src = need(e[1])
                dst = len(buf)
                ops.append(("not", dst, src))
            else:
                srcs = tuple(need(x) for x in e[1])
                dst = len(buf)
                ops.append((e[0], dst, srcs))
            buf[e] = dst
            return dst

        for ev in st.events:
            dst = len(buf)
            buf[("var", ev.name)] = dst
            if ev.parameter is not None:
                ops.append(("event", dst, slot, ev.parameter))
            else:
                ops.append(("cond", dst, slot, buf[("var", str(ev.condition))], ev.then, ev.otherwise))
            slot += 1
        for o, expr in st.outcomes.items():
            e = _canon(expr)
            oi = outcome_index[o]
            if e[0] == "and" and len(e[1]) == 2 and sum(x[0] == "not" for x in e[1]) == 1:
                a = next(x for x in e[1] if x[0] != "not")
                b = next(x for x in e[1] if x[0] == "not")[1]
                ab = _canon(("and", (a, b)))
                ops.append(("diff", si, oi, need(a), need(ab)))
                continue
            ops.append(("count", si, oi, need(e)))
        n_buffers = max(n_buffers, len(buf))
    return Plan(slot, n_buffers, tuple(ops), tuple(model.strategies), tuple(model.outcomes))


def plan_for(model: DecisionModel) -> Plan:
    """The compiled simulator of a decision model (cached per declaration)."""
    return _compile(model.to_json())


class _Workspace(threading.local):
    """Per-thread buffers, reused across chunks: fresh large arrays cost page faults that serialise threads."""

    def get(self, k: int, nb: int, m: int, n: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        if getattr(self, "shape", None) != (k, nb, m, n):
            self.shape = (k, nb, m, n)
            self.u = np.empty((k, m, n), dtype=np.float32)
            self.b = [np.empty((m, n), dtype=bool) for _ in range(nb + 1)]
            self.t = np.empty((m, n), dtype=np.float32)
        return self.u, self.b, self.t


_WS = _Workspace()


def _simulate_chunk(
    plan: Plan,
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
    u, b, thr = _WS.get(plan.n_events, plan.n_buffers, m, n)
    rng.random(out=u, dtype=np.float32)
    tally: dict[int, np.ndarray] = {}

    def count(i: int) -> np.ndarray:
        if i not in tally:
            tally[i] = np.count_nonzero(b[i], axis=1)
        return tally[i]

    for op in plan.ops:
        kind = op[0]
        if kind == "event":
            _, dst, slot, param = op
            np.less(u[slot], p[param][lo:hi, None], out=b[dst])
            tally.pop(dst, None)
        elif kind == "cond":
            _, dst, slot, cond, then, other = op
            np.copyto(thr, p[other][lo:hi, None])
            np.copyto(thr, np.broadcast_to(p[then][lo:hi, None], thr.shape), where=b[cond])
            np.less(u[slot], thr, out=b[dst])
            tally.pop(dst, None)
        elif kind == "not":
            np.logical_not(b[op[2]], out=b[op[1]])
            tally.pop(op[1], None)
        elif kind == "const":
            b[op[1]].fill(op[2])
            tally.pop(op[1], None)
        elif kind in ("and", "or"):
            f = np.logical_and if kind == "and" else np.logical_or
            dst, srcs = op[1], op[2]
            f(b[srcs[0]], b[srcs[1]], out=b[dst])
            for x in srcs[2:]:
                f(b[dst], b[x], out=b[dst])
            tally.pop(dst, None)
        elif kind == "count":
            _, si, oi, src = op
            counts[lo:hi, si, oi] = count(src)
            if events is not None:
                events[lo:hi, :, si, oi] = b[src]
        else:  # "diff": A and not B = count(A) - count(A and B)
            _, si, oi, a, ab = op
            counts[lo:hi, si, oi] = count(a) - count(ab)
            if events is not None:
                events[lo:hi, :, si, oi] = b[a] & ~b[ab]


def simulate(
    draws: xr.Dataset,
    profile: Any,
    *,
    model: DecisionModel | None = None,
    n_patients: int = DEFAULT_PATIENTS,
    seed: int = 0,
    workers: int | None = None,
    keep_patients: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Simulate ``n_patients`` patients per parameter draw for every strategy.

    Parameters
    ----------
    draws : xarray.Dataset
        Parameter draws (``outcomes.draws``; prior or posterior alike).
    profile : Profile or mapping
        A validated ``Profile`` (its decision model is used), or a mapping covariate -> number.
    model : DecisionModel, optional
        The decision model; needed when ``profile`` is a mapping.
    n_patients, seed : int
        Patients per draw, and the seed of the random stream (same seed, same numbers).
    workers : int, optional
        Threads (default: up to 2); the result does not depend on it.
    keep_patients : bool, optional
        Keep every patient's outcomes (``events``); defaults to True when draws x patients <= 1e6.
    progress : callable, optional
        ``progress(done, total)`` is called after each chunk.

    Returns
    -------
    xarray.Dataset
        ``count`` and ``rate`` (draw, strategy, outcome), ``applicable``, optionally ``events``.

    Examples
    --------
    >>> import outcomes as oc
    >>> reg = oc.load_registry()
    >>> draws = oc.prior_draws(oc.elicit(reg), 100, seed=0)
    >>> sim = oc.simulate(draws, oc.load_profile("default", registry=reg), seed=0)
    >>> int(sim["count"].max()) <= 100
    True
    """
    if n_patients < 1:
        raise ValueError("n_patients must be at least 1")
    m = model_of(profile, model)
    plan = plan_for(m)
    covariates = covariates_of(profile)
    n_draws = draws.sizes["draw"]
    p = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in adjusted_parameters(draws, covariates).items()}
    if keep_patients is None:
        keep_patients = n_draws * n_patients <= 1_000_000
    n_s, n_o = len(m.strategies), len(m.outcomes)
    counts = np.zeros((n_draws, n_s, n_o), dtype=np.int32)
    events = np.zeros((n_draws, n_patients, n_s, n_o), dtype=bool) if keep_patients else None

    step = chunk_draws(n_patients, plan.n_events)
    bounds = [(lo, min(lo + step, n_draws)) for lo in range(0, n_draws, step)]
    seeds = np.random.SeedSequence(seed).spawn(len(bounds))
    workers = workers or default_workers()
    done = 0

    def run(i: int) -> None:
        lo, hi = bounds[i]
        _simulate_chunk(plan, p, lo, hi, n_patients, seeds[i], counts, events)

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

    mask = applicable_mask(m)
    rate = np.where(mask.values[None], counts / n_patients, np.nan)
    coords: dict[str, Any] = {"draw": draws["draw"].values, "strategy": list(m.strategies), "outcome": list(m.outcomes)}
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
            "evidence": draws.attrs.get("evidence", draws.attrs.get("origin", "external")),
            "data_file": draws.attrs.get("data_file", ""),
            "diagnostics_status": draws.attrs.get("diagnostics_status", "ok"),
            "seed": int(seed),
            "n_patients": int(n_patients),
            "n_draws": int(n_draws),
            "time_frame": m.time_frame,
            "package_version": __version__,
            "profile_label": getattr(profile, "label", "covariates"),
            "profile_digest": profile.digest() if hasattr(profile, "digest") else "",
            "model_json": m.to_json(),
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
