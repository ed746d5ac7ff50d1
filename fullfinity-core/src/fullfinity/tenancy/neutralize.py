"""Neutralizing a copy of a tenant (``tenant clone --neutralize``, ``tenant restore --neutralize``).

A staging or test copy must not act on the outside world as the original does, nor accept the
original's credentials. Core turns off every scheduled job, revokes every login session and
expires every API key; each installed module does the same for what it owns through the
``fullfinity_tenant_neutralized`` hook (core's part is an implementation of it too). All of it is
one transaction on the copy, before the copy becomes ``active``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fullfinity.engine.env import Environment
from fullfinity.installer.hooks import call_tenant_hook
from fullfinity.plugins import hookimpl
from fullfinity.tenancy.catalog import TenantInfo
from fullfinity.tenancy.service import installed_modules

if TYPE_CHECKING:
    from fullfinity.runtime import Runtime

__all__ = ["neutralize_tenant"]


async def neutralize_tenant(runtime: Runtime, info: TenantInfo) -> list[str]:
    """Neutralize tenant ``info`` (whatever its state) in one transaction; the lines saying what was done."""
    from fullfinity.scripting import registry_for_tenant

    registry = await registry_for_tenant(runtime, info)
    states = await installed_modules(runtime.db, info)
    modules = [m for m, (state, _) in states.items() if state == "installed"]
    lines: list[str] = []
    async with runtime.db.connection(info.server, info.database) as conn, conn.transaction():
        env = Environment(tenant=info.name, registry=registry, conn=conn, cache=None)
        with env.bind():
            for result in await call_tenant_hook(runtime.pm, "fullfinity_tenant_neutralized", modules, env=env):
                lines.extend([result] if isinstance(result, str) else list(result or ()))
            await env.flush()
    return lines


@hookimpl
async def fullfinity_tenant_neutralized(env: Environment) -> list[str]:
    """Core's part: scheduled jobs off, login sessions revoked, API keys expired."""
    jobs = await env.fetchval(
        "WITH off AS (UPDATE cron_job SET active = false WHERE active RETURNING 1) SELECT count(*) FROM off"
    )
    sessions = await env.fetchval(
        "WITH gone AS (UPDATE auth_session SET revoked = true, revoked_reason = 'admin' "
        "WHERE revoked IS NOT TRUE RETURNING 1) SELECT count(*) FROM gone"
    )
    keys = await env.fetchval(
        "WITH gone AS (UPDATE api_key SET expires_at = now() WHERE expires_at IS NULL OR expires_at > now() "
        "RETURNING 1) SELECT count(*) FROM gone"
    )
    return [
        f"{jobs} scheduled job(s) deactivated",
        f"{sessions} login session(s) revoked",
        f"{keys} API key(s) expired",
    ]
