"""``GET /api/views/{model}``, ``GET /api/action/{identifier}``, ``GET /api/menus`` (api.md 5.2-5.4).

Internal and portal users may call them (a portal user gets the views, actions and menus their
groups admit); each runs in the read-only request environment of ``fullfinity.web.request_env``
(``UserReadEnv``: no transaction, writes refused).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from fullfinity.views.search import search_spec
from fullfinity.views.service import get_action, get_menus, get_view
from fullfinity.web.request_env import UserReadEnv

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["views"])


@router.get("/views/{model}")
async def view_endpoint(
    model: str,
    env: UserReadEnv,
    type: str | None = Query(default=None, description="View type: Form, List, Kanban, Calendar, Search..."),
    view: str | None = Query(default=None, description="Identifier of a primary view, instead of the default one"),
) -> dict[str, Any]:
    """The view resolved for this user: arch with inheritance applied and hidden nodes removed, the
    fields to fetch and their metadata."""
    resolved = await get_view(env, model, type, view)
    if resolved["type"] == "Search":
        resolved = {**resolved, "search": search_spec(resolved)}
    return resolved


@router.get("/action/{identifier}")
async def action_endpoint(identifier: str, env: UserReadEnv) -> dict[str, Any]:
    """A window action; 404 when unknown or not allowed for this user."""
    return await get_action(env, identifier)


@router.get("/menus")
async def menus_endpoint(env: UserReadEnv) -> dict[str, Any]:
    """The user's menu tree, ordered by sequence."""
    return {"data": await get_menus(env)}
