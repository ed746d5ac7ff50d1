"""The ``module`` command group: ``list`` here; install, upgrade and uninstall from ``fullfinity.cli.module_ops``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fullfinity.cli import module_ops
from fullfinity.cli._common import console, run_with_runtime
from fullfinity.engine.module_registry import discover_modules, resolve_order, unavailable_modules
from fullfinity.exceptions import TenantNotFound
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.tenancy.service import installed_modules

module_cli = typer.Typer(help="Inspect and manage modules.", no_args_is_help=True)


@module_cli.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Also show each module's state in this tenant.")] = None,
) -> None:
    """Show every available module: version, dependencies (and state in a tenant)."""
    modules = discover_modules()
    order = resolve_order()
    states: dict[str, tuple[str, str]] = {}
    if tenant:

        async def work(rt: Runtime) -> dict[str, tuple[str, str]]:
            info = await rt.catalog.get(tenant)
            if info is None:
                raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
            return await installed_modules(rt.db, info)

        states = run_with_runtime(work)
    columns = ["module", "name", "version", "dependencies", "edition", "distribution"]
    if tenant:
        columns.append(f"state in {tenant}")
    table = Table(*columns)
    for ident in order:
        info = modules[ident]
        row = [
            ident,
            info.name,
            info.version,
            ", ".join(info.dependencies) or "-",
            info.manifest.edition,
            info.distribution,
        ]
        if tenant:
            state, version = states.get(ident, ("uninstalled", ""))
            if state == "installed" and version != info.version:
                state = f"installed {version} (needs upgrade to {info.version})"
            row.append(state)
        table.add_row(*row)
    for ident, aside in unavailable_modules().items():
        info = aside.info
        row = [ident, info.name, info.version, ", ".join(info.dependencies), info.manifest.edition, info.distribution]
        if tenant:
            row.append(f"unavailable: {aside.reason}")
        else:
            row[3] += f" (unavailable: {aside.reason})"
        table.add_row(*row)
    console.print(table)


module_cli.command("install")(module_ops.install)
module_cli.command("upgrade")(module_ops.upgrade)
module_cli.command("uninstall")(module_ops.uninstall)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(module_cli, name="module")
