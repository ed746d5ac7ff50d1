"""POST /auth/authenticate: tokens for the right password, one generic refusal otherwise."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import jwt

from fullfinity.auth.accounts import disable_user, find_user
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD, login, on


async def test_login_answers_the_documented_shape_with_bearer_tokens(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    assert set(body) == {"message", "access_token", "refresh_token", "token_type", "expires_at", "refresh_expires_at"}
    assert body["message"] == "Authenticated" and body["token_type"] == "bearer"
    expires = dt.datetime.strptime(body["expires_at"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC)
    assert dt.timedelta(minutes=14) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)


async def test_tokens_carry_user_tenant_type_family_and_expiry_claims(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    access = jwt.decode(body["access_token"], options={"verify_signature": False})
    refresh = jwt.decode(body["refresh_token"], options={"verify_signature": False})
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    assert access["sub"] == str(world.users["ann"]) and access["tid"] == world.tenant and access["typ"] == "access"
    assert refresh["typ"] == "refresh" and refresh["fam"] == access["fam"] and refresh["jti"] != access["jti"]
    assert access["exp"] - access["iat"] == 900 and refresh["exp"] - refresh["iat"] == 14 * 24 * 3600


async def test_the_access_token_authenticates_later_requests(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    response = await client.get("/probe/internal", headers=on(world.tenant, body["access_token"]))

    assert response.status_code == 200
    assert response.json() == {"uid": world.users["ann"], "type": "internal", "kind": "token"}


async def test_the_email_is_matched_without_regard_to_case(client, world):
    assert (await login(client, world.tenant, "  ANN@Example.TEST "))["access_token"]


async def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_401(client, world):
    wrong = await client.post(
        "/auth/authenticate", json={"email": "ann@example.test", "password": "not it"}, headers=on(world.tenant)
    )
    unknown = await client.post(
        "/auth/authenticate", json={"email": "nobody@example.test", "password": "not it"}, headers=on(world.tenant)
    )

    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"type": "AuthenticationError", "message": "Invalid email or password.", "details": []}}
    )
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_an_unknown_email_costs_as_much_time_as_a_wrong_password(client, world):
    async def timed(email: str) -> float:
        start = time.perf_counter()
        await client.post("/auth/authenticate", json={"email": email, "password": "x" * 12}, headers=on(world.tenant))
        return time.perf_counter() - start

    known = statistics.median([await timed("pat@example.test") for _ in range(3)])
    unknown = statistics.median([await timed("ghost@example.test") for _ in range(3)])

    # Both verify an argon2 hash (a dummy one for unknown emails); without that, unknown would be ~50x faster.
    assert unknown > known * 0.4


async def test_the_password_of_a_user_of_another_tenant_does_not_log_in_here(client, world):
    response = await client.post(
        "/auth/authenticate",
        json={"email": "ann@example.test", "password": PASSWORD + " other"},
        headers=on(world.tenant),
    )

    assert response.status_code == 401


async def test_a_disabled_user_cannot_log_in_and_their_tokens_stop_working(client, world, fresh_user, ff_runtime):
    email = await fresh_user()
    body = await login(client, world.tenant, email)
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        await disable_user(env, (await find_user(env, email))["id"])

    again = await client.post(
        "/auth/authenticate", json={"email": email, "password": PASSWORD}, headers=on(world.tenant)
    )
    probe = await client.get("/probe/internal", headers=on(world.tenant, body["access_token"]))

    assert again.status_code == 401 and "disabled" in again.json()["error"]["message"]
    assert probe.status_code == 401


async def test_users_without_a_password_such_as_the_guest_cannot_log_in(client, world):
    response = await client.post(
        "/auth/authenticate", json={"email": "public@fullfinity.invalid", "password": ""}, headers=on(world.tenant)
    )

    assert response.status_code == 401


async def test_a_login_body_without_a_password_is_a_422_naming_the_field(client, world):
    response = await client.post("/auth/authenticate", json={"email": "ann@example.test"}, headers=on(world.tenant))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "password"
