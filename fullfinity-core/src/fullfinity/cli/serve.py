"""``fullfinity serve``: the HTTP server (uvicorn, one or more workers)."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Annotated

import typer

from fullfinity.cli._common import console, fail
from fullfinity.exceptions import ConfigurationError
from fullfinity.plugins import hookimpl
from fullfinity.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (FULLFINITY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (FULLFINITY_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (FULLFINITY_WORKERS).")] = None,
) -> None:
    """Run the HTTP API server.

    SIGTERM or SIGINT stop it gracefully: no new connections, in-flight requests finish (within
    FULLFINITY_SHUTDOWN_TIMEOUT seconds), then the workers and the embedded PostgreSQL stop.
    """
    import uvicorn

    from fullfinity.engine.db import EmbeddedPostgres

    settings = get_settings()
    host = host or settings.host
    port = port if port is not None else settings.port
    workers = workers or settings.workers
    if workers > 1 and not settings.cache_url:
        fail(
            ConfigurationError(
                f"--workers {workers} needs FULLFINITY_CACHE_URL (a Valkey/Redis server): without it, "
                f"cache invalidations could not reach the other workers. Set it, or run one worker."
            )
        )
    embedded = None
    if settings.embedded:
        # Start PostgreSQL once in the parent; workers inherit its DSN.
        embedded = EmbeddedPostgres(settings.data_dir)
        os.environ["FULLFINITY_DATABASE_URL"] = embedded.start()
        get_settings.cache_clear()
        console.print(f"Embedded PostgreSQL running in {embedded.pgdata}")
    # uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal; with the default
    # action the process would die right there, leaving the embedded PostgreSQL running. Exiting
    # through SystemExit instead runs the `finally` below (as Ctrl+C's KeyboardInterrupt does).
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "fullfinity.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=settings.shutdown_timeout,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        if embedded is not None:
            os.environ.pop("FULLFINITY_DATABASE_URL", None)
            embedded.stop()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
