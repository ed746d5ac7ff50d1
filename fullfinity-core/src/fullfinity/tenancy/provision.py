"""Filling a new tenant's database: core plus the requested modules, from a template or from scratch.

Called by ``create_tenant`` once the catalog entry exists; ``created`` is called as soon as the
tenant database exists, so a failure after it removes the database again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg
import pluggy

from fullfinity.engine.db import DatabaseManager, quote_ident
from fullfinity.engine.licensing import check_modules
from fullfinity.engine.module_registry import discover_modules, resolve_order
from fullfinity.exceptions import TenantExists
from fullfinity.installer.plan import plan_install
from fullfinity.tenancy.catalog import Catalog, TenantInfo
from fullfinity.tenancy.templates import copy_database, ensure_template

__all__ = ["personalise", "planned_versions", "provision_database"]

Progress = Callable[[str], None]


def planned_versions(modules: Sequence[str]) -> list[tuple[str, str]]:
    """(module, version) a new tenant with ``modules`` gets: core, dependencies, implicit modules; in order."""
    available = discover_modules()
    changes = plan_install(["core", *modules], {}, available)
    versions = {c.identifier: str(c.to_version) for c in changes}
    return [(m, versions[m]) for m in resolve_order(sorted(versions), available)]


async def provision_database(
    db: DatabaseManager,
    catalog: Catalog,
    info: TenantInfo,
    modules: Sequence[str],
    *,
    use_template: bool,
    created: Callable[[], None],
    progress: Progress,
    pm: pluggy.PluginManager | None = None,
    cache: object = None,
) -> None:
    """Create the tenant database with core and ``modules`` installed (licenses checked first)."""
    from fullfinity.installer.lifecycle import install_modules

    versions = planned_versions(modules)
    check_modules(db.settings, info.name, [m for m, _ in versions], discover_modules(), [])
    names = ", ".join(m for m, _ in versions[1:])
    installing = "Installing the core module" + (f" and {names}" if names else "")
    if use_template:
        template = await ensure_template(db, catalog, info, versions, progress=progress, pm=pm)
        progress(f"Creating database {info.database} on server '{info.server}' from template {template}")
        try:
            await copy_database(db, info.server, template, info.database)
        except asyncpg.DuplicateDatabaseError:
            raise _leftover(info) from None
        created()
        progress(f"{installing} (copied from the template)")
        return
    progress(f"Creating database {info.database} on server '{info.server}'")
    async with db.admin_connection(info.server) as admin:
        try:
            await admin.execute(f"CREATE DATABASE {quote_ident(info.database)}")
        except asyncpg.DuplicateDatabaseError:
            raise _leftover(info) from None
    created()
    progress(installing)
    await install_modules(db, info, [m for m, _ in versions], progress=progress, pm=pm, cache=cache)


def _leftover(info: TenantInfo) -> TenantExists:
    return TenantExists(
        f"Database {info.database} already exists on server '{info.server}' but is not in the catalog. "
        f"Drop or rename that database, or choose another tenant name."
    )


async def personalise(
    db: DatabaseManager, info: TenantInfo, *, company: str | None = None, admin_email: str | None = None
) -> None:
    """Per-tenant values on top of the installed data: main company name, administrator email."""
    from fullfinity.engine.env import Environment
    from fullfinity.engine.records.identifiers import resolve
    from fullfinity.engine.records.registry import Registry
    from fullfinity.installer.state import read_installed

    if company is None and admin_email is None:
        return
    async with db.connection(info.server, info.database) as conn, conn.transaction():
        versions = await read_installed(conn)
        order = resolve_order(sorted(versions), discover_modules())
        env = Environment(tenant=info.name, registry=Registry.for_modules([(m, versions[m]) for m in order]), conn=conn)
        with env.bind():
            for model, identifier, field, value in (
                ("Company", "core_main_company", "name", company),
                ("User", "core_user_admin", "email", admin_email),
            ):
                if value is not None:
                    record = await env[model].get(await resolve(env, identifier, model))
                    setattr(record, field, value)
                    await record.save()
            await env.flush()
