"""Test helpers for authentication: a tenant whose users can log in.

``prepare_security(runtime, tenant)`` gives a tenant what core's installation gives it: the
tables of its installed modules, the identifier table, the built-in groups (``core_internal``,
``core_portal``, ``core_public``, ``core_admin``) and the guest user. It only adds what is
missing, so it is a no-op on a tenant whose creation already installed core's data.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, Request

from fullfinity.auth.accounts import GUEST_IDENTIFIER, create_user
from fullfinity.engine.context import env_ctx
from fullfinity.engine.database.schema import sync_schema
from fullfinity.engine.env import Environment
from fullfinity.engine.records.identifiers import bind, ensure_table, resolve_many
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.scripting import registry_for_tenant, tenant_env
from fullfinity.tenancy.catalog import TenantInfo
from fullfinity.web.request_env import InternalEnv, PublicEnv, UserEnv

__all__ = [
    "BUILTIN_GROUPS",
    "PASSWORD",
    "Probe",
    "SecurityWorld",
    "add_user",
    "client_address",
    "drop_world",
    "login",
    "make_world",
    "on",
    "prepare_security",
]

#: identifier -> (name, identifiers of implied groups)
BUILTIN_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "core_internal": ("Internal User", ()),
    "core_portal": ("Portal", ()),
    "core_public": ("Public", ()),
    "core_admin": ("Administrator", ("core_internal",)),
}


async def prepare_security(runtime: Runtime, info: TenantInfo) -> None:
    """Tables, built-in groups and the guest user for ``info`` (only what is missing)."""
    registry = await registry_for_tenant(runtime, info)
    async with runtime.db.connection(info.server, info.database) as conn:
        await ensure_table(conn)
        await sync_schema(conn, registry)
    async with tenant_env(info.name, runtime=runtime) as env:
        found = await resolve_many(env, [*BUILTIN_GROUPS, GUEST_IDENTIFIER])
        ids = {ident: res_id for ident, (_, res_id) in found.items()}
        for ident, (name, implied) in BUILTIN_GROUPS.items():
            if ident not in ids:
                group = await env["Group"].create(
                    name=name, category="User Types", implied_groups=[ids[i] for i in implied]
                )
                ids[ident] = group.id
                await bind(env, ident, "Group", group.id, "core")
        if GUEST_IDENTIFIER not in ids:
            guest = await env["User"].create(
                name="Public user", email="public@fullfinity.invalid", groups=[ids["core_public"]]
            )
            await bind(env, GUEST_IDENTIFIER, "User", guest.id, "core")


async def add_user(
    runtime: Runtime, tenant: str, email: str, password: str, groups: Sequence[str] = ("core_internal",), **extra: Any
) -> int:
    """Create a user who can log in with ``password``; returns the id."""
    async with tenant_env(tenant, runtime=runtime) as env:
        user = await create_user(
            env, email, name=extra.get("name"), password=password, groups=groups, settings=runtime.settings
        )
        return int(user.id)


# -- HTTP helpers ------------------------------------------------------------------------------
PASSWORD = "correct horse battery"


def client_address() -> tuple[str, int]:
    """A client address no other client of the test session has (``10.x.y.z``, port): give it to
    ``httpx.ASGITransport(client=...)`` so the client's login and rate-limit budgets start empty.
    Those budgets are counted per address in the catalog database, which every app of a test
    session shares, exactly as the workers of one deployment do."""
    value = next(_addresses)
    return f"10.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}", 40_000


_addresses = itertools.count(uuid.uuid4().int % (1 << 22) + 1)


def on(tenant: str, token: str | None = None) -> dict[str, str]:
    """Request headers selecting ``tenant``, with a bearer credential when given."""
    headers = {"X-Fullfinity-Tenant": tenant}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


async def login(client: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """``POST /auth/authenticate``, asserting success; the JSON answer."""
    response = await client.post("/auth/authenticate", json={"email": email, "password": password}, headers=on(tenant))
    assert response.status_code == 200, response.text
    return dict(response.json())


class Probe:
    """A plugin with one route per auth level answering who the request runs as."""

    @hookimpl
    def fullfinity_register_routers(self) -> APIRouter:
        router = APIRouter(prefix="/probe")

        def who(request: Request, env: Environment) -> dict[str, Any]:
            assert env_ctx.get() is env, "the handler runs with env_ctx bound to the request environment"
            auth = request.state.auth
            return {"uid": env.uid, "type": auth.user_type, "kind": auth.principal.kind}

        @router.get("/internal")
        async def internal(request: Request, env: InternalEnv) -> dict[str, Any]:
            return who(request, env)

        @router.get("/user")
        async def user(request: Request, env: UserEnv) -> dict[str, Any]:
            return who(request, env)

        @router.get("/public")
        async def public(request: Request, env: PublicEnv) -> dict[str, Any]:
            return who(request, env)

        return router


@dataclass
class SecurityWorld:
    """Two tenants ready for logins; ``users`` maps short names to ids in ``tenant``."""

    tenant: str
    other: str
    users: dict[str, int]

    @staticmethod
    def email(who: str) -> str:
        return f"{who}@example.test"


async def make_world(runtime: Runtime) -> SecurityWorld:
    """Tenants ``auth-<x>`` and ``other-<x>``; ann (internal), pat (portal), adm (admin), notype
    (no user type) in the first; an ann with another password in the second."""
    from fullfinity.tenancy.service import create_tenant

    token = uuid.uuid4().hex[:8]
    infos = [await create_tenant(runtime.db, runtime.catalog, f"{kind}-{token}") for kind in ("auth", "other")]
    for info in infos:
        await prepare_security(runtime, info)
    tenant, other = infos[0].name, infos[1].name
    users = {
        "ann": await add_user(runtime, tenant, "ann@example.test", PASSWORD, ["core_internal"]),
        "pat": await add_user(runtime, tenant, "pat@example.test", PASSWORD, ["core_portal"]),
        "adm": await add_user(runtime, tenant, "adm@example.test", PASSWORD, ["core_admin"]),
        "notype": await add_user(runtime, tenant, "notype@example.test", PASSWORD, []),
        "ann_other": await add_user(runtime, other, "ann@example.test", PASSWORD + " other", ["core_internal"]),
    }
    return SecurityWorld(tenant, other, users)


async def drop_world(runtime: Runtime, world: SecurityWorld) -> None:
    from fullfinity.tenancy.service import drop_tenant

    for name in (world.tenant, world.other):
        await drop_tenant(runtime.db, runtime.catalog, name)
