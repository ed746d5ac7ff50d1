"""Which tenant serves a request: custom hostname, subdomain, header, default (reference section 3)."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from fastapi import APIRouter, Request

from fullfinity import hookimpl
from fullfinity.tenancy.catalog import TenantInfo

BASE = "erp.test"


class EchoTenant:
    """A plugin whose route answers with the tenant the request was resolved to."""

    @hookimpl
    def fullfinity_register_routers(self) -> APIRouter:
        router = APIRouter()

        @router.get("/whoami")
        async def whoami(request: Request) -> dict[str, str]:
            tenant = request.state.tenant
            return {"tenant": tenant.name, "database": tenant.database}

        return router


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tenants(ff_runtime):
    """An active tenant with a custom hostname, a second active one, one in maintenance."""
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    token = uuid.uuid4().hex[:6]
    main = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, f"web-{token}", hostnames=(f"support-{token}.example.test",)
    )
    other = await create_tenant(ff_runtime.db, ff_runtime.catalog, f"other-{token}")
    closed = TenantInfo(f"closed-{token}", f"nonexistent_{token}", state="maintenance")
    await ff_runtime.catalog.insert(closed)
    yield {"main": main, "other": other, "closed": closed}
    await ff_runtime.catalog.delete(closed.name)
    for info in (main, other):
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


@pytest.fixture
async def client(make_client):
    return await make_client(plugins=[EchoTenant()], base_domain=BASE)


async def test_the_header_selects_the_tenant(client, tenants):
    response = await client.get("/whoami", headers={"X-Fullfinity-Tenant": tenants["main"].name})

    assert response.status_code == 200
    assert response.json() == {"tenant": tenants["main"].name, "database": tenants["main"].database}


async def test_a_subdomain_of_the_base_domain_selects_the_tenant(client, tenants):
    response = await client.get("/whoami", headers={"Host": f"{tenants['other'].name}.{BASE}"})

    assert response.json()["tenant"] == tenants["other"].name


async def test_the_port_and_case_of_the_host_are_ignored(client, tenants):
    response = await client.get("/whoami", headers={"Host": f"{tenants['other'].name}.ERP.test:8443"})

    assert response.json()["tenant"] == tenants["other"].name


async def test_a_custom_hostname_in_the_catalog_selects_its_tenant(client, tenants):
    response = await client.get("/whoami", headers={"Host": tenants["main"].hostnames[0]})

    assert response.json()["tenant"] == tenants["main"].name


async def test_the_default_tenant_serves_requests_naming_no_tenant(make_client, tenants):
    client = await make_client(plugins=[EchoTenant()], default_tenant=tenants["other"].name)

    response = await client.get("/whoami")

    assert response.json()["tenant"] == tenants["other"].name


async def test_the_header_wins_over_the_default_tenant(make_client, tenants):
    client = await make_client(plugins=[EchoTenant()], default_tenant=tenants["other"].name)

    response = await client.get("/whoami", headers={"X-Fullfinity-Tenant": tenants["main"].name})

    assert response.json()["tenant"] == tenants["main"].name


async def test_the_header_may_repeat_the_tenant_the_host_names(client, tenants):
    name = tenants["other"].name
    response = await client.get("/whoami", headers={"Host": f"{name}.{BASE}", "X-Fullfinity-Tenant": name})

    assert response.status_code == 200


async def test_a_header_contradicting_the_host_is_tenant_mismatch(client, tenants):
    response = await client.get(
        "/whoami", headers={"Host": f"{tenants['other'].name}.{BASE}", "X-Fullfinity-Tenant": tenants["main"].name}
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "TenantMismatch"


async def test_a_header_contradicting_a_custom_hostname_is_tenant_mismatch(client, tenants):
    response = await client.get(
        "/whoami", headers={"Host": tenants["main"].hostnames[0], "X-Fullfinity-Tenant": tenants["other"].name}
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "TenantMismatch"


async def test_an_unknown_tenant_is_404_tenant_not_found_json(client):
    response = await client.get("/whoami", headers={"X-Fullfinity-Tenant": "no-such-tenant"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"type": "TenantNotFound", "message": "Tenant 'no-such-tenant' does not exist.", "details": []}
    }


async def test_an_unknown_subdomain_is_tenant_not_found(client):
    response = await client.get("/whoami", headers={"Host": f"ghost.{BASE}"})

    assert response.status_code == 404
    assert "'ghost'" in response.json()["error"]["message"]


async def test_a_request_naming_no_tenant_is_told_how_to_name_one(client):
    response = await client.get("/whoami")

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "TenantNotFound" and "X-Fullfinity-Tenant" in error["message"]


async def test_a_deeper_subdomain_is_not_a_tenant(client, tenants):
    response = await client.get("/whoami", headers={"Host": f"www.{tenants['other'].name}.{BASE}"})

    assert response.status_code == 404


async def test_a_tenant_that_is_not_active_is_503_tenant_unavailable(client, tenants):
    response = await client.get("/whoami", headers={"X-Fullfinity-Tenant": tenants["closed"].name})

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "TenantUnavailable" and "maintenance" in error["message"]


async def test_health_needs_no_tenant(client):
    response = await client.get("/health")

    assert response.status_code == 200


async def test_an_unreachable_catalog_makes_tenant_requests_503(make_client):
    client = await make_client(
        plugins=[EchoTenant()], database_url="postgresql://nobody@127.0.0.1:1/postgres", db_acquire_timeout=2
    )

    response = await client.get("/whoami", headers={"X-Fullfinity-Tenant": "anyone"})

    assert response.status_code == 503
    assert response.json()["error"]["type"] == "ServiceUnavailable"
