"""Module.action_install / action_upgrade / action_uninstall through POST /api/execute, by administrators only."""

from __future__ import annotations

from fullfinity.installer.state import read_installed, sync_module_records
from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import installed_modules
from fullfinity.testing.auth import PASSWORD, add_user, login, on

from .conftest import unique
from .test_lifecycle import stage_module, table, tables_of


async def _world(ff_runtime, modules, new_tenant, make_client):
    ident = unique("act")
    model, root = stage_module(modules, ident)
    info = await new_tenant()
    async with tenant_env(info.name, runtime=ff_runtime) as env:  # the tenant may come from an older template
        await sync_module_records(env, await read_installed(env.conn))
    await add_user(ff_runtime, info.name, "root@example.test", PASSWORD, ["core_admin"])
    await add_user(ff_runtime, info.name, "clerk@example.test", PASSWORD, ["core_internal"])
    client = await make_client()
    tokens = {u: (await login(client, info.name, f"{u}@example.test"))["access_token"] for u in ("root", "clerk")}
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        module_id = await conn.fetchval("SELECT id FROM module WHERE identifier = $1", ident)
    return ident, model, root, info, client, tokens, module_id


async def _call(client, info, token, method, module_id, **kwargs):
    body = {"ids": [module_id], "kwargs": kwargs}
    return await client.post(f"/api/execute/Module/{method}", json=body, headers=on(info.name, token))


async def test_an_administrator_installs_a_module_through_the_api_and_the_next_request_uses_it(
    ff_runtime, modules, new_tenant, make_client
):
    ident, model, _, info, client, tokens, module_id = await _world(ff_runtime, modules, new_tenant, make_client)

    response = await _call(client, info, tokens["root"], "action_install", module_id)

    assert response.status_code == 200, response.text
    assert response.json() == {"result": {"type": "reload"}}
    assert (await installed_modules(ff_runtime.db, info))[ident][0] == "installed"
    assert table(ident) in await tables_of(ff_runtime, info)
    # The next request runs on the new registry: the model exists (no access right grants it yet, so 403, not 404).
    query = await client.post(f"/api/query/{model}", json={}, headers=on(info.name, tokens["root"]))
    assert query.json()["error"]["type"] == "AccessError", query.text


async def test_a_planned_install_returns_the_plan_and_changes_nothing(ff_runtime, modules, new_tenant, make_client):
    ident, _, _, info, client, tokens, module_id = await _world(ff_runtime, modules, new_tenant, make_client)

    response = await _call(client, info, tokens["root"], "action_install", module_id, plan=True)

    assert response.status_code == 200, response.text
    plan = response.json()["result"]
    assert plan["planned"] is True
    assert [(m["identifier"], m["action"]) for m in plan["modules"]] == [(ident, "install")]
    assert any(table(ident) in statement for statement in plan["ddl"])
    assert ident not in await installed_modules(ff_runtime.db, info)
    assert table(ident) not in await tables_of(ff_runtime, info)


async def test_only_administrators_may_install_modules(ff_runtime, modules, new_tenant, make_client):
    ident, _, _, info, client, tokens, module_id = await _world(ff_runtime, modules, new_tenant, make_client)

    response = await _call(client, info, tokens["clerk"], "action_install", module_id)

    assert response.status_code == 403, response.text
    assert "core_admin" in response.json()["error"]["message"]
    assert ident not in await installed_modules(ff_runtime.db, info)


async def test_an_administrator_upgrades_then_uninstalls_with_drop_data(ff_runtime, modules, new_tenant, make_client):
    # A changed version makes the tenant answer 503 UpgradeRequired (test_upgrade_required.py): through the
    # API an upgrade re-applies an installed module at its current version (data files, schema).
    ident, _, _, info, client, tokens, module_id = await _world(ff_runtime, modules, new_tenant, make_client)
    assert (await _call(client, info, tokens["root"], "action_install", module_id)).status_code == 200

    planned = await _call(client, info, tokens["root"], "action_upgrade", module_id, plan=True)
    assert [m["identifier"] for m in planned.json()["result"]["modules"]] == [ident], planned.text
    upgraded = await _call(client, info, tokens["root"], "action_upgrade", module_id)
    assert upgraded.status_code == 200, upgraded.text
    assert (await installed_modules(ff_runtime.db, info))[ident] == ("installed", "1.0.0")

    removed = await _call(client, info, tokens["root"], "action_uninstall", module_id, drop_data=True)
    assert removed.status_code == 200, removed.text
    assert ident not in await installed_modules(ff_runtime.db, info)
    assert table(ident) not in await tables_of(ff_runtime, info)


async def test_a_failing_operation_leaves_the_tenant_untouched_and_says_why(
    ff_runtime, modules, new_tenant, make_client
):
    ident, _, _, info, client, tokens, module_id = await _world(ff_runtime, modules, new_tenant, make_client)
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        core_id = await conn.fetchval("SELECT id FROM module WHERE identifier = 'core'")
    assert (await _call(client, info, tokens["root"], "action_install", module_id)).status_code == 200

    response = await _call(client, info, tokens["root"], "action_uninstall", core_id)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "UserError"
    assert "core module cannot be uninstalled" in response.json()["error"]["message"]
    assert (await installed_modules(ff_runtime.db, info))["core"][0] == "installed"
    assert ident in await installed_modules(ff_runtime.db, info)
