"""Template databases: a new tenant is a file copy of a database with its modules installed.

For each (module set with versions, demo flag, server) the first tenant creation builds a
template database by installing the set into an empty database, and records it in the catalog
(table ``template``). Later creations run ``CREATE DATABASE <new> TEMPLATE <template>``. The
name hashes the versions, so a new release builds a new template; templates superseded for the
same modules are dropped when the new one is built, or by ``fullfinity tenant prune-templates``.
No connection to a template is kept open (PostgreSQL refuses to copy a database in use).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import asyncpg
import pluggy

from fullfinity.engine.db import DatabaseManager, quote_ident
from fullfinity.engine.module_registry import ModuleInfo, discover_modules
from fullfinity.tenancy.catalog import Catalog, TenantInfo

__all__ = ["copy_database", "ensure_template", "prune_templates", "template_name"]

Progress = Callable[[str], None]


def _module_set(versions: Sequence[tuple[str, str]]) -> str:
    return json.dumps(sorted(versions), separators=(",", ":"))


def template_name(prefix: str, versions: Sequence[tuple[str, str]], demo: bool, server: str) -> str:
    """``<prefix>_tpl_<hash>``: never a tenant's database name (tenant names start with a letter).

    The hash covers the installed module set and also every *available* module (core's Module
    records list them), so installing a new distribution builds a new template.
    """
    from fullfinity.engine.module_registry import discover_modules

    available = _module_set([(m.identifier, m.version) for m in discover_modules().values()])
    digest = hashlib.sha256(f"{_module_set(versions)}|{available}|{demo}|{server}".encode()).hexdigest()[:16]
    return f"{prefix.rstrip('_')}__tpl_{digest}"


async def _exists(db: DatabaseManager, server: str, database: str) -> bool:
    async with db.admin_connection(server) as admin:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))


async def _drop(db: DatabaseManager, server: str, database: str) -> None:
    await db.pools.close_pool(server, database)
    async with db.admin_connection(server) as admin:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(database)} WITH (FORCE)")


async def copy_database(db: DatabaseManager, server: str, source: str, target: str) -> None:
    """``CREATE DATABASE target TEMPLATE source`` (``source`` must have no open connection)."""
    await db.pools.close_pool(server, source)
    async with db.admin_connection(server) as admin:
        await admin.execute(f"CREATE DATABASE {quote_ident(target)} TEMPLATE {quote_ident(source)}")


async def ensure_template(
    db: DatabaseManager,
    catalog: Catalog,
    tenant: TenantInfo,
    versions: Sequence[tuple[str, str]],
    *,
    progress: Progress,
    pm: pluggy.PluginManager | None = None,
) -> str:
    """The template database for ``versions`` (install order) on the tenant's server, built if missing."""
    from fullfinity.installer.lifecycle import install_modules

    name = template_name(db.settings.db_prefix, versions, tenant.demo, tenant.server)
    module_set = _module_set(versions)
    await catalog.ensure()
    async with db.catalog_connection() as lock_conn:
        # Two processes creating tenants with the same modules build the template once.
        await lock_conn.execute("SELECT pg_advisory_lock(hashtext($1))", name)
        try:
            async with db.catalog_connection() as conn:
                known = await conn.fetchval("SELECT 1 FROM template WHERE name = $1", name)
            if known and await _exists(db, tenant.server, name):
                return name
            progress(f"Building template database {name} for {', '.join(m for m, _ in versions)}")
            await _drop(db, tenant.server, name)
            async with db.admin_connection(tenant.server) as admin:
                await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
            try:
                builder = TenantInfo(name=tenant.name, database=name, server=tenant.server, demo=tenant.demo)
                await install_modules(db, builder, [m for m, _ in versions], progress=progress, pm=pm)
            except BaseException:
                await _drop(db, tenant.server, name)
                raise
            finally:
                await db.pools.close_pool(tenant.server, name)
            await _record(db, name, tenant, module_set, versions)
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", name)
    return name


async def _record(
    db: DatabaseManager, name: str, tenant: TenantInfo, module_set: str, versions: Sequence[tuple[str, str]]
) -> None:
    """Record the new template and drop the ones it supersedes (same modules, other versions)."""
    modules = sorted(m for m, _ in versions)
    async with db.catalog_connection() as conn:
        await conn.execute(
            "INSERT INTO template (name, server, module_set, demo) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (name) DO UPDATE SET module_set = EXCLUDED.module_set, created_at = now()",
            name,
            tenant.server,
            module_set,
            tenant.demo,
        )
        rows = await conn.fetch(
            "SELECT name, module_set FROM template WHERE server = $1 AND demo = $2 AND name <> $3",
            tenant.server,
            tenant.demo,
            name,
        )
    for row in rows:
        if sorted(m for m, _ in json.loads(row["module_set"])) == modules:
            await _forget(db, row["name"], tenant.server)


async def _forget(db: DatabaseManager, name: str, server: str) -> None:
    try:
        await _drop(db, server, name)
    except asyncpg.PostgresError:
        return  # in use right now: the next prune removes it
    async with db.catalog_connection() as conn:
        await conn.execute("DELETE FROM template WHERE name = $1", name)


async def prune_templates(
    db: DatabaseManager,
    catalog: Catalog,
    *,
    everything: bool = False,
    available: Mapping[str, ModuleInfo] | None = None,
) -> list[str]:
    """Drop templates whose module versions are no longer the available ones (all with ``everything``)."""
    available = available if available is not None else discover_modules()
    await catalog.ensure()
    async with db.catalog_connection() as conn:
        rows = await conn.fetch("SELECT name, server, module_set FROM template ORDER BY name")
    dropped: list[str] = []
    for row in rows:
        versions: list[Any] = json.loads(row["module_set"])
        current = all(m in available and available[m].version == v for m, v in versions)
        if everything or not current or row["server"] not in db.servers:
            if row["server"] in db.servers:
                await _forget(db, row["name"], row["server"])
            else:
                async with db.catalog_connection() as conn:
                    await conn.execute("DELETE FROM template WHERE name = $1", row["name"])
            dropped.append(row["name"])
    return dropped
