"""Fixtures of the reliability suite: a PostgreSQL server of its own, a tenant, an app and a client.

The server is private to this folder so tests can stop, crash and restart it without disturbing
the rest of the session. Every load loop here is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from tests.reliability.servers import RestartablePostgres

from fullfinity.main import create_app
from fullfinity.plugins import build_plugin_manager
from fullfinity.runtime import Runtime
from fullfinity.settings import Settings
from fullfinity.tenancy.service import create_tenant
from fullfinity.testing.auth import PASSWORD, add_user, client_address, login, on


@pytest.fixture(scope="session")
def pg(ff_tmp_root: Path) -> Iterator[RestartablePostgres]:
    """One private server for the folder (initdb once); tests stop, crash and restart it."""
    server = RestartablePostgres(ff_tmp_root / f"reliability-{uuid.uuid4().hex[:8]}")
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.start()  # a test that failed half-way may have left it stopped
        server.close()


@pytest.fixture(scope="session")
def rel_settings(ff_settings: Settings, pg: RestartablePostgres, ff_tmp_root: Path) -> Settings:
    return ff_settings.model_copy(
        update={"database_url": pg.dsn, "data_dir": ff_tmp_root / f"reliability-data-{uuid.uuid4().hex[:8]}"}
    )


@dataclass
class Site:
    """A running app on the private server: its runtime, a tenant, an HTTP client and an admin token."""

    runtime: Runtime
    tenant: str
    client: httpx.AsyncClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return on(self.tenant, self.token)


@contextlib.asynccontextmanager
async def running_site(
    settings: Settings,
    *,
    plugins: Sequence[object] = (),
    tenant: str | None = None,
    modules: Sequence[str] = (),
    **overrides: Any,
) -> AsyncIterator[Site]:
    """A tenant with core (and ``modules``) and an administrator on ``settings``' server, and the app serving it.

    ``plugins`` are registered next to core's own (routes of a test); ``tenant``: serve that
    existing tenant (made by another ``running_site``: a second worker); ``overrides`` change settings.
    """
    pm = build_plugin_manager()
    for plugin in plugins:
        pm.register(plugin)
    runtime = Runtime(settings=settings.model_copy(update=overrides), pm=pm)
    runtime.start()
    await runtime.catalog.ensure()
    name = tenant or f"rel-{uuid.uuid4().hex[:8]}"
    if tenant is None:
        await create_tenant(runtime.db, runtime.catalog, name, modules=modules)
        await add_user(runtime, name, "boss@example.test", PASSWORD, ["core_admin"])
    app = create_app(runtime=runtime)
    async with app.router.lifespan_context(app):
        # raise_app_exceptions: an exception escaping the app (a 500 in the ASGI log) fails the client call.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True, client=client_address())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
            token = (await login(client, name, "boss@example.test"))["access_token"]
            yield Site(runtime, name, client, token)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(rel_settings: Settings) -> AsyncIterator[Site]:
    async with running_site(rel_settings) as found:
        yield found
