"""The web client at / (web-client.md 2): files, cache headers, the SPA fallback, the server's own paths."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from fullfinity.web.client import WebClientMiddleware


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(b"console.log('app')"))
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def app_with(directory: Path) -> httpx.AsyncClient:
    async def module_page(request):
        return PlainTextResponse("a module's own page")

    async def api(request):
        return JSONResponse({"error": {"type": "NotFound", "message": "no"}}, status_code=404)

    inner = Starlette(routes=[Route("/portal/page", module_page), Route("/api/nothing", api)])
    transport = httpx.ASGITransport(app=WebClientMiddleware(inner, directory=directory))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


HTML = {"accept": "text/html,application/xhtml+xml"}


async def test_the_root_page_is_the_client_and_never_cached(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/", headers=HTML)

    assert response.status_code == 200
    assert "<div id=root>" in response.text
    assert "no-store" in response.headers["cache-control"]


async def test_a_client_route_falls_back_to_index_html(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/action/core_contact_action/7?view=List", headers=HTML)

    assert response.status_code == 200 and "<div id=root>" in response.text


async def test_hashed_assets_are_cached_for_a_year(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/assets/index-abc123.js", headers={"accept-encoding": "identity"})

    assert response.text == "console.log('app')"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/javascript")


async def test_assets_are_sent_gzipped_to_browsers_that_accept_it(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/assets/index-abc123.js", headers={"accept-encoding": "gzip, br"})

    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "console.log('app')"  # httpx decodes it


async def test_a_missing_asset_is_a_404_not_the_index_page(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/assets/gone-000.js", headers=HTML)

    assert response.status_code == 404


async def test_other_bundle_files_are_revalidated(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/favicon.svg")

    assert response.headers["cache-control"] == "no-cache"


async def test_the_servers_paths_stay_the_servers(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/api/nothing", headers=HTML)

    assert response.status_code == 404 and response.json()["error"]["type"] == "NotFound"


async def test_a_module_route_answers_before_the_fallback(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/portal/page", headers=HTML)

    assert response.text == "a module's own page"


async def test_a_request_not_asking_for_html_gets_the_applications_404(bundle):
    async with app_with(bundle) as client:
        response = await client.get("/no/such/thing", headers={"accept": "application/json"})

    assert response.status_code == 404 and "root" not in response.text


async def test_paths_cannot_escape_the_bundle(bundle, tmp_path_factory):
    async with app_with(bundle) as client:
        response = await client.get("/assets/../../etc/passwd", headers={"accept": "*/*"})

    assert response.status_code == 404


async def test_without_a_bundle_the_page_says_how_to_build_it(tmp_path):
    async with app_with(tmp_path / "not-built") as client:
        response = await client.get("/", headers=HTML)

    assert response.status_code == 200
    assert "npm run build" in response.text and "dev.py start" in response.text


async def test_the_application_serves_the_client_without_any_tenant(make_client):
    client = await make_client()

    response = await client.get("/login", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
