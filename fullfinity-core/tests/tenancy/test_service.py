"""Creating and dropping tenants through the service, against the session's PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from fullfinity import hookimpl
from fullfinity.engine.db import quote_ident
from fullfinity.exceptions import ConfigurationError, InvalidTenantName, TenantExists, TenantNotFound
from fullfinity.plugins import build_plugin_manager
from fullfinity.runtime import Runtime
from fullfinity.tenancy.service import create_tenant, drop_tenant, filestore_dir, installed_modules


def new_name(prefix: str = "svc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def database_exists(runtime, database: str) -> bool:
    async with runtime.db.admin_connection() as admin:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))


@pytest_asyncio.fixture(loop_scope="session")
async def created(ff_runtime):
    """Create tenants through the service; whatever still exists is dropped after the test."""
    names: list[str] = []

    async def create(name: str | None = None, **options):
        name = name or new_name()
        names.append(name)
        return await create_tenant(ff_runtime.db, ff_runtime.catalog, name, **options)

    yield create
    for name in names:
        if await ff_runtime.catalog.get(name) is not None:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)


async def test_a_created_tenant_is_active_in_the_catalog_with_its_database_and_server(ff_runtime, created):
    info = await created(label="Acme Inc.")

    stored = await ff_runtime.catalog.get(info.name)
    assert stored.state == "active" and stored.server == "default" and stored.label == "Acme Inc."
    assert stored.database == ff_runtime.settings.db_prefix + info.name.replace("-", "_")
    assert await database_exists(ff_runtime, stored.database)


async def test_a_created_tenant_has_core_installed_at_the_available_version(ff_runtime, created):
    from fullfinity.engine.module_registry import discover_modules

    info = await created()

    assert await installed_modules(ff_runtime.db, info) == {"core": ("installed", discover_modules()["core"].version)}


async def test_custom_hostnames_and_the_demo_flag_are_recorded(ff_runtime, created):
    host = f"{uuid.uuid4().hex[:8]}.example.test"
    info = await created(demo=True, hostnames=(host,))

    stored = await ff_runtime.catalog.by_hostname(host)
    assert stored.name == info.name and stored.demo is True


async def test_a_bad_name_creates_nothing(ff_runtime):
    before = await ff_runtime.catalog.count()

    with pytest.raises(InvalidTenantName):
        await create_tenant(ff_runtime.db, ff_runtime.catalog, "Bad_Name")

    assert await ff_runtime.catalog.count() == before
    assert not await database_exists(ff_runtime, ff_runtime.settings.db_prefix + "Bad_Name")


async def test_creating_an_existing_tenant_is_tenant_exists_and_keeps_the_original(ff_runtime, created):
    info = await created()

    with pytest.raises(TenantExists, match=f"Tenant '{info.name}' already exists"):
        await create_tenant(ff_runtime.db, ff_runtime.catalog, info.name)

    assert (await ff_runtime.catalog.get(info.name)).state == "active"
    assert await database_exists(ff_runtime, info.database)


async def test_a_leftover_database_of_the_same_name_is_not_taken_over(ff_runtime):
    name = new_name()
    database = ff_runtime.settings.db_prefix + name.replace("-", "_")
    async with ff_runtime.db.admin_connection() as admin:
        await admin.execute(f"CREATE DATABASE {quote_ident(database)}")

    with pytest.raises(TenantExists, match=f"Database {database} already exists .* not in the catalog"):
        await create_tenant(ff_runtime.db, ff_runtime.catalog, name)

    assert await ff_runtime.catalog.get(name) is None
    assert await database_exists(ff_runtime, database)  # someone else's data is left alone


async def test_a_failure_in_the_middle_of_create_leaves_no_database_and_no_catalog_entry(ff_runtime):
    name = new_name()
    database = ff_runtime.settings.db_prefix + name.replace("-", "_")

    def progress(step: str) -> None:
        if step.startswith("Installing the core module"):  # after CREATE DATABASE succeeded
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await create_tenant(ff_runtime.db, ff_runtime.catalog, name, progress=progress)

    assert await ff_runtime.catalog.get(name) is None
    assert not await database_exists(ff_runtime, database)


async def test_an_unknown_server_alias_is_a_configuration_error_and_creates_nothing(ff_runtime):
    name = new_name()

    with pytest.raises(ConfigurationError, match=r"Unknown database server alias 'mars'\. Known aliases: default"):
        await create_tenant(ff_runtime.db, ff_runtime.catalog, name, server="mars")

    assert await ff_runtime.catalog.get(name) is None


async def test_a_tenant_can_live_on_a_second_server_recorded_by_alias(ff_runtime, ff_settings, ff_pg_dsn):
    # The alias points at the session server: what matters is that the catalog stores the alias.
    settings = ff_settings.model_copy(update={"database_servers": {"second": ff_pg_dsn}})
    runtime = Runtime(settings=settings, pm=ff_runtime.pm)
    runtime.start()
    name = new_name()
    try:
        info = await create_tenant(runtime.db, runtime.catalog, name, server="second")

        assert (await ff_runtime.catalog.get(name)).server == "second"
        assert await installed_modules(runtime.db, info)
        await drop_tenant(runtime.db, runtime.catalog, name)
    finally:
        await runtime.close()
    assert not await database_exists(ff_runtime, info.database)


async def test_dropping_a_tenant_removes_its_database_and_catalog_entry(ff_runtime, created):
    info = await created()

    await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)

    assert await ff_runtime.catalog.get(info.name) is None
    assert not await database_exists(ff_runtime, info.database)


async def test_dropping_a_tenant_removes_its_filestore(ff_runtime, created):
    info = await created()
    files = filestore_dir(ff_runtime.db, info.name)
    (files / "ab").mkdir(parents=True)
    (files / "ab" / "abcdef").write_bytes(b"content")

    await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)

    assert not files.exists()


def test_the_filestore_removed_is_the_one_the_orm_writes_to(ff_runtime):
    from fullfinity.engine.database.filestore import filestore_root

    assert filestore_dir(ff_runtime.db, "acme") == filestore_root("acme")


async def test_dropping_a_tenant_with_keep_files_leaves_its_filestore(ff_runtime, created):
    info = await created()
    files = filestore_dir(ff_runtime.db, info.name)
    files.mkdir(parents=True)
    (files / "kept").write_bytes(b"content")

    await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name, keep_files=True)

    assert (files / "kept").read_bytes() == b"content"


async def test_dropping_a_tenant_closes_pooled_connections_to_it(ff_runtime, created):
    info = await created()
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        await conn.execute("SELECT 1")

    await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)

    assert (info.server, info.database) not in ff_runtime.db.pools.pool_keys()


async def test_dropping_a_missing_tenant_is_tenant_not_found(ff_runtime):
    with pytest.raises(TenantNotFound, match="Tenant 'never-was' does not exist"):
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, "never-was")


async def test_lifecycle_hooks_receive_the_tenant(ff_runtime):
    events: list[tuple[str, str, str]] = []

    class Recorder:
        @hookimpl
        def fullfinity_tenant_created(self, tenant):
            events.append(("created", tenant.name, tenant.state))

        @hookimpl
        async def fullfinity_tenant_dropped(self, tenant):  # may be async
            events.append(("dropped", tenant.name, tenant.state))

    pm = build_plugin_manager(include_modules=False)
    pm.register(Recorder())
    name = new_name()

    await create_tenant(ff_runtime.db, ff_runtime.catalog, name, pm=pm)
    await drop_tenant(ff_runtime.db, ff_runtime.catalog, name, pm=pm)

    assert events == [("created", name, "active"), ("dropped", name, "active")]
