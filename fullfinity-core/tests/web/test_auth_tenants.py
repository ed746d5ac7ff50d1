"""GET /auth/tenants: the database selector's list of active tenants, only when enabled, without
resolving a tenant (api.md 3)."""

from __future__ import annotations

import uuid

from fullfinity.tenancy.catalog import TenantInfo


async def test_the_tenant_list_is_404_unless_enabled(make_client):
    client = await make_client()

    response = await client.get("/auth/tenants")

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "NotFound" and "FULLFINITY_LIST_TENANTS=true" in error["message"]


async def test_an_enabled_tenant_list_names_and_labels_the_active_tenants_only(make_client, ff_runtime, ff_tenant):
    sleeping = f"t{uuid.uuid4().hex[:12]}"
    await ff_runtime.catalog.insert(TenantInfo(name=sleeping, database=sleeping, state="maintenance", label="Zz"))
    try:
        client = await make_client(list_tenants=True)

        response = await client.get("/auth/tenants")

        assert response.status_code == 200
        data = response.json()["data"]
        assert {"name": ff_tenant.name, "label": ff_tenant.label or ff_tenant.name} in data
        assert sleeping not in {t["name"] for t in data}
        assert all(set(t) == {"name", "label"} for t in data)
    finally:
        await ff_runtime.catalog.delete(sleeping)


async def test_the_tenant_list_resolves_no_tenant(make_client):
    client = await make_client(list_tenants=True)

    response = await client.get("/auth/tenants", headers={"X-Fullfinity-Tenant": "no-such-tenant"})

    assert response.status_code == 200 and isinstance(response.json()["data"], list)
