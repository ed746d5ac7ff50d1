"""Views, window actions and menus: the UI as data (views.md 1, 2 and 12).

Modules ship these records in ``views/*.yaml``; ``fullfinity.views`` validates them at install and
resolves them per user. ``UiView.type`` is a Selection modules extend with ``_selection_add``.
"""

from __future__ import annotations

from fullfinity.engine.base import JSON, Boolean, Char, Integer, ManyToMany, ManyToOne, Model, Selection, Text

VIEW_TYPES = [
    ("Form", "Form"),
    ("List", "List"),
    ("Kanban", "Kanban"),
    ("Calendar", "Calendar"),
    ("Search", "Search"),
    ("Tree", "List (legacy name)"),
]


class UiView(Model):
    _verbose_name = "View"
    _order = "model ASC, type ASC, sequence ASC, id ASC"

    name = Char(max_length=200)
    type = Selection(choices=VIEW_TYPES, required=True, index=True)
    model = Char(max_length=120, required=True, index=True)
    arch = JSON(required=True, description="A list of root blocks, or {operations: [...]} for an extension.")
    inherited_view = ManyToOne("UiView", related_name="extensions", on_delete="CASCADE")
    sequence = Integer(default=10)
    groups = ManyToMany("Group", hint="Primary view: only for these groups. Extension: applies only for them.")
    active = Boolean(default=True)


class WindowAction(Model):
    _verbose_name = "Window Action"
    _order = "name ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, index=True)
    view_types = JSON(description="View types in order; the first is the initial view (default List, Form).")
    views = JSON(description="Explicit view identifiers, overriding the default view of their type.")
    q_filter = Text(description="Q string always applied")
    context = JSON()
    # `order_by` is an ORM method name; data files write `order: [...]`, the API answers `order_by`.
    order = JSON(description='Sort order, e.g. ["deadline ASC"] (default: the model\'s _order)')
    limit = Integer(default=80)
    groups = ManyToMany("Group", hint="Only users in these groups may open the action.")
    target = Selection(choices=[("current", "Current window"), ("new", "Dialog")], default="current")
    res_id = Char(max_length=200, description="Record to open: its identifier (or id)")
    help = Text(description="Text of the empty state")


class UiMenu(Model):
    _verbose_name = "Menu"
    _order = "sequence ASC, id ASC"

    name = Char(max_length=200, required=True)
    parent = ManyToOne("UiMenu", related_name="children", on_delete="CASCADE")
    sequence = Integer(default=10)
    icon = Char(max_length=80)
    action = ManyToOne("WindowAction", related_name="menus", on_delete="SET NULL")
    groups = ManyToMany("Group", hint="Only users in these groups see the menu.")
