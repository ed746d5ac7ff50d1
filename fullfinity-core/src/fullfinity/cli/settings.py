"""``fullfinity settings``: show the effective settings or the reference table."""

from __future__ import annotations

from typing import Annotated

import typer

from fullfinity.cli._common import console
from fullfinity.plugins import hookimpl
from fullfinity.settings import ENV_PREFIX, get_settings, settings_markdown

SECRET_NAMES = {"secret_key", "database_url", "database_servers", "cache_url"}


def settings_command(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the settings reference table.")] = False,
) -> None:
    """Show the effective settings (secrets masked)."""
    if markdown:
        print(settings_markdown(), end="")
        return
    current = get_settings()
    for name in type(current).model_fields:
        value = getattr(current, name)
        shown = "***" if name in SECRET_NAMES and value else repr(value)
        console.print(f"{ENV_PREFIX}{name.upper()} = {shown}", highlight=False)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("settings")(settings_command)
