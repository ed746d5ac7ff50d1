"""``fullfinity license add|show``: enterprise licenses (modules.md 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fullfinity.cli._common import console, err_console, run_with_runtime
from fullfinity.cli._output import JsonOption, print_json, print_table
from fullfinity.engine.licensing import (
    add_tenant_license,
    licenses_for,
    load_public_key,
    parse_documents,
    tenant_documents,
    verify_document,
)
from fullfinity.exceptions import LicenseError, TenantNotFound
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime

license_cli = typer.Typer(help="Add and show enterprise licenses.", no_args_is_help=True)


@license_cli.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="License document (JSON), as sent by the vendor.")],
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="Tenant to store the license in.")],
) -> None:
    """Verify a license and store it in a tenant's database."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LicenseError(f"Cannot read the license file {file}: {exc.strerror}.") from None

    async def work(rt: Runtime) -> None:
        key = load_public_key(rt.settings.license_public_key)
        documents = parse_documents(text, str(file))
        licenses = [verify_document(d, key, f"{file}[{i}]") for i, d in enumerate(documents)]
        for lic in licenses:
            if not lic.covers_tenant(tenant):
                raise LicenseError(f"License {lic.source} does not cover tenant '{tenant}' (tenants: {lic.tenants}).")
        info = await rt.catalog.get(tenant)
        if info is None:
            raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
        async with rt.db.connection(info.server, info.database) as conn, conn.transaction():
            added = [await add_tenant_license(conn, d) for d in documents]
        for lic, new in zip(licenses, added, strict=True):
            state = "added" if new else "already present"
            expired = " [yellow](expired)[/]" if lic.expired() else ""
            console.print(f"License for {lic.licensee}: {state} in tenant '{tenant}'{expired}.")

    run_with_runtime(work)


@license_cli.command("show")
def show(
    tenant: Annotated[str | None, typer.Option("--tenant", "-t", help="Also show this tenant's licenses.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the server-wide licenses (and a tenant's) with what they cover."""

    async def work(rt: Runtime) -> None:
        documents = []
        if tenant:
            info = await rt.catalog.get(tenant)
            if info is None:
                raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
            async with rt.db.connection(info.server, info.database) as conn:
                documents = await tenant_documents(conn)
        licenses, errors = licenses_for(rt.settings, documents)
        if as_json:
            entries = [
                {
                    "licensee": lic.licensee,
                    "tenants": None if lic.tenants is None else list(lic.tenants),
                    "modules": list(lic.modules),
                    "expires": lic.expires,
                    "expired": lic.expired(),
                    "source": lic.source,
                }
                for lic in licenses
            ]
            print_json({"tenant": tenant, "licenses": entries, "rejected": [e.message for e in errors]})
            return
        rows = []
        for lic in licenses:
            expires = lic.expires.isoformat() + (" (expired)" if lic.expired() else "")
            tenants = "*" if lic.tenants is None else ", ".join(lic.tenants)
            rows.append([lic.licensee, tenants, ", ".join(lic.modules), expires, lic.source])
        empty = None if errors else "No licenses. Add one with: fullfinity license add FILE --tenant NAME"
        print_table(["licensee", "tenants", "modules", "expires", "source"], rows, empty=empty)
        for error in errors:
            err_console.print(f"[red]Rejected:[/] {error.message}", highlight=False)

    run_with_runtime(work)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(license_cli, name="license")
