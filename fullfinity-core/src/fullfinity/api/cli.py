"""``fullfinity api typescript``: the web client's TypeScript types from a tenant's OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from fullfinity.cli._common import fail, run_with_runtime

api_cli = typer.Typer(help="The REST API: generated artefacts.", no_args_is_help=True)


async def _tenant_document(runtime: Any, tenant: str) -> dict[str, Any]:
    from fullfinity.api.openapi import tenant_openapi
    from fullfinity.exceptions import TenantNotFound
    from fullfinity.main import create_app
    from fullfinity.scripting import registry_for_tenant

    info = await runtime.catalog.get(tenant)
    if info is None:
        raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
    registry = await registry_for_tenant(runtime, info)
    return tenant_openapi(create_app(runtime=runtime), registry)


def _fetched_document(source: str, headers: list[str]) -> dict[str, Any]:
    if not source.startswith(("http://", "https://")):
        return dict(orjson.loads(Path(source).read_bytes()))
    import httpx

    pairs = dict(h.split("=", 1) for h in headers if "=" in h)
    response = httpx.get(source, headers=pairs, timeout=30)
    if response.status_code != 200:
        fail(f"{source} answered {response.status_code}: {response.text[:300]}")
    return dict(response.json())


@api_cli.command("typescript")
def typescript_command(
    tenant: Annotated[str | None, typer.Option("--tenant", "-t", help="Build the document of this tenant.")] = None,
    source: Annotated[
        str | None, typer.Option("--from", help="Read /openapi.json from a URL or a file instead.")
    ] = None,
    header: Annotated[list[str], typer.Option("--header", help="NAME=VALUE request header for --from URL.")] = [],  # noqa: B006
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Print TypeScript types for every installed model and API body (for the web client)."""
    from fullfinity.api.typescript import typescript_from_openapi

    if (tenant is None) == (source is None):
        fail("Give exactly one of --tenant (build the tenant's document) or --from (read a served one).")
    if source is not None:
        doc = _fetched_document(source, header)
    else:
        assert tenant is not None
        doc = run_with_runtime(lambda runtime: _tenant_document(runtime, tenant))
    text = typescript_from_openapi(doc)
    if output is None:
        print(text, end="")
    else:
        output.write_text(text)
