"""The request environment: tenant connection, transaction, user, access profile (security.md 8).

FastAPI dependencies, one per route ``auth`` level:

| Dependency          | ``@route(auth=...)`` | Who passes                                       |
|---------------------|----------------------|--------------------------------------------------|
| ``requires_internal`` | ``"internal"``     | users of ``core_internal`` (401 without credentials, 403 others) |
| ``requires_user``     | ``"user"``         | internal and portal users (401 / 403 for the guest)             |
| ``allows_public``     | ``"public"``       | anyone: the credential's user, else the guest user              |
| ``no_auth``           | ``"none"``         | anyone: the guest user, no credential is even looked at         |

Each opens **one transaction** on the tenant's database for the request, builds the
``Environment`` of the user with their access profile loaded, binds it to ``env_ctx`` and
yields it; the transaction commits when the handler returns and rolls back when it raises.
Declare them with ``scope="function"`` so the commit happens *before* the response is sent
(FastAPI's default runs the exit code afterwards), or use the ready-made annotations::

    @router.get("/portal/summary")
    async def summary(env: UserEnv) -> dict[str, int]: ...

A present but invalid credential is refused with 401 even on public routes (the client then
refreshes or logs in), rather than silently downgraded to the guest (decision).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Literal

import asyncpg
from fastapi import Depends, Request

from fullfinity.auth.accounts import GUEST_IDENTIFIER, UserType, guest_uid, user_type
from fullfinity.auth.api_keys import is_api_key
from fullfinity.auth.bearer import Principal, authenticate, bearer_credential
from fullfinity.auth.callers import generations_before, remember, remembered
from fullfinity.auth.secret import signing_secret
from fullfinity.auth.throttle import LoginThrottle
from fullfinity.engine.context import bind_tenant
from fullfinity.engine.database.errors import map_db_error
from fullfinity.engine.records.environment import Environment
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import AccessError, AuthenticationError, ConfigurationError, TenantNotFound
from fullfinity.installer.freshness import pending_upgrades, upgrade_required
from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo
from fullfinity.web.retry import attempt_of

__all__ = [
    "AUTH_LEVELS",
    "AuthLevel",
    "InternalEnv",
    "PublicEnv",
    "RequestAuth",
    "UserEnv",
    "UserReadEnv",
    "allows_public",
    "no_auth",
    "reads_as_user",
    "request_env",
    "requires_internal",
    "requires_user",
    "services",
    "tenant_registry",
]

AuthLevel = Literal["internal", "user", "public", "none"]
AUTH_LEVELS: tuple[AuthLevel, ...] = ("internal", "user", "public", "none")
REGISTRY_TTL = 2.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestAuth:
    """``request.state.auth``: who the request runs as."""

    principal: Principal
    user_type: UserType | None


class AppServices:
    """Per-application state of authentication: signing secret, throttle, tenant registries."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.secret = signing_secret(runtime.settings)
        self.throttle = LoginThrottle(runtime.cache, runtime.settings)
        self._registries: dict[str, tuple[float, Registry]] = {}
        runtime.cache.on_registry_changed(self.forget)

    def forget(self, tenant: str) -> None:
        self._registries.pop(tenant, None)

    async def registry(self, info: TenantInfo) -> Registry:
        """The tenant's composed registry; re-read after a registry change or a couple of seconds."""
        from fullfinity.scripting import registry_for_tenant

        now = time.monotonic()
        hit = self._registries.get(info.name)
        if hit is not None and now - hit[0] < REGISTRY_TTL:
            return hit[1]
        registry = await registry_for_tenant(self.runtime, info)
        pending = pending_upgrades(registry)
        if pending:
            if not self.runtime.settings.auto_upgrade:
                raise upgrade_required(info.name, pending)
            registry = await self._upgrade(info)
        self._registries[info.name] = (now, registry)
        return registry

    async def _upgrade(self, info: TenantInfo) -> Registry:
        """FULLFINITY_AUTO_UPGRADE: upgrade the changed modules, then serve on the new registry.

        Concurrent first requests queue on the tenant's module lock; the later ones find nothing
        left to upgrade.
        """
        from fullfinity.installer.lifecycle import upgrade_modules
        from fullfinity.scripting import registry_for_tenant

        rt = self.runtime
        report = await upgrade_modules(rt.db, info, None, pm=rt.pm, cache=rt.cache)
        if report.modules:
            log.warning("Tenant %s upgraded on first access: %s", info.name, "; ".join(report.lines()[1:]))
        registry = await registry_for_tenant(rt, info)
        pending = pending_upgrades(registry)
        if pending:  # e.g. a module still installed whose distribution went missing
            raise upgrade_required(info.name, pending)
        return registry


def services(request: Request) -> AppServices:
    """The application's ``AppServices`` (created on first use)."""
    state = request.app.state
    found: AppServices | None = getattr(state, "fullfinity_auth", None)
    if found is None:
        found = AppServices(state.fullfinity)
        state.fullfinity_auth = found
    return found


def request_tenant(request: Request) -> TenantInfo:
    info: TenantInfo | None = getattr(request.state, "tenant", None)
    if info is None:
        raise TenantNotFound(f"No tenant was resolved for {request.url.path}; this path is tenant-free.")
    return info


async def tenant_registry(request: Request) -> Registry:
    """The registry of the request's tenant (once per request)."""
    registry: Registry | None = getattr(request.state, "registry", None)
    if registry is None:
        registry = await services(request).registry(request_tenant(request))
        request.state.registry = registry
    return registry


@contextlib.asynccontextmanager
async def request_env(
    request: Request, auth: AuthLevel | None = None, *, read_only: bool = False
) -> AsyncIterator[Environment]:
    """One transaction on the request's tenant, ``env_ctx`` bound.

    ``auth=None`` gives the system (elevated) environment: what ``/auth`` endpoints use before
    anybody is authenticated. Otherwise the caller is authenticated for that level.

    ``read_only=True`` (the API's read endpoints): a connection of the read-only pool and no
    transaction at all; each statement runs on its own, as it would under READ COMMITTED, and
    PostgreSQL refuses any write. Two round trips (``BEGIN``, ``COMMIT``) fewer per request.
    """
    info = request_tenant(request)
    runtime: Runtime = request.app.state.fullfinity
    registry = await tenant_registry(request)
    if read_only:
        async with runtime.db.connection(info.server, info.database, read_only=True) as conn:
            env = Environment(tenant=info.name, registry=registry, conn=conn, cache=runtime.cache, read_only=True)
            if auth is not None:
                env = await _authenticate(request, env, auth)
            with env.bind(), bind_tenant(info):
                yield env
        return
    attempt = attempt_of(request.scope)
    if attempt is not None:
        attempt.wrote = True  # from here on, a lost connection is not retried (the write may be half-way)
    async with runtime.db.connection(info.server, info.database) as conn:
        transaction = conn.transaction()
        await transaction.start()
        env = Environment(tenant=info.name, registry=registry, conn=conn, cache=runtime.cache)
        try:
            if auth is not None:
                env = await _authenticate(request, env, auth)
            with env.bind(), bind_tenant(info):
                yield env
                await env.flush()
        except BaseException:
            await transaction.rollback()
            env.rolled_back()
            raise
        try:
            await transaction.commit()
        except asyncpg.PostgresError as exc:
            env.rolled_back()
            raise map_db_error(exc, env) from exc
        await env.committed()


async def _authenticate(request: Request, system: Environment, auth: AuthLevel) -> Environment:
    with system.bind():
        return await _user_env(request, system, auth)


async def _user_env(request: Request, system: Environment, auth: AuthLevel) -> Environment:
    """The environment of the authenticated caller (or the guest), checked against ``auth``."""
    principal: Principal | None = None
    credential: str | None = None
    generations: tuple[int, ...] | None = None
    if auth != "none":
        credential = bearer_credential(request.headers.get("authorization"))
        if credential is not None and not is_api_key(credential):
            caller = await remembered(system, credential)
            if caller is not None:  # the same token, no security data written since
                principal, kind = caller.extra
                _check_level(auth, kind)
                env = _env_for(system, caller.uid)
                env.access = caller.profile
                env.session_family = principal.family
                request.state.auth = RequestAuth(principal, kind)
                return env
            generations = await generations_before(system)
        if credential is not None:
            principal = await authenticate(system, credential, secret=services(request).secret)
    if principal is None:
        if auth in ("internal", "user"):
            raise AuthenticationError(
                "This route needs a logged-in user: send 'Authorization: Bearer <access token or API key>' "
                "(POST /auth/authenticate gives tokens)."
            )
        guest = await guest_uid(system)
        if guest is None:
            raise ConfigurationError(
                f"Tenant '{system.tenant}' has no guest user (identifier '{GUEST_IDENTIFIER}'), which public "
                f"routes run as. Install or upgrade the core module's data."
            )
        principal = Principal(uid=guest, kind="guest")
    env = _env_for(system, principal.uid)
    env.session_family = principal.family
    await env.load_access()
    assert env.access is not None
    kind = user_type(env.access.group_names)
    _check_level(auth, kind)
    request.state.auth = RequestAuth(principal, kind)
    if credential is not None and principal.kind == "token" and principal.expires is not None:
        remember(
            system,
            credential,
            generations,
            uid=principal.uid,
            profile=env.access,
            extra=(principal, kind),
            token_expiry=principal.expires,
        )
    return env


def _check_level(auth: AuthLevel, kind: UserType | None) -> None:
    if auth == "internal" and kind != "internal":
        raise AccessError(f"This route is for internal users only; you are {_describe(kind)}.")
    if auth == "user" and kind not in ("internal", "portal"):
        raise AccessError(f"This route is for internal and portal users only; you are {_describe(kind)}.")


def _env_for(system: Environment, uid: int) -> Environment:
    return Environment(
        tenant=system.tenant,
        registry=system.registry,
        conn=system.conn,
        uid=uid,
        stats=system.stats,
        cache=system.cache,
        read_only=system.read_only,
    )


def _describe(kind: UserType | None) -> str:
    return {"internal": "an internal user", "portal": "a portal user", "public": "the guest user"}.get(
        kind or "", "a user without a user type"
    )


async def requires_internal(request: Request) -> AsyncIterator[Environment]:
    """The environment of an internal user (``@route(auth="internal")``)."""
    async with request_env(request, "internal") as env:
        yield env


async def requires_user(request: Request) -> AsyncIterator[Environment]:
    """The environment of an internal or portal user (``@route(auth="user")``)."""
    async with request_env(request, "user") as env:
        yield env


async def reads_as_user(request: Request) -> AsyncIterator[Environment]:
    """Like ``requires_user``, on a read-only connection without a transaction (routes that only read)."""
    async with request_env(request, "user", read_only=True) as env:
        yield env


async def allows_public(request: Request) -> AsyncIterator[Environment]:
    """The environment of the authenticated user, else of the guest user (``@route(auth="public")``)."""
    async with request_env(request, "public") as env:
        yield env


async def no_auth(request: Request) -> AsyncIterator[Environment]:
    """The guest user's environment; credentials are ignored (``@route(auth="none")``: webhooks)."""
    async with request_env(request, "none") as env:
        yield env


#: ``env: InternalEnv`` in a handler's parameters: the dependency with the commit before the response.
InternalEnv = Annotated[Environment, Depends(requires_internal, scope="function")]
UserEnv = Annotated[Environment, Depends(requires_user, scope="function")]
#: ``UserEnv`` for routes that only read: a read-only connection, no BEGIN/COMMIT (writes are refused).
UserReadEnv = Annotated[Environment, Depends(reads_as_user, scope="function")]
PublicEnv = Annotated[Environment, Depends(allows_public, scope="function")]
