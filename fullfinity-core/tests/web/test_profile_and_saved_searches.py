"""GET /api/profile and the SavedSearch model: who the caller is, and whose searches they see."""

from __future__ import annotations

import pytest
import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import drop_world, login, make_world, on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(ff_runtime):
    built = await make_world(ff_runtime)
    try:
        yield built
    finally:
        await drop_world(ff_runtime, built)


@pytest.fixture
async def client(make_client, world):
    return await make_client(login_ip_rate=1000)


async def token(client, world, who: str) -> str:
    return (await login(client, world.tenant, world.email(who)))["access_token"]


async def test_profile_names_the_user_their_groups_and_user_type(client, world):
    response = await client.get("/api/profile", headers=on(world.tenant, await token(client, world, "ann")))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["email"], body["user_type"]) == (world.users["ann"], "ann@example.test", "internal")
    assert "core_internal" in body["groups"] and "core_admin" not in body["groups"]
    assert set(body) >= {"lang", "tz", "contact_id", "company_id", "company_ids", "allowed_companies"}


async def test_profile_lists_implied_groups_of_an_administrator(client, world):
    response = await client.get("/api/profile", headers=on(world.tenant, await token(client, world, "adm")))

    assert {"core_admin", "core_internal"} <= set(response.json()["groups"])


async def test_profile_of_a_portal_user_says_portal(client, world):
    response = await client.get("/api/profile", headers=on(world.tenant, await token(client, world, "pat")))

    assert response.json()["user_type"] == "portal"


async def test_profile_without_credentials_is_401(client, world):
    assert (await client.get("/api/profile", headers=on(world.tenant))).status_code == 401


async def test_profile_company_is_the_main_company_of_the_configuration(client, world, ff_runtime):
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        company = await env["Company"].create(name="Profile Co")
        configuration = await env["Configuration"].filter().first()
        if configuration is None:
            configuration = await env["Configuration"].create(name="Settings")
        configuration.company = company.id
        await configuration.save()

    body = (await client.get("/api/profile", headers=on(world.tenant, await token(client, world, "ann")))).json()

    assert body["company_id"] == company.id
    assert body["company_ids"] == [company.id]
    assert body["allowed_companies"] == [{"id": company.id, "name": "Profile Co"}]


async def _save(client, world, who, name, shared=False):
    headers = on(world.tenant, await token(client, world, who))
    body = {"name": name, "model": "Contact", "action": "core_contact_action", "facets": [], "group_by": []}
    return await client.post("/api/create/SavedSearch", json=body | {"shared": shared}, headers=headers)


async def test_a_saved_search_belongs_to_its_creator_by_default(client, world):
    response = await _save(client, world, "ann", "mine by default")

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "mine by default"
    headers = on(world.tenant, await token(client, world, "ann"))
    fetched = await client.post(
        f"/api/fetch/SavedSearch/{response.json()['id']}", json={"fields": ["user"]}, headers=headers
    )
    assert fetched.json()["user"]["id"] == world.users["ann"]


async def test_a_user_sees_their_own_and_shared_searches_not_others_private_ones(client, world):
    await _save(client, world, "adm", "admin private")
    await _save(client, world, "adm", "admin shared", shared=True)
    await _save(client, world, "ann", "ann private")

    headers = on(world.tenant, await token(client, world, "ann"))
    names = {
        r["name"]
        for r in (await client.post("/api/query/SavedSearch", json={"fields": ["name"]}, headers=headers)).json()[
            "data"
        ]
    }

    assert {"admin shared", "ann private"} <= names
    assert "admin private" not in names


async def test_a_user_cannot_change_a_search_shared_by_someone_else(client, world):
    shared = (await _save(client, world, "adm", "not yours", shared=True)).json()
    headers = on(world.tenant, await token(client, world, "ann"))

    response = await client.put(f"/api/update/SavedSearch/{shared['id']}", json={"name": "mine now"}, headers=headers)

    assert response.status_code in (403, 404), response.text


async def test_a_user_cannot_save_a_search_for_someone_else(client, world):
    headers = on(world.tenant, await token(client, world, "ann"))
    body = {"name": "planted", "model": "Contact", "user": world.users["adm"]}

    response = await client.post("/api/create/SavedSearch", json=body, headers=headers)

    assert response.status_code == 403, response.text
