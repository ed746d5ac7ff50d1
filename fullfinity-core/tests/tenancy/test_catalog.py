"""The tenant catalog database: created on first use, one row per tenant."""

from __future__ import annotations

import uuid

from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo


async def test_the_catalog_database_is_created_on_first_use(ff_runtime, ff_settings):
    catalog_db = f"{ff_settings.db_prefix}catalog_{uuid.uuid4().hex[:6]}"
    runtime = Runtime(settings=ff_settings.model_copy(update={"catalog_db": catalog_db}), pm=ff_runtime.pm)
    runtime.start()
    try:
        assert await runtime.catalog.count() == 0
    finally:
        await runtime.close()
    async with ff_runtime.db.admin_connection() as admin:
        assert await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", catalog_db)


async def test_a_recorded_tenant_is_read_back_with_every_column(ff_runtime):
    name = f"cat-{uuid.uuid4().hex[:8]}"
    info = TenantInfo(name, f"db_{name}", state="maintenance", demo=True, hostnames=("a.test", "b.test"), label="L")

    assert await ff_runtime.catalog.insert(info)
    stored = await ff_runtime.catalog.get(name)

    assert (stored.database, stored.server, stored.state, stored.demo, stored.hostnames, stored.label) == (
        f"db_{name}",
        "default",
        "maintenance",
        True,
        ("a.test", "b.test"),
        "L",
    )
    assert stored.created_at is not None
    await ff_runtime.catalog.delete(name)


async def test_recording_a_taken_name_returns_false(ff_runtime):
    name = f"cat-{uuid.uuid4().hex[:8]}"
    await ff_runtime.catalog.insert(TenantInfo(name, f"db_{name}"))

    assert await ff_runtime.catalog.insert(TenantInfo(name, f"other_{name}")) is False
    await ff_runtime.catalog.delete(name)


async def test_an_unknown_hostname_finds_no_tenant(ff_runtime):
    assert await ff_runtime.catalog.by_hostname("nobody.example.test") is None


async def test_tenants_are_listed_by_name(ff_runtime):
    names = [f"cat-z{uuid.uuid4().hex[:6]}", f"cat-a{uuid.uuid4().hex[:6]}"]
    for name in names:
        await ff_runtime.catalog.insert(TenantInfo(name, f"db_{name}"))

    listed = [t.name for t in await ff_runtime.catalog.all()]

    assert listed == sorted(listed) and set(names) <= set(listed)
    for name in names:
        await ff_runtime.catalog.delete(name)
