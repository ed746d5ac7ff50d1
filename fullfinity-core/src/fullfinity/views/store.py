"""Reading a tenant's views, actions and menus, and validating them at install.

Records are read with one statement per model (identifiers, owning module and group identifiers
joined in), into the plain ``ViewDef``/``ActionDef``/``MenuDef`` the engine works on.

``validate_views(env)`` is what the installer runs after loading data files (through the
``fullfinity_post_install`` / ``fullfinity_post_upgrade`` hooks, see ``fullfinity.views.plugin``):
it checks every view, action and menu of the tenant against the composed models and raises one
``ViewValidationError`` listing every problem, which rolls the operation back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS
from fullfinity.views.exceptions import Problem, ViewValidationError
from fullfinity.views.records import ActionDef, MenuDef, ViewDef, normalise_view_type
from fullfinity.views.validate import check_all

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["UI_MODELS", "known_groups", "load_actions", "load_menus", "load_views", "validate_views"]

#: The models whose records make up the UI; their writes invalidate resolved views and menus.
UI_MODELS = ("UiView", "WindowAction", "UiMenu")


def _groups_sql(env: Environment, model: str, alias: str) -> str:
    """A sub-select of the group identifiers of ``alias`` (a row of ``model``)."""
    table, this, other = env.registry.get(model)._fields["groups"].relation  # type: ignore[attr-defined]
    return (
        f"ARRAY(SELECT gi.identifier FROM \"{table}\" gr JOIN {IDENTIFIERS} gi ON gi.model = 'Group' "
        f'AND gi.res_id = gr."{other}" WHERE gr."{this}" = {alias}.id ORDER BY gi.identifier)'
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def load_views(env: Environment, *, model: str | None = None) -> list[ViewDef]:
    """Every active view (of ``model`` when given), extensions included."""
    if "UiView" not in env.registry:
        return []
    rows = await env.fetch(
        f"""
        SELECT v.id, v.name, v.type, v.model, v.arch, v.sequence, i.identifier, i.module,
               pi.identifier AS parent, v.inherited_view_id AS parent_id, {_groups_sql(env, "UiView", "v")} AS groups
        FROM ui_view v
        LEFT JOIN {IDENTIFIERS} i ON i.model = 'UiView' AND i.res_id = v.id
        LEFT JOIN {IDENTIFIERS} pi ON pi.model = 'UiView' AND pi.res_id = v.inherited_view_id
        WHERE v.active AND ($1::text IS NULL OR v.model = $1)
        ORDER BY v.id
        """,
        model,
    )
    return [
        ViewDef(
            identifier=r["identifier"] or f"ui_view_{r['id']}",
            type=normalise_view_type(r["type"]),
            model=r["model"],
            arch=_json(r["arch"]),
            name=r["name"] or r["identifier"] or "",
            inherited_view=r["parent"] or (f"ui_view_{r['parent_id']}" if r["parent_id"] else None),
            sequence=r["sequence"] if r["sequence"] is not None else 10,
            groups=tuple(r["groups"]),
            module=r["module"] or "",
            id=r["id"],
        )
        for r in rows
    ]


async def load_actions(env: Environment, identifiers: Sequence[str] | None = None) -> list[ActionDef]:
    """Window actions that have an identifier (all, or those named)."""
    if "WindowAction" not in env.registry:
        return []
    rows = await env.fetch(
        f"""
        SELECT a.*, i.identifier, i.module, {_groups_sql(env, "WindowAction", "a")} AS groups
        FROM window_action a JOIN {IDENTIFIERS} i ON i.model = 'WindowAction' AND i.res_id = a.id
        WHERE $1::text[] IS NULL OR i.identifier = ANY($1::text[])
        ORDER BY a.id
        """,
        list(identifiers) if identifiers is not None else None,
    )
    return [
        ActionDef(
            identifier=r["identifier"],
            name=r["name"],
            model=r["model"],
            view_types=[normalise_view_type(t) for t in (_json(r["view_types"]) or ["List", "Form"])],
            views=list(_json(r["views"]) or []),
            q_filter=r["q_filter"] or None,
            context=dict(_json(r["context"]) or {}),
            order_by=list(_json(r["order"]) or []),
            limit=r["limit"] if r["limit"] is not None else 80,
            groups=tuple(r["groups"]),
            target=r["target"] or "current",
            res_id=r["res_id"],
            help=r["help"],
            module=r["module"],
            id=r["id"],
        )
        for r in rows
    ]


async def load_menus(env: Environment) -> list[MenuDef]:
    """Every menu that has an identifier, with its parent's and action's identifiers."""
    if "UiMenu" not in env.registry:
        return []
    rows = await env.fetch(
        f"""
        SELECT m.id, m.name, m.sequence, m.icon, i.identifier, i.module, pi.identifier AS parent,
               ai.identifier AS action, {_groups_sql(env, "UiMenu", "m")} AS groups
        FROM ui_menu m
        JOIN {IDENTIFIERS} i ON i.model = 'UiMenu' AND i.res_id = m.id
        LEFT JOIN {IDENTIFIERS} pi ON pi.model = 'UiMenu' AND pi.res_id = m.parent_id
        LEFT JOIN {IDENTIFIERS} ai ON ai.model = 'WindowAction' AND ai.res_id = m.action_id
        ORDER BY m.sequence, m.id
        """
    )
    return [
        MenuDef(
            identifier=r["identifier"],
            name=r["name"],
            parent=r["parent"],
            sequence=r["sequence"] if r["sequence"] is not None else 10,
            icon=r["icon"],
            action=r["action"],
            groups=tuple(r["groups"]),
            module=r["module"],
            id=r["id"],
        )
        for r in rows
    ]


async def known_groups(env: Environment) -> frozenset[str]:
    rows = await env.fetch(f"SELECT identifier FROM {IDENTIFIERS} WHERE model = 'Group'")
    return frozenset(r["identifier"] for r in rows)


def _files_of(modules: set[str]) -> dict[str, str]:
    """identifier -> data file label (``<module>:<relative path>``) for the records of ``modules``."""
    from fullfinity.engine.module_registry import discover_modules
    from fullfinity.exceptions import FullfinityError
    from fullfinity.installer.data_files import module_data_files

    available = discover_modules()
    files: dict[str, str] = {}
    for module in sorted(modules):
        info = available.get(module)
        if info is None:
            continue
        try:
            data_files = module_data_files(module, info.path)
        except FullfinityError:
            continue  # the loader already reported unreadable files
        for data_file in data_files:
            for record in data_file.records:
                files[record.identifier] = data_file.label
    return files


async def validate_views(env: Environment, *, context: str = "") -> None:
    """Check every view, action and menu of the tenant; raise ``ViewValidationError`` listing all problems."""
    views, actions, menus = await load_views(env), await load_actions(env), await load_menus(env)
    problems = check_all(env.registry, views, actions, menus, groups=await known_groups(env))
    if not problems:
        return
    owners = {d.label: d.module for d in views} | {a.identifier: a.module for a in actions}
    owners |= {m.identifier: m.module for m in menus}
    files = _files_of({owners[p.record] for p in problems if owners.get(p.record)})
    raise ViewValidationError(
        [Problem(p.record, p.path, p.message, p.file or files.get(p.record, "")) for p in problems], context=context
    )
