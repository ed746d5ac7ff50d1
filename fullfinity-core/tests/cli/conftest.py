"""A world of two tenants with users, shared by the user and apikey command tests."""

from __future__ import annotations

import pytest_asyncio

from fullfinity.testing.auth import drop_world, make_world


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def world(ff_runtime):
    built = await make_world(ff_runtime)
    try:
        yield built
    finally:
        await drop_world(ff_runtime, built)
