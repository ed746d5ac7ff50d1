"""Three throw-away modules: A defines tickets and their screens, B extends them, C extends B."""

from __future__ import annotations

from typing import Any

from installer.conftest import unique

from fullfinity.engine.module_registry import discover_modules
from fullfinity.plugins import get_plugin_manager


def rediscover() -> None:
    """Forget the discovered modules, so modules written since are found."""
    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()


A_MODELS = """
from fullfinity.engine.base import Boolean, Char, Date, ManyToOne, Model, Monetary, Selection, Text

class {T}(Model):
    name = Char(required=True)
    priority = Selection(choices=["low", "normal", "urgent"], default="normal")
    deadline = Date()
    notes = Text()
    cost = Monetary(groups=["core_admin"])
    owner = ManyToOne("User")
    active = Boolean(default=True)

    @Model.expose(groups=["core_admin"])
    async def action_escalate(self) -> None:
        return None
"""

B_MODELS = """
from fullfinity.engine.base import Integer, Model

class {T}Sla(Model):
    __inherit__ = "{T}"
    sla_hours = Integer()
"""


def access(a: str, model: str) -> list[dict[str, Any]]:
    return [
        {"data_type": "ModelAccess", "identifier": f"{a}_access_internal", "name": "internal", "model": model,
         "group": "core_internal", "read_perm": True, "write_perm": True, "create_perm": True, "delete_perm": True},
        {"data_type": "ModelAccess", "identifier": f"{a}_access_portal", "name": "portal", "model": model,
         "group": "core_portal", "read_perm": True},
    ]  # fmt: skip


def a_views(a: str, model: str) -> list[dict[str, Any]]:
    form = [
        {
            "content": [
                {"type": "statusbar", "name": "priority"},
                {"type": "actionButton", "properties": {"method": "action_escalate", "label": "Escalate"}},
                {"type": "paper", "title": "Ticket", "content": [
                    {"type": "row", "anchor": "main", "content": [
                        {"type": "field", "name": "name", "span": 12},
                        {"type": "field", "name": "deadline", "span": 6,
                         "properties": {"required": "Q(priority='urgent')"}},
                        {"type": "field", "name": "cost", "span": 6},
                    ]},
                ]},
                {"type": "pageTabs", "content": [
                    {"type": "tab", "name": "description", "title": "Description", "content": [
                        {"type": "field", "name": "owner", "properties": {"groups": ["core_internal"]}}]},
                    {"type": "tab", "name": "notes", "title": "Notes", "content": [{"type": "field", "name": "notes"}]},
                ]},
            ]
        }
    ]  # fmt: skip
    search = [
        {
            "content": [
                {"type": "field", "name": "name"},
                {"type": "filter", "name": "mine", "properties": {"label": "Mine", "q_filter": "Q(owner__id__eq=uid)"}},
                {"type": "filter", "name": "urgent", "properties": {"q_filter": "Q(priority='urgent')"}},
                {"type": "divider"},
                {"type": "filter", "name": "overdue", "properties": {"q_filter": "Q(deadline__lt=today)"}},
                {"type": "filter", "name": "boss",
                 "properties": {"q_filter": "Q(cost__gt=0)", "groups": ["core_admin"]}},
                {"type": "groupBy", "name": "priority"},
            ]
        }
    ]  # fmt: skip
    return [
        {"data_type": "UiView", "identifier": f"{a}_form", "type": "Form", "model": model, "arch": form},
        {"data_type": "UiView", "identifier": f"{a}_search", "type": "Search", "model": model, "arch": search},
        {"data_type": "UiView", "identifier": f"{a}_list", "type": "List", "model": model,
         "arch": [{"content": [{"type": "field", "name": "name"}, {"type": "field", "name": "cost"}]}]},
        {"data_type": "WindowAction", "identifier": f"{a}_action", "name": "Tickets", "model": model,
         "view_types": ["List", "Form", "Kanban"], "groups": ["core_internal"], "order": ["deadline ASC"]},
        {"data_type": "WindowAction", "identifier": f"{a}_portal_action", "name": "My tickets", "model": model,
         "view_types": ["List"], "groups": ["core_portal"], "q_filter": "Q(active=True)"},
        {"data_type": "UiMenu", "identifier": f"{a}_root", "name": "Tickets", "icon": "LifeBuoy", "sequence": 5},
        {"data_type": "UiMenu", "identifier": f"{a}_all", "name": "All tickets", "parent": f"{a}_root",
         "action": f"{a}_action", "sequence": 10},
        {"data_type": "UiMenu", "identifier": f"{a}_mine", "name": "My tickets", "parent": f"{a}_root",
         "action": f"{a}_portal_action", "sequence": 20},
    ]  # fmt: skip


def b_views(a: str, b: str, model: str) -> list[dict[str, Any]]:
    ops = [
        {"action": "add", "target": {"field": "deadline"}, "position": "after",
         "value": {"type": "field", "name": "sla_hours", "span": 6}},
        {"action": "add", "target": {"type": "pageTabs"}, "position": "inside",
         "value": {"type": "tab", "name": "sla", "title": "SLA", "content": [{"type": "field", "name": "sla_hours"}]}},
        {"action": "remove", "target": {"tab": "Notes"}},
    ]  # fmt: skip
    return [
        {"data_type": "UiView", "identifier": f"{b}_form", "type": "Form", "model": model,
         "inherited_view": f"{a}_form", "arch": {"operations": ops}},
    ]  # fmt: skip


def c_views(b: str, c: str, model: str) -> list[dict[str, Any]]:
    ops = [
        {"action": "replace", "target": {"tab": "SLA"},
         "value": {"type": "tab", "name": "service", "title": "Service level",
                   "content": [{"type": "field", "name": "deadline"}]}},
        {"action": "modify", "target": {"field": "sla_hours"}, "value": {"span": 4}},
        {"action": "remove", "target": {"statusbar": "priority"}},
    ]  # fmt: skip
    return [
        {"data_type": "UiView", "identifier": f"{c}_form", "type": "Form", "model": model,
         "inherited_view": f"{b}_form", "arch": {"operations": ops}},
    ]  # fmt: skip


def three_modules(modules: Any) -> tuple[str, str, str, str]:
    """Write modules A, B (extends A) and C (extends B); returns their identifiers and the model name.

    Create the test's tenant *before* calling this: a tenant made from the installer's template
    while these modules are discoverable would bake them into the template's Module records."""
    a, b, c = unique("vwa"), unique("vwb"), unique("vwc")
    model = a.title() + "Ticket"
    modules.add(
        a,
        models=A_MODELS.format(T=model),
        files={"security/access.yaml": access(a, model), "views/ticket.yaml": a_views(a, model)},
    )
    modules.add(b, dependencies=[a], models=B_MODELS.format(T=model), files={"views/ticket.yaml": b_views(a, b, model)})
    modules.add(c, dependencies=[b], files={"views/ticket.yaml": c_views(b, c, model)})
    rediscover()  # fmt: skip
    return a, b, c, model
