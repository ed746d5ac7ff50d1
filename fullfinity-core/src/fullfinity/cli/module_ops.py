"""``fullfinity module install|upgrade|uninstall`` (modules.md 8.3).

Plain functions: ``cli/module.py`` adds them to the ``module`` group (this module imports nothing of it).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer

from fullfinity.cli._common import console, progress_status, run_with_runtime
from fullfinity.exceptions import BadRequest, TenantNotFound
from fullfinity.installer import OperationReport, install_modules, uninstall_modules, upgrade_modules
from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo

__all__ = ["install", "print_report", "uninstall", "upgrade", "upgrade_tenants"]

TenantOption = Annotated[str | None, typer.Option("--tenant", "-t", help="Tenant to operate on.")]
PlanOption = Annotated[
    bool, typer.Option("--plan", help="Show what would change (modules, DDL, data); change nothing.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]

Operation = Callable[[Runtime, TenantInfo, Callable[[str], None]], Awaitable[OperationReport]]


def print_report(report: OperationReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    for index, line in enumerate(report.lines()):
        console.print(f"[bold]{line}[/]" if index == 0 else line, highlight=False, markup=index == 0)
    if not report.planned and report.modules:
        console.print(f"Done in {report.seconds:.2f}s.")


async def _tenant(rt: Runtime, name: str) -> TenantInfo:
    info = await rt.catalog.get(name)
    if info is None:
        raise TenantNotFound(f"Tenant '{name}' does not exist. `fullfinity tenant list` shows the tenants.")
    return info


def _run(tenants: list[str], operation: Operation, *, as_json: bool, title: str) -> None:
    async def work(rt: Runtime) -> None:
        for name in tenants:
            info = await _tenant(rt, name)
            if as_json:
                report = await operation(rt, info, lambda _: None)
            else:
                with progress_status(f"{title} in tenant '{name}'") as step:
                    report = await operation(rt, info, step)
            print_report(report, as_json)

    run_with_runtime(work)


def _need_tenant(tenant: str | None) -> str:
    if not tenant:
        raise typer.BadParameter("which tenant? Pass --tenant NAME (`fullfinity tenant list` shows them).")
    return tenant


def install(
    modules: Annotated[list[str], typer.Argument(help="Modules to install (their dependencies come along).")],
    tenant: TenantOption = None,
    plan: PlanOption = False,
    as_json: JsonOption = False,
) -> None:
    """Install modules in a tenant, with missing dependencies and implicit glue modules, in one transaction."""
    name = _need_tenant(tenant)

    async def operation(rt: Runtime, info: TenantInfo, step: Callable[[str], None]) -> OperationReport:
        return await install_modules(rt.db, info, modules, plan=plan, progress=step, pm=rt.pm, cache=rt.cache)

    _run([name], operation, as_json=as_json, title="Installing " + ", ".join(modules))


def upgrade(
    modules: Annotated[
        list[str] | None, typer.Argument(help="Modules to upgrade, or 'all'. None: those whose version changed.")
    ] = None,
    tenant: TenantOption = None,
    all_tenants: Annotated[bool, typer.Option("--all-tenants", help="Upgrade every active tenant.")] = False,
    plan: PlanOption = False,
    as_json: JsonOption = False,
) -> None:
    """Upgrade modules: re-apply their data files, sync the schema, record the new versions."""
    if all_tenants and tenant:
        raise typer.BadParameter("give either --tenant NAME or --all-tenants, not both")

    upgrade_tenants(modules or None, None if all_tenants else _need_tenant(tenant), plan=plan, as_json=as_json)


def upgrade_tenants(
    modules: list[str] | None, tenant: str | None, *, plan: bool = False, as_json: bool = False
) -> None:
    """Upgrade ``modules`` (``["all"]``; None: those whose version changed) in ``tenant``, or every active tenant."""

    async def operation(rt: Runtime, info: TenantInfo, step: Callable[[str], None]) -> OperationReport:
        return await upgrade_modules(rt.db, info, modules, plan=plan, progress=step, pm=rt.pm, cache=rt.cache)

    if tenant is None:

        async def names(rt: Runtime) -> list[str]:
            return [t.name for t in await rt.catalog.all() if t.state == "active"]

        targets = run_with_runtime(names)
    else:
        targets = [tenant]
    _run(targets, operation, as_json=as_json, title="Upgrading")


def uninstall(
    modules: Annotated[list[str], typer.Argument(help="Modules to uninstall.")],
    tenant: TenantOption = None,
    drop_data: Annotated[
        bool, typer.Option("--drop-data", help="Also drop the modules' tables and columns (data is lost).")
    ] = False,
    with_dependents: Annotated[
        bool, typer.Option("--with-dependents", help="Also uninstall installed modules that depend on them.")
    ] = False,
    plan: PlanOption = False,
    as_json: JsonOption = False,
) -> None:
    """Uninstall modules: their data records go; tables and columns stay unless --drop-data."""
    name = _need_tenant(tenant)
    if "core" in modules:
        raise BadRequest("The core module cannot be uninstalled: every tenant needs it. Drop the tenant instead.")

    async def operation(rt: Runtime, info: TenantInfo, step: Callable[[str], None]) -> OperationReport:
        return await uninstall_modules(
            rt.db, info, modules, drop_data=drop_data, with_dependents=with_dependents, plan=plan, progress=step,
            pm=rt.pm, cache=rt.cache,
        )  # fmt: skip

    _run([name], operation, as_json=as_json, title="Uninstalling " + ", ".join(modules))
