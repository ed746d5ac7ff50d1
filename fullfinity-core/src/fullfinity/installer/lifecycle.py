"""Installing, upgrading and uninstalling modules in one tenant (modules.md 8).

Each operation is ONE transaction on the tenant database, serialised by an advisory lock:
plan the modules, check licenses, build the registry of the new module set, sync the schema
(additively), recompute new stored computed fields, apply data files, write the module state,
call the hooks; then commit (or, with ``plan=True``, roll everything back and return what would
have happened). Any error rolls back: the tenant is exactly as before. After a commit the cache
is told that the tenant's registry changed.

With ``within=env`` (an environment holding an open transaction on the tenant, as an
``/api/execute`` request does) the operation runs on that connection as a savepoint: it becomes
durable only when the caller commits, and the registry swap is deferred to ``env.after_commit``.
The advisory lock is then held until the caller's transaction ends.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pluggy

from fullfinity.engine.database.schema import apply_plan, plan_schema
from fullfinity.engine.db import DatabaseManager
from fullfinity.engine.env import Environment
from fullfinity.engine.licensing import check_modules, tenant_documents
from fullfinity.engine.module_registry import ModuleInfo, discover_modules, resolve_order
from fullfinity.engine.records.computed import recompute
from fullfinity.engine.records.definitions import all_entries
from fullfinity.engine.records.identifiers import ensure_table
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import ConcurrencyError, ModuleError
from fullfinity.installer.cleanup import drop_module_schema, remove_module_records, remove_stale_records
from fullfinity.installer.data_files import module_data_files
from fullfinity.installer.data_loader import DataLoader
from fullfinity.installer.hooks import call_tenant_hook
from fullfinity.installer.plan import plan_install, plan_uninstall, plan_upgrade
from fullfinity.installer.report import ModuleChange, OperationReport
from fullfinity.installer.state import read_installed, sync_model_records, sync_module_records
from fullfinity.plugins import await_me_maybe, get_plugin_manager
from fullfinity.settings import Settings, get_settings
from fullfinity.tenancy.catalog import TenantInfo

__all__ = ["LOCK_KEY", "install_modules", "uninstall_modules", "upgrade_modules"]

#: The advisory lock (in each tenant database) serialising module operations.
LOCK_KEY = 727_005

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


@dataclass
class _Operation:
    """Everything one operation needs, shared by its steps."""

    tenant: TenantInfo
    conn: Any
    settings: Settings
    pm: pluggy.PluginManager
    cache: Any
    progress: Progress
    available: Mapping[str, ModuleInfo]
    installed: dict[str, str]
    report: OperationReport
    envs: list[Environment] = field(default_factory=list)

    def env(self, registry: Registry) -> Environment:
        env = Environment(tenant=self.tenant.name, registry=registry, conn=self.conn, cache=self.cache)
        self.envs.append(env)
        return env

    def registry(self, versions: Mapping[str, str]) -> Registry:
        order = resolve_order(sorted(versions), self.available)
        return Registry.for_modules([(m, versions[m]) for m in order])

    async def check_licenses(self, changes: Sequence[ModuleChange]) -> None:
        modules = [c.identifier for c in changes]
        if any(self.available[m].manifest.edition == "enterprise" for m in modules if m in self.available):
            documents = await tenant_documents(self.conn)
            check_modules(self.settings, self.tenant.name, modules, self.available, documents)


Body = Callable[[_Operation], Awaitable[None]]


async def _run(
    db: DatabaseManager | None,
    tenant: TenantInfo,
    operation: str,
    body: Body,
    *,
    plan: bool,
    progress: Progress,
    pm: pluggy.PluginManager | None,
    cache: Any,
    within: Environment | None,
) -> OperationReport:
    started = time.perf_counter()
    report = OperationReport(tenant.name, operation, planned=plan)
    if within is not None:
        # Inside a caller's transaction (an /api/execute request): the operation is a savepoint of it,
        # so it commits or rolls back with the request; the registry swap waits for that commit.
        cache = within.cache if cache is None else cache
        await _transaction(within.conn, tenant, body, report, settings=get_settings(), plan=plan,
                           progress=progress, pm=pm, cache=cache, defer_to=within)  # fmt: skip
    elif db is None:
        raise TypeError(f"{operation}_modules() needs a DatabaseManager (db) or an open transaction (within=env).")
    else:
        async with db.connection(tenant.server, tenant.database) as conn:
            await _transaction(conn, tenant, body, report, settings=db.settings, plan=plan,
                               progress=progress, pm=pm, cache=cache, defer_to=None)  # fmt: skip
    report.seconds = time.perf_counter() - started
    return report


async def _transaction(
    conn: Any,
    tenant: TenantInfo,
    body: Body,
    report: OperationReport,
    *,
    settings: Settings,
    plan: bool,
    progress: Progress,
    pm: pluggy.PluginManager | None,
    cache: Any,
    defer_to: Environment | None,
) -> None:
    transaction = conn.transaction()  # a savepoint when ``conn`` is already in a transaction
    await transaction.start()
    op = _Operation(tenant, conn, settings, pm or get_plugin_manager(), cache, progress, discover_modules(), {}, report)
    try:
        await _lock_modules(conn, tenant, settings, progress)
        await ensure_table(conn)
        op.installed = await read_installed(conn)
        await body(op)
    except BaseException:
        await transaction.rollback()
        for env in op.envs:
            env.rolled_back()
        raise
    if plan or not report.modules:
        await transaction.rollback()
        for env in op.envs:
            env.rolled_back()
        return
    progress("Committing")
    await transaction.commit()
    if defer_to is None:
        await _committed(op)
    else:
        defer_to.after_commit(lambda: _committed(op))


async def _lock_modules(conn: Any, tenant: TenantInfo, settings: Settings, progress: Progress) -> None:
    """Take the tenant's module lock (held until the transaction ends), waiting at most
    ``FULLFINITY_MODULE_LOCK_TIMEOUT`` seconds for an operation already holding it; then ``ConcurrencyError``."""
    progress(f"Locking the modules of tenant '{tenant.name}'")
    if await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_KEY):
        return
    timeout = settings.module_lock_timeout
    progress(f"Waiting (at most {timeout:g} s) for another module operation on tenant '{tenant.name}' to finish")
    # lock_timeout bounds the wait; set for this transaction only, then put back (an /api/execute
    # request's transaction goes on after the operation).
    previous = await conn.fetchval("SELECT current_setting('lock_timeout')")
    await conn.execute("SELECT set_config('lock_timeout', $1, true)", f"{int(timeout * 1000)}ms" if timeout else "1ms")
    try:
        async with conn.transaction():  # a savepoint: a timed-out wait leaves the transaction usable
            await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
    except asyncpg.LockNotAvailableError as exc:
        raise ConcurrencyError(
            f"Another module install, upgrade or uninstall is running on tenant '{tenant.name}' and did not "
            f"finish within {timeout:g} s (FULLFINITY_MODULE_LOCK_TIMEOUT); nothing was changed. Run this one "
            f"again when it is done.",
            details=[{"path": "tenant", "message": "a module operation is already running"}],
        ) from exc
    finally:
        await conn.execute("SELECT set_config('lock_timeout', $1, true)", previous)


async def _committed(op: _Operation) -> None:
    """After the commit: flush each environment's cache invalidations, then swap the tenant's registry."""
    for env in op.envs:
        await env.committed()
    notify = getattr(op.cache, "registry_changed", None)
    if notify is not None:
        await await_me_maybe(notify(op.tenant.name))


async def _sync_schema(op: _Operation, env: Environment) -> None:
    """Additive schema sync, then compute new stored computed fields for rows that already exist."""
    columns: dict[str, set[str]] = {}
    for r in await op.conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    ):
        columns.setdefault(r["table_name"], set()).add(r["column_name"])
    plan = await plan_schema(op.conn, env.registry)
    op.report.ddl.extend(str(step) for step in plan.steps)
    op.report.warnings.extend(plan.warnings)
    await apply_plan(op.conn, plan)
    for model in env.registry:
        before = columns.get(model._table)
        if before is None or model._transient:
            continue
        names = [
            s.field
            for s in env.registry.compute_info.stored_by_model(model._name)
            if (model._fields[s.field].column or s.field) not in before
        ]
        if names:
            op.progress(f"Computing {model._name}: {', '.join(names)}")
            await recompute(model, names)


async def _load_data(op: _Operation, loader: DataLoader, modules: Sequence[str], *, upgrade: bool) -> None:
    sent = loader.env.stats.total
    for ident in modules:
        info = op.available[ident]
        op.progress(f"Loading data files of {ident}")
        files = module_data_files(ident, info.path, demo=op.tenant.demo)
        defined = await loader.load_module(ident, files)
        await loader.apply_deferred(final=False)
        if upgrade:
            await remove_stale_records(loader.env, ident, defined, op.report)
        category = info.manifest.category
        if category:
            await loader.lookup([], {category})
            if loader.known.get(category, ("", 0))[0] != "ModuleCategory":
                raise ModuleError(
                    f"Manifest {info.manifest_file}: key 'category' names '{category}', which is not the identifier "
                    f"of a ModuleCategory record. Use one of core's (module_category_sales, ...) or define it in a "
                    f"data file of the module or of a dependency."
                )
    await loader.apply_deferred(final=True)
    await loader.env.flush()
    op.report.data_statements += loader.env.stats.total - sent


async def _write_state(op: _Operation, env: Environment, versions: Mapping[str, str]) -> None:
    op.progress("Recording module state")
    order = resolve_order(sorted(versions), op.available)
    rank = {m: i for i, m in enumerate(order)}
    owners: dict[str, list[str]] = {}
    for entry in sorted((e for e in all_entries() if e.owner in rank), key=lambda e: rank[e.owner]):
        names = owners.setdefault(entry.name, [])
        if entry.owner not in names:
            names.append(entry.owner)
    await sync_module_records(env, versions, op.available)
    await sync_model_records(env, owners)
    await env.flush()


async def _apply(op: _Operation, changes: Sequence[Any], *, upgrade: bool) -> None:
    """What install and upgrade share: licenses, registry, pre hooks, schema, data, state, post hooks."""
    await op.check_licenses(changes)
    versions = {**op.installed, **{c.identifier: str(c.to_version) for c in changes}}
    env = op.env(op.registry(versions))
    names = [c.identifier for c in changes]
    stage = "upgrade" if upgrade else "install"

    async def hooks(when: str) -> None:
        for c in changes:
            extra = {"from_version": c.from_version, "to_version": c.to_version} if upgrade else {}
            await call_tenant_hook(op.pm, f"fullfinity_{when}_{stage}", versions, env=env, module=c.identifier, **extra)

    with env.bind():
        await hooks("pre")
        op.progress(f"Syncing the schema for {', '.join(names)}")
        await _sync_schema(op, env)
        await _load_data(op, DataLoader(env, op.report), names, upgrade=upgrade)
        await _write_state(op, env, versions)
        await hooks("post")
        await env.flush()


async def install_modules(
    db: DatabaseManager | None,
    tenant: TenantInfo,
    modules: Sequence[str],
    *,
    plan: bool = False,
    progress: Progress = _noop,
    pm: pluggy.PluginManager | None = None,
    cache: Any = None,
    within: Environment | None = None,
) -> OperationReport:
    """Install ``modules`` (with missing dependencies and newly eligible implicit modules)."""

    async def body(op: _Operation) -> None:
        changes = plan_install(modules, op.installed, op.available)
        op.report.modules = changes
        if changes:
            await _apply(op, changes, upgrade=False)

    return await _run(db, tenant, "install", body, plan=plan, progress=progress, pm=pm, cache=cache, within=within)


async def upgrade_modules(
    db: DatabaseManager | None,
    tenant: TenantInfo,
    modules: Sequence[str] | None = None,
    *,
    plan: bool = False,
    progress: Progress = _noop,
    pm: pluggy.PluginManager | None = None,
    cache: Any = None,
    within: Environment | None = None,
) -> OperationReport:
    """Upgrade ``modules`` (``["all"]``: every installed one; None: those whose version changed)."""

    async def body(op: _Operation) -> None:
        changes = plan_upgrade(list(modules) if modules else None, op.installed, op.available)
        op.report.modules = changes
        if changes:
            await _apply(op, changes, upgrade=True)

    return await _run(db, tenant, "upgrade", body, plan=plan, progress=progress, pm=pm, cache=cache, within=within)


async def uninstall_modules(
    db: DatabaseManager | None,
    tenant: TenantInfo,
    modules: Sequence[str],
    *,
    drop_data: bool = False,
    with_dependents: bool = False,
    plan: bool = False,
    progress: Progress = _noop,
    pm: pluggy.PluginManager | None = None,
    cache: Any = None,
    within: Environment | None = None,
) -> OperationReport:
    """Uninstall ``modules``. Installed dependents are refused unless ``with_dependents`` (a plan lists them)."""

    async def body(op: _Operation) -> None:
        changes = plan_uninstall(modules, op.installed, op.available)
        op.report.modules = changes
        dependents = [c.identifier for c in changes if c.reason == "dependent"]
        if dependents and not with_dependents:
            message = (
                f"Installed module(s) {', '.join(dependents)} depend on {', '.join(modules)}. Uninstall them too "
                f"(--with-dependents, or name them), or keep {', '.join(modules)}."
            )
            if not plan:
                raise ModuleError(message, details=[{"path": d, "message": "depends on it"} for d in dependents])
            op.report.warnings.append(message)
        removed = [c.identifier for c in changes]
        before = dict(op.installed)
        after = {m: v for m, v in before.items() if m not in removed}
        old_env = op.env(op.registry(before))
        new_env = op.env(op.registry(after))
        with old_env.bind():
            for ident in removed:
                await call_tenant_hook(op.pm, "fullfinity_pre_uninstall", before, env=old_env, module=ident)
            for ident in removed:
                op.progress(f"Removing the data records of {ident}")
                own = {e.name for e in all_entries() if e.owner == ident and e.inherit is None}
                await remove_module_records(old_env, ident, own, op.report, drop_data=drop_data)
            await old_env.flush()
            if drop_data:
                op.progress("Dropping tables and columns")
                await drop_module_schema(old_env, old_env.registry, new_env.registry, op.report)
        with new_env.bind():
            await _sync_schema(op, new_env)
            await _write_state(op, new_env, after)
            for ident in removed:
                await call_tenant_hook(op.pm, "fullfinity_post_uninstall", before, env=new_env, module=ident)
            await new_env.flush()

    return await _run(db, tenant, "uninstall", body, plan=plan, progress=progress, pm=pm, cache=cache, within=within)
