"""Install-time validation of every view, action and menu of a tenant (views.md 10, issue 8).

``check_all(registry, views, actions, menus)`` returns every problem at once, each naming the
data file, the record, the place in it and what is wrong; ``fullfinity.views.store.validate_views``
runs it on a tenant's records and refuses the install with a ``ViewValidationError``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.exceptions import FullfinityError
from fullfinity.views.arch import NODE_TYPES, check_nodes, check_view, q_leaves
from fullfinity.views.exceptions import Problem
from fullfinity.views.inherit import (
    apply_operation,
    describe_target,
    find,
    order_extensions,
    parse_operations,
    primary_of,
)
from fullfinity.views.records import ActionDef, MenuDef, ViewDef

if TYPE_CHECKING:
    from fullfinity.engine.records.registry import Registry

__all__ = ["check_actions", "check_all", "check_menus", "check_views", "view_types"]


def view_types(registry: Registry) -> tuple[str, ...]:
    """The view types of this tenant: the choices of ``UiView.type`` (modules add some)."""
    ui_view = registry.models.get("UiView")
    field = ui_view._fields.get("type") if ui_view is not None else None
    return tuple(getattr(field, "values", None) or NODE_TYPES)


def check_all(
    registry: Registry,
    views: Sequence[ViewDef],
    actions: Sequence[ActionDef],
    menus: Sequence[MenuDef],
    *,
    groups: frozenset[str] | None = None,
) -> list[Problem]:
    """Every problem of these records against the tenant's composed models."""
    action_ids = frozenset(a.identifier for a in actions)
    problems = check_views(registry, views, actions=action_ids, groups=groups)
    problems += check_actions(registry, actions, views, groups=groups)
    problems += check_menus(menus, action_ids, groups=groups)
    return problems


def check_views(
    registry: Registry,
    views: Sequence[ViewDef],
    *,
    actions: frozenset[str] | None = None,
    groups: frozenset[str] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    known_types = view_types(registry)
    by_id = {v.identifier: v for v in views if v.identifier}
    extensions: dict[str, list[ViewDef]] = {}

    def report(view: ViewDef, found: Iterable[tuple[str, str]]) -> None:
        problems.extend(Problem(view.label, path, message, view.file) for path, message in found)

    for view in views:
        if view.type not in known_types:
            report(view, [("type", f"unknown view type '{view.type}'; known: {', '.join(known_types)}")])
            continue
        if view.model not in registry:
            report(view, [("model", f"unknown model '{view.model}': no installed module defines it")])
            continue
        if _groups_problem(view.groups, groups):
            report(view, [("groups", _groups_problem(view.groups, groups) or "")])
        if not view.is_extension:
            report(view, check_view(view, registry, actions=actions, groups=groups))
            continue
        parent = by_id.get(view.inherited_view or "")
        root = primary_of(view, by_id)
        if parent is None or root is None:
            what = "does not exist" if parent is None else "is part of an inheritance cycle"
            report(view, [("inherited_view", f"the inherited view '{view.inherited_view}' {what}")])
            continue
        if (parent.model, parent.type) != (view.model, view.type):
            report(
                view,
                [("inherited_view", f"extends {parent.label}, a {parent.type} of {parent.model}; an extension "
                  f"must have the same model and type (it is a {view.type} of {view.model})")],
            )  # fmt: skip
            continue
        ops, shape = parse_operations(view)
        report(view, shape)
        for op in ops:
            if op.action in ("add", "replace"):
                report(view, check_nodes(op.value, view.type, registry, view.model, f"{op.path}.value",
                                         actions=actions, groups=groups))  # fmt: skip
        extensions.setdefault(root.identifier or "", []).append(view)

    for root_id, exts in extensions.items():
        root = by_id[root_id]
        if isinstance(root.arch, list):
            problems += _check_targets(registry, root, order_extensions(exts, registry.modules), actions, groups)
    return problems


def _check_targets(
    registry: Registry,
    root: ViewDef,
    chain: Sequence[ViewDef],
    actions: frozenset[str] | None,
    groups: frozenset[str] | None,
) -> list[Problem]:
    """Apply the chain twice: with every extension (``full``) and with only the extensions for everyone
    (``base``). A target missing from both is an error; missing from one only, it was removed or
    added by a group-restricted extension and the operation applies only where it exists."""
    problems: list[Problem] = []
    full: list[Any] = copy.deepcopy(root.arch)
    base: list[Any] = copy.deepcopy(root.arch)
    for view in chain:
        ops, _ = parse_operations(view)
        for op in ops:
            in_base = find(base, op.target) is not None
            modified = apply_operation(full, op)
            if in_base and not view.groups:
                apply_operation(base, op)
            if modified is None and not in_base:
                problems.append(
                    Problem(
                        view.label,
                        f"{op.path}.target",
                        f"extension {view.label}: {op.action} target {describe_target(op.target)} matches no node "
                        f"of {root.label} (with the extensions applied before it)",
                        view.file,
                    )
                )
            elif modified:
                found = check_nodes(modified, view.type, registry, view.model, f"{op.path}.value",
                                    actions=actions, groups=groups)  # fmt: skip
                problems.extend(Problem(view.label, path, message, view.file) for path, message in found)
    return problems


def check_actions(
    registry: Registry,
    actions: Sequence[ActionDef],
    views: Sequence[ViewDef],
    *,
    groups: frozenset[str] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    known_types = view_types(registry)
    primaries = {v.identifier: v for v in views if v.identifier and not v.is_extension}
    for action in actions:

        def add(path: str, message: str, action: ActionDef = action) -> None:
            problems.append(Problem(action.identifier, path, message, action.file))

        if action.model not in registry:
            add("model", f"unknown model '{action.model}': no installed module defines it")
            continue
        model = registry.get(action.model)
        for index, view_type in enumerate(action.view_types):
            if view_type not in known_types and view_type != "Tree":
                add(f"view_types.{index}", f"unknown view type '{view_type}'; known: {', '.join(known_types)}")
        for index, ident in enumerate(action.views):
            view = primaries.get(ident)
            if view is None:
                add(f"views.{index}", f"no primary view has the identifier '{ident}'")
            elif view.model != action.model:
                add(f"views.{index}", f"view '{ident}' shows {view.model}, not {action.model}")
        if action.q_filter:
            from fullfinity.engine.Q import Q
            from fullfinity.engine.query import resolve_path

            try:
                for leaf in q_leaves(Q.parse(action.q_filter)):
                    resolve_path(model, leaf.key)
            except FullfinityError as exc:
                add("q_filter", f"is not a valid filter of {action.model}: {exc.message}")
        for index, spec in enumerate(action.order_by):
            name = str(spec).split()[0] if str(spec).split() else ""
            if name.split(".")[0] not in model._fields:
                add(f"order_by.{index}", f"{action.model} has no field '{name}'")
        if action.target not in ("current", "new"):
            add("target", f"must be current or new, got {action.target!r}")
        if not isinstance(action.limit, int) or action.limit < 1:
            add("limit", f"must be a positive integer, got {action.limit!r}")
        message = _groups_problem(action.groups, groups)
        if message:
            add("groups", message)
    return problems


def check_menus(
    menus: Sequence[MenuDef], actions: frozenset[str], *, groups: frozenset[str] | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    by_id = {m.identifier: m for m in menus}
    for menu in menus:

        def add(path: str, message: str, menu: MenuDef = menu) -> None:
            problems.append(Problem(menu.identifier, path, message, menu.file))

        if menu.action is not None and menu.action not in actions:
            add("action", f"points to the WindowAction '{menu.action}', which does not exist")
        if menu.parent is not None and menu.parent not in by_id:
            add("parent", f"the parent menu '{menu.parent}' does not exist")
        seen = {menu.identifier}
        parent = by_id.get(menu.parent or "")
        while parent is not None:
            if parent.identifier in seen:
                add("parent", "menus form a cycle through their parents")
                break
            seen.add(parent.identifier)
            parent = by_id.get(parent.parent or "")
        message = _groups_problem(menu.groups, groups)
        if message:
            add("groups", message)
    return problems


def _groups_problem(names: Iterable[str], known: frozenset[str] | None) -> str | None:
    unknown = [g for g in names if known is not None and g not in known]
    return f"unknown group(s) {', '.join(unknown)}" if unknown else None
