"""The application factory: routers, lifecycle hooks and docs come through the plugin manager."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from fullfinity import hookimpl
from fullfinity.main import create_app
from fullfinity.plugins import build_plugin_manager
from fullfinity.runtime import Runtime


def paths(app) -> set[str]:
    """Paths the app serves (FastAPI includes routers lazily: ask the OpenAPI schema)."""
    return set(app.openapi()["paths"])


def test_core_routes_come_through_the_register_routers_hook(ff_settings):
    pm = build_plugin_manager(include_modules=False)
    pm.unregister(name="fullfinity.web.health")

    app = create_app(runtime=Runtime(settings=ff_settings, pm=pm))

    assert "/health" not in paths(app)


def test_a_plugin_may_return_several_routers(ff_settings):
    class TwoRouters:
        @hookimpl
        def fullfinity_register_routers(self):
            first, second = APIRouter(), APIRouter()
            first.add_api_route("/one", lambda: 1)
            second.add_api_route("/two", lambda: 2)
            return [first, second]

    pm = build_plugin_manager(include_modules=False)
    pm.register(TwoRouters())

    app = create_app(runtime=Runtime(settings=ff_settings, pm=pm))

    assert {"/one", "/two", "/health"} <= paths(app)


def test_a_plugin_returning_something_else_than_a_router_is_named_in_the_error(ff_settings):
    class Wrong:
        @hookimpl
        def fullfinity_register_routers(self):
            return "/oops"

    pm = build_plugin_manager(include_modules=False)
    pm.register(Wrong())

    with pytest.raises(TypeError, match="must return APIRouter objects, got str"):
        create_app(runtime=Runtime(settings=ff_settings, pm=pm))


async def test_startup_and_shutdown_hooks_run_with_the_app(ff_settings):
    events: list[str] = []

    class Lifecycle:
        @hookimpl
        async def fullfinity_app_startup(self, app):
            events.append(f"startup {app.title}")

        @hookimpl
        def fullfinity_app_shutdown(self, app):
            events.append("shutdown")

    pm = build_plugin_manager(include_modules=False)
    pm.register(Lifecycle())

    app = create_app(runtime=Runtime(settings=ff_settings, pm=pm))
    async with app.router.lifespan_context(app):
        assert events == ["startup Fullfinity"]

    assert events == ["startup Fullfinity", "shutdown"]


async def test_openapi_is_served_unless_disabled(make_client, ff_tenant):
    enabled = await make_client(api_docs=True)
    disabled = await make_client(api_docs=False)
    headers = {"X-Fullfinity-Tenant": ff_tenant.name}

    assert (await enabled.get("/openapi.json", headers=headers)).status_code == 200
    assert (await disabled.get("/openapi.json", headers=headers)).status_code == 404
