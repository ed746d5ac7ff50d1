"""The ``fullfinity`` command line (also installed as ``fullfinity-server``).

Sub-commands are contributed through the ``fullfinity_register_commands`` hook, core's
own (``serve``, ``tenant``, ``module``, ``settings``) included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from fullfinity import __version__
from fullfinity.cli._common import console, fail
from fullfinity.exceptions import FullfinityError

__all__ = ["build_cli", "main"]


def _version(value: bool) -> None:
    if value:
        console.print(f"fullfinity {__version__}")
        raise typer.Exit()


def build_cli() -> typer.Typer:
    """The root Typer application with every registered sub-command."""
    from fullfinity.plugins import get_plugin_manager

    cli = typer.Typer(
        name="fullfinity",
        help="Fullfinity: modular business applications on async Python.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @cli.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        config: Annotated[
            Path | None, typer.Option("-c", "--config", help="YAML settings file (keys: setting names in lower case).")
        ] = None,
        version: Annotated[
            bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
        ] = False,
        update: Annotated[
            str | None,
            typer.Option(
                "-u", "--update", metavar="MODULES",
                help="Upgrade modules ('all', or a comma-separated list) and exit; same as `module upgrade`.",
            ),
        ] = None,
        tenant: Annotated[
            str | None, typer.Option("--tenant", "-t", help="With -u: the tenant to upgrade (default: every tenant).")
        ] = None,
    ) -> None:  # fmt: skip
        if config is not None:
            from fullfinity.settings import configure

            configure(config)
        if update is None:
            if tenant is not None:
                raise typer.BadParameter(
                    "--tenant before the command goes with -u (e.g. `fullfinity -u all --tenant t1`)"
                )
            if ctx.invoked_subcommand is None:
                console.print(ctx.get_help())
                raise typer.Exit()
            return
        if ctx.invoked_subcommand is not None:
            raise typer.BadParameter(f"-u upgrades and exits; it cannot be combined with `{ctx.invoked_subcommand}`")
        from fullfinity.cli.module_ops import upgrade_tenants

        modules = [m.strip() for m in update.split(",") if m.strip()]
        if not modules:
            raise typer.BadParameter("-u needs 'all' or module identifiers separated by commas, e.g. -u crm,sales")
        upgrade_tenants(modules, tenant)

    get_plugin_manager().hook.fullfinity_register_commands(cli=cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``fullfinity`` script."""
    try:
        cli = build_cli()
        cli(args=argv if argv is not None else sys.argv[1:], prog_name="fullfinity")
    except FullfinityError as exc:
        fail(exc)
