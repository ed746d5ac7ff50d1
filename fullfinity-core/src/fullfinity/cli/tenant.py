"""``fullfinity tenant create|list|drop`` (backup, restore, clone, prune-templates: ``fullfinity.cli.tenant_ops``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fullfinity.cli import tenant_ops
from fullfinity.cli._common import confirm_or_abort, console, progress_status, run_with_runtime
from fullfinity.cli._output import JsonOption, print_json, print_table
from fullfinity.exceptions import TenantNotFound
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.tenancy.names import validate_tenant_name
from fullfinity.tenancy.overview import TenantOverview, tenant_overview
from fullfinity.tenancy.service import create_tenant, drop_tenant

tenant_cli = typer.Typer(help="Create, list and drop tenants (one PostgreSQL database each).", no_args_is_help=True)


@tenant_cli.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Tenant name: lower-case letters, digits and '-'.")],
    server: Annotated[str, typer.Option(help="Alias of the PostgreSQL server to place it on.")] = "default",
    demo: Annotated[bool, typer.Option("--demo", help="Load demo data (stored in the catalog).")] = False,
    label: Annotated[str | None, typer.Option(help="Display name.")] = None,
    hostname: Annotated[list[str] | None, typer.Option("--hostname", help="Custom hostname (repeatable).")] = None,
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="Succeed without changes when the tenant already exists.")
    ] = False,
    modules: Annotated[
        str | None, typer.Option("--modules", help="Modules to install besides core, comma-separated (crm,invoicing).")
    ] = None,
    no_template: Annotated[
        bool, typer.Option("--no-template", help="Install from scratch instead of copying a template database.")
    ] = False,
    company: Annotated[str | None, typer.Option("--company", help="Name of the tenant's main company.")] = None,
    admin_email: Annotated[str | None, typer.Option("--admin-email", help="Email of the first administrator.")] = None,
) -> None:
    """Create a tenant and its database, with core and the requested modules installed."""
    validate_tenant_name(name)
    wanted = [m.strip() for m in (modules or "").split(",") if m.strip()]

    async def work(rt: Runtime) -> None:
        if if_not_exists and await rt.catalog.get(name) is not None:
            console.print(f"Tenant '{name}' already exists; nothing to do.")
            return
        with progress_status(f"Creating tenant '{name}'") as step:
            info = await create_tenant(
                rt.db,
                rt.catalog,
                name,
                server=server,
                demo=demo,
                label=label,
                hostnames=tuple(hostname or ()),
                progress=step,
                pm=rt.pm,
                modules=wanted,
                use_template=not no_template,
                company=company,
                admin_email=admin_email,
                cache=rt.cache,
            )
        console.print(f"Tenant [bold]{info.name}[/] created in database {info.database} on server '{info.server}'.")

    run_with_runtime(work)


@tenant_cli.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List tenants: server, database, state, installed modules and database size."""

    async def work(rt: Runtime) -> None:
        tenants = await tenant_overview(rt.db, rt.catalog)
        if as_json:
            print_json({"tenants": [_tenant_entry(row) for row in tenants]})
            return
        rows = []
        for row in tenants:
            t = row.info
            created = t.created_at.strftime("%Y-%m-%d %H:%M") if t.created_at else ""
            size = f"{row.size_bytes / 1048576:.1f} MiB" if row.size_bytes is not None else "?"
            modules = ", ".join(f"{m} {v}" for m, v in row.modules.items()) or "-"
            rows.append([
                t.name, t.server, t.database, t.state, "yes" if t.demo else "no", modules, size, ", ".join(t.hostnames),
                created,
            ])  # fmt: skip
        columns = ["name", "server", "database", "state", "demo", "modules", "size", "hostnames", "created"]
        print_table(columns, rows, empty="No tenants yet. Create one with: fullfinity tenant create NAME")

    run_with_runtime(work)


def _tenant_entry(row: TenantOverview) -> dict[str, Any]:
    """The ``tenant list --json`` keys of one tenant."""
    t = row.info
    return {
        "name": t.name,
        "label": t.label,
        "server": t.server,
        "database": t.database,
        "state": t.state,
        "demo": t.demo,
        "modules": row.modules,
        "size_bytes": row.size_bytes,
        "hostnames": list(t.hostnames),
        "created_at": t.created_at,
    }


@tenant_cli.command("drop")
def drop(
    name: Annotated[str, typer.Argument(help="Tenant to drop.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    keep_files: Annotated[bool, typer.Option("--keep-files", help="Keep the tenant's filestore directory.")] = False,
) -> None:
    """Drop a tenant: its database, filestore and catalog entry are deleted for good."""

    async def work(rt: Runtime) -> None:
        if await rt.catalog.get(name) is None:
            raise TenantNotFound(f"Tenant '{name}' does not exist. `fullfinity tenant list` shows the tenants.")
        confirm_or_abort(f"Drop tenant '{name}' and ALL its data?", yes)
        with progress_status(f"Dropping tenant '{name}'") as step:
            await drop_tenant(rt.db, rt.catalog, name, keep_files=keep_files, progress=step, pm=rt.pm)
        console.print(f"Tenant [bold]{name}[/] dropped.")

    run_with_runtime(work)


tenant_cli.command("backup")(tenant_ops.backup)
tenant_cli.command("restore")(tenant_ops.restore)
tenant_cli.command("clone")(tenant_ops.clone)
tenant_cli.command("prune-templates")(tenant_ops.prune)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(tenant_cli, name="tenant")
