"""/api/execute also calls what the user's views expose (api.md 4.7, views.md 8): the ``action_*`` methods
of the ``actionButton``s of a view of the model the user sees, and a view's ``data_method``. The methods
used here (``action_reopen``, ``action_review``, ``action_audit``, ``helper_total``, ``ui_board``) are
not decorated with ``@Model.expose``."""

from __future__ import annotations

import contextlib

import pytest


def form(*methods, groups=None):
    """A Form arch: one button per method (with node ``groups`` if given), then the name field."""
    extra = {"groups": groups} if groups else {}
    buttons = [{"type": "actionButton", "properties": {"method": m, "label": m, **extra}} for m in methods]
    return [{"content": [*buttons, {"type": "field", "name": "name"}]}]


@contextlib.asynccontextmanager
async def view(api, arch, *, type="Form", groups=(), inherited_view=None):
    """A UiView of ApiTicket for the duration of the block (written and removed in their own transactions)."""
    async with api.env(api.app.state.test_runtime) as env:
        group_ids = [(await env["Group"].filter(name=g).first()).id for g in groups]
        record = await env["UiView"].create(
            name="test view", type=type, model="ApiTicket", arch=arch, groups=group_ids, inherited_view=inherited_view
        )
    try:
        yield record.id
    finally:
        async with api.env(api.app.state.test_runtime) as env:
            await (await env["UiView"].get(record.id)).delete()


@pytest.fixture
async def ticket(api):
    created = await api.post("/api/create/ApiTicket", {"name": "Buttons", "priority": "urgent"})
    return created.json()["id"]


async def call(api, method, body, user="ann"):
    return await api.post(f"/api/execute/ApiTicket/{method}", body, user=user)


async def test_an_action_method_on_a_button_of_a_view_the_user_sees_is_callable(api, ticket):
    async with view(api, form("action_reopen")):
        response = await call(api, "action_reopen", {"ids": [ticket]})
    assert response.status_code == 200, response.text
    assert response.json() == {"result": {"type": "reload", "count": 1}}
    fetched = await api.post(f"/api/fetch/ApiTicket/{ticket}", {"fields": ["priority"]})
    assert fetched.json()["priority"] == "normal"


async def test_an_action_method_no_view_references_is_404_like_an_unknown_name(api, ticket):
    unreferenced = await call(api, "action_reopen", {"ids": [ticket]})
    unknown = await call(api, "action_no_such_thing", {"ids": [ticket]})
    assert unreferenced.status_code == unknown.status_code == 404
    assert unreferenced.json()["error"]["type"] == "NotFound"
    message = unreferenced.json()["error"]["message"]
    assert message == unknown.json()["error"]["message"].replace("action_no_such_thing", "action_reopen")


async def test_removing_the_view_withdraws_the_method_at_once(api, ticket):
    async with view(api, form("action_reopen")):
        assert (await call(api, "action_reopen", {"ids": [ticket]})).status_code == 200
    assert (await call(api, "action_reopen", {"ids": [ticket]})).status_code == 404


async def test_a_method_only_on_a_view_restricted_to_a_group_the_user_lacks_is_404(api, ticket):
    async with view(api, form("action_review"), groups=["API manager"]):
        ann = await call(api, "action_review", {"ids": [ticket]})
        boss = await call(api, "action_review", {"ids": [ticket]}, user="boss")
    assert ann.status_code == 404 and ann.json()["error"]["type"] == "NotFound"
    assert boss.status_code == 200, boss.text
    assert boss.json()["result"]["title"] == "Reviewed"


async def test_a_button_hidden_by_its_node_groups_does_not_expose_its_method(api, ticket):
    async with view(api, form("action_audit", groups=["apit_manager"])):
        ann = await call(api, "action_audit", {"ids": [ticket]})
        boss = await call(api, "action_audit", {"ids": [ticket]}, user="boss")
    assert ann.status_code == 404
    assert boss.status_code == 200, boss.text


async def test_a_button_added_by_an_extension_view_exposes_its_method(api, ticket):
    add = {"action": "add", "target": {"field": "name"}, "position": "after"}
    button = {"type": "actionButton", "properties": {"method": "action_audit", "label": "Audit"}}
    async with view(api, form()) as primary:
        async with view(api, {"operations": [{**add, "value": button}]}, inherited_view=primary):
            response = await call(api, "action_audit", {"ids": [ticket]})
        async with view(
            api, {"operations": [{**add, "value": button}]}, inherited_view=primary, groups=["API manager"]
        ):
            restricted = await call(api, "action_audit", {"ids": [ticket]})
    assert response.status_code == 200, response.text
    assert restricted.status_code == 404


async def test_a_data_method_of_a_view_the_user_sees_is_callable(api):
    arch = [{"data_method": "ui_board", "content": [{"type": "field", "name": "name"}]}]
    async with view(api, arch, type="List"):
        response = await call(api, "ui_board", {"kwargs": {"params": {"priority": "low"}}})
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"data": [{"id": api.ids["u1"], "name": "Unassigned"}], "total": 1}
    assert (await call(api, "ui_board", {"kwargs": {"params": {}}})).status_code == 404  # the view is gone


async def test_views_never_expose_framework_methods_private_names_or_buttons_not_named_action(api, ticket):
    arch = [{"data_method": "delete", "content": [{"type": "field", "name": "name"}]}]
    async with view(api, form("helper_total", "save", "delete", "_default_get")), view(api, arch, type="List"):
        for name in ("helper_total", "save", "delete", "_default_get"):
            response = await call(api, name, {"ids": [ticket]})
            assert response.status_code == 404, name
    fetched = await api.post(f"/api/fetch/ApiTicket/{ticket}", {"fields": ["name"]})
    assert fetched.status_code == 200
