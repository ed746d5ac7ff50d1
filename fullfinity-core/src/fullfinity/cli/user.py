"""``fullfinity user create|list|passwd|disable|groups --tenant NAME`` (security.md 9.7)."""

from __future__ import annotations

from typing import Annotated

import typer

from fullfinity.auth.accounts import (
    create_user,
    disable_user,
    find_user,
    list_users,
    normalise_email,
    resolve_groups,
    set_password,
)
from fullfinity.cli._common import console, fail, run_with_runtime
from fullfinity.cli._output import JsonOption, print_json, print_table
from fullfinity.cli._passwords import read_password
from fullfinity.exceptions import ValidationError
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime
from fullfinity.scripting import tenant_env

user_cli = typer.Typer(help="Create, list, disable users and set their passwords and groups.", no_args_is_help=True)

TenantOption = Annotated[str, typer.Option("--tenant", "-t", help="The tenant the user belongs to.")]
EmailArgument = Annotated[str, typer.Argument(help="The user's email (their login).")]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from one line of stdin (else: prompt).")
]


def _identifiers(text: str | None, option: str) -> list[str]:
    if text is None:
        return []
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        fail(f"{option} needs comma-separated group identifiers such as core_admin,crm_user; got {text!r}.")
    return names


def _email(email: str) -> str:
    try:
        return normalise_email(email)
    except ValidationError as exc:
        fail(exc)


@user_cli.command("create")
def create(
    email: EmailArgument,
    tenant: TenantOption,
    name: Annotated[str | None, typer.Option(help="Display name (default: the part of the email before @).")] = None,
    groups: Annotated[
        str, typer.Option(help="Comma-separated group identifiers; core_internal makes an internal user.")
    ] = "core_internal",
    password_stdin: StdinOption = False,
) -> None:
    """Create a user; without a password source on a terminal-less stdin, a random one is printed once."""
    login = _email(email)
    wanted = _identifiers(groups, "--groups")

    async def work(rt: Runtime) -> None:
        password, generated = read_password(password_stdin, rt.settings.password_min_length)
        async with tenant_env(tenant, runtime=rt) as env:
            user = await create_user(env, login, name=name, password=password, groups=wanted, settings=rt.settings)
        console.print(f"User [bold]{login}[/] created in tenant '{tenant}' (id {user.id}, groups {', '.join(wanted)}).")
        if generated:
            console.print(f"Generated password (shown once): {password}", highlight=False)

    run_with_runtime(work)


@user_cli.command("list")
def list_(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List the users of a tenant with their type and groups."""

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            users = await list_users(env)
        if as_json:
            keys = ("id", "email", "name", "type", "active", "groups")
            print_json({"tenant": tenant, "users": [{k: u[k] for k in keys} for u in users]})
            return
        rows = [
            [
                str(u["id"]),
                u["email"],
                u["name"],
                u["type"] or "-",
                "yes" if u["active"] else "no",
                ", ".join(u["groups"]),
            ]
            for u in users
        ]
        empty = f"Tenant '{tenant}' has no users yet. Create one with: fullfinity user create EMAIL -t {tenant}"
        print_table(["id", "email", "name", "type", "active", "groups"], rows, empty=empty)

    run_with_runtime(work)


@user_cli.command("passwd")
def passwd(email: EmailArgument, tenant: TenantOption, password_stdin: StdinOption = False) -> None:
    """Set a user's password; every session of the user is revoked."""

    async def work(rt: Runtime) -> None:
        password, generated = read_password(password_stdin, rt.settings.password_min_length)
        async with tenant_env(tenant, runtime=rt) as env:
            user = await find_user(env, email)
            revoked = await set_password(env, user["id"], password, settings=rt.settings)
        console.print(f"Password of [bold]{user['email']}[/] changed; {revoked} session(s) revoked.")
        if generated:
            console.print(f"Generated password (shown once): {password}", highlight=False)

    run_with_runtime(work)


@user_cli.command("disable")
def disable(email: EmailArgument, tenant: TenantOption) -> None:
    """Disable a user: no login, sessions revoked, API keys refused."""

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            user = await find_user(env, email)
            revoked = await disable_user(env, user["id"])
        was = "" if user["active"] else " (it already was)"
        console.print(f"User [bold]{user['email']}[/] disabled{was}; {revoked} session(s) revoked.")

    run_with_runtime(work)


@user_cli.command("groups")
def groups_(
    email: EmailArgument,
    tenant: TenantOption,
    add: Annotated[str | None, typer.Option(help="Comma-separated group identifiers to add.")] = None,
    remove: Annotated[str | None, typer.Option(help="Comma-separated group identifiers to remove.")] = None,
) -> None:
    """Add or remove a user's groups; without options, show them."""
    to_add, to_remove = _identifiers(add, "--add"), _identifiers(remove, "--remove")

    async def work(rt: Runtime) -> None:
        async with tenant_env(tenant, runtime=rt) as env:
            user = await find_user(env, email)
            commands = [["L", gid] for gid in await resolve_groups(env, to_add)]
            commands += [["U", gid] for gid in await resolve_groups(env, to_remove)]
            if commands:
                with env.with_context(active_test=False):
                    record = await env["User"].get(user["id"])
                    record.groups = commands  # type: ignore[attr-defined]
                    await record.save()
            found = next(u for u in await list_users(env) if u["id"] == user["id"])
        console.print(f"{found['email']}: {', '.join(found['groups']) or 'no groups'} (type {found['type'] or '-'}).")

    run_with_runtime(work)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.add_typer(user_cli, name="user")
