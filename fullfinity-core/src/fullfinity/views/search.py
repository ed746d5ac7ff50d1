"""Search views: searchable fields and their lookup, named filters, group-by options (views.md 7.4).

The query API applies a search view's filters by name::

    q = await search_filter(env, "HelpdeskTicket", "overdue")               # one filter
    q = await search_filters(env, "HelpdeskTicket", ["mine", "overdue"])    # several, combined

Filters between two dividers are ORed, groups of filters are ANDed. The Q returned still holds
bound names (``uid``, ``today``...): resolve it with ``q.resolve(env.bindings())`` like any filter.
The search view used is the one the user gets (``view`` names another one); filters the user's
groups cannot see are unknown to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.Q import Q
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["default_lookup", "filter_groups", "search_filter", "search_filters", "search_spec"]

TEXT = frozenset({"Char", "Text"})


def default_lookup(field: Any) -> str:
    """The lookup a typed text uses on ``field``: ``name__icontains``, ``team__display_name__icontains``..."""
    if field.relational:
        return f"{field.name}__display_name__icontains"
    if field.type_name in TEXT:
        return f"{field.name}__icontains"
    return f"{field.name}__eq"


def filter_groups(resolved: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The filter nodes of a resolved Search view, in groups separated by dividers."""
    groups: list[list[dict[str, Any]]] = [[]]
    for block in resolved.get("arch", []):
        for node in block.get("content", []):
            if node.get("type") == "divider":
                groups.append([])
            elif node.get("type") == "filter":
                groups[-1].append(node)
    return [g for g in groups if g]


def search_spec(resolved: dict[str, Any]) -> dict[str, Any]:
    """``{"fields": [{name, lookup | q_filter}], "filters": [[{name, label, default}]], "group_by": [...]}``."""
    fields, group_by = [], []
    for block in resolved.get("arch", []):
        for node in block.get("content", []):
            props = node.get("properties", {})
            if node.get("type") == "field":
                entry = {"name": node["name"], "label": props.get("label")}
                entry |= {"q_filter": props["q_filter"]} if "q_filter" in props else {"lookup": props.get("lookup")}
                fields.append(entry)
            elif node.get("type") == "groupBy":
                group_by.append({"name": node["name"], "label": props.get("label")})
    filters = [
        [
            {
                "name": n["name"],
                "label": n.get("properties", {}).get("label"),
                "default": bool(n.get("properties", {}).get("default")),
            }
            for n in group
        ]
        for group in filter_groups(resolved)
    ]
    return {"fields": fields, "filters": filters, "group_by": group_by}


async def _resolved(env: Environment, model: str, view: str | None) -> dict[str, Any]:
    from fullfinity.views.service import get_view

    return await get_view(env, model, "Search", view)


async def search_filters(env: Environment, model: str, names: Sequence[str], view: str | None = None) -> Q:
    """The Q of the named filters of the user's Search view of ``model``: ORed within a divider group,
    ANDed across groups. ``BadRequest`` naming the available filters for an unknown name."""
    groups = filter_groups(await _resolved(env, model, view))
    by_name = {node["name"]: (index, node) for index, group in enumerate(groups) for node in group}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        available = ", ".join(sorted(by_name)) or "none"
        raise BadRequest(
            f"Unknown search filter(s) {', '.join(map(repr, unknown))} for {model}; available: {available}.",
            details=[{"path": "filters", "message": f"unknown filter '{n}'"} for n in unknown],
        )
    chosen: dict[int, list[Q]] = {}
    for name in dict.fromkeys(names):
        index, node = by_name[name]
        chosen.setdefault(index, []).append(Q.from_json(node["properties"]["q_filter"]))
    parts = [Q.combine("or", qs) for _, qs in sorted(chosen.items())]
    return Q.combine("and", parts)


async def search_filter(env: Environment, model: str, name: str, view: str | None = None) -> Q:
    """The Q of one named filter of the user's Search view of ``model``."""
    return await search_filters(env, model, [name], view)
