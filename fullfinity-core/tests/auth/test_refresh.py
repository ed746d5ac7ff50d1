"""Refresh rotation, reuse detection, logout and revocation on password change."""

from __future__ import annotations

from fullfinity.auth.accounts import find_user, set_password
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD, login, on


async def refresh(client, tenant: str, token: str):
    return await client.post("/auth/refresh", json={"refresh_token": token}, headers=on(tenant))


async def test_refresh_hands_out_a_new_access_token_and_a_new_refresh_token(client, world):
    first = await login(client, world.tenant, "ann@example.test")

    response = await refresh(client, world.tenant, first["refresh_token"])

    assert response.status_code == 200
    second = response.json()
    assert second["message"] == "Authenticated"
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    probe = await client.get("/probe/internal", headers=on(world.tenant, second["access_token"]))
    assert probe.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(client, world, fresh_user):
    email = await fresh_user()
    first = await login(client, world.tenant, email)
    second = (await refresh(client, world.tenant, first["refresh_token"])).json()

    reuse = await refresh(client, world.tenant, first["refresh_token"])

    assert reuse.status_code == 401 and "already used" in reuse.json()["error"]["message"]
    # The legitimate holder's newest tokens die with the family, at once.
    assert (await client.get("/probe/internal", headers=on(world.tenant, second["access_token"]))).status_code == 401
    assert (await refresh(client, world.tenant, second["refresh_token"])).status_code == 401


async def test_reuse_detection_leaves_the_users_other_sessions_alive(client, world, fresh_user):
    email = await fresh_user()
    stolen = await login(client, world.tenant, email)
    laptop = await login(client, world.tenant, email)
    await refresh(client, world.tenant, stolen["refresh_token"])

    await refresh(client, world.tenant, stolen["refresh_token"])

    assert (await client.get("/probe/internal", headers=on(world.tenant, laptop["access_token"]))).status_code == 200


async def test_an_access_token_cannot_be_used_to_refresh(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    response = await refresh(client, world.tenant, body["access_token"])

    assert response.status_code == 401 and "Expected a refresh token" in response.json()["error"]["message"]


async def test_a_refresh_token_of_another_tenant_is_refused(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    assert (await refresh(client, world.other, body["refresh_token"])).status_code == 401


async def test_logout_revokes_the_session_for_access_and_refresh_tokens(client, world, fresh_user):
    email = await fresh_user()
    body = await login(client, world.tenant, email)

    response = await client.post("/auth/logout", headers=on(world.tenant, body["access_token"]))

    assert response.status_code == 200 and response.json() == {"message": "Logged out"}
    assert (await client.get("/probe/internal", headers=on(world.tenant, body["access_token"]))).status_code == 401
    assert (await refresh(client, world.tenant, body["refresh_token"])).status_code == 401


async def test_logout_ends_only_the_session_it_is_called_with(client, world, fresh_user):
    email = await fresh_user()
    phone = await login(client, world.tenant, email)
    laptop = await login(client, world.tenant, email)

    await client.post("/auth/logout", headers=on(world.tenant, phone["access_token"]))

    assert (await client.get("/probe/internal", headers=on(world.tenant, laptop["access_token"]))).status_code == 200


async def test_logout_without_a_token_is_401(client, world):
    assert (await client.post("/auth/logout", headers=on(world.tenant))).status_code == 401


async def test_changing_the_password_revokes_every_session_of_the_user(client, world, fresh_user, ff_runtime):
    email = await fresh_user()
    phone = await login(client, world.tenant, email)
    laptop = await login(client, world.tenant, email)

    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        revoked = await set_password(
            env, (await find_user(env, email))["id"], "a new secret!", settings=ff_runtime.settings
        )

    assert revoked == 2
    for body in (phone, laptop):
        assert (await client.get("/probe/internal", headers=on(world.tenant, body["access_token"]))).status_code == 401
    assert (await login(client, world.tenant, email, "a new secret!"))["access_token"]
    wrong = await client.post(
        "/auth/authenticate", json={"email": email, "password": PASSWORD}, headers=on(world.tenant)
    )
    assert wrong.status_code == 401


async def test_a_user_without_a_user_type_can_still_log_out(client, world):
    body = await login(client, world.tenant, "notype@example.test")

    response = await client.post("/auth/logout", headers=on(world.tenant, body["access_token"]))

    assert response.status_code == 200
