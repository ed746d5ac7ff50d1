"""``fullfinity tenant create|list|drop`` as a user runs them (real subprocesses, no stdin)."""

from __future__ import annotations

import json
import uuid

import pytest_asyncio
from typer.testing import CliRunner

from fullfinity.cli import build_cli
from fullfinity.tenancy.service import create_tenant, drop_tenant


def new_name() -> str:
    return f"cli-{uuid.uuid4().hex[:8]}"


async def database_exists(runtime, database: str) -> bool:
    async with runtime.db.admin_connection() as admin:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))


@pytest_asyncio.fixture(loop_scope="session")
async def tenant(ff_runtime):
    """A tenant made through the service (dropped afterwards if a test left it)."""
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, new_name())
    yield info
    if await ff_runtime.catalog.get(info.name) is not None:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


@pytest_asyncio.fixture(loop_scope="session")
async def cleanup(ff_runtime):
    """Names of tenants a test creates through the CLI; dropped afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        if await ff_runtime.catalog.get(name) is not None:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)


async def test_tenant_create_records_the_tenant_and_says_where_it_lives(ff_runtime, run_cli, cleanup):
    name = new_name()
    cleanup.append(name)

    result = run_cli("tenant", "create", name, "--label", "CLI tenant")

    assert result.returncode == 0, result.stderr
    info = await ff_runtime.catalog.get(name)
    assert info.state == "active" and info.server == "default" and info.label == "CLI tenant"
    assert f"created in database {info.database} on server 'default'" in result.stdout
    assert await database_exists(ff_runtime, info.database)


async def test_tenant_create_on_another_server_alias_records_the_alias(ff_runtime, ff_pg_dsn, run_cli):
    # The alias points at the session server; what is checked is that the catalog keeps the alias.
    name = new_name()
    servers = {"FULLFINITY_DATABASE_SERVERS": json.dumps({"eu": ff_pg_dsn})}

    result = run_cli("tenant", "create", name, "--server", "eu", env=servers)

    assert result.returncode == 0, result.stderr
    assert (await ff_runtime.catalog.get(name)).server == "eu"
    assert run_cli("tenant", "drop", name, "--yes", env=servers).returncode == 0


async def test_tenant_create_with_a_bad_name_explains_the_rule_and_creates_nothing(ff_runtime, run_cli):
    before = await ff_runtime.catalog.count()

    result = run_cli("tenant", "create", "Bad_Name")

    assert result.returncode == 1
    assert "Invalid tenant name 'Bad_Name'" in result.stderr and "lower-case letters" in result.stderr
    assert "Traceback" not in result.stderr
    assert await ff_runtime.catalog.count() == before


async def test_creating_an_existing_tenant_is_a_clear_error_without_traceback(tenant, run_cli):
    result = run_cli("tenant", "create", tenant.name)

    assert result.returncode == 1
    assert f"Tenant '{tenant.name}' already exists" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


async def test_dropping_a_missing_tenant_is_a_clear_error(run_cli):
    result = run_cli("tenant", "drop", "never-existed", "--yes")

    assert result.returncode == 1
    assert "Tenant 'never-existed' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


async def test_drop_without_yes_and_without_stdin_aborts_and_keeps_the_tenant(ff_runtime, tenant, run_cli):
    result = run_cli("tenant", "drop", tenant.name)

    assert result.returncode == 1
    assert "Drop tenant" in result.stdout and "Abort" in result.stderr
    assert (await ff_runtime.catalog.get(tenant.name)).state == "active"
    assert await database_exists(ff_runtime, tenant.database)


async def test_drop_with_yes_removes_the_database_and_the_catalog_entry(ff_runtime, tenant, run_cli):
    result = run_cli("tenant", "drop", tenant.name, "--yes")

    assert result.returncode == 0, result.stderr
    assert await ff_runtime.catalog.get(tenant.name) is None
    assert not await database_exists(ff_runtime, tenant.database)


def test_drop_asks_and_proceeds_when_the_user_confirms(ff_runtime, tenant):
    result = CliRunner().invoke(build_cli(), ["tenant", "drop", tenant.name], input="y\n")

    assert result.exit_code == 0, result.output
    assert f"Drop tenant '{tenant.name}' and ALL its data?" in result.output
    assert f"Tenant {tenant.name} dropped." in result.output


def test_tenant_list_shows_database_server_and_state(tenant):
    result = CliRunner().invoke(build_cli(), ["tenant", "list"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if tenant.name in line)
    assert tenant.database in row and "default" in row and "active" in row


def test_create_if_not_exists_leaves_an_existing_tenant_alone(tenant):
    result = CliRunner().invoke(build_cli(), ["tenant", "create", tenant.name, "--if-not-exists"])

    assert result.exit_code == 0, result.output
    assert f"Tenant '{tenant.name}' already exists; nothing to do." in result.output
