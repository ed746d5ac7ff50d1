"""A view is checked against the composed models before it is accepted: every problem at once,
each with the place in the arch."""

from __future__ import annotations

import pytest

from fullfinity.views.arch import check_view
from fullfinity.views.records import ViewDef

from ._models import form_view, registry


@pytest.fixture(scope="module")
def reg():
    return registry()


def paths(problems):
    return {path for path, _ in problems}


def test_a_correct_form_has_no_problem(reg):
    assert check_view(form_view(), reg) == []


def test_every_problem_of_a_view_is_reported_with_its_path(reg):
    arch = [
        {
            "content": [
                {"type": "field", "name": "nope"},
                {"type": "field", "name": "deadline", "properties": {"widget": "Checkbox"}},
                {"type": "field", "name": "name", "properties": {"visible": "Q(name=="}},
                {"type": "field", "name": "team", "properties": {"readonly": "Q(team__name='x')"}},
                {"type": "actionButton", "properties": {"method": "helper"}},
                {"type": "bogus"},
                {"type": "linkButton", "name": "l", "properties": {"action": "no_such_action"}},
            ]
        }
    ]
    problems = check_view(ViewDef("v", "Form", "VwTicket", arch), reg, actions=frozenset({"other"}))
    messages = dict(problems)
    assert paths(problems) == {
        "arch.0.content.0.name",
        "arch.0.content.1.properties.widget",
        "arch.0.content.2.properties.visible",
        "arch.0.content.3.properties.readonly",
        "arch.0.content.4.properties.method",
        "arch.0.content.5",
        "arch.0.content.6.properties.action",
    }
    assert "VwTicket has no field 'nope'" in messages["arch.0.content.0.name"]
    assert "widget 'Checkbox' does not fit VwTicket.deadline (Date)" in messages["arch.0.content.1.properties.widget"]
    assert "DateInput" in messages["arch.0.content.1.properties.widget"]
    assert "not a valid Q string" in messages["arch.0.content.2.properties.visible"]
    assert "related or computed field" in messages["arch.0.content.3.properties.readonly"]
    assert "not an exposed method" in messages["arch.0.content.4.properties.method"]
    assert "unknown node type 'bogus'" in messages["arch.0.content.5"]
    assert "no WindowAction has the identifier 'no_such_action'" in messages["arch.0.content.6.properties.action"]


def test_modifiers_may_use_a_relation_id_a_date_part_and_emptiness_of_x2many(reg):
    arch = [
        {
            "content": [
                {"type": "field", "name": "name", "properties": {"visible": "Q(team__id__eq=uid)"}},
                {"type": "field", "name": "body", "properties": {"visible": "Q(deadline__year=2026)"}},
                {"type": "field", "name": "cost", "properties": {"visible": "Q(tasks__isnull=False)"}},
            ]
        }
    ]
    assert check_view(ViewDef("v", "Form", "VwTicket", arch), reg) == []
    bad = [{"content": [{"type": "field", "name": "name", "properties": {"visible": "Q(tasks__name='x')"}}]}]
    assert "isnull/isnotnull" in check_view(ViewDef("v", "Form", "VwTicket", bad), reg)[0][1]


def test_kanban_drag_fields_must_be_groupable(reg):
    arch = [{"drag_fields": ["priority", "body", "tags", "ghost"], "content": [{"type": "field", "name": "name"}]}]
    problems = dict(check_view(ViewDef("v", "Kanban", "VwTicket", arch), reg))
    assert set(problems) == {"arch.0.drag_fields.1", "arch.0.drag_fields.2", "arch.0.drag_fields.3"}
    assert "cannot be a Kanban column" in problems["arch.0.drag_fields.1"]


def test_kanban_columns_fold_by_a_boolean_of_the_column_model_and_quick_create_is_a_flag(reg):
    good = [{"drag_fields": ["team"], "fold_field": "folded", "quick_create": True, "content": []}]
    assert check_view(ViewDef("v", "Kanban", "VwTicket", good), reg) == []
    bad = [
        {"drag_fields": ["team"], "fold_field": "name", "quick_create": "yes", "content": []},
        {"drag_fields": ["priority"], "fold_field": "folded", "content": []},
    ]
    problems = dict(check_view(ViewDef("v", "Kanban", "VwTicket", bad), reg))
    assert set(problems) == {"arch.0.fold_field", "arch.0.quick_create", "arch.1.fold_field"}
    assert "VwTeam has no stored Boolean field 'name'" in problems["arch.0.fold_field"]
    assert "first field is a ManyToOne" in problems["arch.1.fold_field"]


def test_kanban_column_filter_is_a_q_string_over_the_column_model(reg):
    good = [{"drag_fields": ["team"], "column_filter": "Q(folded=False) | Q(name__icontains='x')", "content": []}]
    assert check_view(ViewDef("v", "Kanban", "VwTicket", good), reg) == []
    bad = [
        {"drag_fields": ["team"], "column_filter": "Q(ghost=1)", "content": []},
        {"drag_fields": ["team"], "column_filter": ["Q(folded=False)"], "content": []},
        {"drag_fields": ["priority"], "column_filter": "Q(folded=False)", "content": []},
    ]
    problems = dict(check_view(ViewDef("v", "Kanban", "VwTicket", bad), reg))
    assert set(problems) == {"arch.0.column_filter", "arch.1.column_filter", "arch.2.column_filter"}
    assert "ghost" in problems["arch.0.column_filter"]
    assert "must be a Q string over VwTeam" in problems["arch.1.column_filter"]
    assert "first field is a ManyToOne" in problems["arch.2.column_filter"]


def test_kanban_cards_are_coloured_by_a_stored_field_with_an_optional_colour_map(reg):
    good = [{"color_field": "priority", "colors": {"urgent": "red"}, "content": []}]
    assert check_view(ViewDef("v", "Kanban", "VwTicket", good), reg) == []
    bad = [{"color_field": "ghost", "colors": ["red"], "content": []}]
    problems = dict(check_view(ViewDef("v", "Kanban", "VwTicket", bad), reg))
    assert set(problems) == {"arch.0.color_field", "arch.0.colors"}
    assert "no stored field 'ghost'" in problems["arch.0.color_field"]


def test_list_columns_are_fields_and_buttons_call_exposed_methods(reg):
    arch = [
        {
            "editable": False,
            "buttons": [{"type": "actionButton", "properties": {"method": "action_escalate"}}],
            "content": [{"type": "field", "name": "name"}, {"type": "row"}],
            "drag_fields": ["priority"],
        }
    ]
    problems = dict(check_view(ViewDef("v", "List", "VwTicket", arch), reg))
    assert set(problems) == {"arch.0.content.1", "arch.0.drag_fields"}


def test_calendar_needs_one_start_date(reg):
    good = [{"content": [{"type": "field", "name": "deadline", "display_mode": "start"}]}]
    assert check_view(ViewDef("v", "Calendar", "VwTicket", good), reg) == []
    bad = [{"content": [{"type": "field", "name": "name", "display_mode": "start"}]}]
    messages = [m for _, m in check_view(ViewDef("v", "Calendar", "VwTicket", bad), reg)]
    assert any("needs a Date or Datetime field" in m for m in messages)


def test_search_filters_must_parse_and_group_bys_must_group(reg):
    arch = [
        {
            "content": [
                {"type": "field", "name": "team", "properties": {"q_filter": "Q(team__display_name__icontains=value)"}},
                {"type": "filter", "name": "mine", "properties": {"q_filter": "Q(team__name__eq='x')"}},
                {"type": "filter", "name": "broken", "properties": {"q_filter": "Q(nothing=1)"}},
                {"type": "filter", "name": "missing"},
                {"type": "divider"},
                {"type": "groupBy", "name": "deadline:week"},
                {"type": "groupBy", "name": "priority:week"},
                {"type": "groupBy", "name": "tasks"},
            ]
        }
    ]
    problems = dict(check_view(ViewDef("v", "Search", "VwTicket", arch), reg))
    assert set(problems) == {
        "arch.0.content.2.properties.q_filter",
        "arch.0.content.3.properties.q_filter",
        "arch.0.content.6.name",
        "arch.0.content.7.name",
    }


def test_node_groups_must_be_known_groups(reg):
    arch = [{"content": [{"type": "field", "name": "name", "properties": {"groups": ["vw_manager", "ghost"]}}]}]
    problems = check_view(ViewDef("v", "Form", "VwTicket", arch), reg, groups=frozenset({"vw_manager"}))
    assert problems == [("arch.0.content.0.properties.groups", "unknown group 'ghost'")]


def test_unknown_model_and_malformed_arch_are_reported(reg):
    assert check_view(ViewDef("v", "Form", "Nope", []), reg)[0][0] == "model"
    assert check_view(ViewDef("v", "Form", "VwTicket", {"content": []}), reg)[0][0] == "arch"


def test_list_decorations_are_q_strings_over_the_rows_fields(reg):
    def problems(decorations):
        arch = [{"decorations": decorations, "content": [{"type": "field", "name": "name"}]}]
        return check_view(form_view(type="List", arch=arch), reg)

    assert problems({"danger": "Q(priority='urgent')", "muted": "Q(deadline__isnull=True)"}) == []
    assert paths(problems({"loud": "Q(priority='urgent')"})) == {"arch.0.decorations.loud"}
    assert paths(problems({"danger": "Q(priority=="})) == {"arch.0.decorations.danger"}
    assert paths(problems({"danger": "Q(team__name='x')"})) == {"arch.0.decorations.danger"}
