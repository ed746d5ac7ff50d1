"""``fullfinity apikey create|list|revoke --tenant NAME`` (security.md 9.5, 9.7)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from fullfinity.auth.accounts import find_user
from fullfinity.auth.api_keys import create_api_key, revoke_api_key
from fullfinity.cli._common import console, err_console, fail, run_with_runtime
from fullfinity.cli._output import JsonOption, print_json, print_table
from fullfinity.exceptions import MissingError
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.scripting import tenant_env

apikey_cli = typer.Typer(help="API keys of integrations: each acts as one user.", no_args_is_help=True)

TenantOption = Annotated[str, typer.Option("--tenant", "-t", help="The tenant of the key.")]


def _expiry(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"--expires must be a date such as 2027-01-01 (or an ISO 8601 datetime), got {text!r}.")
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@apikey_cli.command("create")
def create(
    email: Annotated[str, typer.Argument(help="Email of the user the key acts as.")],
    tenant: TenantOption,
    name: Annotated[str, typer.Option("--name", help="A label saying what uses the key, e.g. 'ERP sync'.")],
    expires: Annotated[str | None, typer.Option(help="Expiry date (YYYY-MM-DD, UTC); default: never.")] = None,
) -> None:
    """Create a key and print it once on stdout (details go to stderr, so `KEY=$(...)` works)."""
    expires_at = _expiry(expires)

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            user = await find_user(env, email)
            if not user["active"]:
                fail(f"User {user['email']} is disabled; a key of theirs would not work. Enable the user first.")
            new = await create_api_key(env, user["id"], name, expires_at)
        until = f", expires {new.expires_at:%Y-%m-%d %H:%M} UTC" if new.expires_at else ""
        err_console.print(
            f"API key {new.id} '{new.name}' (prefix {new.prefix}) for {user['email']}{until}. "
            f"Store it now: it is not shown again.",
            highlight=False,
        )
        print(new.key)

    run_with_runtime(work)


@apikey_cli.command("list")
def list_(
    tenant: TenantOption,
    user: Annotated[str | None, typer.Option("--user", help="Only the keys of this user (email).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List keys (never their secrets)."""

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            qs = env["ApiKey"].filter()
            if user is not None:
                qs = qs.filter(user=(await find_user(env, user))["id"])
            rows = await qs.order_by("id").values("id", "name", "prefix", "user", "expires_at", "last_used_at")
            emails = {u.id: u.email for u in await env["User"].filter(id__in=[r["user"] for r in rows])}
        if as_json:
            keys = [{**r, "user": emails.get(r["user"])} for r in rows]
            print_json({"tenant": tenant, "api_keys": keys})
            return
        lines = []
        for r in rows:
            stamp = [f"{r[k]:%Y-%m-%d %H:%M}" if r[k] else "-" for k in ("expires_at", "last_used_at")]
            lines.append([str(r["id"]), r["name"], r["prefix"], emails.get(r["user"], "?"), *stamp])
        print_table(["id", "name", "prefix", "user", "expires", "last used"], lines, empty="No API keys.")

    run_with_runtime(work)


@apikey_cli.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from `apikey list`) or its prefix.")],
    tenant: TenantOption,
) -> None:
    """Revoke (delete) a key: it stops working at once."""

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            if key_id.isdigit():
                ident = int(key_id)
            else:
                found = await env["ApiKey"].filter(prefix=key_id).values("id")
                if not found:
                    raise MissingError(f"There is no API key with id or prefix {key_id!r} in tenant '{tenant}'.")
                ident = found[0]["id"]
            await revoke_api_key(env, ident)
        console.print(f"API key {key_id} revoked.")

    run_with_runtime(work)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(apikey_cli, name="apikey")
