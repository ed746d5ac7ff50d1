"""Helpers for a distribution's tests: a throw-away tenant holding its modules, and an elevated
environment on it whose work is rolled back (each test starts from the installed state)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

__all__ = ["module_tenant", "rolled_back_env"]


@contextlib.asynccontextmanager
async def module_tenant(runtime: Any, modules: Sequence[str], *, prefix: str = "t") -> AsyncIterator[Any]:
    """A new tenant ``<prefix>-<random>`` with ``modules`` installed (no demo data), dropped after."""
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    info = await create_tenant(runtime.db, runtime.catalog, f"{prefix}-{uuid.uuid4().hex[:8]}", modules=list(modules))
    try:
        yield info
    finally:
        await drop_tenant(runtime.db, runtime.catalog, info.name)


class _Rollback(Exception):
    """Raised out of the environment's transaction so nothing of the test is committed."""


@contextlib.asynccontextmanager
async def rolled_back_env(runtime: Any, tenant: str) -> AsyncIterator[Any]:
    """An elevated environment on ``tenant``, in a transaction rolled back at the end."""
    from fullfinity.scripting import tenant_env

    try:
        async with tenant_env(tenant, runtime=runtime) as bound:
            yield bound
            raise _Rollback
    except _Rollback:
        pass
