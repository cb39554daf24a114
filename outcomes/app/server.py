"""Serve the clinic page: one ``ClinicPage`` per browser session, the handout route, 127.0.0.1 by default.

The evidence (registry, priors, parameter draws) is loaded once, before the server starts, and shared
read-only. ``/handout/<token>`` serves a session's one-page handout as a plain HTML document (print
stylesheet; ``?print=1`` opens the print dialog); the token is random per session and forgotten when the
session ends. Nothing a patient enters is logged: Bokeh's and Tornado's request logs show paths only, and the
page's callbacks log only the type of an error.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tornado.web import RequestHandler

from outcomes.app.engine import Evidence, load_evidence
from outcomes.profile import Profile, load_profile
from outcomes.registry import load_registry

DEFAULT_PORT = 5006
DEFAULT_ADDRESS = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class HandoutHandler(RequestHandler):
    """GET /handout/<token>: the session's handout, never cached."""

    def get(self, token: str) -> None:
        from outcomes.app.page import HANDOUTS

        page = HANDOUTS.get(token)
        if page is None:
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("This handout is no longer available: open it again from the page.")
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header(
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
        )
        self.finish(page.handout_document(auto_print=self.get_argument("print", "") == "1"))


def make_factory(evidence: Evidence, profile: Profile, *, voi: bool = True):
    """The per-session factory: a new page (and its own state) for every browser session."""
    import panel as pn

    from outcomes.app.page import HANDOUTS, ClinicPage

    def factory() -> Any:
        page = ClinicPage(evidence, profile, voi=voi)
        HANDOUTS[page.token] = page

        def forget(_ctx: Any, token: str = page.token) -> None:
            HANDOUTS.pop(token, None)

        pn.state.on_session_destroyed(forget)
        return page.layout

    return factory


def _quiet_logs() -> None:
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    logging.getLogger("bokeh.server.protocol_handler").setLevel(logging.WARNING)


def serve(
    *,
    profile: str | Path | None = None,
    registry: str | Path | None = None,
    posterior: str | Path | None = None,
    port: int = DEFAULT_PORT,
    address: str = DEFAULT_ADDRESS,
    n_draws: int = 4000,
    seed: int = 0,
    allow_failed: bool = False,
    data: Any = "default",
    prior_only: bool = False,
    show: bool = False,
    num_threads: int | None = None,
    ready: Any = None,
) -> None:
    """Load the evidence and the starting profile (``InputError`` on a bad one), then serve until stopped."""
    from outcomes.cliutil import headless_matplotlib

    headless_matplotlib()
    reg = load_registry(registry)
    start = load_profile(profile, registry=reg)  # a bad starting profile fails before the slower evidence loading
    evidence = load_evidence(
        reg,
        posterior,
        profile=start,
        n_draws=n_draws,
        seed=seed,
        allow_failed=allow_failed,
        data=data,
        prior_only=prior_only,
        cli=True,
    )
    import panel as pn

    pn.extension(notifications=False)
    pn.config.exception_handler = lambda exc: logging.getLogger("outcomes.app").error(
        "callback failed (%s)", type(exc).__name__
    )
    _quiet_logs()
    origins = [f"{address}:{port}"]
    if address in LOOPBACK:
        origins = [f"{h}:{port}" for h in ("127.0.0.1", "localhost")]
    server = pn.serve(
        {"/": make_factory(evidence, start)},
        port=port,
        address=address,
        websocket_origin=origins,
        show=show,
        start=False,
        title="outcomes: decision aid",
        extra_patterns=[(r"/handout/([A-Za-z0-9_-]{16,64})", HandoutHandler)],
        num_threads=num_threads,
    )
    host = f"[{address}]" if ":" in address else address
    print(
        f"Decision aid running at http://{host}:{port}/  (evidence version {evidence.version}, "
        f"{evidence.source}; Ctrl+C stops it)"
    )
    if ready is not None:
        ready(server)
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        server.stop()
