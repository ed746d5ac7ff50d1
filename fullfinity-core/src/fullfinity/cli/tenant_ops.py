"""``fullfinity tenant backup|restore|clone|prune-templates`` (tenancy-and-cache.md 6).

Plain functions: ``cli/tenant.py`` adds them to the ``tenant`` group (this module imports nothing of it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fullfinity.cli._common import console, progress_status, run_with_runtime
from fullfinity.runtime import Runtime
from fullfinity.tenancy.backup import Prepare, backup_tenant, clone_tenant, restore_tenant
from fullfinity.tenancy.catalog import TenantInfo
from fullfinity.tenancy.neutralize import neutralize_tenant
from fullfinity.tenancy.templates import prune_templates

NeutralizeOption = Annotated[
    bool,
    typer.Option(
        "--neutralize",
        help="For staging: deactivate scheduled jobs, revoke login sessions, expire API keys (and what modules add).",
    ),
]


def _neutralizer(rt: Runtime, enabled: bool, done: list[str]) -> Prepare | None:
    """The ``prepare`` step neutralizing the new tenant before it becomes active, when ``enabled``."""
    if not enabled:
        return None

    async def prepare(info: TenantInfo) -> None:
        done.extend(await neutralize_tenant(rt, info))

    return prepare


def _print_neutralized(done: list[str]) -> None:
    for line in done:
        console.print(f"Neutralized: {line}", highlight=False)


__all__ = ["backup", "clone", "prune", "restore"]


def backup(
    name: Annotated[str, typer.Argument(help="Tenant to back up.")],
    file: Annotated[Path, typer.Argument(help="Archive to write (tar: pg_dump -Fc, filestore, manifest.json).")],
) -> None:
    """Write a tenant's database dump, filestore and module versions to one archive."""

    async def work(rt: Runtime) -> None:
        with progress_status(f"Backing up tenant '{name}'") as step:
            manifest = await backup_tenant(rt.db, rt.catalog, name, file, progress=step)
        modules = ", ".join(f"{m} {v}" for m, v in manifest["modules"].items())
        console.print(f"Backup of [bold]{name}[/] written to {file} ({file.stat().st_size} bytes; modules: {modules}).")

    run_with_runtime(work)


def restore(
    file: Annotated[Path, typer.Argument(help="Archive written by `fullfinity tenant backup`.")],
    name: Annotated[str, typer.Argument(help="Name of the new tenant.")],
    server: Annotated[str, typer.Option(help="Alias of the PostgreSQL server to restore onto.")] = "default",
    neutralize: NeutralizeOption = False,
) -> None:
    """Create a new tenant from a backup archive (refused when a recorded module is not available)."""
    if not file.is_file():
        raise typer.BadParameter(f"{file} does not exist", param_hint="FILE")

    async def work(rt: Runtime) -> None:
        done: list[str] = []
        with progress_status(f"Restoring {file} as tenant '{name}'") as step:
            info, warnings = await restore_tenant(
                rt.db, rt.catalog, file, name, server=server, progress=step, prepare=_neutralizer(rt, neutralize, done)
            )
        console.print(f"Tenant [bold]{info.name}[/] restored into database {info.database} on server '{info.server}'.")
        _print_neutralized(done)
        for warning in warnings:
            console.print(f"[yellow]Needs upgrade:[/] {warning}", highlight=False)

    run_with_runtime(work)


def clone(
    source: Annotated[str, typer.Argument(help="Tenant to copy.")],
    name: Annotated[str, typer.Argument(help="Name of the copy.")],
    fast: Annotated[
        bool, typer.Option("--fast", help="CREATE DATABASE ... TEMPLATE: faster; the source pauses briefly.")
    ] = False,
    server: Annotated[str | None, typer.Option(help="Server of the copy (dump/restore only).")] = None,
    neutralize: NeutralizeOption = False,
) -> None:
    """Copy a tenant into a new one (dump + restore by default; the source stays online)."""

    async def work(rt: Runtime) -> None:
        done: list[str] = []
        with progress_status(f"Cloning '{source}' into '{name}'") as step:
            info = await clone_tenant(
                rt.db, rt.catalog, source, name, fast=fast, server=server, progress=step,
                prepare=_neutralizer(rt, neutralize, done),
            )  # fmt: skip
        console.print(f"Tenant [bold]{info.name}[/] created from '{source}' in database {info.database}.")
        _print_neutralized(done)

    run_with_runtime(work)


def prune(
    everything: Annotated[bool, typer.Option("--all", help="Drop every template, not only outdated ones.")] = False,
) -> None:
    """Drop template databases whose module versions are no longer the available ones."""

    async def work(rt: Runtime) -> None:
        dropped = await prune_templates(rt.db, rt.catalog, everything=everything)
        console.print(f"Dropped {len(dropped)} template database(s){': ' + ', '.join(dropped) if dropped else ''}.")

    run_with_runtime(work)
