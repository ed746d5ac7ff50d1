"""The in-process cache (no FULLFINITY_CACHE_URL): the semantics every backend shares."""

import asyncio
from decimal import Decimal

import pytest

from fullfinity.engine.cache import LocalCache, create_cache, fetch_in_env


@pytest.fixture
def cache():
    return LocalCache()


async def test_without_a_url_the_cache_is_in_process_and_reports_local():
    cache = create_cache(None)
    assert isinstance(cache, LocalCache)
    assert cache.status == "local"
    assert await cache.health() == "local"


async def test_a_stored_value_is_served_until_its_namespace_is_bumped(cache):
    assert await cache.get("acme", "views", "form") is None
    assert await cache.set("acme", "views", "form", {"fields": ["name"], "price": Decimal("1.50")})
    assert await cache.get("acme", "views", "form") == {"fields": ["name"], "price": Decimal("1.50")}
    await cache.bump("acme", "views")
    assert await cache.get("acme", "views", "form") is None


async def test_bumping_one_namespace_leaves_the_others(cache):
    await cache.set("acme", "views", "k", 1)
    await cache.set("acme", "menus", "k", 2)
    await cache.bump("acme", "views")
    assert await cache.get("acme", "menus", "k") == 2


async def test_an_entry_depending_on_a_model_is_dropped_when_the_model_is_written(cache):
    await cache.set("acme", "query", "k", [1, 2], depends_on=["model:Contact"])
    await cache.models_written("acme", {"Invoice"})
    assert await cache.get("acme", "query", "k", depends_on=["model:Contact"]) == [1, 2]
    await cache.models_written("acme", {"Contact"})
    assert await cache.get("acme", "query", "k", depends_on=["model:Contact"]) is None


async def test_tenants_never_see_each_others_entries_or_bumps(cache):
    await cache.set("acme", "views", "k", "acme's")
    await cache.set("globex", "views", "k", "globex's")
    assert await cache.get("acme", "views", "k") == "acme's"
    await cache.bump("globex", "views")
    assert await cache.get("acme", "views", "k") == "acme's"
    assert await cache.get("globex", "views", "k") is None


async def test_a_registry_change_drops_everything_of_the_tenant_and_tells_listeners(cache):
    heard = []
    cache.on_registry_changed(heard.append)
    await cache.set("acme", "views", "k", 1)
    await cache.set("acme", "query", "k", 2, depends_on=["model:Contact"])
    await cache.set("globex", "views", "k", 3)
    await cache.registry_changed("acme")
    assert heard == ["acme"]
    assert await cache.get("acme", "views", "k") is None
    assert await cache.get("acme", "query", "k", depends_on=["model:Contact"]) is None
    assert await cache.get("globex", "views", "k") == 3


async def test_an_entry_expires_after_its_ttl(cache):
    await cache.set("acme", "views", "k", 1, ttl=0.05)
    assert await cache.get("acme", "views", "k") == 1
    await asyncio.sleep(0.08)
    assert await cache.get("acme", "views", "k") is None


async def test_a_value_computed_before_a_bump_is_filed_under_the_old_generation(cache):
    """lookup() then store(): a write committed while the value was computed cannot make it current."""
    found = await cache.lookup("acme", "views", "k")
    await cache.bump("acme", "views")  # a writer commits meanwhile
    await found.store("computed from the old data")
    assert await cache.get("acme", "views", "k") is None


async def test_fetch_computes_once_then_serves_the_cached_value(cache):
    calls = []

    async def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert await cache.fetch("acme", "menus", "root", compute) == {"n": 1}
    assert await cache.fetch("acme", "menus", "root", compute) == {"n": 1}
    assert len(calls) == 1


async def test_a_mutable_cached_value_cannot_be_changed_through_a_hit(cache):
    await cache.set("acme", "views", "k", {"fields": ["name"]})
    first = await cache.get("acme", "views", "k")
    first["fields"].append("hacked")
    assert await cache.get("acme", "views", "k") == {"fields": ["name"]}


async def test_values_the_encoding_cannot_carry_are_not_cached(cache):
    assert not await cache.set("acme", "views", "k", object())
    assert await cache.get("acme", "views", "k") is None
    assert cache.stats.uncacheable == 1


async def test_the_local_store_is_bounded_and_evicts_the_least_recently_used():
    cache = LocalCache(hot_entries=2)
    await cache.set("acme", "views", "a", 1)
    await cache.set("acme", "views", "b", 2)
    assert await cache.get("acme", "views", "a") == 1  # a is now the most recent
    await cache.set("acme", "views", "c", 3)
    assert await cache.get("acme", "views", "b") is None
    assert await cache.get("acme", "views", "a") == 1
    assert len(cache.hot) == 2


@pytest.mark.parametrize(("tenant", "namespace"), [("", "views"), ("a:b", "views"), ("acme", ""), ("acme", "a#b")])
async def test_malformed_tenants_and_namespaces_are_rejected(cache, tenant, namespace):
    with pytest.raises(ValueError, match="cache"):
        await cache.get(tenant, namespace, "k")


async def test_a_non_positive_ttl_is_rejected(cache):
    with pytest.raises(ValueError, match="ttl"):
        await cache.set("acme", "views", "k", 1, ttl=0)


class FakeEnv:
    """What fetch_in_env reads from an environment."""

    def __init__(self, cache, written=()):
        self.cache, self.tenant, self.written = cache, "acme", set(written)


async def test_fetch_in_env_does_not_cache_what_the_transaction_itself_wrote(cache):
    async def compute():
        return "from uncommitted rows"

    writing = FakeEnv(cache, written={"Group"})
    assert await fetch_in_env(writing, "access", "user:7", compute, models=["Group", "User"]) == "from uncommitted rows"
    assert await cache.get("acme", "access", "user:7", depends_on=["model:Group", "model:User"]) is None

    async def committed():
        return "from committed rows"

    reading = FakeEnv(cache)
    assert await fetch_in_env(reading, "access", "user:7", committed, models=["Group", "User"]) == "from committed rows"
    await cache.models_written("acme", {"User"})
    assert await cache.get("acme", "access", "user:7", depends_on=["model:Group", "model:User"]) is None
