"""The REST API's hook implementations (registered in ``fullfinity.plugins.DEFAULT_PLUGINS``).

- ``fullfinity_register_routers``: the ``/api`` data routes behind ``requires_user`` (internal
  and portal users; security.md 8.2), ``/api/export`` (CSV/XLSX files of a search) and the
  per-tenant ``/openapi.json`` and ``/docs``.
- ``fullfinity_register_commands``: ``fullfinity api typescript``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fullfinity.plugins import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter


@hookimpl
def fullfinity_register_routers() -> list[APIRouter]:
    from fullfinity.api.export import build_export_router
    from fullfinity.api.openapi import docs_router
    from fullfinity.api.router import build_router

    return [build_router("user"), build_export_router(), docs_router()]


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    from fullfinity.api.cli import api_cli

    cli.add_typer(api_cli, name="api")
