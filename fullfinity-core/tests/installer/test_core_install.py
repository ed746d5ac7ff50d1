"""A new tenant gets core installed: every core table, the identifier registry and core's data files."""

from __future__ import annotations

from fullfinity.engine.env import SYSTEM_UID
from fullfinity.engine.module_registry import discover_modules
from fullfinity.engine.records.identifiers import resolve


async def test_core_install_creates_every_core_table_and_the_identifier_table(ff_runtime, new_tenant):
    info = await new_tenant()

    async with ff_runtime.db.connection(info.server, info.database) as conn:
        tables = {r["t"] for r in await conn.fetch("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")}
    expected = {"group", "user", "model_access", "record_rule", "company", "contact", "currency", "country"}
    expected |= {"module", "module_category", "model_registry", "configuration", "ff_identifier"}
    assert expected <= tables


async def test_core_ships_the_built_in_groups_with_admin_implying_internal(new_tenant, env_of):
    info = await new_tenant()

    async with env_of(info) as env:
        Group = env["Group"]
        groups = {}
        for ident in ("core_internal", "core_portal", "core_public", "core_admin"):
            groups[ident] = await Group.get(await resolve(env, ident, "Group"))
        admin = await Group.filter(id=groups["core_admin"].id).get()
        await admin.fetch_related("implied_groups")

    assert [g.id for g in admin.implied_groups] == [groups["core_internal"].id]
    user_types = [groups[i] for i in ("core_internal", "core_portal", "core_public")]
    assert {g.category for g in user_types} == {"User Types"} and all(g.exclusive for g in user_types)


async def test_a_user_holds_one_group_of_an_exclusive_category_from_either_side(new_tenant, env_of):
    import pytest

    from fullfinity.engine.base import ValidationError

    info = await new_tenant()
    async with env_of(info) as env:
        internal = await env["Group"].get(await resolve(env, "core_internal", "Group"))
        portal = await env["Group"].get(await resolve(env, "core_portal", "Group"))
        admin = await env["Group"].get(await resolve(env, "core_admin", "Group"))
        user = await env["User"].create(name="Both", email="both@example.test", groups=[internal.id, admin.id])
        user.groups = [["L", portal.id]]
        with pytest.raises(ValidationError) as by_user:
            async with env.transaction():
                await user.save()
        portal.users = [["L", user.id]]
        with pytest.raises(ValidationError) as by_group:
            async with env.transaction():
                await portal.save()
    assert by_user.value.details[0]["path"] == "groups"
    assert "exclusive category 'User Types'" in by_user.value.details[0]["message"]
    assert by_group.value.details[0]["path"] == "users"


async def test_the_system_user_is_user_one_and_the_guest_user_has_no_password(new_tenant, env_of):
    info = await new_tenant()

    async with env_of(info) as env:
        system_id = await resolve(env, "core_user_system", "User")
        guest = await env["User"].get(await resolve(env, "core_user_public", "User"))
        await guest.fetch_related("groups")

    assert system_id == SYSTEM_UID
    assert guest.password_hash is None
    assert [g.name for g in guest.groups] == ["Public"]


async def test_administrators_have_full_rights_and_internal_users_read_reference_data(new_tenant, env_of):
    info = await new_tenant()

    async with env_of(info) as env:
        rows = await env["ModelAccess"].filter().with_fields("model", "group", "read_perm", "write_perm")
        admin = await resolve(env, "core_admin", "Group")
        internal = await resolve(env, "core_internal", "Group")

    admin_models = {r.model for r in rows if r.group.id == admin and r.read_perm and r.write_perm}
    internal_read = {r.model for r in rows if r.group.id == internal and r.read_perm and not r.write_perm}
    assert {"Group", "User", "ModelAccess", "RecordRule", "Contact", "Company", "Module"} <= admin_models
    assert internal_read == {"Contact", "Company", "Currency", "Country"}


async def test_module_records_list_every_available_module_with_core_installed(new_tenant, env_of):
    info = await new_tenant()

    async with env_of(info) as env:
        records = {m.identifier: m for m in await env["Module"].filter()}
        category = await env["ModuleCategory"].get(records["core"].category.id)

    assert set(records) == set(discover_modules())
    core = records["core"]
    assert (core.state, core.installed_version) == ("installed", discover_modules()["core"].version)
    assert category.name == "Productivity Tools"


async def test_model_registry_has_one_record_per_model(new_tenant, env_of):
    info = await new_tenant()

    async with env_of(info) as env:
        names = {m.name: m for m in await env["ModelRegistry"].filter()}
        registry_models = set(env.registry.models)

    assert set(names) == registry_models
    assert names["Contact"].table_name == "contact" and names["Contact"].modules == "core"


async def test_demo_contacts_are_loaded_only_in_demo_tenants(new_tenant, env_of):
    plain = await new_tenant()
    demo = await new_tenant(demo=True)

    async with env_of(plain) as env:
        plain_count = await env["Contact"].filter(email__endswith="northwind.example").count()
    async with env_of(demo) as env:
        ada = await env["Contact"].get(await resolve(env, "core_demo_contact_ada", "Contact"))
        parent = await env["Contact"].get(ada.parent.id)

    assert plain_count == 0
    assert parent.name == "Northwind Logistics"


async def test_company_and_admin_email_are_set_per_tenant(new_tenant, env_of):
    info = await new_tenant(company="Acme Inc.", admin_email="boss@acme.example")

    async with env_of(info) as env:
        company = await env["Company"].get(await resolve(env, "core_main_company"))
        admin = await env["User"].get(await resolve(env, "core_user_admin"))
        config = await env["Configuration"].get(await resolve(env, "core_configuration"))

    assert company.name == "Acme Inc." and admin.email == "boss@acme.example"
    assert config.company.id == company.id
