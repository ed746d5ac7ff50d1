"""Connection pools per database under one budget, against the session's PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import pytest_asyncio

from fullfinity.engine.db import PoolManager, quote_ident
from fullfinity.exceptions import ServiceUnavailable

DATABASES = 6


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def databases(ff_runtime):
    """Six empty databases on the session server: (name, dsn) pairs."""
    names = [f"{ff_runtime.settings.db_prefix}pool_{i}_{uuid.uuid4().hex[:6]}" for i in range(DATABASES)]
    async with ff_runtime.db.admin_connection() as admin:
        for name in names:
            await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    yield [(name, ff_runtime.db.dsn("default", name)) for name in names]
    async with ff_runtime.db.admin_connection() as admin:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")


@pytest_asyncio.fixture(loop_scope="session")
async def make_pools():
    """PoolManager factory; every manager made is closed after the test."""
    made: list[PoolManager] = []

    def make(**options) -> PoolManager:
        options.setdefault("acquire_timeout", 2)
        manager = PoolManager(**options)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        await manager.close_all()


async def server_connections(ff_runtime, names) -> dict[str, int]:
    """Backends PostgreSQL has open per database (the truth, not our bookkeeping)."""
    async with ff_runtime.db.admin_connection() as admin:
        rows = await admin.fetch(
            "SELECT datname, count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1::text[]) GROUP BY datname",
            list(names),
        )
    return {r["datname"]: r["n"] for r in rows}


async def settle(ff_runtime, names, expected: int) -> dict[str, int]:
    """Closed connections leave pg_stat_activity asynchronously: wait until the count is reached."""
    for _ in range(50):
        counts = await server_connections(ff_runtime, names)
        if sum(counts.values()) <= expected:
            return counts
        await asyncio.sleep(0.02)
    return counts


async def use(pools: PoolManager, name: str, dsn: str) -> int:
    async with pools.connection("default", name, dsn) as conn:
        return await conn.fetchval("SELECT pg_backend_pid()")


async def test_many_databases_used_in_turn_never_exceed_the_budget(ff_runtime, databases, make_pools):
    pools = make_pools(budget=3, pool_size=2)
    names = [name for name, _ in databases]
    peak = 0

    for _ in range(2):
        for name, dsn in databases:
            async with pools.connection("default", name, dsn) as conn:
                await conn.execute("SELECT 1")
                peak = max(peak, sum((await server_connections(ff_runtime, names)).values()))

    assert peak <= 3
    assert pools.open_connections <= 3


async def test_concurrent_requests_on_many_databases_stay_within_the_budget(ff_runtime, databases, make_pools):
    pools = make_pools(budget=3, pool_size=2, acquire_timeout=10)
    names = [name for name, _ in databases]
    peak = 0

    async def request(name: str, dsn: str) -> None:
        nonlocal peak
        async with pools.connection("default", name, dsn) as conn:
            await conn.execute("SELECT pg_sleep(0.02)")
            peak = max(peak, pools.open_connections)

    await asyncio.gather(*(request(name, dsn) for _ in range(3) for name, dsn in databases))

    assert peak <= 3
    assert sum((await settle(ff_runtime, names, 3)).values()) <= 3


async def test_the_least_recently_used_pool_loses_its_idle_connection_first(ff_runtime, databases, make_pools):
    pools = make_pools(budget=3, pool_size=2)
    (n0, d0), (n1, d1), (n2, d2), (n3, d3) = databases[:4]
    for name, dsn in [(n0, d0), (n1, d1), (n2, d2)]:
        await use(pools, name, dsn)

    await use(pools, n3, d3)

    assert [db for _, db in pools.pool_keys()] == [n1, n2, n3]
    assert n0 not in await settle(ff_runtime, [n0, n1, n2, n3], 3)


async def test_using_a_pool_again_protects_it_from_eviction(databases, make_pools):
    pools = make_pools(budget=3, pool_size=2)
    (n0, d0), (n1, d1), (n2, d2), (n3, d3) = databases[:4]
    for name, dsn in [(n0, d0), (n1, d1), (n2, d2), (n0, d0)]:
        await use(pools, name, dsn)

    await use(pools, n3, d3)

    assert [db for _, db in pools.pool_keys()] == [n2, n0, n3]


async def test_an_idle_connection_is_reused(databases, make_pools):
    pools = make_pools(budget=3, pool_size=2)
    name, dsn = databases[0]

    first = await use(pools, name, dsn)
    second = await use(pools, name, dsn)

    assert first == second and pools.open_connections == 1


async def test_acquire_times_out_with_service_unavailable_when_every_connection_is_busy(databases, make_pools):
    pools = make_pools(budget=2, pool_size=2, acquire_timeout=0.3)
    (n0, d0), (n1, d1), (n2, d2) = databases[:3]
    held = [await pools.acquire("default", n0, d0), await pools.acquire("default", n1, d1)]

    with pytest.raises(ServiceUnavailable, match=r"No database connection available .* within 0.3s"):
        await pools.acquire("default", n2, d2)

    for conn in held:
        await pools.release(conn)


async def test_a_full_pool_makes_its_database_wait_but_not_the_others(databases, make_pools):
    pools = make_pools(budget=10, pool_size=1, acquire_timeout=0.3)
    (n0, d0), (n1, d1) = databases[:2]
    held = await pools.acquire("default", n0, d0)

    with pytest.raises(ServiceUnavailable):
        await pools.acquire("default", n0, d0)
    assert await use(pools, n1, d1)

    await pools.release(held)


async def test_a_waiting_request_gets_the_connection_released_meanwhile(databases, make_pools):
    pools = make_pools(budget=1, pool_size=1, acquire_timeout=5)
    (n0, d0), (n1, d1) = databases[:2]
    held = await pools.acquire("default", n0, d0)
    waiter = asyncio.create_task(use(pools, n1, d1))
    await asyncio.sleep(0.05)
    assert not waiter.done()

    await pools.release(held)

    assert await asyncio.wait_for(waiter, 5)
    assert pools.open_connections == 1


async def test_idle_pools_are_closed_by_the_sweep(ff_runtime, databases, make_pools):
    pools = make_pools(budget=5, pool_size=2, idle_seconds=0.05)
    name, dsn = databases[0]
    await use(pools, name, dsn)
    await asyncio.sleep(0.1)

    await pools.sweep()

    assert pools.pool_keys() == [] and pools.open_connections == 0
    assert name not in await settle(ff_runtime, [name], 0)


async def test_the_background_sweeper_closes_idle_pools_by_itself(databases, make_pools):
    pools = make_pools(budget=5, pool_size=2, idle_seconds=0.1)
    name, dsn = databases[0]
    await use(pools, name, dsn)

    for _ in range(40):
        await asyncio.sleep(0.05)
        if not pools.pool_keys():
            break

    assert pools.pool_keys() == [] and pools.open_connections == 0


async def test_a_pool_with_a_connection_in_use_is_not_swept(databases, make_pools):
    pools = make_pools(budget=5, pool_size=2, idle_seconds=0.05)
    name, dsn = databases[0]
    held = await pools.acquire("default", name, dsn)
    await asyncio.sleep(0.1)

    await pools.sweep()

    assert pools.pool_keys() == [("default", name)]
    await pools.release(held)


async def test_a_connection_released_inside_a_transaction_is_closed(databases, make_pools):
    pools = make_pools(budget=5, pool_size=2)
    name, dsn = databases[0]
    conn = await pools.acquire("default", name, dsn)
    await conn.execute("BEGIN")

    await pools.release(conn)

    assert conn.is_closed() and pools.open_connections == 0


async def test_an_error_inside_an_open_transaction_discards_the_connection(databases, make_pools):
    pools = make_pools(budget=5, pool_size=2)
    name, dsn = databases[0]

    with pytest.raises(RuntimeError):
        async with pools.connection("default", name, dsn) as conn:
            await conn.execute("BEGIN")
            raise RuntimeError("handler failed")

    assert conn.is_closed() and pools.open_connections == 0


async def test_a_connection_killed_by_the_server_is_replaced(ff_runtime, databases, make_pools):
    pools = make_pools(budget=5, pool_size=2)
    name, dsn = databases[0]
    old_pid = await use(pools, name, dsn)
    async with ff_runtime.db.admin_connection() as admin:
        await admin.execute("SELECT pg_terminate_backend($1)", old_pid)
    await asyncio.sleep(0.1)  # let the client notice the closed socket

    new_pid = await use(pools, name, dsn)

    assert new_pid != old_pid and pools.open_connections == 1


async def test_closing_a_pool_closes_its_busy_connections_when_released(databases, make_pools):
    pools = make_pools(budget=5, pool_size=2)
    name, dsn = databases[0]
    conn = await pools.acquire("default", name, dsn)

    await pools.close_pool("default", name)
    await pools.release(conn)

    assert conn.is_closed() and pools.open_connections == 0 and pools.pool_keys() == []


async def test_a_missing_database_is_service_unavailable_naming_it(ff_runtime, make_pools):
    pools = make_pools()
    dsn = ff_runtime.db.dsn("default", "fullfinity_no_such_db")

    with pytest.raises(ServiceUnavailable, match="Database fullfinity_no_such_db does not exist"):
        await pools.acquire("default", "fullfinity_no_such_db", dsn)
    assert pools.open_connections == 0


async def test_an_unreachable_server_is_service_unavailable_and_leaks_no_budget(make_pools):
    pools = make_pools(budget=1, acquire_timeout=2)
    dsn = "postgresql://nobody@127.0.0.1:1/nowhere"

    for _ in range(2):
        with pytest.raises(ServiceUnavailable, match="Cannot connect to database nowhere"):
            await pools.acquire("default", "nowhere", dsn)

    assert pools.open_connections == 0 and pools.pool_keys() == []


async def test_the_statement_timeout_is_set_on_new_connections(databases, make_pools):
    pools = make_pools(statement_timeout=1.5)
    name, dsn = databases[0]

    async with pools.connection("default", name, dsn) as conn:
        assert await conn.fetchval("SHOW statement_timeout") == "1500ms"


async def test_json_values_round_trip_through_the_connection_codecs(databases, make_pools):
    pools = make_pools()
    name, dsn = databases[0]

    async with pools.connection("default", name, dsn) as conn:
        value = await conn.fetchval("SELECT $1::jsonb", {"a": [1, 2.5, "x", None]})

    assert value == {"a": [1, 2.5, "x", None]}


async def test_waiters_get_released_connections_first_come_first_served(databases, make_pools):
    pools = make_pools(budget=10, pool_size=1)
    (name, dsn) = databases[0]
    held = await pools.acquire("default", name, dsn)
    order: list[int] = []

    async def request(n: int) -> None:
        conn = await pools.acquire("default", name, dsn)
        order.append(n)
        await asyncio.sleep(0)
        await pools.release(conn)

    tasks = [asyncio.create_task(request(n)) for n in range(8)]
    await asyncio.sleep(0.05)  # all eight are waiting now
    await pools.release(held)
    await asyncio.gather(*tasks)

    assert order == list(range(8))
    assert pools.open_connections == 1


async def test_a_waiter_cancelled_while_waiting_leaks_no_connection(databases, make_pools):
    pools = make_pools(budget=10, pool_size=1)
    (name, dsn) = databases[0]
    held = await pools.acquire("default", name, dsn)
    waiter = asyncio.create_task(pools.acquire("default", name, dsn))
    await asyncio.sleep(0.05)

    waiter.cancel()
    await pools.release(held)  # handed to nobody: the cancelled waiter is skipped

    with pytest.raises(asyncio.CancelledError):
        await waiter
    again = await asyncio.wait_for(pools.acquire("default", name, dsn), 1)
    assert again is held and pools.open_connections == 1
    await pools.release(again)


async def test_read_only_connections_refuse_writes_and_have_a_pool_of_their_own(databases, make_pools):
    pools = make_pools(budget=10, pool_size=2)
    (name, dsn) = databases[1]
    async with pools.connection("default", name, dsn, read_only=True) as conn:
        assert await conn.fetchval("SHOW default_transaction_read_only") == "on"
        with pytest.raises(Exception, match="read-only transaction"):
            await conn.execute("CREATE TABLE nope (id int)")
    async with pools.connection("default", name, dsn) as conn:
        assert await conn.fetchval("SHOW default_transaction_read_only") == "off"
    assert pools.open_connections == 2

    await pools.close_pool("default", name)
    assert pools.open_connections == 0
