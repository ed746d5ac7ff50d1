"""A tenant whose module versions changed is not served (503 UpgradeRequired) until upgraded, or upgrades itself."""

from __future__ import annotations

from fullfinity.installer import install_modules, upgrade_modules
from fullfinity.installer.freshness import pending_upgrades
from fullfinity.scripting import registry_for_tenant
from fullfinity.tenancy.service import installed_modules
from fullfinity.testing.auth import PASSWORD, add_user, login, on

from .conftest import unique
from .test_lifecycle import stage_module


async def _outdated_tenant(ff_runtime, modules, new_tenant):
    """A tenant with a module installed at 1.0.0 whose distribution is now 1.1.0."""
    ident = unique("fresh")
    _, root = stage_module(modules, ident)
    info = await new_tenant()
    await install_modules(ff_runtime.db, info, [ident])
    await add_user(ff_runtime, info.name, "root@example.test", PASSWORD, ["core_admin"])
    modules.upgrade(root, "1.1.0")
    return ident, info


async def test_a_tenant_needing_an_upgrade_answers_503_naming_the_modules_until_upgraded(
    ff_runtime, modules, new_tenant, make_client
):
    ident, info = await _outdated_tenant(ff_runtime, modules, new_tenant)
    client = await make_client()

    refused = await client.post(
        "/auth/authenticate", json={"email": "root@example.test", "password": PASSWORD}, headers=on(info.name)
    )

    assert refused.status_code == 503, refused.text
    error = refused.json()["error"]
    assert error["type"] == "UpgradeRequired"
    assert (
        f"{ident} 1.0.0 -> 1.1.0" in error["message"] and f"fullfinity -u all --tenant {info.name}" in error["message"]
    )
    await upgrade_modules(ff_runtime.db, info, ["all"])
    assert (await login(client, info.name, "root@example.test"))["access_token"]


async def test_with_auto_upgrade_the_first_request_upgrades_the_tenant_then_is_served(
    ff_runtime, modules, new_tenant, make_client
):
    ident, info = await _outdated_tenant(ff_runtime, modules, new_tenant)
    client = await make_client(auto_upgrade=True)

    tokens = await login(client, info.name, "root@example.test")

    assert tokens["access_token"]
    assert (await installed_modules(ff_runtime.db, info))[ident] == ("installed", "1.1.0")


async def test_the_freshness_check_is_computed_once_per_module_set(ff_runtime, modules, new_tenant):
    ident, info = await _outdated_tenant(ff_runtime, modules, new_tenant)
    registry = await registry_for_tenant(ff_runtime, info)

    first = pending_upgrades(registry)

    assert first == ((ident, "1.0.0", "1.1.0"),)
    assert pending_upgrades(registry) is first
