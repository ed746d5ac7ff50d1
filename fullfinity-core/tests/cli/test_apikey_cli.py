"""``fullfinity apikey create|list|revoke``: the key is printed once, alone on stdout."""

from __future__ import annotations

import asyncio
import re

from typer.testing import CliRunner

from fullfinity.auth.api_keys import verify_api_key
from fullfinity.cli import build_cli
from fullfinity.exceptions import AuthenticationError
from fullfinity.scripting import tenant_env


async def cli(*args: str):
    return await asyncio.to_thread(CliRunner().invoke, build_cli(), list(args), env={"COLUMNS": "200"})


async def key_works(runtime, tenant: str, key: str) -> bool:
    async with tenant_env(tenant, runtime=runtime) as env:
        try:
            await verify_api_key(env, key)
        except AuthenticationError:
            return False
    return True


async def test_create_prints_only_the_key_on_stdout_and_the_key_works(world, ff_runtime):
    result = await cli("apikey", "create", "ann@example.test", "-t", world.tenant, "--name", "ERP sync")

    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert re.fullmatch(r"ffk_\w{8}_\w{40}", key)
    assert "ERP sync" in result.stderr and "not shown again" in result.stderr
    assert await key_works(ff_runtime, world.tenant, key)


async def test_revoke_by_id_or_prefix_stops_the_key(world, ff_runtime):
    first = (await cli("apikey", "create", "ann@example.test", "-t", world.tenant, "--name", "a")).stdout.strip()
    second = (await cli("apikey", "create", "ann@example.test", "-t", world.tenant, "--name", "b")).stdout.strip()
    listing = (await cli("apikey", "list", "-t", world.tenant, "--user", "ann@example.test")).stdout
    first_id = next(line.split("\t")[0] for line in listing.splitlines() if first.split("_")[1] in line)

    by_id = await cli("apikey", "revoke", first_id, "-t", world.tenant)
    by_prefix = await cli("apikey", "revoke", second.split("_")[1], "-t", world.tenant)

    assert by_id.exit_code == 0 and by_prefix.exit_code == 0, by_id.output + by_prefix.output
    assert not await key_works(ff_runtime, world.tenant, first)
    assert not await key_works(ff_runtime, world.tenant, second)


async def test_revoking_an_unknown_key_is_a_clear_error(world):
    result = await cli("apikey", "revoke", "Zz9Zz9Zz", "-t", world.tenant)

    assert result.exit_code == 1 and "no API key with id or prefix 'Zz9Zz9Zz'" in result.stderr


async def test_create_for_an_unknown_user_is_a_clear_error(world):
    result = await cli("apikey", "create", "ghost@example.test", "-t", world.tenant, "--name", "x")

    assert result.exit_code == 1 and "No user has the email 'ghost@example.test'" in result.stderr


async def test_create_with_an_unreadable_expiry_explains_the_format(world):
    result = await cli("apikey", "create", "ann@example.test", "-t", world.tenant, "--name", "x", "--expires", "soon")

    assert result.exit_code == 1 and "--expires must be a date such as 2027-01-01" in result.stderr


async def test_create_without_a_name_is_refused(world):
    result = await cli("apikey", "create", "ann@example.test", "-t", world.tenant)

    assert result.exit_code == 2 and "--name" in result.output
