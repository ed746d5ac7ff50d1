"""Demo tenants ship users with the passwords documented in README.md; other tenants do not."""

from __future__ import annotations

from fullfinity.engine.records.identifiers import resolve
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import login, on

DEMO_LOGINS = {
    "user@demo.example.com": ("demo-user-password", "Internal User"),
    "ada.brooks@northwind.example": ("demo-portal-password", "Portal"),
}


async def test_the_documented_demo_users_log_in_with_their_documented_passwords(ff_runtime, new_tenant, make_client):
    info = await new_tenant(demo=True)
    client = await make_client()
    for email, (password, group) in DEMO_LOGINS.items():
        assert (await login(client, info.name, email, password))["access_token"]
        async with tenant_env(info.name, runtime=ff_runtime) as env:
            user = await env["User"].filter(email=email).get()
            await user.fetch_related("groups")
            assert [g.name for g in user.groups] == [group], email
    internal = await login(client, info.name, "user@demo.example.com", "demo-user-password")
    contacts = await client.post("/api/query/Contact", json={}, headers=on(info.name, internal["access_token"]))
    assert contacts.status_code == 200 and contacts.json()["total"] >= 1, contacts.text


async def test_the_demo_portal_user_is_linked_to_the_demo_contact(ff_runtime, new_tenant):
    info = await new_tenant(demo=True)
    async with tenant_env(info.name, runtime=ff_runtime) as env:
        portal = await env["User"].filter(id=await resolve(env, "core_demo_user_portal", "User")).get()
        assert portal.contact.id == await resolve(env, "core_demo_contact_ada", "Contact")


async def test_tenants_without_demo_data_have_no_demo_users(ff_runtime, new_tenant):
    info = await new_tenant()
    async with tenant_env(info.name, runtime=ff_runtime) as env:
        assert await env["User"].filter(email__in=list(DEMO_LOGINS)).count() == 0
