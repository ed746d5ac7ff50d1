"""``env_ctx``: the environment bound to the current task (request, script, cron run)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.tenancy.catalog import TenantInfo

__all__ = ["bind_tenant", "current_env", "current_tenant", "env_ctx", "tenant_ctx"]

env_ctx: ContextVar[Environment] = ContextVar("fullfinity_env")
#: The catalog entry of the tenant the current task works on (set by requests and ``tenant_env``).
tenant_ctx: ContextVar[TenantInfo] = ContextVar("fullfinity_tenant")


def current_env() -> Environment:
    """The bound environment, or a RuntimeError saying how to get one."""
    try:
        return env_ctx.get()
    except LookupError:
        raise RuntimeError(
            "No Fullfinity environment is active. ORM calls need one: inside a request it is set for "
            "you; in scripts and tests use `async with fullfinity.tenant_env('<tenant>') as env:`."
        ) from None


def current_tenant() -> TenantInfo:
    """The catalog entry of the current tenant, or a RuntimeError saying where it is set."""
    try:
        return tenant_ctx.get()
    except LookupError:
        raise RuntimeError(
            "No tenant is bound to this task. Requests and `fullfinity.tenant_env('<tenant>')` bind one; "
            "module operations (Module.action_install, ...) need it to know the tenant's catalog entry."
        ) from None


@contextlib.contextmanager
def bind_tenant(info: TenantInfo) -> Iterator[TenantInfo]:
    """Bind ``info`` as the current tenant for the block."""
    token = tenant_ctx.set(info)
    try:
        yield info
    finally:
        tenant_ctx.reset(token)
