"""GET /health: status, version, database, cache and tenant count."""

from __future__ import annotations

from fullfinity import __version__

BOGUS_DATABASE = "postgresql://nobody@127.0.0.1:1/postgres"


async def test_health_reports_ok_with_version_database_cache_and_tenant_count(make_client, ff_runtime, ff_tenant):
    client = await make_client()

    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "cache": "local",
        "tenants": await ff_runtime.catalog.count(),
    }


async def test_health_is_503_when_the_catalog_database_is_unreachable(make_client):
    client = await make_client(database_url=BOGUS_DATABASE, db_acquire_timeout=2)

    response = await client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "error" and body["tenants"] is None


async def test_health_reports_a_reachable_cache_server_as_ok(make_client, valkey_url):
    client = await make_client(cache_url=valkey_url)

    body = (await client.get("/health")).json()

    assert body["cache"] == "ok" and body["status"] == "ok"


async def test_an_unreachable_cache_server_degrades_health_but_keeps_200(make_client):
    client = await make_client(cache_url="redis://127.0.0.1:1/0")

    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json()["cache"] == "degraded" and response.json()["status"] == "degraded"
