"""Route authentication: who may call internal, user and public routes, and the request transaction."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from fastapi import APIRouter

from fullfinity import hookimpl
from fullfinity.auth.accounts import guest_uid
from fullfinity.auth.api_keys import create_api_key
from fullfinity.engine.middleware import InternalEnv
from fullfinity.exceptions import UserError
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import Probe, drop_world, login, make_world, on


class Writer:
    """Routes that create a contact, then succeed or fail."""

    @hookimpl
    def fullfinity_register_routers(self) -> APIRouter:
        router = APIRouter(prefix="/writer")

        @router.post("/{name}")
        async def write(env: InternalEnv, name: str, fail: bool = False) -> dict[str, Any]:
            with env.sudo():
                contact = await env["Contact"].create(name=name)
            if fail:
                raise UserError("Refused after writing.")
            return {"id": contact.id}

        return router


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(ff_runtime):
    built = await make_world(ff_runtime)
    try:
        yield built
    finally:
        await drop_world(ff_runtime, built)


@pytest.fixture
async def client(make_client, world):
    return await make_client(plugins=[Probe(), Writer()], login_ip_rate=1000)


async def token_of(client, world, who: str) -> str:
    return str((await login(client, world.tenant, world.email(who)))["access_token"])


async def test_internal_routes_refuse_portal_users_with_403(client, world):
    response = await client.get("/probe/internal", headers=on(world.tenant, await token_of(client, world, "pat")))

    assert response.status_code == 403
    assert response.json()["error"] == {
        "type": "AccessError",
        "message": "This route is for internal users only; you are a portal user.",
        "details": [],
    }


async def test_internal_routes_admit_administrators_through_the_implied_internal_group(client, world):
    response = await client.get("/probe/internal", headers=on(world.tenant, await token_of(client, world, "adm")))

    assert response.json() == {"uid": world.users["adm"], "type": "internal", "kind": "token"}


async def test_a_user_without_a_user_type_is_refused_on_user_routes(client, world):
    response = await client.get("/probe/user", headers=on(world.tenant, await token_of(client, world, "notype")))

    assert response.status_code == 403 and "without a user type" in response.json()["error"]["message"]


@pytest.mark.parametrize("who,kind", [("ann", "internal"), ("pat", "portal")])
async def test_user_routes_admit_internal_and_portal_users(client, world, who, kind):
    response = await client.get("/probe/user", headers=on(world.tenant, await token_of(client, world, who)))

    assert response.json() == {"uid": world.users[who], "type": kind, "kind": "token"}


async def test_user_routes_refuse_anonymous_callers_with_401(client, world):
    assert (await client.get("/probe/user", headers=on(world.tenant))).status_code == 401


async def test_user_routes_refuse_the_guest_user_with_403(client, world, ff_runtime):
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        guest = await guest_uid(env)
        assert guest is not None
        key = await create_api_key(env, guest, "guest key")

    response = await client.get("/probe/user", headers=on(world.tenant, key.key))

    assert response.status_code == 403 and "the guest user" in response.json()["error"]["message"]


async def test_public_routes_run_anonymous_callers_as_the_guest_user(client, world, ff_runtime):
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        guest = await guest_uid(env)

    response = await client.get("/probe/public", headers=on(world.tenant))

    assert response.json() == {"uid": guest, "type": "public", "kind": "guest"}


async def test_the_guest_user_is_looked_up_once_then_served_from_the_cache(world, ff_runtime):
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        first = await guest_uid(env)
        with env.count_queries() as counter:
            again = await guest_uid(env)
    assert first == again is not None and counter.total == 0


async def test_public_routes_run_authenticated_callers_as_themselves(client, world):
    response = await client.get("/probe/public", headers=on(world.tenant, await token_of(client, world, "pat")))

    assert response.json() == {"uid": world.users["pat"], "type": "portal", "kind": "token"}


async def test_public_routes_refuse_an_invalid_token_rather_than_downgrading_to_the_guest(client, world):
    assert (await client.get("/probe/public", headers=on(world.tenant, "not.a.token"))).status_code == 401


async def test_a_handler_that_returns_commits_its_writes_before_the_response(client, world, ff_runtime):
    response = await client.post("/writer/Committed", headers=on(world.tenant, await token_of(client, world, "ann")))

    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        assert await env["Contact"].filter(id=response.json()["id"]).exists()


async def test_a_handler_that_raises_leaves_nothing_written(client, world, ff_runtime):
    token = await token_of(client, world, "ann")

    response = await client.post("/writer/RolledBack?fail=true", headers=on(world.tenant, token))

    assert response.status_code == 400 and response.json()["error"]["type"] == "UserError"
    async with tenant_env(world.tenant, runtime=ff_runtime) as env:
        assert not await env["Contact"].filter(name="RolledBack").exists()
