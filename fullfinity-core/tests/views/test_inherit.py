"""Extensions change a view by targeting nodes semantically; a target that matches nothing is an
install error naming the extension and the target, never a silent no-op."""

from __future__ import annotations

import pytest

from fullfinity.views.inherit import apply_extensions, find, order_extensions
from fullfinity.views.validate import check_views

from ._models import extension, form_view, registry


@pytest.fixture(scope="module")
def reg():
    return registry()


def names(nodes):
    return [n.get("name") or n.get("title") or n.get("type") for n in nodes]


def node(arch, **target):
    siblings, index = find(arch, target)
    return siblings[index]


def test_each_operation_and_position_changes_the_view():
    ext = extension(
        "vw_ticket_form_sla",
        [
            {"action": "add", "target": {"field": "deadline"}, "position": "after",
             "value": {"type": "field", "name": "sla_hours", "span": 6}},
            {"action": "add", "target": {"field": "name"}, "position": "before", "value": [{"type": "divider"}]},
            {"action": "add", "target": {"type": "pageTabs"}, "position": "inside",
             "value": {"type": "tab", "name": "sla", "title": "SLA", "content": []}},
            {"action": "modify", "target": {"anchor": "ticket_main"}, "value": {"properties": {"withBorder": True}}},
            {"action": "modify", "target": {"field": "deadline"},
             "value": {"span": 12, "properties": {"required": None}}},
            {"action": "remove", "target": {"button": "action_escalate"}},
            {"action": "replace", "target": {"tab": "Description"},
             "value": {"type": "tab", "name": "description", "title": "Details", "content": []}},
            {"action": "add", "target": {"statusbar": "priority"}, "position": "replace",
             "value": {"type": "statusbar", "name": "team"}},
        ],
    )  # fmt: skip
    arch = apply_extensions(form_view(), [ext])
    row = node(arch, anchor="ticket_main")
    assert names(row["content"]) == ["divider", "name", "team", "deadline", "sla_hours", "cost", "sla_hours"]
    assert row["properties"] == {"withBorder": True}
    assert node(arch, field="deadline") == {"type": "field", "name": "deadline", "span": 12, "properties": {}}
    assert find(arch, {"button": "action_escalate"}) is None
    assert names(node(arch, type="pageTabs")["content"]) == ["description", "tasks", "sla"]
    assert node(arch, type="tab", name="description")["title"] == "Details"
    assert node(arch, type="statusbar")["name"] == "team"


def test_the_primary_view_is_not_modified_by_applying_extensions():
    primary = form_view()
    before = form_view().arch
    apply_extensions(primary, [extension("x", [{"action": "remove", "target": {"paper": "Ticket"}}])])
    assert primary.arch == before


def test_missing_targets_are_reported_with_the_extension_and_the_target(reg):
    bad = extension(
        "vw_broken",
        [
            {"action": "remove", "target": {"field": "ghost"}},
            {"action": "add", "target": {"tab": "Nope"}, "position": "after", "value": {"type": "divider"}},
            {"action": "modify", "target": {"anchor": "ticket_main"}, "value": {"span": 40}},
            {"action": "shuffle", "target": {"field": "name"}},
            {"action": "add", "target": {"field": "name"}, "value": {"type": "divider"}},
            {"action": "add", "target": {"colour": "red"}, "position": "after", "value": {"type": "divider"}},
            {"action": "add", "target": {"field": "name"}, "position": "after",
             "value": {"type": "field", "name": "zzz"}},
        ],
        file="vw_ext:views/ticket.yaml",
    )  # fmt: skip
    problems = check_views(reg, [form_view(), bad])
    by_path = {p.path: p for p in problems}
    assert set(by_path) == {
        "arch.operations.0.target",
        "arch.operations.1.target",
        "arch.operations.2.value.span",
        "arch.operations.3.action",
        "arch.operations.4.position",
        "arch.operations.5.target",
        "arch.operations.6.value.name",
    }
    missing = by_path["arch.operations.0.target"]
    assert missing.record == "vw_broken" and missing.file == "vw_ext:views/ticket.yaml"
    assert "extension vw_broken: remove target {field: ghost} matches no node of vw_ticket_form" in missing.message
    assert "{tab: Nope}" in by_path["arch.operations.1.target"].message


def test_an_extension_must_match_its_parent_and_the_parent_must_exist(reg):
    wrong_type = extension("vw_wrong", [], type="List")
    orphan = extension("vw_orphan", [], inherited_view="vw_missing")
    problems = {p.record: p.message for p in check_views(reg, [form_view(), wrong_type, orphan])}
    assert "same model and type" in problems["vw_wrong"]
    assert "'vw_missing' does not exist" in problems["vw_orphan"]


def test_extensions_apply_in_module_order_then_sequence_then_identifier():
    views = [
        extension("c_late", [], module="crm", sequence=1),
        extension("b_second", [], module="base", sequence=20),
        extension("a_first", [], module="base", sequence=5),
        extension("z_child", [], module="base", inherited_view="c_late"),
    ]
    ordered = order_extensions(views, ["core", "base", "crm"])
    assert [v.identifier for v in ordered] == ["a_first", "b_second", "c_late", "z_child"]


def test_an_extension_of_an_extension_targets_what_its_parent_added(reg):
    first = extension(
        "vw_first",
        [{"action": "add", "target": {"type": "pageTabs"}, "position": "inside",
          "value": {"type": "tab", "name": "sla", "title": "SLA", "content": []}}],
        module="vw_a",
    )  # fmt: skip
    second = extension(
        "vw_second",
        [{"action": "add", "target": {"tab": "SLA"}, "position": "inside",
          "value": {"type": "field", "name": "sla_hours"}}],
        inherited_view="vw_first",
        module="vw_a",
    )  # fmt: skip
    assert check_views(reg, [form_view(), second, first]) == []
    arch = apply_extensions(form_view(), order_extensions([second, first], ["vw_a"]))
    assert names(node(arch, tab="SLA")["content"]) == ["sla_hours"]


def test_a_target_removed_by_a_group_extension_is_skipped_for_everyone_else(reg):
    managers_only = extension(
        "vw_mgr", [{"action": "remove", "target": {"field": "deadline"}}], groups=("vw_manager",), module="vw_a"
    )
    later = extension(
        "vw_later",
        [{"action": "modify", "target": {"field": "deadline"}, "value": {"span": 3}}],
        module="vw_b",
    )
    assert check_views(reg, [form_view(), managers_only, later]) == []
    chain = order_extensions([later, managers_only], ["vw_a", "vw_b"])
    for_managers = apply_extensions(form_view(), chain)
    for_others = apply_extensions(form_view(), chain, admits=lambda v: not v.groups)
    assert find(for_managers, {"field": "deadline"}) is None
    assert node(for_others, field="deadline")["span"] == 3
