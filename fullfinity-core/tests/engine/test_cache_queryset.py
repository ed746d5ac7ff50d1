"""``.cached()`` querysets against real PostgreSQL: served without SQL, never stale after a commit."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
import pytest_asyncio

from fullfinity.engine.base import (
    JSON,
    Binary,
    Boolean,
    Char,
    Date,
    Datetime,
    Float,
    Integer,
    ManyToMany,
    ManyToOne,
    Model,
    Monetary,
    Selection,
    Text,
)
from fullfinity.engine.cache import LocalCache
from fullfinity.engine.cache.valkey import ValkeyCache
from fullfinity.engine.records import cached as cache_query
from fullfinity.engine.records.cached import CachedQuerySet, query_dependencies
from fullfinity.testing.orm import env_on


class CqCountry(Model):
    name = Char(required=True)
    code = Char(max_length=3)


class CqTag(Model):
    name = Char(required=True)


class CqItem(Model):
    _order = "name ASC"

    name = Char(required=True)
    notes = Text()
    quantity = Integer()
    weight = Float()
    price = Monetary()
    due = Date()
    seen = Datetime()
    active = Boolean(default=True)
    state = Selection(choices=["draft", "done"], default="draft")
    extra = JSON()
    blob = Binary()
    country = ManyToOne("CqCountry", related_name="items")
    tags = ManyToMany("CqTag", related_name="items")


MODELS = [CqCountry, CqTag, CqItem]
FIELDS = ["id", "name", "notes", "quantity", "weight", "price", "due", "seen", "active", "state", "extra", "blob"]


@pytest.fixture
def cache():
    return LocalCache()


@pytest.fixture
def request_env(ff_database, ff_registry, cache):
    """``async with request_env() as env``: one committed unit of work, like a request on a worker."""

    def open_env(*, commit=True, on=None, **options):
        return env_on(ff_database, ff_registry, commit=commit, cache=cache if on is None else on, **options)

    return open_env


@pytest_asyncio.fixture(loop_scope="session")
async def world(request_env):
    async with request_env() as env:
        await env.execute("TRUNCATE cq_item, cq_country, cq_tag RESTART IDENTITY CASCADE")
        fr = await CqCountry.create(name="France", code="FR")
        de = await CqCountry.create(name="Germany", code="DE")
        red = await CqTag.create(name="red")
        await CqItem.create(
            name="Bolt",
            notes="M6",
            quantity=3,
            weight=2.5,
            price=Decimal("10.10"),
            due=dt.date(2026, 3, 1),
            seen=dt.datetime(2026, 3, 1, 23, 30, 0, 123456, tzinfo=dt.UTC),
            state="done",
            extra={"size": [6, "mm"], "ok": True},
            blob=b"\x00\x01",
            country=fr,
            tags=[red.id],
        )
        await CqItem.create(name="Nut", quantity=None, price=Decimal("0.05"), country=de)
        await CqItem.create(name="Washer", active=False)
    return {"fr": fr.id, "de": de.id, "red": red.id}


async def names(qs):
    return [r.name for r in await qs]


# -- hits --------------------------------------------------------------------------------------------------
async def test_a_cached_query_is_served_without_sql_on_the_next_request(world, request_env):
    async with request_env() as env:
        with env.count_queries() as first:
            assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
    async with request_env() as env:
        with env.count_queries() as second:
            assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
    assert (first.total, second.total) == (1, 0)


async def test_records_rebuilt_from_the_cache_equal_fresh_ones_field_by_field(world, request_env):
    async with request_env() as env:
        await CqItem.filter().cached()
    async with request_env() as env:
        with env.count_queries() as counter:
            cached = await CqItem.filter().cached()
        fresh = await CqItem.filter()
    assert counter.total == 0
    for hit, db in zip(cached, fresh, strict=True):
        assert type(hit) is type(db)
        for name in FIELDS:
            assert getattr(hit, name) == getattr(db, name)
            assert type(getattr(hit, name)) is type(getattr(db, name))
        assert hit.country.id == db.country.id


async def test_cached_records_can_fetch_relations_and_be_saved(world, request_env):
    async with request_env() as env:
        await CqItem.filter().cached()
    async with request_env() as env:
        items = await CqItem.filter().cached()
        with env.count_queries() as counter:
            await items[0].fetch_related("country")
            assert [i.country.name for i in items] == ["France", "Germany"]  # one batched query
        assert counter.total == 1
        items[1].notes = "saved from a cached record"
        await items[1].save()
    async with request_env() as env:
        assert (await CqItem.get(items[1].id)).notes == "saved from a cached record"


async def test_a_hit_returns_independent_copies_of_mutable_values(world, request_env):
    async with request_env():
        (await CqItem.filter(name="Bolt").cached())[0].extra["size"].append("mutated")
    async with request_env():
        assert (await CqItem.filter(name="Bolt").cached())[0].extra == {"size": [6, "mm"], "ok": True}


async def test_count_is_cached_too(world, request_env):
    for expected_queries in (1, 0):
        async with request_env() as env:
            with env.count_queries() as counter:
                assert await CqItem.filter(quantity__isnull=False).cached().count() == 1
            assert counter.total == expected_queries


async def test_a_capped_count_is_cached_apart_from_the_full_count(world, request_env):
    for expected_queries in (2, 0):
        async with request_env() as env:
            with env.count_queries() as counter:
                assert await CqItem.filter().cached().count(cap=1) == 1
                assert await CqItem.filter().cached().count() > 1
            assert counter.total == expected_queries


async def test_chained_querysets_stay_cached_and_different_queries_get_different_entries(world, request_env):
    async with request_env() as env:
        qs = CqItem.filter().cached(ttl=60).filter(price__gt=0).order_by("name DESC")[:1]
        assert isinstance(qs, CachedQuerySet)
        assert await names(qs) == ["Nut"]
        assert await names(CqItem.filter(name="Bolt").cached()) == ["Bolt"]
    async with request_env() as env:
        with env.count_queries() as counter:
            assert await names(qs) == ["Nut"]
            assert await names(CqItem.filter(name="Bolt").cached()) == ["Bolt"]
            assert await names(CqItem.filter(name="Nut").cached()) == ["Nut"]
            with env.with_context(active_test=False):
                assert await names(CqItem.filter().cached()) == ["Bolt", "Nut", "Washer"]
        assert counter.total == 2  # the two queries not seen before


async def test_get_first_and_values_are_not_cached(world, request_env):
    for _ in range(2):
        async with request_env() as env:
            with env.count_queries() as counter:
                await CqItem.filter(name="Bolt").cached().first()
                await CqItem.filter(name="Bolt").cached().get()
                await CqItem.filter(name="Bolt").cached().values("name")
            assert counter.total == 3


async def test_an_environment_without_a_cache_simply_queries(world, ff_database, ff_registry):
    async with env_on(ff_database, ff_registry) as env:
        with env.count_queries() as counter:
            await CqItem.filter().cached()
            await CqItem.filter().cached()
        assert counter.total == 2


async def test_an_entry_expires_after_the_ttl_given_to_cached(world, request_env):
    async with request_env() as env:
        await CqItem.filter().cached(ttl=0.05)
    await asyncio.sleep(0.08)
    async with request_env() as env:
        with env.count_queries() as counter:
            await CqItem.filter().cached(ttl=0.05)
        assert counter.total == 1


async def test_a_ttl_must_be_positive(ff_env):
    with pytest.raises(ValueError, match="positive"):
        CqItem.filter().cached(ttl=0)


# -- invalidation ------------------------------------------------------------------------------------------
async def test_a_committed_write_is_seen_by_the_next_cached_read(world, request_env):
    async with request_env():
        assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
    async with request_env():
        await CqItem.filter(name="Nut").update(name="Anchor")
    async with request_env() as env:
        with env.count_queries() as counter:
            assert await names(CqItem.filter().cached()) == ["Anchor", "Bolt"]
        assert counter.total == 1


async def test_the_writing_transaction_reads_its_own_writes_and_caches_nothing_from_them(world, request_env):
    async with request_env():
        assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
    async with request_env(commit=False) as env:
        await CqItem.filter(name="Nut").update(name="Anchor")
        with env.count_queries() as counter:
            assert await names(CqItem.filter().cached()) == ["Anchor", "Bolt"]
        assert counter.total == 1
    async with request_env() as env:  # rolled back: the entry cached before is still right
        with env.count_queries() as counter:
            assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
        assert counter.total == 0


async def test_a_write_to_a_related_model_invalidates_a_query_filtering_through_it(world, request_env):
    async with request_env():
        assert await names(CqItem.filter(country__code="FR").cached()) == ["Bolt"]
    async with request_env():
        await CqCountry.filter(code="FR").update(code="XX")
        await CqCountry.filter(code="DE").update(code="FR")
    async with request_env():
        assert await names(CqItem.filter(country__code="FR").cached()) == ["Nut"]


async def test_linking_many_to_many_records_invalidates_a_query_filtering_through_the_link(world, request_env):
    for expected_queries in (1, 0):  # the join table maps to both models: the query is cacheable
        async with request_env() as env:
            with env.count_queries() as counter:
                assert await names(CqItem.filter(tags__name="red").cached()) == ["Bolt"]
            assert counter.total == expected_queries
    async with request_env():
        nut = await CqItem.filter(name="Nut").get()
        nut.tags = [["L", world["red"]]]
        await nut.save()
    async with request_env():
        assert await names(CqItem.filter(tags__name="red").cached()) == ["Bolt", "Nut"]


async def test_a_query_depends_on_every_model_whose_table_it_reads(world, request_env):
    async with request_env() as env:
        compiler = CqItem.filter(country__code="FR", tags__name="red")._compiler()
        sql, _ = compiler.select(compiler.selected_fields()).finish()
        assert set(query_dependencies(env, CqItem._composed_class(), sql)) == {"CqItem", "CqCountry", "CqTag"}
        item = CqItem._composed_class()
        assert query_dependencies(env, item, 'SELECT 1 FROM "cq_item" AS t0 WHERE t0."seen" < now()') is None
        assert query_dependencies(env, item, 'SELECT 1 FROM "cq_item" AS t0 JOIN "pg_class" AS t1 ON TRUE') is None
        assert query_dependencies(env, item, 'SELECT t0."now" FROM "cq_item" AS t0') == ["CqItem"]


async def test_the_key_extension_point_separates_entries(world, request_env, monkeypatch):
    monkeypatch.setattr(cache_query, "cache_key_extra", lambda env, model: (f"groups:{env.context['groups']}",))
    async with request_env(context={"groups": "sales"}):
        await CqItem.filter().cached()
    async with request_env(context={"groups": "managers"}) as env:
        with env.count_queries() as counter:
            await CqItem.filter().cached()
        assert counter.total == 1
    async with request_env(context={"groups": "sales"}) as env:
        with env.count_queries() as counter:
            await CqItem.filter().cached()
        assert counter.total == 0


# -- with Valkey -------------------------------------------------------------------------------------------
async def test_two_workers_on_valkey_never_serve_a_committed_write_stale(world, request_env, ff_valkey_url):
    worker_a, worker_b = ValkeyCache(ff_valkey_url), ValkeyCache(ff_valkey_url)
    try:
        for round_ in range(5):
            async with request_env(on=worker_b, tenant="cq"):
                before = await CqItem.filter(name="Bolt").cached()
            async with request_env(on=worker_a, tenant="cq"):
                await CqItem.filter(name="Bolt").update(quantity=100 + round_)
            async with request_env(on=worker_b, tenant="cq"):
                after = await CqItem.filter(name="Bolt").cached()
            assert after[0].quantity == 100 + round_ != before[0].quantity
    finally:
        await worker_a.close()
        await worker_b.close()


async def test_queries_are_answered_by_the_database_while_valkey_is_unreachable(world, request_env):
    unreachable = ValkeyCache("redis://127.0.0.1:1/0", reconnect_max=0.2)
    try:
        for _ in range(3):
            async with request_env(on=unreachable) as env:
                with env.count_queries() as counter:
                    assert await names(CqItem.filter().cached()) == ["Bolt", "Nut"]
                assert counter.total == 1
        assert unreachable.status == "degraded"
    finally:
        await unreachable.close()
