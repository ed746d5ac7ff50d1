"""Window counters in PostgreSQL (the catalog database): what rate limits count with without Valkey.

Real PostgreSQL: concurrent counts from several connections and two separate pools (two
workers) never share a value; windows end and restart on the server's clock; a count that
reaches ``renew_at`` restarts the window; ``uncount`` forgets; expired rows are purged; an
unreachable catalog answers ``None`` and the local cache then counts in process.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from fullfinity.engine.cache import LocalCache
from fullfinity.engine.cache import pg_counters as pg_counters_module
from fullfinity.engine.cache.pg_counters import TABLE, PgCounters
from fullfinity.engine.db import DatabaseManager


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def counters(ff_runtime):
    return PgCounters(ff_runtime.db)


async def test_counts_go_up_by_one_and_report_the_seconds_left_in_the_window(counters):
    k = key()
    first = await counters.count("acme", "form", k, window=60)
    second = await counters.count("acme", "form", k, window=60)

    assert first is not None and second is not None
    assert (first[0], second[0]) == (1, 2)
    assert 59 < second[1] <= 60


async def test_concurrent_counts_from_two_workers_pools_never_share_a_value(ff_runtime, ff_settings):
    other_worker = DatabaseManager(ff_settings)  # its own pools, as another process has
    try:
        a, b = PgCounters(ff_runtime.db), PgCounters(other_worker)
        k = key()
        found = await asyncio.gather(*(c.count("acme", "login", k, window=60) for c in [a, b] * 20))
    finally:
        await other_worker.close()

    assert sorted(value for value, _ in found if value) == list(range(1, 41))


async def test_a_window_that_ended_starts_again_at_one(counters):
    k = key()
    await counters.count("acme", "form", k, window=0.3)
    await counters.count("acme", "form", k, window=0.3)
    await asyncio.sleep(0.4)

    again = await counters.count("acme", "form", k, window=0.3)

    assert again is not None and again[0] == 1


async def test_reaching_renew_at_restarts_the_window(counters):
    k = key()
    await counters.count("acme", "login", k, window=1.0, renew_at=3)
    await asyncio.sleep(0.5)
    second = await counters.count("acme", "login", k, window=1.0, renew_at=3)
    third = await counters.count("acme", "login", k, window=1.0, renew_at=3)

    assert second is not None and third is not None
    assert second[1] < 0.6  # the window opened by the first count
    assert third[0] == 3 and third[1] > 0.9  # a full window from the count that reached the limit


async def test_uncount_forgets_the_counter_and_tenants_count_apart(counters):
    k = key()
    for _ in range(3):
        await counters.count("acme", "login", k, window=60)
    elsewhere = await counters.count("globex", "login", k, window=60)
    await counters.uncount("acme", "login", k)

    after = await counters.count("acme", "login", k, window=60)

    assert elsewhere is not None and elsewhere[0] == 1
    assert after is not None and after[0] == 1


async def test_expired_rows_are_purged_by_a_later_count(counters, ff_runtime, monkeypatch):
    gone, kept = key(), key()
    await counters.count("acme", "form", gone, window=0.1)
    await asyncio.sleep(0.2)
    monkeypatch.setattr(pg_counters_module, "PURGE_EVERY", 0.0)

    await counters.count("acme", "form", kept, window=60)

    async with ff_runtime.db.catalog_connection() as conn:
        left = await conn.fetch(f"SELECT key FROM {TABLE} WHERE key = ANY($1)", [gone, kept])
    assert [row["key"] for row in left] == [kept]


async def test_an_unreachable_catalog_answers_none_and_the_local_cache_counts_in_process(ff_settings):
    missing = DatabaseManager(ff_settings.model_copy(update={"catalog_db": "fft_no_such_catalog"}))
    try:
        counters = PgCounters(missing)
        cache = LocalCache()
        cache.attach_counters(counters)
        k = key()

        assert await counters.count("acme", "form", k, window=60) is None
        counted = [await cache.count("acme", "form", k, window=60, now=0.0) for _ in range(2)]
    finally:
        await missing.close()

    assert [value for value, _ in counted if value] == [1, 2]
