"""What ``fullfinity tenant list`` shows: each tenant with its server, state, modules and size."""

from __future__ import annotations

from dataclasses import dataclass

from fullfinity.engine.db import DatabaseManager
from fullfinity.exceptions import ServiceUnavailable
from fullfinity.installer.state import read_installed
from fullfinity.tenancy.catalog import Catalog, TenantInfo

__all__ = ["TenantOverview", "tenant_overview"]


@dataclass(frozen=True)
class TenantOverview:
    info: TenantInfo
    modules: dict[str, str]  # identifier -> installed version
    size_bytes: int | None  # None when the database cannot be reached


async def tenant_overview(db: DatabaseManager, catalog: Catalog) -> list[TenantOverview]:
    """Every catalog tenant with its installed modules and database size (one query per tenant)."""
    tenants = await catalog.all()
    sizes: dict[tuple[str, str], int] = {}
    for server in sorted({t.server for t in tenants}):
        try:
            async with db.admin_connection(server) as admin:
                for row in await admin.fetch("SELECT datname, pg_database_size(datname) AS size FROM pg_database"):
                    sizes[(server, row["datname"])] = row["size"]
        except ServiceUnavailable:
            continue
    out: list[TenantOverview] = []
    for info in tenants:
        modules: dict[str, str] = {}
        if info.state == "active" and (info.server, info.database) in sizes:
            async with db.connection(info.server, info.database) as conn:
                modules = await read_installed(conn)
        out.append(TenantOverview(info, modules, sizes.get((info.server, info.database))))
    return out
