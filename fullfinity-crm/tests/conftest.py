"""Shared fixtures: a tenant holding the CRM (without demo data), its users, and an HTTP client.

Every test module gets its own tenant (created from a template database, so quickly); tests in
a module share it and make their own records, so they stay independent of each other.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import PASSWORD, add_user, client_address, login, on


@dataclass
class Crm:
    """A tenant with the CRM installed, its users (email -> id) and an HTTP client on the app."""

    runtime: Any
    info: Any
    client: httpx.AsyncClient
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def tenant(self) -> str:
        return str(self.info.name)

    def env(self, user: str | None = None) -> Any:
        """``async with crm.env():`` elevated (system), or as one of the users, committed at the end."""
        return tenant_env(self.tenant, runtime=self.runtime, user=user)

    async def user(self, name: str, groups: tuple[str, ...] = ("crm_user",)) -> int:
        email = f"{name}@crm.test"
        if email not in self.users:
            self.users[email] = await add_user(self.runtime, self.tenant, email, PASSWORD, groups=groups, name=name)
        return self.users[email]

    async def token(self, name: str) -> str:
        email = f"{name}@crm.test"
        if email not in self.tokens:
            self.tokens[email] = (await login(self.client, self.tenant, email))["access_token"]
        return self.tokens[email]

    async def call(self, verb: str, path: str, user: str | None, body: Any = None, **kwargs: Any) -> httpx.Response:
        token = await self.token(user) if user else None
        headers = {**on(self.tenant, token), **kwargs.pop("headers", {})}
        return await self.client.request(verb, path, json=body, headers=headers, **kwargs)

    async def execute(self, model: str, method: str, user: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        body: dict[str, Any] = {"kwargs": kwargs}
        if ids is not None:
            body["ids"] = ids
        return await self.call("POST", f"/api/execute/{model}/{method}", user, body)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def crm(ff_runtime: Any, ff_app: Any) -> AsyncIterator[Crm]:
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, "crm" + uuid.uuid4().hex[:10], modules=["crm"])
    transport = httpx.ASGITransport(app=ff_app, client=client_address())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            yield Crm(ff_runtime, info, client)
        finally:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


@pytest_asyncio.fixture(loop_scope="session")
async def make_lead(crm: Crm) -> Callable[..., Any]:
    """``await make_lead(name="X", ...)``: a lead created elevated, committed; returns its id."""

    async def make(**values: Any) -> int:
        values.setdefault("name", "Lead " + uuid.uuid4().hex[:6])
        async with crm.env() as env:
            return int((await env["CrmLead"].create(**values)).id)

    return make
