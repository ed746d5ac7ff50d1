"""Views shipped by three modules, installed in a real tenant: inheritance across modules, refusal
of broken extensions with every problem listed, and resolution per user type."""

from __future__ import annotations

import datetime as dt

import pytest
from installer.conftest import unique

from fullfinity.exceptions import AccessError, BadRequest, NotFound
from fullfinity.installer import install_modules
from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import installed_modules
from fullfinity.testing.auth import PASSWORD, add_user, login, on
from fullfinity.views.arch import walk
from fullfinity.views.exceptions import ViewValidationError
from fullfinity.views.search import search_filter, search_filters
from fullfinity.views.service import get_action, get_menus, get_view

from ._modules import rediscover, three_modules


def nodes_of(resolved, kind):
    return [n for block in resolved["arch"] for n, _ in walk(block["content"], "") if n["type"] == kind]


def field_names(resolved):
    return [n["name"] for n in nodes_of(resolved, "field")]


@pytest.fixture
async def world(ff_runtime, modules, new_tenant):
    info = await new_tenant()
    a, b, c, model = three_modules(modules)
    await install_modules(ff_runtime.db, info, [c])
    users = {}
    for who, groups in (("adm", ["core_admin"]), ("ann", ["core_internal"]), ("pat", ["core_portal"])):
        users[who] = await add_user(ff_runtime, info.name, f"{who}@example.test", PASSWORD, groups)
    return {"info": info, "a": a, "b": b, "c": c, "model": model, "users": users}


def as_user(ff_runtime, world, who):
    return tenant_env(world["info"].name, user=world["users"][who], runtime=ff_runtime)


async def test_extensions_of_three_modules_apply_in_dependency_order(ff_runtime, world):
    async with as_user(ff_runtime, world, "ann") as env:
        form = await get_view(env, world["model"], "Form")
    assert form["identifier"] == f"{world['a']}_form"
    row = next(n for n in nodes_of(form, "row"))
    assert [n["name"] for n in row["content"]] == ["name", "deadline", "sla_hours"]  # B added, cost hidden
    assert row["content"][2]["span"] == 4  # C modified what B added
    assert [t["title"] for t in nodes_of(form, "tab")] == ["Description", "Service level"]  # B removed, C replaced
    assert nodes_of(form, "statusbar") == []  # C removed
    assert form["models"][world["model"]]["sla_hours"]["type"] == "Integer"


async def test_resolution_differs_between_an_admin_an_internal_user_and_a_portal_user(ff_runtime, world):
    resolved = {}
    for who in ("adm", "ann", "pat"):
        async with as_user(ff_runtime, world, who) as env:
            resolved[who] = await get_view(env, world["model"], "Form")
    assert field_names(resolved["adm"]) == ["name", "deadline", "sla_hours", "cost", "owner", "deadline"]
    assert field_names(resolved["ann"]) == ["name", "deadline", "sla_hours", "owner", "deadline"]
    assert field_names(resolved["pat"]) == ["name", "deadline", "sla_hours", "deadline"]
    assert [n["properties"]["method"] for n in nodes_of(resolved["adm"], "actionButton")] == ["action_escalate"]
    assert nodes_of(resolved["ann"], "actionButton") == nodes_of(resolved["pat"], "actionButton") == []
    deadline = nodes_of(resolved["pat"], "field")[1]
    assert deadline["properties"]["required"] == {"path": "priority", "lookup": "eq", "value": "urgent"}


async def test_menus_and_actions_follow_the_users_groups(ff_runtime, world):
    a = world["a"]
    menus = {}
    for who in ("adm", "ann", "pat"):
        async with as_user(ff_runtime, world, who) as env:
            menus[who] = {m["identifier"]: [c["identifier"] for c in m["children"]] for m in await get_menus(env)}
    assert menus["ann"][f"{a}_root"] == [f"{a}_all"]
    assert menus["pat"] == {f"{a}_root": [f"{a}_mine"]}  # core's Contacts and Settings need other groups
    assert "core_settings_root" in menus["adm"] and "core_settings_root" not in menus["ann"]
    async with as_user(ff_runtime, world, "ann") as env:
        action = await get_action(env, f"{a}_action")
        assert action["views"] == [
            {"type": "List", "view": f"{a}_list"},
            {"type": "Form", "view": f"{a}_form"},
            {"type": "Kanban", "view": None},
        ]
        assert action["order_by"] == ["deadline ASC"] and action["limit"] == 80
        with pytest.raises(NotFound):
            await get_action(env, f"{a}_portal_action")
        kanban = await get_view(env, world["model"], "Kanban")  # no Kanban view: a default one
        assert kanban["identifier"] is None and "name" in field_names(kanban)
    async with as_user(ff_runtime, world, "pat") as env:
        with pytest.raises(NotFound):
            await get_action(env, f"{a}_action")
        with pytest.raises(AccessError):
            await get_view(env, "User", "Form")


async def test_search_filters_by_name_combine_and_filter_records(ff_runtime, world):
    model, ann = world["model"], world["users"]["ann"]
    async with as_user(ff_runtime, world, "ann") as env:
        ticket = env[model]
        yesterday = dt.date.today() - dt.timedelta(days=1)
        await ticket.create(name="mine-urgent", owner=ann, priority="urgent", deadline=yesterday)
        await ticket.create(name="mine-calm", owner=ann, priority="low")
        await ticket.create(name="other-urgent", priority="urgent", deadline=yesterday)
        await ticket.create(name="other-late", priority="low", deadline=yesterday)

        async def names(*filters: str) -> list[str]:
            q = await search_filters(env, model, list(filters))
            return sorted(r.name for r in await ticket.filter(q.resolve(env.bindings())))

        assert await names("mine") == ["mine-calm", "mine-urgent"]
        assert await names("mine", "urgent") == ["mine-calm", "mine-urgent", "other-urgent"]  # same group: OR
        assert await names("urgent", "overdue") == ["mine-urgent", "other-urgent"]  # across dividers: AND
        assert str(await search_filter(env, model, "urgent")) == "Q(priority='urgent')"
        with pytest.raises(BadRequest, match="available: mine, overdue, urgent"):
            await search_filter(env, model, "boss")  # the admins' filter is not this user's


async def test_views_actions_and_menus_over_http(ff_runtime, world, make_client):
    client = await make_client()
    tenant, model = world["info"].name, world["model"]
    adm = (await login(client, tenant, "adm@example.test"))["access_token"]
    pat = (await login(client, tenant, "pat@example.test"))["access_token"]
    form = await client.get(f"/api/views/{model}", params={"type": "Form"}, headers=on(tenant, adm))
    assert form.status_code == 200, form.text
    assert "cost" in form.json()["fetch"]
    search = await client.get(f"/api/views/{model}", params={"type": "Search"}, headers=on(tenant, pat))
    assert [f["name"] for group in search.json()["search"]["filters"] for f in group] == ["mine", "urgent", "overdue"]
    menus = await client.get("/api/menus", headers=on(tenant, pat))
    assert [m["identifier"] for m in menus.json()["data"]] == [f"{world['a']}_root"]
    missing = await client.get(f"/api/action/{world['a']}_action", headers=on(tenant, pat))
    assert missing.status_code == 404
    anonymous = await client.get("/api/menus", headers=on(tenant))
    assert anonymous.status_code == 401


async def test_an_install_with_broken_views_is_refused_with_every_problem(ff_runtime, modules, new_tenant):
    info = await new_tenant()
    a, _b, c, model = three_modules(modules)
    bad = unique("vwbad")
    ops = [
        {"action": "remove", "target": {"field": "ghost"}},
        {"action": "add", "target": {"field": "name"}, "position": "after",
         "value": {"type": "field", "name": "deadline", "properties": {"widget": "Checkbox"}}},
        {"action": "modify", "target": {"tab": "SLA"}, "value": {"title": "x"}},  # C replaced it
    ]  # fmt: skip
    modules.add(
        bad,
        dependencies=[c],
        files={
            "views/bad.yaml": [
                {"data_type": "UiView", "identifier": f"{bad}_form", "type": "Form", "model": model,
                 "inherited_view": f"{a}_form", "arch": {"operations": ops}},
                {"data_type": "UiView", "identifier": f"{bad}_kanban", "type": "Kanban", "model": model,
                 "arch": [{"drag_fields": ["notes"], "content": [{"type": "field", "name": "name",
                                                                  "properties": {"visible": "Q(owner__name='x')"}}]}]},
                {"data_type": "WindowAction", "identifier": f"{bad}_action", "name": "Broken", "model": model,
                 "view_types": ["List", "Pivot"], "q_filter": "Q(ghost=1)"},
            ]
        },
    )  # fmt: skip
    rediscover()
    with pytest.raises(ViewValidationError) as caught:
        await install_modules(ff_runtime.db, info, [bad])
    problems = {(p.record, p.path): p for p in caught.value.problems}
    assert set(problems) == {
        (f"{bad}_form", "arch.operations.0.target"),
        (f"{bad}_form", "arch.operations.1.value.properties.widget"),
        (f"{bad}_form", "arch.operations.2.target"),
        (f"{bad}_kanban", "arch.0.drag_fields.0"),
        (f"{bad}_kanban", "arch.0.content.0.properties.visible"),
        (f"{bad}_action", "view_types.1"),
        (f"{bad}_action", "q_filter"),
    }
    assert all(p.file == f"{bad}:views/bad.yaml" for p in caught.value.problems)
    assert "{field: ghost}" in problems[(f"{bad}_form", "arch.operations.0.target")].message
    assert bad not in await installed_modules(ff_runtime.db, info)
    assert a not in await installed_modules(ff_runtime.db, info)  # the whole operation rolled back
