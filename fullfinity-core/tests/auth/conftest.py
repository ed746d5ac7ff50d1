"""Two tenants ready for logins (users of every type) and an app with probe routes per test."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from fullfinity.testing.auth import PASSWORD, Probe, SecurityWorld, add_user, drop_world, make_world


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def world(ff_runtime):
    built = await make_world(ff_runtime)
    try:
        yield built
    finally:
        await drop_world(ff_runtime, built)


@pytest.fixture
async def client(make_client, world):
    """An app with the probe routes and a generous address budget (throttle tests set their own)."""
    return await make_client(plugins=[Probe()], login_ip_rate=1000)


@pytest.fixture
def fresh_user(ff_runtime, world: SecurityWorld):
    """Make a user of the main tenant for a test that changes it; returns the email."""

    async def make(groups: tuple[str, ...] = ("core_internal",)) -> str:
        email = f"u{uuid.uuid4().hex[:8]}@example.test"
        await add_user(ff_runtime, world.tenant, email, PASSWORD, groups)
        return email

    return make
