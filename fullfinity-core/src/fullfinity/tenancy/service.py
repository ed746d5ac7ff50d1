"""Creating and dropping tenants: catalog entry + database, all or nothing."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pluggy

from fullfinity.engine.db import DatabaseManager, quote_ident
from fullfinity.exceptions import TenantExists, TenantNotFound
from fullfinity.plugins import await_me_maybe, get_plugin_manager
from fullfinity.tenancy.catalog import Catalog, TenantInfo
from fullfinity.tenancy.names import database_name, validate_tenant_name
from fullfinity.tenancy.provision import personalise, provision_database

__all__ = ["MODULE_STATE_TABLE", "create_tenant", "drop_tenant", "filestore_dir", "installed_modules"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# Where tenants created before core's Module model kept their module state; read by
# ``fullfinity.installer.state`` until the next module operation migrates it.
MODULE_STATE_TABLE = "ff_module_state"


def _noop(_: str) -> None:
    return None


async def create_tenant(
    db: DatabaseManager,
    catalog: Catalog,
    name: str,
    *,
    server: str = "default",
    demo: bool = False,
    label: str | None = None,
    hostnames: tuple[str, ...] = (),
    progress: Progress = _noop,
    pm: pluggy.PluginManager | None = None,
    modules: Sequence[str] = (),
    use_template: bool = True,
    company: str | None = None,
    admin_email: str | None = None,
    cache: object = None,
) -> TenantInfo:
    """Create tenant ``name``: catalog entry (``creating``), database with core and ``modules``
    installed (copied from a template database unless ``use_template`` is false), then ``active``.

    A failure at any step removes the database and the catalog entry again. Afterwards
    the ``fullfinity_tenant_created`` hook runs on ``pm`` (default: the process's).
    """
    validate_tenant_name(name)
    db.server_dsn(server)  # unknown alias -> clear ConfigurationError before anything is written
    info = TenantInfo(
        name=name,
        database=database_name(db.settings.db_prefix, name),
        server=server,
        demo=demo,
        label=label,
        hostnames=hostnames,
    )
    progress("Recording the tenant in the catalog")
    if not await catalog.insert(info):
        raise TenantExists(f"Tenant '{name}' already exists. Choose another name or drop it first.")
    created_db = False
    try:

        def created() -> None:
            nonlocal created_db
            created_db = True

        await provision_database(
            db, catalog, info, modules, use_template=use_template, created=created, progress=progress, pm=pm,
            cache=cache,
        )  # fmt: skip
        await personalise(db, info, company=company, admin_email=admin_email)
        await catalog.set_state(name, "active")
    except BaseException as exc:
        # No traceback here: the caller reports the error; the CLI must not print one.
        log.warning("Creating tenant %s failed (%s); removing its database and catalog entry", name, exc)
        if created_db:
            await _drop_database(db, server, info.database)
        await catalog.delete(name)
        raise
    active = TenantInfo(**{**info.__dict__, "state": "active"})
    for result in (pm or get_plugin_manager()).hook.fullfinity_tenant_created(tenant=active):
        await await_me_maybe(result)
    progress(f"Tenant '{name}' is ready")
    return active


async def _drop_database(db: DatabaseManager, server: str, database: str) -> None:
    await db.pools.close_pool(server, database)
    async with db.admin_connection(server) as admin:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(database)} WITH (FORCE)")


async def drop_tenant(
    db: DatabaseManager,
    catalog: Catalog,
    name: str,
    *,
    keep_files: bool = False,
    progress: Progress = _noop,
    pm: pluggy.PluginManager | None = None,
) -> TenantInfo:
    """Drop tenant ``name``: state ``disabled``, pools closed, ``DROP DATABASE``, filestore
    removed (unless ``keep_files``), catalog entry removed.

    Afterwards the ``fullfinity_tenant_dropped`` hook runs on ``pm`` (default: the process's).
    """
    info = await catalog.get(name)
    if info is None:
        raise TenantNotFound(f"Tenant '{name}' does not exist. `fullfinity tenant list` shows the tenants.")
    progress("Disabling the tenant")
    await catalog.set_state(name, "disabled")
    progress(f"Dropping database {info.database}")
    await _drop_database(db, info.server, info.database)
    files = filestore_dir(db, name)
    if not keep_files and files.exists():
        progress(f"Removing the filestore {files}")
        await asyncio.to_thread(shutil.rmtree, files)
    await catalog.delete(name)
    for result in (pm or get_plugin_manager()).hook.fullfinity_tenant_dropped(tenant=info):
        await await_me_maybe(result)
    progress(f"Tenant '{name}' dropped")
    return info


def filestore_dir(db: DatabaseManager, name: str) -> Path:
    """Where the tenant's files live (the layout of ``fullfinity.engine.database.filestore``)."""
    return Path(db.settings.data_dir) / "filestore" / name


async def installed_modules(db: DatabaseManager, info: TenantInfo) -> dict[str, tuple[str, str]]:
    """identifier -> (state, version) of the modules installed in the tenant (core's ``Module`` records)."""
    from fullfinity.installer.state import read_installed

    async with db.connection(info.server, info.database) as conn:
        versions = await read_installed(conn)
    return {ident: ("installed", version) for ident, version in versions.items()}
