"""Backing up, restoring and cloning tenants (tenancy-and-cache.md 6).

A backup is a tar archive holding ``database.dump`` (``pg_dump -Fc``), the tenant's filestore
under ``filestore/`` and ``manifest.json`` (tenant, date, installed module versions, core
version, PostgreSQL version, the SHA-256 of ``database.dump``). ``pg_dump`` reads one snapshot,
so a backup taken while clients write is consistent. Restore checks the archive (readable tar,
checksum) before it creates anything, so a damaged file is refused with a message saying so.
``pg_dump``/``pg_restore`` come from ``FULLFINITY_PG_BIN_DIR`` or the embedded PostgreSQL package.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fullfinity.engine.db import DatabaseManager, quote_ident
from fullfinity.engine.module_registry import discover_modules
from fullfinity.exceptions import ModuleError, ServiceUnavailable, TenantExists, TenantNotFound, TenantUnavailable
from fullfinity.installer.state import read_installed
from fullfinity.tenancy.catalog import Catalog, TenantInfo
from fullfinity.tenancy.names import database_name, validate_tenant_name

__all__ = ["backup_tenant", "clone_tenant", "read_manifest", "restore_tenant"]

Progress = Callable[[str], None]
#: Awaited with a new tenant (restored or cloned) before it becomes ``active``.
Prepare = Callable[[TenantInfo], Awaitable[None]]
DUMP = "database.dump"
MANIFEST = "manifest.json"
FILESTORE = "filestore"


def _noop(_: str) -> None:
    return None


async def _tool(db: DatabaseManager, name: str, *args: str) -> None:
    binary = Path(db.pg_bin_dir) / name
    if not binary.exists():
        raise ServiceUnavailable(
            f"{name} not found in {binary.parent}. Set FULLFINITY_PG_BIN_DIR to the directory of the PostgreSQL "
            f"client programs matching the server's major version."
        )
    process = await asyncio.create_subprocess_exec(
        str(binary), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise ServiceUnavailable(
            f"{name} failed (exit {process.returncode}): {stderr.decode(errors='replace').strip()}"
        )


async def _get(catalog: Catalog, name: str) -> TenantInfo:
    info = await catalog.get(name)
    if info is None:
        raise TenantNotFound(f"Tenant '{name}' does not exist. `fullfinity tenant list` shows the tenants.")
    return info


def _filestore(db: DatabaseManager, name: str) -> Path:
    return Path(db.settings.data_dir) / "filestore" / name


async def backup_tenant(
    db: DatabaseManager, catalog: Catalog, name: str, file: Path, *, progress: Progress = _noop
) -> dict[str, Any]:
    """Write the archive of tenant ``name`` to ``file``; returns its manifest."""
    info = await _get(catalog, name)
    async with db.connection(info.server, info.database) as conn:
        modules = await read_installed(conn)
        pg_version = await conn.fetchval("SHOW server_version")
    manifest = {
        "format": 1,
        "tenant": info.name,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "modules": dict(sorted(modules.items())),
        "core_version": discover_modules()["core"].version,
        "postgresql_version": pg_version,
        "demo": info.demo,
    }
    with tempfile.TemporaryDirectory(prefix="ff-backup-") as tmp:
        dump = Path(tmp) / DUMP
        progress(f"Dumping database {info.database}")
        await _tool(db, "pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", db.dsn(info.server, info.database))
        manifest["checksums"] = {DUMP: await asyncio.to_thread(_sha256, dump)}
        progress(f"Writing {file}")
        await asyncio.to_thread(_write_archive, file, dump, _filestore(db, name), manifest)
    return manifest


def _write_archive(file: Path, dump: Path, filestore: Path, manifest: dict[str, Any]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        data = json.dumps(manifest, indent=2).encode()
        entry = tarfile.TarInfo(MANIFEST)
        entry.size = len(data)
        tar.addfile(entry, io.BytesIO(data))
        tar.add(dump, DUMP)
        if filestore.is_dir():
            tar.add(filestore, FILESTORE)
    partial.replace(file)


def read_manifest(file: Path) -> dict[str, Any]:
    """The manifest of a backup archive (``ValueError``-like errors name the file)."""
    try:
        with tarfile.open(file, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data: dict[str, Any] = json.loads(member.read())
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise ModuleError(
            f"{file} is damaged or is not a Fullfinity backup (a tar archive with {MANIFEST}): {exc}. "
            f"Nothing was restored."
        ) from None
    except (KeyError, ValueError) as exc:
        raise ModuleError(f"{file} is not a Fullfinity backup (tar archive with {MANIFEST}): {exc}") from None
    return data


def check_restorable(manifest: dict[str, Any]) -> list[str]:
    """Refuse when a recorded module is not available; returns warnings for version differences."""
    available = discover_modules()
    modules: dict[str, str] = manifest.get("modules", {})
    missing = sorted(m for m in modules if m not in available)
    if missing:
        raise ModuleError(
            f"The backup needs module(s) {', '.join(f'{m} {modules[m]}' for m in missing)}, which are not available "
            f"here. Install their distributions (pip install fullfinity-<module>) and restore again.",
            details=[{"path": m, "message": f"version {modules[m]} recorded, not available"} for m in missing],
        )
    return [
        f"{m}: backup has {v}, available is {available[m].version}: run `fullfinity module upgrade all --tenant NAME`"
        for m, v in modules.items()
        if available[m].version != v
    ]


async def restore_tenant(
    db: DatabaseManager,
    catalog: Catalog,
    file: Path,
    name: str,
    *,
    server: str = "default",
    progress: Progress = _noop,
    prepare: Prepare | None = None,
) -> tuple[TenantInfo, list[str]]:
    """Create tenant ``name`` from a backup archive; returns it with warnings (modules needing an upgrade).

    ``prepare`` is awaited with the new tenant once its database and files are in place, before it
    becomes ``active`` (no request or scheduler reaches it yet); raising removes the new tenant."""
    validate_tenant_name(name)
    db.server_dsn(server)
    manifest = read_manifest(file)
    warnings = check_restorable(manifest)
    info = TenantInfo(
        name=name, database=database_name(db.settings.db_prefix, name), server=server, demo=bool(manifest.get("demo"))
    )
    with tempfile.TemporaryDirectory(prefix="ff-restore-") as tmp:
        await asyncio.to_thread(_extract, file, Path(tmp), manifest)  # damaged archives stop here
        if not await catalog.insert(info):
            raise TenantExists(f"Tenant '{name}' already exists. Choose another name or drop it first.")
        created = copied_files = False
        try:
            progress(f"Creating database {info.database} on server '{server}'")
            async with db.admin_connection(server) as admin:
                await admin.execute(f"CREATE DATABASE {quote_ident(info.database)}")
            created = True
            progress("Restoring the database")
            dsn = db.dsn(server, info.database)
            await _tool(db, "pg_restore", "--no-owner", "--exit-on-error", "-d", dsn, str(Path(tmp) / DUMP))
            files = Path(tmp) / FILESTORE
            if files.is_dir():
                progress("Copying the filestore")
                await asyncio.to_thread(shutil.copytree, files, _filestore(db, name), dirs_exist_ok=True)
                copied_files = True
            if prepare is not None:
                await prepare(info)
            await catalog.set_state(name, "active")
        except BaseException:
            if created:
                await _drop(db, server, info.database)
            if copied_files:
                await asyncio.to_thread(shutil.rmtree, _filestore(db, name), True)
            await catalog.delete(name)
            raise
    return TenantInfo(**{**info.__dict__, "state": "active"}), warnings


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _extract(file: Path, target: Path, manifest: dict[str, Any]) -> None:
    """Unpack the archive and check it: readable to the end, ``database.dump`` present and, for
    archives that record it, with the checksum taken at backup time."""
    try:
        with tarfile.open(file, "r") as tar:
            tar.extractall(target, filter="data")
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise ModuleError(
            f"{file} is damaged and cannot be unpacked ({type(exc).__name__}: {exc}); nothing was restored. "
            f"Restore another copy of the backup."
        ) from None
    dump = target / DUMP
    if not dump.is_file():
        raise ModuleError(f"{file} holds no {DUMP}; it is not a complete Fullfinity backup. Nothing was restored.")
    expected = (manifest.get("checksums") or {}).get(DUMP)
    if expected is not None and _sha256(dump) != expected:
        raise ModuleError(
            f"{file} is damaged: {DUMP} does not match the SHA-256 recorded when the backup was made "
            f"(the file was truncated or altered). Nothing was restored; restore another copy of the backup.",
            details=[{"path": DUMP, "message": "checksum mismatch"}],
        )


async def _drop(db: DatabaseManager, server: str, database: str) -> None:
    await db.pools.close_pool(server, database)
    async with db.admin_connection(server) as admin:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(database)} WITH (FORCE)")


async def clone_tenant(
    db: DatabaseManager,
    catalog: Catalog,
    source: str,
    name: str,
    *,
    fast: bool = False,
    server: str | None = None,
    progress: Progress = _noop,
    prepare: Prepare | None = None,
) -> TenantInfo:
    """Copy tenant ``source`` to a new tenant ``name``: dump + restore, or ``fast`` (``CREATE DATABASE ... TEMPLATE``,
    which puts the source in ``maintenance`` while its connections are closed; same server only).

    ``prepare`` is awaited with the copy before it becomes ``active`` (``--neutralize``); raising removes the copy."""
    info = await _get(catalog, source)
    if info.state != "active":
        raise TenantUnavailable(f"Tenant '{source}' is {info.state}; only an active tenant can be cloned.")
    if not fast:
        with tempfile.TemporaryDirectory(prefix="ff-clone-") as tmp:
            archive = Path(tmp) / "clone.tar"
            await backup_tenant(db, catalog, source, archive, progress=progress)
            clone, _ = await restore_tenant(
                db, catalog, archive, name, server=server or info.server, progress=progress, prepare=prepare
            )
        return clone
    validate_tenant_name(name)
    if server not in (None, info.server):
        raise ModuleError(
            f"--fast copies inside one server; '{source}' lives on '{info.server}', not '{server}'. Drop --fast."
        )
    clone = TenantInfo(
        name=name, database=database_name(db.settings.db_prefix, name), server=info.server, demo=info.demo
    )
    if not await catalog.insert(clone):
        raise TenantExists(f"Tenant '{name}' already exists. Choose another name or drop it first.")
    copied = copied_files = False
    try:
        progress(f"Putting '{source}' in maintenance and copying its database")
        await catalog.set_state(source, "maintenance")
        try:
            await db.pools.close_pool(info.server, info.database)
            async with db.admin_connection(info.server) as admin:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    info.database,
                )
                await admin.execute(
                    f"CREATE DATABASE {quote_ident(clone.database)} TEMPLATE {quote_ident(info.database)}"
                )
            copied = True
        finally:
            await catalog.set_state(source, "active")
        if _filestore(db, source).is_dir():
            await asyncio.to_thread(shutil.copytree, _filestore(db, source), _filestore(db, name), dirs_exist_ok=True)
            copied_files = True
        if prepare is not None:
            await prepare(clone)
        await catalog.set_state(name, "active")
    except BaseException:
        if copied:
            await _drop(db, clone.server, clone.database)
        if copied_files:
            await asyncio.to_thread(shutil.rmtree, _filestore(db, name), True)
        await catalog.delete(name)
        raise
    return TenantInfo(**{**clone.__dict__, "state": "active"})
