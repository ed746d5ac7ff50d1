"""A view is resolved per user: hidden nodes and unreadable fields removed, Q strings sent as JSON
trees, the fields to fetch and their metadata included."""

from __future__ import annotations

import pytest

from fullfinity.engine.access.control import AccessProfile
from fullfinity.views.arch import check_view, walk
from fullfinity.views.defaults import DEFAULT_TYPES, default_view
from fullfinity.views.resolve import choose_primary, resolve_view
from fullfinity.views.viewer import Viewer

from ._models import MODELS, extension, form_view, registry

ALL = ("VwTicket", "VwTeam", "VwTask", "VwTag")


def viewer(*groups: str, models=ALL) -> Viewer:
    rights = {m: frozenset({"read"}) for m in models}
    return Viewer(
        AccessProfile(uid=7, group_ids=frozenset(range(len(groups))), group_names=frozenset(groups), rights=rights)
    )


@pytest.fixture(scope="module")
def reg():
    return registry()


def shown(resolved):
    return [n.get("name") or n["properties"].get("method") for block in resolved["arch"]
            for n, _ in walk(block["content"], "") if n["type"] in ("field", "actionButton", "statusbar")]  # fmt: skip


def test_a_manager_sees_everything_and_others_lose_restricted_nodes_and_fields(reg):
    manager = resolve_view(reg, form_view(), [], viewer("vw_manager", "core_internal"))
    internal = resolve_view(reg, form_view(), [], viewer("core_internal"))
    assert {"cost", "sla_hours", "action_close"} <= set(shown(manager))
    assert not {"cost", "sla_hours", "action_close"} & set(shown(internal))
    assert "cost" in manager["models"]["VwTicket"] and "cost" not in internal["models"]["VwTicket"]
    assert "cost" in manager["fetch"] and "cost" not in internal["fetch"]


def test_embedded_lists_vanish_for_users_who_cannot_read_their_model(reg):
    internal = resolve_view(reg, form_view(), [], viewer("core_internal"))
    no_tasks = resolve_view(reg, form_view(), [], viewer("core_internal", models=("VwTicket", "VwTeam")))
    assert "tasks" in shown(internal) and "tasks.done" in internal["fetch"]
    assert "tasks" not in shown(no_tasks) and "tasks.done" not in no_tasks["fetch"]
    assert internal["models"]["VwTask"]["done"]["type"] == "Boolean"


def test_q_strings_become_json_trees_and_their_fields_are_fetched(reg):
    resolved = resolve_view(reg, form_view(), [], viewer("core_internal"))
    deadline = next(n for n, _ in walk(resolved["arch"][0]["content"], "") if n.get("name") == "deadline")
    assert deadline["properties"]["required"] == {"path": "priority", "lookup": "eq", "value": "urgent"}
    assert resolved["fetch"][:2] == ["id", "display_name"]
    assert {"priority", "name", "team", "deadline", "body", "tasks", "tasks.name"} <= set(resolved["fetch"])
    assert resolved["models"]["VwTicket"]["priority"]["selection"][0] == ["low", "low"]
    assert resolved["methods"] == {"action_escalate": {}}


def test_a_method_declaring_a_confirmation_sends_it_with_the_view(reg):
    arch = [{"content": [{"type": "actionButton", "properties": {"method": "action_merge"}}]}]
    view = form_view(type="List", arch=arch)

    resolved = resolve_view(reg, view, [], viewer("core_internal"))

    assert resolved["methods"]["action_merge"]["confirm"] == {
        "title": "Merge",
        "message": "Merge {count} ticket(s)?",
        "confirm_variant": "danger",
    }


def test_a_kanban_of_a_model_with_sequence_fetches_it_so_cards_can_be_reordered(reg):
    arch = [{"content": [{"type": "field", "name": "name"}]}]
    tasks = resolve_view(reg, form_view(type="Kanban", model="VwTask", arch=arch), [], viewer("core_internal"))
    tickets = resolve_view(reg, form_view(type="Kanban", arch=arch), [], viewer("core_internal"))

    assert "sequence" in tasks["fetch"] and tasks["models"]["VwTask"]["sequence"]["type"] == "Integer"
    assert "sequence" not in tickets["fetch"]


def test_group_restricted_extensions_apply_only_to_their_groups(reg):
    ext = extension(
        "vw_mgr_tab",
        [{"action": "add", "target": {"type": "pageTabs"}, "position": "inside",
          "value": {"type": "tab", "name": "money", "title": "Money", "content": [{"type": "field", "name": "body"}]}}],
        groups=("vw_manager",),
    )  # fmt: skip
    tabs = lambda r: [n["name"] for n, _ in walk(r["arch"][0]["content"], "") if n["type"] == "tab"]  # noqa: E731
    assert tabs(resolve_view(reg, form_view(), [ext], viewer("vw_manager"))) == ["description", "tasks", "money"]
    assert tabs(resolve_view(reg, form_view(), [ext], viewer("core_internal"))) == ["description", "tasks"]


def test_the_primary_view_is_the_lowest_sequence_one_the_user_may_have():
    everyone = form_view(identifier="a", sequence=20)
    managers = form_view(identifier="b", sequence=5, groups=("vw_manager",))
    views = [everyone, managers]
    assert choose_primary(views, "VwTicket", "Form", viewer("vw_manager")) is managers
    assert choose_primary(views, "VwTicket", "Form", viewer("core_internal")) is everyone
    assert choose_primary(views, "VwTicket", "List", viewer("core_internal")) is None


@pytest.mark.parametrize("view_type", DEFAULT_TYPES)
def test_every_model_gets_a_valid_default_view_of_each_type(reg, view_type):
    for model in MODELS:
        view = default_view(reg.get(model.__name__), view_type)
        assert view is not None
        assert check_view(view, reg) == [], (model.__name__, view_type)
        resolved = resolve_view(reg, view, [], viewer("core_internal"))
        assert resolved["identifier"] is None and resolved["arch"]


def test_default_views_show_the_name_and_search_by_it(reg):
    ticket = reg.get("VwTicket")
    resolved = resolve_view(reg, default_view(ticket, "List"), [], viewer("core_internal"))
    assert shown(resolved)[0] == "name" and "cost" not in shown(resolved)
    search = resolve_view(reg, default_view(ticket, "Search"), [], viewer("core_internal"))
    nodes = search["arch"][0]["content"]
    assert nodes[0] == {"type": "field", "name": "name", "properties": {"lookup": "name__icontains"}}
    assert {"type": "filter", "name": "archived", "properties": {"label": "Archived", "q_filter": {
        "path": "active", "lookup": "eq", "value": False}}} in nodes  # fmt: skip
    assert [n["name"] for n in nodes if n["type"] == "groupBy"] == ["priority", "team"]
    assert search["fetch"] == []
    form = resolve_view(reg, default_view(ticket, "Form"), [], viewer("core_internal"))
    assert {"tasks", "tags", "tasks.name"} <= set(form["fetch"])


def test_list_decorations_become_json_trees_and_their_fields_are_fetched(reg):
    arch = [{"decorations": {"danger": "Q(priority='urgent')"}, "content": [{"type": "field", "name": "name"}]}]

    resolved = resolve_view(reg, form_view(type="List", arch=arch), [], viewer("core_internal"))

    assert resolved["arch"][0]["decorations"] == {"danger": {"path": "priority", "lookup": "eq", "value": "urgent"}}
    assert "priority" in resolved["fetch"]
