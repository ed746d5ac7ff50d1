"""Scripts read the command line: ``--json`` documents with stable keys, whole tab-separated rows
when stdout is not a terminal, and exit codes 0 (success), 1 (error), 2 (usage)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from typer.testing import CliRunner

from fullfinity.cli import build_cli

LONG_DISTRIBUTION = "fullfinity-a-distribution-name-much-longer-than-any-table-column-would-show"


def invoke(*args: str, **env: str):
    """The command as a script runs it: stdout is not a terminal, and the window is 80 columns."""
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": "80", **env})


async def ainvoke(*args: str):
    return await asyncio.to_thread(invoke, *args)


def rows(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.splitlines()]


def test_module_list_piped_prints_every_cell_whole_at_80_columns(module_site):
    module_site.add("widgets", version="3.1.4", distribution=LONG_DISTRIBUTION)

    result = invoke("module", "list")

    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert table[0] == ["module", "name", "version", "dependencies", "edition", "distribution"]
    assert ["widgets", "Widgets", "3.1.4", "core", "community", LONG_DISTRIBUTION] in table
    assert "…" not in result.output and "│" not in result.output


def test_module_list_json_describes_each_module_with_its_state_in_the_tenant(module_site, ff_tenant):
    module_site.add("widgets", version="3.1.4")
    module_site.add("widgets_glue", manifest={"name": "Glue", "identifier": "widgets_glue", "implicit": True,
                                              "dependencies": ["widgets", "absent_one"]})  # fmt: skip

    result = invoke("module", "list", "--tenant", ff_tenant.name, "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["tenant"] == ff_tenant.name
    modules = {m["identifier"]: m for m in document["modules"]}
    assert modules["core"]["state"] == "installed" and modules["core"]["installed_version"]
    assert modules["widgets"] == {
        "identifier": "widgets", "name": "Widgets", "version": "3.1.4", "dependencies": ["core"],
        "edition": "community", "implicit": False, "distribution": modules["widgets"]["distribution"],
        "available": True, "unavailable_reason": None, "state": "uninstalled", "installed_version": None,
    }  # fmt: skip
    glue = modules["widgets_glue"]
    assert (glue["available"], glue["state"]) == (False, "unavailable")
    assert glue["unavailable_reason"] == "needs absent_one (not pip-installed)"


def test_module_list_json_without_a_tenant_has_no_states(module_site):
    result = invoke("module", "list", "--json")

    document = json.loads(result.stdout)
    assert document["tenant"] is None
    assert {m["state"] for m in document["modules"]} == {None}


def test_tenant_list_json_and_piped_rows(ff_tenant):
    as_json = invoke("tenant", "list", "--json")
    piped = invoke("tenant", "list")

    assert as_json.exit_code == 0 and piped.exit_code == 0, as_json.output + piped.output
    entry = next(t for t in json.loads(as_json.stdout)["tenants"] if t["name"] == ff_tenant.name)
    assert set(entry) == {"name", "label", "server", "database", "state", "demo", "modules", "size_bytes",
                          "hostnames", "created_at"}  # fmt: skip
    assert (entry["database"], entry["state"], entry["demo"]) == (ff_tenant.database, "active", False)
    assert "core" in entry["modules"] and isinstance(entry["size_bytes"], int)
    dt.datetime.fromisoformat(entry["created_at"])
    table = rows(piped.stdout)
    assert table[0] == ["name", "server", "database", "state", "demo", "modules", "size", "hostnames", "created"]
    row = next(r for r in table if r[0] == ff_tenant.name)
    assert row[2] == ff_tenant.database and row[3] == "active"


async def test_user_list_json_and_piped_rows(world):
    as_json = await ainvoke("user", "list", "--tenant", world.tenant, "--json")
    piped = await ainvoke("user", "list", "--tenant", world.tenant)

    document = json.loads(as_json.stdout)
    assert document["tenant"] == world.tenant
    ann = next(u for u in document["users"] if u["email"] == "ann@example.test")
    assert ann == {"id": world.users["ann"], "email": "ann@example.test", "name": ann["name"], "type": "internal",
                   "active": True, "groups": ["core_internal"]}  # fmt: skip
    table = rows(piped.stdout)
    assert table[0] == ["id", "email", "name", "type", "active", "groups"]
    assert [str(world.users["ann"]), "ann@example.test", ann["name"], "internal", "yes", "core_internal"] in table


async def test_apikey_list_json_never_holds_a_secret(world):
    key = (await ainvoke("apikey", "create", "adm@example.test", "-t", world.tenant, "--name", "json")).stdout.strip()

    result = await ainvoke("apikey", "list", "-t", world.tenant, "--user", "adm@example.test", "--json")

    document = json.loads(result.stdout)
    assert document["tenant"] == world.tenant
    entry = next(k for k in document["api_keys"] if k["name"] == "json")
    assert set(entry) == {"id", "name", "prefix", "user", "expires_at", "last_used_at"}
    assert entry["user"] == "adm@example.test" and key.split("_")[1] == entry["prefix"]
    assert key not in result.stdout and key.split("_")[2] not in result.stdout


async def test_an_empty_listing_piped_is_the_header_alone_and_the_message_on_stderr(world):
    result = await ainvoke("apikey", "list", "-t", world.other)

    assert result.exit_code == 0
    assert result.stdout == "id\tname\tprefix\tuser\texpires\tlast used\n"
    assert "No API keys." in result.stderr


def test_settings_json_masks_the_secrets(ff_settings, monkeypatch):
    from fullfinity.settings import get_settings

    monkeypatch.setenv("FULLFINITY_SECRET_KEY", "s3cr3t-value-never-printed")
    get_settings.cache_clear()
    try:
        result = invoke("settings", "--json")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    settings = json.loads(result.stdout)["settings"]
    assert settings["FULLFINITY_SECRET_KEY"] == "***"
    assert settings["FULLFINITY_DATABASE_URL"] == "***"
    assert settings["FULLFINITY_CATALOG_DB"] == ff_settings.catalog_db
    assert "s3cr3t" not in result.stdout


def test_settings_piped_prints_one_whole_line_per_setting(ff_settings):
    result = invoke("settings")

    lines = result.stdout.splitlines()
    assert all(line.startswith("FULLFINITY_") for line in lines)
    assert f"FULLFINITY_DATA_DIR = {ff_settings.data_dir!r}" in lines


def test_exit_status_is_0_on_success_1_on_error_2_on_usage(ff_settings, run_cli):
    assert run_cli("module", "list", "--json").returncode == 0
    assert run_cli("module", "list", "--tenant", "nobody-here", "--json").returncode == 1
    assert run_cli("module", "list", "--no-such-option").returncode == 2
    assert run_cli("no-such-command").returncode == 2
