"""Saved searches of the web client's search bar (web-client.md 3): facets and group-by of one
action, kept per user, optionally shared with everyone who may open the action.

Record rules (``security/saved_search.yaml``): a user reads their own searches and the shared
ones, and writes, creates and deletes only their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fullfinity.engine.base import JSON, Boolean, Char, ManyToOne, Model, env_ctx


class SavedSearch(Model):
    _verbose_name = "Saved Search"
    _order = "model ASC, name ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, index=True)
    action = Char(max_length=200, index=True, description="Identifier of the window action it was saved from.")
    facets = JSON(description="The search bar's facets: filters, field searches and their values.")
    group_by = JSON(description='Group-by keys in order, e.g. ["company", "created_date:month"].')
    user = ManyToOne("User", related_name="saved_searches", required=True, on_delete="CASCADE")
    shared = Boolean(description="Shown to every user who may open the action.")
    is_default = Boolean(description="Applied when its owner opens the action.")

    @classmethod
    async def _default_get(cls, context: Mapping[str, Any]) -> dict[str, Any]:
        values = await super()._default_get(context)
        env = env_ctx.get(None)
        if env is not None and env.real_uid is not None:
            values.setdefault("user", env.real_uid)
        return values
