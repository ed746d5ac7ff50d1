"""API keys: created once, stored hashed, acting as their user, revocable, tenant-bound."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from fullfinity.auth.accounts import disable_user, find_user
from fullfinity.auth.api_keys import create_api_key
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import login, on


async def new_key(client, tenant: str, token: str, **body) -> dict:
    response = await client.post("/auth/api-keys", json={"name": "ERP sync", **body}, headers=on(tenant, token))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_creating_a_key_shows_it_once_in_the_documented_format(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]

    key = await new_key(client, world.tenant, token, expires_at="2099-01-01")

    assert re.fullmatch(r"ffk_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}", key["key"])
    assert key["key"].split("_")[1] == key["prefix"] and key["name"] == "ERP sync"
    assert key["expires_at"] == "2099-01-01T00:00:00Z"
    listed = (await client.get("/auth/api-keys", headers=on(world.tenant, token))).json()["data"]
    mine = next(k for k in listed if k["id"] == key["id"])
    assert set(mine) == {"id", "name", "prefix", "created_date", "last_used_at", "expires_at"}
    assert key["key"] not in str(listed)


async def test_only_the_sha256_of_the_key_is_stored(client, world, ff_runtime):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        row = await env.fetchrow("SELECT * FROM api_key WHERE id = $1", key["id"])

    assert row["key_hash"] == hashlib.sha256(key["key"].encode()).hexdigest()
    assert key["key"] not in {str(v) for v in row.values()}


async def test_a_key_authenticates_as_its_user_and_records_its_last_use(client, world):
    token = (await login(client, world.tenant, "pat@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    response = await client.get("/probe/user", headers=on(world.tenant, key["key"]))

    assert response.json() == {"uid": world.users["pat"], "type": "portal", "kind": "api_key"}
    listed = (await client.get("/auth/api-keys", headers=on(world.tenant, token))).json()["data"]
    assert next(k for k in listed if k["id"] == key["id"])["last_used_at"] is not None


async def test_a_key_used_on_a_read_only_endpoint_records_its_last_use_too(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    response = await client.get("/api/meta/User", headers=on(world.tenant, key["key"]))

    assert response.status_code in (200, 403), response.text  # authenticated either way
    listed = (await client.get("/auth/api-keys", headers=on(world.tenant, token))).json()["data"]
    assert next(k for k in listed if k["id"] == key["id"])["last_used_at"] is not None


async def test_a_revoked_key_stops_working(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    deleted = await client.delete(f"/auth/api-keys/{key['id']}", headers=on(world.tenant, token))

    assert deleted.json() == {"deleted": [key["id"]]}
    response = await client.get("/probe/internal", headers=on(world.tenant, key["key"]))
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]


async def test_a_user_cannot_revoke_the_key_of_another_user(client, world):
    ann = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    pat = (await login(client, world.tenant, "pat@example.test"))["access_token"]
    key = await new_key(client, world.tenant, ann)

    response = await client.delete(f"/auth/api-keys/{key['id']}", headers=on(world.tenant, pat))

    assert response.status_code == 404
    assert (await client.get("/probe/internal", headers=on(world.tenant, key["key"]))).status_code == 200


async def test_a_key_of_one_tenant_is_refused_by_another(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    assert (await client.get("/probe/internal", headers=on(world.other, key["key"]))).status_code == 401


async def test_an_expired_key_is_refused(client, world, ff_runtime):
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        key = await create_api_key(env, world.users["ann"], "old", dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        await env.execute("UPDATE api_key SET expires_at = now() - interval '1 day' WHERE id = $1", key.id)

    response = await client.get("/probe/internal", headers=on(world.tenant, key.key))

    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


async def test_an_expiry_in_the_past_is_refused_when_creating(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]

    response = await client.post(
        "/auth/api-keys", json={"name": "x", "expires_at": "2001-01-01"}, headers=on(world.tenant, token)
    )

    assert response.status_code == 422 and response.json()["error"]["details"][0]["path"] == "expires_at"


async def test_the_key_of_a_disabled_user_is_refused(client, world, fresh_user, ff_runtime):
    email = await fresh_user()
    key = await new_key(client, world.tenant, (await login(client, world.tenant, email))["access_token"])
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        await disable_user(env, (await find_user(env, email))["id"])

    response = await client.get("/probe/internal", headers=on(world.tenant, key["key"]))

    assert response.status_code == 401 and "disabled" in response.json()["error"]["message"]


async def test_an_api_key_cannot_create_more_api_keys(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    response = await client.post("/auth/api-keys", json={"name": "spawn"}, headers=on(world.tenant, key["key"]))

    assert response.status_code == 403


async def test_a_malformed_key_is_refused_with_the_expected_format(client, world):
    response = await client.get("/probe/internal", headers=on(world.tenant, "ffk_short"))

    assert response.status_code == 401 and "ffk_<8 letters or digits>" in response.json()["error"]["message"]


async def test_logging_out_with_an_api_key_says_how_to_revoke_it(client, world):
    token = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    key = await new_key(client, world.tenant, token)

    response = await client.post("/auth/logout", headers=on(world.tenant, key["key"]))

    assert response.status_code == 400 and "DELETE /auth/api-keys/{id}" in response.json()["error"]["message"]
