"""What the endpoints answer: a resolved view, a window action, the menu tree, for the env's user.

Each is cached per tenant and set of effective groups (namespaces ``views`` and ``menus``),
depending on the models it is computed from, so a write to a view, action, menu, group or access
right — and any module operation, which bumps the whole tenant — makes it stale at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.cache import fetch_in_env
from fullfinity.engine.records.identifiers import resolve_many
from fullfinity.exceptions import AccessError, BadRequest, NotFound
from fullfinity.views.defaults import default_view
from fullfinity.views.records import ActionDef, MenuDef, normalise_view_type
from fullfinity.views.resolve import choose_primary, extensions_of, resolve_view
from fullfinity.views.store import load_actions, load_menus, load_views
from fullfinity.views.validate import view_types
from fullfinity.views.viewer import Viewer

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["get_action", "get_menus", "get_view"]

VIEW_MODELS = ("UiView", "Group", "ModelAccess")
MENU_MODELS = ("UiMenu", "WindowAction", "UiView", "Group", "ModelAccess")


async def get_view(
    env: Environment, model: str, view_type: str | None = None, view: str | None = None
) -> dict[str, Any]:
    """The view of ``model`` resolved for the env's user: by identifier (``view``), else by type."""
    registry_model = env.registry.get(model)  # NotFound for an unknown model
    viewer = Viewer.of(env)
    if not viewer.can(model, "read"):
        raise AccessError(f"You are not allowed to read {model} records, so none of its views is available to you.")
    if view_type is None and view is None:
        raise BadRequest("Give the view type (?type=Form) or a view identifier (?view=...).")
    kind = normalise_view_type(view_type) if view_type else None
    if kind is not None and kind not in view_types(env.registry):
        raise BadRequest(f"Unknown view type '{view_type}'; known: {', '.join(view_types(env.registry))}.")
    key = f"{model}:{kind or ''}:{view or ''}:{viewer.cache_key}:{env.lang}"

    async def compute() -> dict[str, Any]:
        views = await load_views(env, model=model)
        if view is not None:
            primary = next((v for v in views if v.identifier == view), None)
            if primary is None or primary.is_extension or (kind is not None and primary.type != kind):
                what = f"a primary {kind or ''} view of {model}".replace("  ", " ")
                raise NotFound(f"No view '{view}' is {what}.")
            if not viewer.in_groups(primary.groups):
                raise NotFound(f"View '{view}' is restricted to groups you are not in.")
        else:
            assert kind is not None
            primary = choose_primary(views, model, kind, viewer) or default_view(registry_model, kind)
            if primary is None:
                raise NotFound(f"{model} has no {kind} view, and {kind} views have no default: define one.")
        extensions = extensions_of(primary, views, env.registry.modules)
        return resolve_view(env.registry, primary, extensions, viewer)

    return await fetch_in_env(env, "views", key, compute, models=VIEW_MODELS)


def _allowed(action: ActionDef, viewer: Viewer) -> bool:
    return viewer.in_groups(action.groups) and viewer.can(action.model, "read")


async def get_action(env: Environment, identifier: str) -> dict[str, Any]:
    """The window action as ``/api/action/{identifier}`` answers it; NotFound if missing or not allowed."""
    viewer = Viewer.of(env)
    found = await load_actions(env, [identifier])
    if not found or not _allowed(found[0], viewer) or found[0].model not in env.registry:
        raise NotFound(f"No window action '{identifier}' is available to you.")
    action = found[0]
    views = await load_views(env, model=action.model)
    by_id = {v.identifier: v for v in views}
    explicit = {by_id[i].type: i for i in action.views if i in by_id}
    listed = list(dict.fromkeys([*action.view_types, *explicit]))
    entries = []
    for view_type in listed:
        chosen = explicit.get(view_type)
        if chosen is None:
            primary = choose_primary(views, action.model, view_type, viewer)
            chosen = primary.identifier if primary is not None else None
        entries.append({"type": view_type, "view": chosen})
    return {
        "identifier": action.identifier,
        "name": action.name,
        "model": action.model,
        "views": entries,
        "q_filter": action.q_filter,
        "context": action.context,
        "order_by": action.order_by,
        "limit": action.limit,
        "target": action.target,
        "res_id": await _res_id(env, action),
        "help": action.help,
    }


async def _res_id(env: Environment, action: ActionDef) -> int | None:
    if not action.res_id:
        return None
    if action.res_id.isdigit():
        return int(action.res_id)
    found = (await resolve_many(env, [action.res_id])).get(action.res_id)
    return found[1] if found is not None and found[0] == action.model else None


async def get_menus(env: Environment) -> list[dict[str, Any]]:
    """The user's menu tree, ordered by sequence (views.md 12.2)."""
    viewer = Viewer.of(env)

    async def compute() -> list[dict[str, Any]]:
        menus = await load_menus(env)
        actions = {a.identifier: a for a in await load_actions(env)}
        return menu_tree(menus, actions, viewer)

    return await fetch_in_env(env, "menus", f"tree:{viewer.cache_key}", compute, models=MENU_MODELS)


def menu_tree(menus: list[MenuDef], actions: dict[str, ActionDef], viewer: Viewer) -> list[dict[str, Any]]:
    """Shown: the user is in the menu's groups, its action is allowed, and a menu without action has a
    shown child."""
    children: dict[str | None, list[MenuDef]] = {}
    for menu in sorted(menus, key=lambda m: (m.sequence, m.id or 0)):
        children.setdefault(menu.parent, []).append(menu)

    def build(parent: str | None) -> list[dict[str, Any]]:
        out = []
        for menu in children.get(parent, []):
            if not viewer.in_groups(menu.groups):
                continue
            if menu.action is not None:
                action = actions.get(menu.action)
                if action is None or not _allowed(action, viewer):
                    continue
            below = build(menu.identifier)
            if menu.action is None and not below:
                continue
            out.append(
                {
                    "identifier": menu.identifier,
                    "name": menu.name,
                    "icon": menu.icon,
                    "sequence": menu.sequence,
                    "action": menu.action,
                    "children": below,
                }
            )
        return out

    return build(None)
