"""``fullfinity scaffold module NAME``: write a new module as a pip distribution (``fullfinity.scaffold``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fullfinity.cli._common import console
from fullfinity.plugins import hookimpl
from fullfinity.scaffold import scaffold_module

scaffold_cli = typer.Typer(help="Start new code from templates: a module as a pip distribution.", no_args_is_help=True)


@scaffold_cli.command("module")
def module(
    name: Annotated[str, typer.Argument(help="Module identifier, snake_case (e.g. helpdesk).")],
    path: Annotated[
        Path | None, typer.Option("--path", help="Folder of the distribution (default: ./fullfinity-NAME).")
    ] = None,
    depends: Annotated[
        str | None, typer.Option("--depends", help="Modules it depends on, comma-separated (e.g. crm,product).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files of the module that already exist.")] = False,
) -> None:
    """Write a complete module: pyproject, manifest, models, security, views, data, hook, route, tests."""
    wanted = [d.strip() for d in (depends or "").split(",") if d.strip()]
    done = scaffold_module(name, path=path, depends=wanted, force=force)
    root = done.root
    shown = root.relative_to(Path.cwd()) if root.is_relative_to(Path.cwd()) else root
    console.print(f"Module [bold]{name}[/] written to {shown}/ ({len(done.files)} files). Next:", highlight=False)
    for line in (
        f'pip install -e "./{shown}[test]"' if not shown.is_absolute() else f'pip install -e "{shown}[test]"',
        "fullfinity module list",
        f"fullfinity module install {name} --tenant demo",
        f"cd {shown} && python -m pytest -q",
    ):
        console.print(f"  {line}", highlight=False, markup=False)
    console.print(f"{shown}/README.md says more.", highlight=False, markup=False)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(scaffold_cli, name="scaffold")
