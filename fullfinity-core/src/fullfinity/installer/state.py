"""Which modules a tenant has installed, at which versions: core's ``Module`` records.

The ``module`` table (core's ``Module`` model) is the one source of truth. Tenants created
before it existed kept their state in ``ff_module_state``; it is still read when ``module``
is missing, and the next module operation moves it into ``Module`` records and drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fullfinity.engine.module_registry import ModuleInfo, discover_modules
from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["LEGACY_STATE_TABLE", "MODULE_TABLE", "read_installed", "sync_model_records", "sync_module_records"]

MODULE_TABLE = "module"
LEGACY_STATE_TABLE = "ff_module_state"


async def read_installed(conn: Any) -> dict[str, str]:
    """identifier -> installed version, read from the tenant database (empty for a bare database)."""
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MODULE_TABLE):
        rows = await conn.fetch(
            f"SELECT identifier, installed_version FROM {MODULE_TABLE} "
            f"WHERE state IN ('installed', 'to_upgrade') AND installed_version IS NOT NULL"
        )
        if rows:
            return {r["identifier"]: r["installed_version"] for r in rows}
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", LEGACY_STATE_TABLE):
        rows = await conn.fetch(f"SELECT identifier, version FROM {LEGACY_STATE_TABLE} WHERE state = 'installed'")
        return {r["identifier"]: r["version"] for r in rows}
    return {}


async def sync_module_records(
    env: Environment, installed: Mapping[str, str], available: Mapping[str, ModuleInfo] | None = None
) -> None:
    """One ``Module`` record per available (or installed) module, with state and versions."""
    available = available if available is not None else discover_modules()
    Module = env.registry.get("Module")
    categories = await _category_ids(env, {i.manifest.category for i in available.values() if i.manifest.category})
    with env.with_context(active_test=False):
        current = {m.identifier: m for m in await Module.filter()}
    new_rows: list[dict[str, Any]] = []
    for ident in sorted(set(available) | set(installed) | set(current)):
        info = available.get(ident)
        version = installed.get(ident)
        values: dict[str, Any] = {
            "state": "uninstalled" if version is None else "installed",
            "installed_version": version,
        }
        if info is not None:
            if version is not None and version != info.version:
                values["state"] = "to_upgrade"
            values.update(
                name=info.name,
                description=info.manifest.description,
                category=categories.get(info.manifest.category or ""),
                icon=info.manifest.icon,
                edition=info.manifest.edition,
                implicit=info.manifest.implicit,
                dependencies=info.dependencies,
                available_version=info.version,
            )
        elif ident not in current:
            values.update(name=ident, available_version=None)
        record = current.get(ident)
        if record is None:
            new_rows.append({"identifier": ident, **values})
            continue
        changed = False
        for name, value in values.items():
            old = getattr(record, name)
            old = old.id if name == "category" and old else old
            if old != value:
                setattr(record, name, value)
                changed = True
        if changed:
            await record.save()
    if new_rows:
        await Module.bulk_create(new_rows)
    if await env.fetchval("SELECT to_regclass($1) IS NOT NULL", LEGACY_STATE_TABLE):
        await env.execute(f"DROP TABLE {LEGACY_STATE_TABLE}")


async def _category_ids(env: Environment, identifiers: set[str]) -> dict[str, int]:
    if not identifiers:
        return {}
    rows = await env.fetch(
        f"SELECT identifier, res_id FROM {IDENTIFIERS} WHERE model = 'ModuleCategory' AND identifier = ANY($1::text[])",
        sorted(identifiers),
    )
    return {r["identifier"]: r["res_id"] for r in rows}


async def sync_model_records(env: Environment, owners: Mapping[str, list[str]]) -> None:
    """One ``ModelRegistry`` record per model of the registry (``owners``: model -> modules)."""
    ModelRegistry = env.registry.get("ModelRegistry")
    current = {m.name: m for m in await ModelRegistry.filter()}
    new_rows: list[dict[str, Any]] = []
    for model in env.registry:
        values = {
            "table_name": model._table,
            "verbose_name": model._verbose_name,
            "modules": ", ".join(owners.get(model._name, [])),
            "transient": model._transient,
        }
        record = current.pop(model._name, None)
        if record is None:
            new_rows.append({"name": model._name, **values})
        elif any(getattr(record, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(record, key, value)
            await record.save()
    if new_rows:
        await ModelRegistry.bulk_create(new_rows)
    if current:
        await ModelRegistry.browse([r.id for r in current.values()]).delete()
