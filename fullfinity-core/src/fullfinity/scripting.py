"""``tenant_env``: an environment on a tenant for scripts, tests and the shell.

    async with fullfinity.tenant_env("acme") as env:            # elevated (system)
        ...
    async with fullfinity.tenant_env("acme", user=7) as env:    # as user 7, access-checked

The block runs in one transaction, committed when it ends normally and rolled back on
an exception; ``env_ctx`` is bound inside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fullfinity.engine.context import bind_tenant
from fullfinity.engine.env import Environment
from fullfinity.engine.module_registry import discover_modules, resolve_order
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import TenantNotFound, TenantUnavailable
from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo
from fullfinity.tenancy.service import installed_modules

__all__ = ["registry_for_tenant", "tenant_env"]

_default_runtime: Runtime | None = None


def default_runtime() -> Runtime:
    """The process-wide runtime used when none is passed (started on first use)."""
    global _default_runtime
    if _default_runtime is None:
        _default_runtime = Runtime()
        _default_runtime.start()
    return _default_runtime


async def registry_for_tenant(runtime: Runtime, info: TenantInfo) -> Registry:
    """The shared composed registry for the tenant's installed modules (and versions)."""
    states = await installed_modules(runtime.db, info)
    installed = [m for m, (state, _) in states.items() if state == "installed"]
    available = discover_modules()
    order = resolve_order([m for m in installed if m in available], available)
    return Registry.for_modules([(m, states[m][1]) for m in order if m in states])


@contextlib.asynccontextmanager
async def tenant_env(
    tenant: str,
    *,
    user: int | None = None,
    context: dict[str, Any] | None = None,
    runtime: Runtime | None = None,
) -> AsyncIterator[Environment]:
    """One transaction on ``tenant`` with ``env_ctx`` bound; elevated unless ``user`` (a user id) is given."""
    rt = runtime or default_runtime()
    info = await rt.catalog.get(tenant)
    if info is None:
        raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
    if info.state != "active":
        raise TenantUnavailable(f"Tenant '{tenant}' is not available (state: {info.state}).")
    registry = await registry_for_tenant(rt, info)
    async with rt.db.connection(info.server, info.database) as conn:
        transaction = conn.transaction()
        await transaction.start()
        env = Environment(tenant=info.name, registry=registry, conn=conn, uid=user, context=context, cache=rt.cache)
        try:
            with env.bind(), bind_tenant(info):
                await env.load_access()
                yield env
                await env.flush()
        except BaseException:
            await transaction.rollback()
            env.rolled_back()
            raise
        else:
            await transaction.commit()
            await env.committed()
