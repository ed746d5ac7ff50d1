"""The Change password wizard over HTTP (later.md 1): default-get, checks, other sessions signed out."""

from __future__ import annotations

from fullfinity.testing.auth import PASSWORD, login, on

NEW = "a brand new secret"


async def change(client, tenant: str, token: str, values: dict, context: dict | None = None):
    return await client.post(
        "/api/execute/ChangePassword/action_change_password",
        json={"values": values, "context": context or {}},
        headers=on(tenant, token),
    )


async def user_id(client, tenant: str, token: str) -> int:
    return (await client.get("/api/profile", headers=on(tenant, token))).json()["id"]


async def test_the_wizard_opens_on_the_caller_and_on_the_active_user_for_an_administrator(client, world):
    admin = (await login(client, world.tenant, "adm@example.test"))["access_token"]
    ann = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    ann_id = await user_id(client, world.tenant, ann)

    own = await client.post(
        "/api/default-get/ChangePassword", json={"fields": ["user_id", "user_email"]}, headers=on(world.tenant, ann)
    )
    other = await client.post(
        "/api/default-get/ChangePassword",
        json={"fields": ["user_id", "user_email"], "context": {"active_model": "User", "active_ids": [ann_id]}},
        headers=on(world.tenant, admin),
    )

    assert own.status_code == 200, own.text
    assert own.json()["values"] == {"user_id": ann_id, "user_email": "ann@example.test"}
    assert other.json()["values"] == {"user_id": ann_id, "user_email": "ann@example.test"}


async def test_the_view_declares_the_confirmation_of_the_method(client, world):
    ann = (await login(client, world.tenant, "ann@example.test"))["access_token"]

    view = (await client.get("/api/views/ChangePassword?type=Form", headers=on(world.tenant, ann))).json()

    confirm = view["methods"]["action_change_password"]["confirm"]
    assert confirm["confirm_label"] == "Change password" and "other session" in confirm["message"]


async def test_changing_ones_own_password_keeps_this_session_and_signs_out_the_others(client, world, fresh_user):
    email = await fresh_user()
    here = await login(client, world.tenant, email)
    elsewhere = await login(client, world.tenant, email)
    uid = await user_id(client, world.tenant, here["access_token"])

    response = await change(
        client,
        world.tenant,
        here["access_token"],
        {"user_id": uid, "current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"] == {
        "type": "notify",
        "title": "Password changed",
        "message": "1 other session(s) signed out.",
        "color": "green",
    }
    assert (await client.get("/api/profile", headers=on(world.tenant, here["access_token"]))).status_code == 200
    assert (await client.get("/api/profile", headers=on(world.tenant, elsewhere["access_token"]))).status_code == 401
    assert (await login(client, world.tenant, email, NEW))["access_token"]


async def test_every_wrong_value_is_reported_under_its_field_and_nothing_changes(client, world, fresh_user):
    email = await fresh_user()
    token = (await login(client, world.tenant, email))["access_token"]
    uid = await user_id(client, world.tenant, token)

    response = await change(
        client,
        world.tenant,
        token,
        {"user_id": uid, "current_password": "not it", "new_password": "short", "confirm_password": "other"},
    )

    assert response.status_code == 422
    paths = {d["path"]: d["message"] for d in response.json()["error"]["details"]}
    assert paths["current_password"] == "is not your current password"
    assert "at least" in paths["new_password"]
    assert paths["confirm_password"] == "does not match the new password"
    assert (await login(client, world.tenant, email))["access_token"]  # the old password still works


async def test_only_an_administrator_changes_another_users_password(client, world, fresh_user):
    victim = await fresh_user()
    victim_token = (await login(client, world.tenant, victim))["access_token"]
    victim_id = await user_id(client, world.tenant, victim_token)
    ann = (await login(client, world.tenant, "ann@example.test"))["access_token"]
    admin = (await login(client, world.tenant, "adm@example.test"))["access_token"]
    values = {"user_id": victim_id, "new_password": NEW, "confirm_password": NEW}

    refused = await change(client, world.tenant, ann, values)
    done = await change(client, world.tenant, admin, values)

    assert refused.status_code == 403 and "Only administrators" in refused.json()["error"]["message"]
    assert done.status_code == 200, done.text
    assert (await client.get("/api/profile", headers=on(world.tenant, victim_token))).status_code == 401
    assert (await login(client, world.tenant, victim, NEW))["access_token"]


async def test_a_users_form_opens_the_wizard_on_that_user(client, world, fresh_user):
    email = await fresh_user()
    uid = await user_id(client, world.tenant, (await login(client, world.tenant, email))["access_token"])
    admin = (await login(client, world.tenant, "adm@example.test"))["access_token"]

    response = await client.post(
        "/api/execute/User/action_open_change_password", json={"ids": [uid]}, headers=on(world.tenant, admin)
    )

    assert response.json()["result"] == {
        "type": "action",
        "action": "core_change_password_action",
        "context": {"active_model": "User", "active_ids": [uid], "active_id": uid},
    }
