"""A tenant holding the product module (with its demo data), shared by the tests of a file."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def product_tenant(ff_runtime: Any) -> AsyncIterator[Any]:
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    info = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, f"prod-{uuid.uuid4().hex[:8]}", modules=["product"], demo=True
    )
    try:
        yield info
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


@pytest_asyncio.fixture(loop_scope="session")
async def env(ff_runtime: Any, product_tenant: Any) -> AsyncIterator[Any]:
    """An elevated environment on the product tenant, rolled back after the test."""
    from fullfinity.scripting import tenant_env

    class Rollback(Exception):
        pass

    try:
        async with tenant_env(product_tenant.name, runtime=ff_runtime) as bound:
            yield bound
            raise Rollback
    except Rollback:
        pass
