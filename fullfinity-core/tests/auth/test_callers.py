"""A token's caller is remembered between requests, never past a change of what it depends on.

The test's writes go through the test runtime, a process of its own as far as the app's
in-process cache is concerned: they reach the app through PostgreSQL NOTIFY, a few
milliseconds later, hence ``eventually``.
"""

from __future__ import annotations

import asyncio
import time

from fullfinity.auth import callers
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import login, on


async def probe(client, tenant: str, token: str) -> int:
    return (await client.get("/probe/internal", headers=on(tenant, token))).status_code


async def eventually(client, tenant: str, token: str, expected: int, within: float = 5.0) -> int:
    deadline = time.monotonic() + within
    while (status := await probe(client, tenant, token)) != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return status


async def test_a_second_request_with_the_same_token_reuses_the_first_authentication(client, world, fresh_user):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]

    assert await probe(client, world.tenant, token) == 200
    first = callers._callers[world.tenant, token]
    assert await probe(client, world.tenant, token) == 200
    assert callers._callers[world.tenant, token] is first


async def test_losing_a_group_in_another_process_takes_effect_promptly(client, world, fresh_user, ff_runtime):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]
    assert await probe(client, world.tenant, token) == 200

    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        user = await env["User"].filter(email=email).get()
        user.groups = []
        await user.save()

    assert await eventually(client, world.tenant, token, 403) == 403


async def test_disabling_the_user_in_another_process_takes_effect_promptly(client, world, fresh_user, ff_runtime):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]
    assert await probe(client, world.tenant, token) == 200

    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        await env["User"].filter(email=email).update(active=False)

    assert await eventually(client, world.tenant, token, 401) == 401


async def test_logging_out_ends_a_remembered_token_at_once(client, world, fresh_user):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]
    assert await probe(client, world.tenant, token) == 200

    await client.post("/auth/logout", headers=on(world.tenant, token))

    assert await probe(client, world.tenant, token) == 401


async def test_an_expired_remembered_entry_authenticates_again(client, world, fresh_user, monkeypatch):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]
    assert await probe(client, world.tenant, token) == 200
    entry = callers._callers[world.tenant, token]
    stale = callers.Caller(
        entry.uid, entry.profile, entry.extra, entry.registry, entry.cache, entry.generations, expires=0.0
    )
    monkeypatch.setitem(callers._callers, (world.tenant, token), stale)

    assert await probe(client, world.tenant, token) == 200
    assert callers._callers[world.tenant, token] is not stale
