"""``fullfinity settings``: show the effective settings or the reference table."""

from __future__ import annotations

from typing import Annotated

import typer

from fullfinity.cli._output import JsonOption, print_json
from fullfinity.plugins import hookimpl
from fullfinity.settings import ENV_PREFIX, get_settings, settings_markdown

SECRET_NAMES = {"secret_key", "database_url", "database_servers", "cache_url"}


def settings_command(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the settings reference table.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the effective settings (secrets masked)."""
    if markdown:
        print(settings_markdown(), end="")
        return
    current = get_settings()
    plain = current.model_dump(mode="json")
    masked = {name for name in SECRET_NAMES if getattr(current, name)}
    if as_json:
        values = {f"{ENV_PREFIX}{name.upper()}": "***" if name in masked else plain[name] for name in plain}
        print_json({"settings": values})
        return
    for name in type(current).model_fields:
        shown = "***" if name in masked else repr(getattr(current, name))
        # one whole line per setting: typer.echo never wraps at the terminal width (rich would, in a pipe)
        typer.echo(f"{ENV_PREFIX}{name.upper()} = {shown}")


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("settings")(settings_command)
