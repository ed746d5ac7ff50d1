"""Models the view tests display: a ticket with a team, tasks and a manager-only cost."""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Boolean, Char, Date, Integer, ManyToMany, ManyToOne, Model, Monetary, Selection, Text
from fullfinity.engine.records.registry import Registry
from fullfinity.views.records import ViewDef


class VwTeam(Model):
    name = Char(required=True)
    folded = Boolean()


class VwTag(Model):
    name = Char(required=True)


class VwTicket(Model):
    name = Char(required=True)
    body = Text()
    priority = Selection(choices=["low", "normal", "urgent"], default="normal")
    team = ManyToOne("VwTeam", related_name="tickets")
    tags = ManyToMany("VwTag")
    deadline = Date()
    sla_hours = Integer()
    cost = Monetary(groups=["vw_manager"])
    active = Boolean(default=True)

    @Model.expose
    async def action_escalate(self) -> None:
        return None

    @Model.expose(groups=["vw_manager"])
    async def action_close(self) -> None:
        return None

    @Model.expose
    async def action_merge(self) -> None:
        return None

    action_merge._confirm = {"title": "Merge", "message": "Merge {count} ticket(s)?", "confirm_variant": "danger"}  # type: ignore[attr-defined]

    async def helper(self) -> None:
        return None


class VwTask(Model):
    name = Char(required=True)
    sequence = Integer(default=10)
    done = Boolean()
    ticket = ManyToOne("VwTicket", related_name="tasks")


MODELS = [VwTeam, VwTag, VwTicket, VwTask]


def registry() -> Registry:
    return Registry.from_models(*MODELS)


def form_arch() -> list[dict[str, Any]]:
    """The ticket form of views.md 6, on these models."""
    return [
        {
            "content": [
                {"type": "statusbar", "name": "priority", "properties": {"clickable": True}},
                {
                    "type": "actionButton",
                    "properties": {
                        "method": "action_escalate",
                        "label": "Escalate",
                        "visible": "Q(priority__neq='urgent')",
                    },
                },
                {"type": "actionButton", "properties": {"method": "action_close", "label": "Close"}},
                {
                    "type": "paper",
                    "title": "Ticket",
                    "content": [
                        {
                            "type": "row",
                            "anchor": "ticket_main",
                            "content": [
                                {"type": "field", "name": "name", "span": 12, "properties": {"widget": "TextInput"}},
                                {"type": "field", "name": "team", "span": 6, "properties": {"widget": "DataCombo"}},
                                {
                                    "type": "field",
                                    "name": "deadline",
                                    "span": 6,
                                    "properties": {"required": "Q(priority='urgent')"},
                                },
                                {"type": "field", "name": "cost", "span": 6},
                                {"type": "field", "name": "sla_hours", "properties": {"groups": ["vw_manager"]}},
                            ],
                        }
                    ],
                },
                {
                    "type": "pageTabs",
                    "content": [
                        {
                            "type": "tab",
                            "name": "description",
                            "title": "Description",
                            "content": [{"type": "field", "name": "body", "properties": {"widget": "RichText"}}],
                        },
                        {
                            "type": "tab",
                            "name": "tasks",
                            "title": "Tasks",
                            "content": [
                                {
                                    "type": "field",
                                    "name": "tasks",
                                    "properties": {"widget": "Table"},
                                    "content": [{"type": "field", "name": "name"}, {"type": "field", "name": "done"}],
                                }
                            ],
                        },
                    ],
                },
            ]
        }
    ]


def form_view(**overrides: Any) -> ViewDef:
    values: dict[str, Any] = {
        "identifier": "vw_ticket_form",
        "type": "Form",
        "model": "VwTicket",
        "arch": form_arch(),
        "module": "vw_base",
    }
    return ViewDef(**{**values, **overrides})


def extension(identifier: str, operations: list[dict[str, Any]], **overrides: Any) -> ViewDef:
    values: dict[str, Any] = {
        "identifier": identifier,
        "type": "Form",
        "model": "VwTicket",
        "arch": {"operations": operations},
        "inherited_view": "vw_ticket_form",
        "module": "vw_ext",
    }
    return ViewDef(**{**values, **overrides})
