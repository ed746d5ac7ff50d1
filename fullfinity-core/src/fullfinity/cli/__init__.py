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

    @cli.callback()
    def root(
        config: Annotated[
            Path | None, typer.Option("-c", "--config", help="YAML settings file (keys: setting names in lower case).")
        ] = None,
        version: Annotated[
            bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
        ] = False,
    ) -> None:
        if config is not None:
            from fullfinity.settings import configure

            configure(config)

    get_plugin_manager().hook.fullfinity_register_commands(cli=cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``fullfinity`` script."""
    try:
        cli = build_cli()
        cli(args=argv if argv is not None else sys.argv[1:], prog_name="fullfinity")
    except FullfinityError as exc:
        fail(exc)
