"""Controllers and @route: composed per tenant from the installed modules, overridable with
__inherit__ + super(), protected by their auth level.

Two throw-away modules (a portal and its extension) in three tenants: base (portal), extended
(portal + extension) and core only."""

from __future__ import annotations

import sys
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import yaml

from fullfinity.engine.controller import compose_router
from fullfinity.engine.module_registry import discover_modules
from fullfinity.exceptions import ModuleError
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import on, prepare_security

PORTAL = """
from typing import Any

from fastapi import Request

from fullfinity.engine.context import env_ctx
from fullfinity.engine.controller import Controller, route


class Portal(Controller):
    _name = "{name}"

    @route("/rt/hello/{{who}}", methods=["GET"], auth="public")
    async def hello(self, request: Request, who: str) -> dict[str, Any]:
        return {{"hello": who, "uid": env_ctx.get().uid}}

    @route("/rt/private", auth="user")
    async def private(self, request: Request) -> dict[str, Any]:
        return {{"private": True}}
"""

LOUD = """
from typing import Any

from fullfinity.engine.controller import Controller, route


class PortalLoud(Controller):
    __inherit__ = "{name}"

    async def hello(self, request, who: str) -> dict[str, Any]:
        answer = await super().hello(request, who)
        return {{**answer, "loud": who.upper()}}

    @route("/rt/extra", methods=["POST"], auth="none")
    async def extra(self, request) -> dict[str, Any]:
        return {{"extra": True}}
"""

CLASH = """
from fullfinity.engine.controller import Controller, route


class Rival(Controller):
    _name = "rival_{token}"

    @route("/rt/hello/{{who}}", auth="public")
    async def greet(self, request, who: str) -> dict[str, str]:
        return {{"rival": who}}
"""


def add_module(root: Path, ident: str, files: dict[str, str], dependencies=()) -> None:
    """A throw-away module distribution with a routes/ package, laid out as pip installs it."""
    package = f"ffmod_{ident}"
    pkg = root / package
    (pkg / "routes").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    manifest = {"name": ident, "identifier": ident, "dependencies": list(dependencies)}
    (pkg / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    (pkg / "routes" / "__init__.py").write_text("".join(f"from . import {f}  # noqa: F401\n" for f in files))
    for name, text in files.items():
        (pkg / "routes" / f"{name}.py").write_text(textwrap.dedent(text))
    dist = root / f"{package}-1.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0.0\n")
    (dist / "entry_points.txt").write_text(f"[fullfinity.modules]\n{ident} = {package}\n")
    discover_modules.cache_clear()


@dataclass
class Setup:
    base: str  # core and the portal module
    extended: str  # core, the portal module and its extension
    core_only: str
    modules: tuple[str, str]


async def tenant_with(runtime, name: str, modules: list[str]):
    info = await create_tenant(runtime.db, runtime.catalog, name, modules=modules)
    await prepare_security(runtime, info)
    return info


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site directory on sys.path for the whole file (as module_site, but tenants are costly)."""
    patch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("site")
    patch.syspath_prepend(str(root))
    try:
        yield root
    finally:
        patch.undo()
        for name in [m for m in sys.modules if m.startswith("ffmod_rt")]:
            del sys.modules[name]
        discover_modules.cache_clear()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def setup(site, ff_runtime):
    token = uuid.uuid4().hex[:6]
    portal, loud = f"rtportal_{token}", f"rtloud_{token}"
    add_module(site, portal, {"portal": PORTAL.format(name=f"portal_{token}")})
    add_module(site, loud, {"loud": LOUD.format(name=f"portal_{token}")}, dependencies=[portal])
    infos = [
        await tenant_with(ff_runtime, f"rt-base-{token}", [portal]),
        await tenant_with(ff_runtime, f"rt-ext-{token}", [portal, loud]),
        await tenant_with(ff_runtime, f"rt-core-{token}", []),
    ]
    yield Setup(infos[0].name, infos[1].name, infos[2].name, (portal, loud))
    for info in infos:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


@pytest.fixture
async def client(make_client, setup):
    return await make_client()


async def test_a_module_route_answers_in_a_tenant_that_installed_the_module(client, setup):
    response = await client.get("/rt/hello/ann", headers=on(setup.base))

    assert response.status_code == 200
    assert response.json()["hello"] == "ann" and isinstance(response.json()["uid"], int)


async def test_a_module_route_is_a_404_in_a_tenant_without_the_module(client, setup):
    response = await client.get("/rt/hello/ann", headers=on(setup.core_only))

    assert response.status_code == 404
    assert response.json()["error"] == {"type": "NotFound", "message": "No route GET /rt/hello/ann.", "details": []}


async def test_an_extension_overrides_a_handler_by_name_and_reaches_the_original_with_super(client, setup):
    extended = await client.get("/rt/hello/ann", headers=on(setup.extended))
    base = await client.get("/rt/hello/ann", headers=on(setup.base))

    assert extended.json()["loud"] == "ANN" and extended.json()["hello"] == "ann"
    assert "loud" not in base.json()


async def test_routes_added_by_an_extension_exist_only_where_it_is_installed(client, setup):
    assert (await client.post("/rt/extra", headers=on(setup.extended))).json() == {"extra": True}
    assert (await client.post("/rt/extra", headers=on(setup.base))).status_code == 404


async def test_a_module_route_enforces_its_auth_level(client, setup):
    response = await client.get("/rt/private", headers=on(setup.base))

    assert response.status_code == 401 and response.json()["error"]["type"] == "AuthenticationError"


async def test_a_wrong_method_on_a_module_route_is_405(client, setup):
    assert (await client.delete("/rt/private", headers=on(setup.base))).status_code == 405


async def test_core_routes_still_answer_next_to_module_routes(client, setup):
    response = await client.post("/auth/authenticate", json={"email": "x@y.z", "password": "p"}, headers=on(setup.base))

    assert response.status_code == 401


async def test_two_controllers_on_the_same_path_and_method_are_a_composition_error(site, setup):
    rival = f"rtrival_{uuid.uuid4().hex[:6]}"
    add_module(site, rival, {"rival": CLASH.format(token=rival)})

    with pytest.raises(ModuleError, match=r"Two routes answer GET /rt/hello/\{who\} in one tenant"):
        compose_router(["core", setup.modules[0], rival])


async def test_the_openapi_document_is_still_served_with_module_routes_mounted(client, setup):
    response = await client.get("/openapi.json", headers=on(setup.base))

    assert response.status_code == 200 and "/auth/authenticate" in response.json()["paths"]
