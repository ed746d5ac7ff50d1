"""A PostgreSQL for the project's own benchmark scripts: embedded (temporary) or FULLFINITY_BENCH_DATABASE_URL."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database, quote_ident


@contextlib.asynccontextmanager
async def bench_database() -> AsyncIterator[str]:
    """Yield the DSN of a fresh database, dropped afterwards."""
    external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
    server = None
    tmp = None
    if external:
        base = dsn_for_database(external, "postgres")
    else:
        tmp = tempfile.mkdtemp(prefix="ffbench-")
        os.chmod(tmp, 0o755)
        server = EmbeddedPostgres(Path(tmp), cleanup="delete")
        base = server.start()
    name = f"ffbench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(base)
    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    try:
        yield dsn_for_database(base, name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        await admin.close()
        if server is not None:
            server.stop()
