"""The ``module`` command group: ``list`` here; install, upgrade and uninstall from ``fullfinity.cli.module_ops``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fullfinity.cli import module_ops
from fullfinity.cli._common import run_with_runtime
from fullfinity.cli._output import JsonOption, print_json, print_table
from fullfinity.engine.module_registry import ModuleInfo, discover_modules, resolve_order, unavailable_modules
from fullfinity.exceptions import TenantNotFound
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.tenancy.service import installed_modules

module_cli = typer.Typer(help="Inspect and manage modules.", no_args_is_help=True)


@module_cli.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Also show each module's state in this tenant.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show every available module: version, dependencies (and state in a tenant)."""
    entries = _module_entries(tenant)
    if as_json:
        print_json({"tenant": tenant, "modules": entries})
        return
    columns = ["module", "name", "version", "dependencies", "edition", "distribution"]
    if tenant:
        columns.append(f"state in {tenant}")
    rows = []
    for entry in entries:
        dependencies = ", ".join(entry["dependencies"]) or "-"
        row = [entry["identifier"], entry["name"], entry["version"], dependencies, entry["edition"]]
        row.append(entry["distribution"])
        state = entry["state"]
        if not entry["available"]:
            state = f"unavailable: {entry['unavailable_reason']}"
            if not tenant:
                row[3] += f" ({state})"
        elif state == "installed" and entry["installed_version"] != entry["version"]:
            state = f"installed {entry['installed_version']} (needs upgrade to {entry['version']})"
        if tenant:
            row.append(state)
        rows.append(row)
    print_table(columns, rows)


def _module_entries(tenant: str | None) -> list[dict[str, Any]]:
    """One entry per module (install order, then the unavailable ones): the ``--json`` keys."""
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

    def entry(info: ModuleInfo, reason: str | None) -> dict[str, Any]:
        state, version = states.get(info.identifier, ("uninstalled", ""))
        return {
            "identifier": info.identifier,
            "name": info.name,
            "version": info.version,
            "dependencies": info.dependencies,
            "edition": info.manifest.edition,
            "implicit": info.manifest.implicit,
            "distribution": info.distribution,
            "available": reason is None,
            "unavailable_reason": reason,
            "state": (state if reason is None else "unavailable") if tenant else None,
            "installed_version": (version or None) if tenant else None,
        }

    entries = [entry(modules[ident], None) for ident in order]
    entries += [entry(aside.info, aside.reason) for aside in unavailable_modules().values()]
    return entries


module_cli.command("install")(module_ops.install)
module_cli.command("upgrade")(module_ops.upgrade)
module_cli.command("uninstall")(module_ops.uninstall)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(module_cli, name="module")
