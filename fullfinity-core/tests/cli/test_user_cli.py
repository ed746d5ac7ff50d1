"""``fullfinity user ...`` as an operator uses it: passwords never on the command line, clear errors."""

from __future__ import annotations

import asyncio
import re
import uuid

from typer.testing import CliRunner

from fullfinity.auth.accounts import find_user, list_users
from fullfinity.auth.passwords import verify_password
from fullfinity.cli import build_cli
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD


async def cli(*args: str, stdin: str | None = None):
    """Run the CLI in-process (in a thread: it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, build_cli(), list(args), input=stdin, env={"COLUMNS": "200"})


def new_email() -> str:
    return f"op{uuid.uuid4().hex[:8]}@example.test"


async def password_matches(runtime, tenant: str, email: str, password: str) -> bool:
    async with tenant_env(tenant, runtime=runtime) as env:
        user = await find_user(env, email)
    return await verify_password(user["password_hash"], password)


async def test_create_reads_the_password_from_stdin_and_the_user_can_log_in(world, ff_runtime):
    email = new_email()

    result = await cli("user", "create", email, "--tenant", world.tenant, "--password-stdin", stdin="s3cret pass\n")

    assert result.exit_code == 0, result.output
    assert f"User {email} created in tenant '{world.tenant}'" in result.stdout
    assert await password_matches(ff_runtime, world.tenant, email, "s3cret pass")


async def test_create_without_a_terminal_or_stdin_generates_a_password_and_shows_it_once(world, ff_runtime):
    email = new_email()

    result = await cli("user", "create", email, "-t", world.tenant, "--groups", "core_portal", "--name", "Pat Doe")

    assert result.exit_code == 0, result.output
    password = re.search(r"Generated password \(shown once\): (\S+)", result.stdout).group(1)
    assert await password_matches(ff_runtime, world.tenant, email, password)
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        made = next(u for u in await list_users(env) if u["email"] == email)
    assert made["type"] == "portal" and made["name"] == "Pat Doe" and made["groups"] == ["core_portal"]


async def test_create_with_unknown_groups_names_them_and_lists_the_known_ones(world):
    result = await cli("user", "create", new_email(), "-t", world.tenant, "--groups", "core_portal,sales_boss,nope")

    assert result.exit_code == 1
    assert "Unknown group identifier(s): sales_boss, nope." in result.stderr
    assert "core_admin" in result.stderr and "Traceback" not in result.output


async def test_create_refuses_an_invalid_email(world):
    result = await cli("user", "create", "not-an-email", "-t", world.tenant)

    assert result.exit_code == 1 and "must be an email address" in result.stderr


async def test_create_refuses_an_existing_email_in_any_case(world):
    result = await cli("user", "create", "ANN@example.test", "-t", world.tenant)

    assert result.exit_code == 1 and "already exists" in result.stderr


async def test_create_refuses_a_short_password(world):
    result = await cli("user", "create", new_email(), "-t", world.tenant, "--password-stdin", stdin="short\n")

    assert result.exit_code == 1 and "at least 8 characters" in result.stderr


async def test_create_with_password_stdin_but_nothing_on_stdin_is_an_error(world):
    result = await cli("user", "create", new_email(), "-t", world.tenant, "--password-stdin", stdin="")

    assert result.exit_code == 1 and "stdin holds no password" in result.stderr


async def test_commands_on_an_unknown_tenant_say_so(world):
    result = await cli("user", "list", "--tenant", "no-such-tenant")

    assert result.exit_code == 1 and "Tenant 'no-such-tenant' does not exist" in result.stderr


async def test_the_tenant_option_is_required(world):
    result = await cli("user", "list")

    assert result.exit_code == 2 and "--tenant" in result.output


async def test_list_shows_users_with_their_type_and_groups(world):
    result = await cli("user", "list", "-t", world.tenant)

    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "adm@example.test" in line)
    assert "internal" in line and "core_admin" in line


async def test_passwd_sets_the_password_and_reports_revoked_sessions(world, ff_runtime):
    email = new_email()
    await cli("user", "create", email, "-t", world.tenant, "--password-stdin", stdin=PASSWORD + "\n")

    result = await cli("user", "passwd", email, "-t", world.tenant, "--password-stdin", stdin="another secret\n")

    assert result.exit_code == 0, result.output
    assert "session(s) revoked" in result.stdout
    assert await password_matches(ff_runtime, world.tenant, email, "another secret")


async def test_passwd_of_an_unknown_user_is_a_clear_error(world):
    result = await cli("user", "passwd", "ghost@example.test", "-t", world.tenant, "--password-stdin", stdin="x" * 9)

    assert result.exit_code == 1 and "No user has the email 'ghost@example.test'" in result.stderr


async def test_disable_deactivates_the_user(world, ff_runtime):
    email = new_email()
    await cli("user", "create", email, "-t", world.tenant)

    result = await cli("user", "disable", email, "-t", world.tenant)

    assert result.exit_code == 0 and "disabled" in result.stdout
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        assert (await find_user(env, email))["active"] is False


async def test_groups_adds_and_removes_groups(world):
    email = new_email()
    await cli("user", "create", email, "-t", world.tenant, "--groups", "core_internal")

    result = await cli("user", "groups", email, "-t", world.tenant, "--add", "core_admin", "--remove", "core_internal")

    assert result.exit_code == 0, result.output
    assert f"{email}: core_admin (type internal)" in result.stdout
