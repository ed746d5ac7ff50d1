"""View inheritance by semantic targeting (views.md 9).

An extension view names its parent in ``inherited_view`` and carries ``{"operations": [...]}``.
Each operation finds its target by attributes, never by position:

    {field: deadline}          field node with that name
    {tab: Description}         tab with that title (also accordion, fieldset, paper)
    {button: action_escalate}  actionButton whose properties.method is that name
    {statusbar: stage}         statusbar with that name (also linkButton)
    {type: pageTabs}           first node of that type (other given keys must match too)
    {anchor: ticket_main}      any node with that anchor

Matching is depth first in document order; the first match wins. Extensions of one primary view
apply in module dependency order, then ``sequence``, then identifier; an extension of an
extension applies after its parent.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fullfinity.views.records import ViewDef

__all__ = [
    "ACTIONS",
    "POSITIONS",
    "SHORTCUTS",
    "Operation",
    "apply_extensions",
    "apply_operation",
    "describe_target",
    "find",
    "order_extensions",
    "parse_operations",
    "primary_of",
]

log = logging.getLogger(__name__)

ACTIONS = ("add", "modify", "remove", "replace")
POSITIONS = ("before", "after", "inside", "replace")
#: Target shortcut -> (node type, attribute compared: a node key, or ``properties.<key>``).
SHORTCUTS: dict[str, tuple[str, str]] = {
    "field": ("field", "name"),
    "tab": ("tab", "title"),
    "accordion": ("accordion", "title"),
    "fieldset": ("fieldset", "title"),
    "paper": ("paper", "title"),
    "button": ("actionButton", "properties.method"),
    "statusbar": ("statusbar", "name"),
    "linkButton": ("linkButton", "name"),
}

Locator = tuple[list[Any], int]


@dataclass(frozen=True)
class Operation:
    """One checked operation of an extension; ``index`` is its place in ``operations``."""

    index: int
    action: str
    target: dict[str, Any]
    position: str | None
    value: Any

    @property
    def path(self) -> str:
        return f"arch.operations.{self.index}"


def describe_target(target: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in target.items()) + "}"


def _attribute(node: Mapping[str, Any], key: str) -> Any:
    raw = node.get("properties")
    props: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    if key.startswith("properties."):
        return props.get(key.removeprefix("properties."))
    if key == "title":
        return node.get("title", props.get("title"))
    return node.get(key)


def matches(node: Any, target: Mapping[str, Any]) -> bool:
    if not isinstance(node, dict):
        return False
    if "anchor" in target and len(target) == 1:
        return bool(node.get("anchor") == target["anchor"])
    if "type" in target:
        return all(_attribute(node, k) == v for k, v in target.items())
    ((shortcut, value),) = target.items()
    node_type, key = SHORTCUTS[shortcut]
    return bool(node.get("type") == node_type and _attribute(node, key) == value)


def _children(node: dict[str, Any]) -> list[Any] | None:
    content = node.get("content")
    return content if isinstance(content, list) else None


def _search(nodes: list[Any], target: Mapping[str, Any]) -> Locator | None:
    for index, node in enumerate(nodes):
        if matches(node, target):
            return nodes, index
        children = _children(node) if isinstance(node, dict) else None
        if children is not None:
            found = _search(children, target)
            if found is not None:
                return found
    return None


def find(arch: list[Any], target: Mapping[str, Any]) -> Locator | None:
    """The list holding the first node matching ``target`` and its index there, or ``None``."""
    for block in arch:
        if not isinstance(block, dict):
            continue
        for key in ("content", "buttons"):
            nodes = block.get(key)
            if isinstance(nodes, list):
                found = _search(nodes, target)
                if found is not None:
                    return found
    return None


def _target_problem(target: Any) -> str | None:
    if not isinstance(target, dict) or not target:
        return "target must be an object such as {field: name}, {type: pageTabs} or {anchor: name}"
    keys = set(target)
    if keys == {"anchor"} or "type" in keys:
        return None
    if len(keys) == 1 and next(iter(keys)) in SHORTCUTS:
        return None
    return (
        f"target {describe_target(target)} is not a target: use one of {', '.join(SHORTCUTS)}, "
        "type (with other attributes) or anchor"
    )


def parse_operations(view: ViewDef) -> tuple[list[Operation], list[tuple[str, str]]]:
    """The operations of an extension, and every problem of their shape."""
    problems: list[tuple[str, str]] = []
    arch = view.arch
    if not isinstance(arch, dict) or set(arch) != {"operations"} or not isinstance(arch["operations"], list):
        return [], [("arch", "an extension's arch is an object {operations: [...]}")]
    ops: list[Operation] = []
    for index, raw in enumerate(arch["operations"]):
        path = f"arch.operations.{index}"
        if not isinstance(raw, dict):
            problems.append((path, "an operation is an object with action and target"))
            continue
        action = raw.get("action")
        position = raw.get("position")
        if action not in ACTIONS:
            problems.append((f"{path}.action", f"action must be one of {', '.join(ACTIONS)}, got {action!r}"))
            continue
        unknown = sorted(set(raw) - {"action", "target", "position", "value"})
        if unknown:
            problems.append((path, f"unknown operation key(s) {', '.join(unknown)}"))
        message = _target_problem(raw.get("target"))
        if message:
            problems.append((f"{path}.target", message))
            continue
        if action == "add" and position not in POSITIONS:
            problems.append((f"{path}.position", f"add needs position: {', '.join(POSITIONS)}; got {position!r}"))
            continue
        if action in ("add", "replace") and not isinstance(raw.get("value"), dict | list):
            problems.append((f"{path}.value", f"{action} needs value: a node or a list of nodes"))
            continue
        if action == "modify" and not isinstance(raw.get("value"), dict):
            problems.append((f"{path}.value", "modify needs value: an object of keys to set"))
            continue
        ops.append(Operation(index, action, dict(raw["target"]), position, raw.get("value")))
    return ops, problems


def _nodes_of(value: Any) -> list[Any]:
    return copy.deepcopy(value if isinstance(value, list) else [value])


def _modify(node: dict[str, Any], value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        if key == "properties" and isinstance(item, dict):
            props = node.setdefault("properties", {})
            for prop, prop_value in item.items():
                if prop_value is None:
                    props.pop(prop, None)
                else:
                    props[prop] = copy.deepcopy(prop_value)
        elif item is None:
            node.pop(key, None)
        else:
            node[key] = copy.deepcopy(item)


def apply_operation(arch: list[Any], op: Operation) -> dict[str, Any] | None:
    """Apply ``op`` to ``arch`` in place; the node it modified (or ``{}``), ``None`` if the target is missing."""
    found = find(arch, op.target)
    if found is None:
        return None
    siblings, index = found
    node = siblings[index]
    if op.action == "remove":
        del siblings[index]
    elif op.action == "replace" or op.position == "replace":
        siblings[index : index + 1] = _nodes_of(op.value)
    elif op.action == "modify":
        _modify(node, op.value)
        return dict(node)
    elif op.position == "before":
        siblings[index:index] = _nodes_of(op.value)
    elif op.position == "after":
        siblings[index + 1 : index + 1] = _nodes_of(op.value)
    else:  # inside
        content = node.get("content")
        if not isinstance(content, list):
            content = node["content"] = []
        content.extend(_nodes_of(op.value))
    return {}


def primary_of(view: ViewDef, by_identifier: Mapping[str, ViewDef]) -> ViewDef | None:
    """The primary view an extension (or an extension of an extension) resolves to; ``None`` if broken."""
    seen: set[str] = set()
    current: ViewDef | None = view
    while current is not None and current.inherited_view is not None:
        if current.inherited_view in seen:
            return None
        seen.add(current.inherited_view)
        current = by_identifier.get(current.inherited_view)
    return current


def order_extensions(extensions: Iterable[ViewDef], module_order: Iterable[str]) -> list[ViewDef]:
    """Module dependency order, then sequence, then identifier; an extension after the one it extends."""
    rank = {module: i for i, module in enumerate(module_order)}
    pending = sorted(extensions, key=lambda v: (rank.get(v.module, len(rank)), v.sequence, v.identifier or ""))
    ids = {v.identifier for v in pending}
    done: set[str | None] = set()
    ordered: list[ViewDef] = []
    while pending:
        for i, view in enumerate(pending):
            if view.inherited_view not in ids or view.inherited_view in done:
                ordered.append(pending.pop(i))
                done.add(view.identifier)
                break
        else:  # a cycle: keep the remaining order (validation reports it)
            ordered.extend(pending)
            break
    return ordered


def apply_extensions(
    primary: ViewDef,
    extensions: Iterable[ViewDef],
    *,
    admits: Callable[[ViewDef], bool] = lambda view: True,
) -> list[Any]:
    """The primary's arch with the (ordered) extensions ``admits`` lets through applied.

    A target that is missing here was validated at install, so it can only be missing because of a
    group-restricted extension this user does (or does not) get: the operation is skipped.
    """
    arch: list[Any] = copy.deepcopy(primary.arch)
    for view in extensions:
        if not admits(view):
            continue
        ops, _ = parse_operations(view)
        for op in ops:
            if apply_operation(arch, op) is None:
                log.debug("%s: %s target %s missing for this user", view.label, op.path, describe_target(op.target))
    return arch
