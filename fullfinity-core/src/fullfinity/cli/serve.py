"""``fullfinity serve``: the HTTP server (uvicorn, one or more workers)."""

from __future__ import annotations

import os
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
    """Run the HTTP API server."""
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
    try:
        uvicorn.run(
            "fullfinity.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
        )
    finally:
        if embedded is not None:
            os.environ.pop("FULLFINITY_DATABASE_URL", None)
            embedded.stop()


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
