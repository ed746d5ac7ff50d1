"""A tenant with a throw-away helpdesk-like module installed, users who log in for real, and an app.

Every request goes through tenant resolution, ``/auth/authenticate`` tokens and the real
``requires_user`` dependency (one transaction per request), exactly as in production.
"""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from fullfinity.engine.module_registry import discover_modules
from fullfinity.engine.records.identifiers import bind
from fullfinity.main import create_app
from fullfinity.plugins import build_plugin_manager, get_plugin_manager
from fullfinity.runtime import Runtime
from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import PASSWORD, add_user, client_address, login, prepare_security


@dataclass
class ApiWorld:
    """The tenant, the users' ids and tokens, the seeded records, and an HTTP client."""

    tenant: str
    module: str
    client: httpx.AsyncClient
    app: Any
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def headers(self, user: str | None) -> dict[str, str]:
        headers = {"X-Fullfinity-Tenant": self.tenant}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return headers

    async def call(self, method: str, path: str, user: str | None = "ann", **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.headers(user), **kwargs)

    async def post(self, path: str, json: Any = None, user: str | None = "ann") -> httpx.Response:
        return await self.call("POST", path, user, json=json)

    async def put(self, path: str, json: Any = None, user: str | None = "ann") -> httpx.Response:
        return await self.call("PUT", path, user, json=json)

    async def delete(self, path: str, json: Any = None, user: str | None = "ann") -> httpx.Response:
        return await self.call("DELETE", path, user, json=json)

    async def get(self, path: str, user: str | None = "ann", **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, user, **kwargs)

    def env(self, runtime: Runtime) -> contextlib.AbstractAsyncContextManager[Any]:
        return tenant_env(self.tenant, runtime=runtime)


MODELS_FILE = Path(__file__).with_name("module_models.py")
ROUTES_FILE = Path(__file__).with_name("module_routes.py")


def _write_module(root: Path, identifier: str) -> str:
    """A module distribution as pip installs it: package, manifest, models, dist-info with the entry point."""
    package = f"ffmod_{identifier}"
    (root / package / "models").mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (root / package / "manifest.yaml").write_text(f"name: API tests\nidentifier: {identifier}\ndependencies: []\n")
    (root / package / "models" / "__init__.py").write_text(MODELS_FILE.read_text())
    (root / package / "routes").mkdir()
    (root / package / "routes" / "__init__.py").write_text(ROUTES_FILE.read_text())
    dist = root / f"fullfinity_{identifier}-1.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fullfinity-{identifier}\nVersion: 1.0.0\n")
    (dist / "entry_points.txt").write_text(f"[fullfinity.modules]\n{identifier} = {package}\n")
    return package


@contextlib.contextmanager
def _module_site(root: Path, identifier: str) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        package = _write_module(root, identifier)
        discover_modules.cache_clear()
        get_plugin_manager.cache_clear()
        try:
            yield
        finally:
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()


async def _seed(world: ApiWorld, runtime: Runtime) -> None:
    async with world.env(runtime) as env:
        internal = (await env["Group"].filter(name="Internal User").first()).id
        manager = await env["Group"].create(name="API manager", implied_groups=[internal])
        await bind(env, "apit_manager", "Group", manager.id, world.module)
        portal = (await env["Group"].filter(name="Portal").first()).id
        for model in ("ApiTeam", "ApiTag", "ApiTicket", "ApiTask", "ApiPicking", "ApiMove", "ApiWizard"):
            await env["ModelAccess"].create(
                name=f"{model} internal",
                model=model,
                group=internal,
                read_perm=True,
                write_perm=True,
                create_perm=True,
                delete_perm=model != "ApiTeam",
            )
        await env["ModelAccess"].create(name="User internal", model="User", group=internal, read_perm=True)
        await env["ModelAccess"].create(name="ApiTicket portal", model="ApiTicket", group=portal, read_perm=True)
        await env["ModelAccess"].create(name="ApiTeam portal", model="ApiTeam", group=portal, read_perm=True)
        await env["RecordRule"].create(
            name="own or unassigned tickets",
            model="ApiTicket",
            groups=[internal],
            rule="Q(assignee__id__eq=uid) | Q(assignee__isnull=True)",
        )
        await env["RecordRule"].create(
            name="managers: every ticket", model="ApiTicket", groups=[manager.id], rule="Q()"
        )
        await env["RecordRule"].create(
            name="portal: nothing", model="ApiTicket", groups=[portal], rule="Q(id__eq=0)", write_perm=False
        )
    world.users["boss"] = await add_user(
        runtime, world.tenant, "boss@example.test", PASSWORD, ["core_internal", "apit_manager"]
    )
    async with world.env(runtime) as env:
        red = await env["ApiTeam"].create(name="Red", code="R")
        blue = await env["ApiTeam"].create(name="Blue", code="B")
        tags = [await env["ApiTag"].create(name=n) for n in ("network", "printer")]
        ann, bob = world.users["ann"], world.users["bob"]
        a1 = await env["ApiTicket"].create(
            name="Printer jams", priority="urgent", team=red.id, assignee=ann, deadline="2026-05-05",
            amount="12.30", opened_at="2026-04-03T10:00:00Z", tags=[t.id for t in tags],
        )  # fmt: skip
        a2 = await env["ApiTicket"].create(
            name="VPN drops", priority="normal", team=red.id, assignee=ann, opened_at="2026-05-20T23:30:00Z"
        )
        b1 = await env["ApiTicket"].create(name="Bob's secret", priority="low", team=blue.id, assignee=bob)
        u1 = await env["ApiTicket"].create(name="Unassigned", priority="low", team=blue.id, secret_note="hush")
        await env["ApiTask"].create(name="Call vendor", ticket=a1.id, assignee=bob, weight=2.0)
        await env["ApiTask"].create(name="Replace roller", ticket=a1.id, weight=1.0)
        picking = await env["ApiPicking"].create(name="P1")
        move = await env["ApiMove"].create(picking=picking.id, weight=400.0, qty=2)
        world.ids.update(
            red=red.id, blue=blue.id, a1=a1.id, a2=a2.id, b1=b1.id, u1=u1.id, picking=picking.id, move=move.id,
            network=tags[0].id, printer=tags[1].id,
        )  # fmt: skip


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(ff_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ApiWorld]:
    module = f"apit{uuid.uuid4().hex[:6]}"
    with _module_site(tmp_path_factory.mktemp("api_site"), module):
        runtime = Runtime(
            settings=ff_settings.model_copy(update={"login_ip_rate": 10_000, "api_max_body_size": 1_000_000}),
            pm=build_plugin_manager(),
        )
        app = create_app(runtime=runtime)
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(app.router.lifespan_context(app))
            tenant = f"api-{uuid.uuid4().hex[:8]}"
            info = await create_tenant(runtime.db, runtime.catalog, tenant, modules=[module])
            stack.push_async_callback(drop_tenant, runtime.db, runtime.catalog, tenant)
            await prepare_security(runtime, info)
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=client_address())
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://test"))
            world = ApiWorld(tenant=tenant, module=module, client=client, app=app)
            for name, groups in (("ann", ["core_internal"]), ("bob", ["core_internal"]), ("pat", ["core_portal"])):
                world.users[name] = await add_user(runtime, tenant, f"{name}@example.test", PASSWORD, groups)
            await _seed(world, runtime)
            for name in ("ann", "bob", "boss", "pat"):
                world.tokens[name] = (await login(client, tenant, f"{name}@example.test"))["access_token"]
            world.app.state.test_runtime = runtime
            yield world


@pytest.fixture
def runtime(api: ApiWorld) -> Runtime:
    return api.app.state.test_runtime  # type: ignore[no-any-return]
