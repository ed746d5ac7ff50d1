"""Saved searches of the web client's search bar (web-client.md 3): facets and group-by of one
action, kept per user, optionally shared with everyone who may open the action.

Record rules (``security/saved_search.yaml``): a user reads their own searches and the shared
ones, and writes, creates and deletes only their own.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import JSON, Boolean, Char, ManyToOne, Model, env_ctx


def _current_user(record: Any) -> int | None:
    """The default owner: the user creating the search."""
    env = env_ctx.get(None)
    return env.real_uid if env is not None else None


class SavedSearch(Model):
    _verbose_name = "Saved Search"
    _order = "model ASC, name ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, index=True)
    action = Char(max_length=200, index=True, description="Identifier of the window action it was saved from.")
    facets = JSON(description="The search bar's facets: filters, field searches and their values.")
    group_by = JSON(description='Group-by keys in order, e.g. ["company", "created_date:month"].')
    user = ManyToOne("User", related_name="saved_searches", required=True, on_delete="CASCADE", default=_current_user)
    shared = Boolean(description="Shown to every user who may open the action.")
    is_default = Boolean(description="Applied when its owner opens the action.")
