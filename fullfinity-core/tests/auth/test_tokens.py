"""Access tokens: signature, expiry, type and tenant are checked on every request."""

from __future__ import annotations

import datetime as dt

import jwt

from fullfinity.auth.secret import signing_secret
from fullfinity.auth.tokens import issue_pair
from fullfinity.testing.auth import login, on


async def test_a_request_without_credentials_on_an_internal_route_is_401_with_the_error_shape(client, world):
    response = await client.get("/probe/internal", headers=on(world.tenant))

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "AuthenticationError" and "Authorization: Bearer" in error["message"]


async def test_an_expired_access_token_is_refused_and_says_to_refresh(client, world, ff_settings):
    body = await login(client, world.tenant, "ann@example.test")
    family = jwt.decode(body["access_token"], options={"verify_signature": False})["fam"]
    old = issue_pair(
        signing_secret(ff_settings),
        tenant=world.tenant,
        uid=world.users["ann"],
        family=family,
        refresh_jti="x",
        access_ttl=60,
        refresh_ttl=120,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )

    response = await client.get("/probe/internal", headers=on(world.tenant, old.access_token))

    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"] and "/auth/refresh" in response.json()["error"]["message"]


async def test_a_token_of_one_tenant_is_refused_by_another(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    response = await client.get("/probe/internal", headers=on(world.other, body["access_token"]))

    assert response.status_code == 401
    assert "not issued for this tenant" in response.json()["error"]["message"]


async def test_a_token_with_a_tampered_payload_is_refused(client, world):
    body = await login(client, world.tenant, "pat@example.test")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    forged = jwt.encode({**claims, "sub": str(world.users["adm"])}, "guessed secret " * 3, algorithm="HS256")

    response = await client.get("/probe/user", headers=on(world.tenant, forged))

    assert response.status_code == 401 and "invalid" in response.json()["error"]["message"]


async def test_a_refresh_token_is_not_accepted_as_an_access_token(client, world):
    body = await login(client, world.tenant, "ann@example.test")

    response = await client.get("/probe/internal", headers=on(world.tenant, body["refresh_token"]))

    assert response.status_code == 401 and "Expected an access token" in response.json()["error"]["message"]


async def test_an_authorization_header_with_another_scheme_is_refused(client, world):
    headers = {**on(world.tenant), "Authorization": "Basic YW5uOnB3"}

    response = await client.get("/probe/internal", headers=headers)

    assert response.status_code == 401 and "'Basic'" in response.json()["error"]["message"]
