"""The model methods a user's views reference, which ``/api/execute`` may call (api.md 4.7, views.md 8).

A view exposes the ``properties.method`` of its ``actionButton`` nodes and the ``data_method`` of
its first root block. What counts is what the user is shown: every primary view of the model whose
``groups`` admit the user, with the extensions that apply to them, after the nodes the user may
not see are removed (``resolve.resolve_view``, the same resolution ``/api/views`` answers with).
Buttons inside an embedded x-to-many list belong to the lines' model and are not counted here.

The answer is cached per tenant, model and set of effective groups, in the namespace of resolved
views and with the same dependencies, so a write to a view, group or access right (or a module
operation) makes it stale at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.cache import fetch_in_env
from fullfinity.exceptions import FullfinityError
from fullfinity.views.resolve import extensions_of, resolve_view
from fullfinity.views.service import VIEW_MODELS
from fullfinity.views.store import load_views
from fullfinity.views.viewer import Viewer

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["ViewMethods", "view_methods"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ViewMethods:
    """The method names of one model referenced by the views a user sees."""

    buttons: frozenset[str]
    data_methods: frozenset[str]


def _buttons(nodes: Any) -> Iterator[str]:
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        props = node.get("properties")
        if node.get("type") == "actionButton" and isinstance(props, dict) and isinstance(props.get("method"), str):
            yield props["method"]
        if node.get("type") != "field":  # a field's content is an embedded list of another model
            yield from _buttons(node.get("content"))


async def view_methods(env: Environment, model: str) -> ViewMethods:
    """The ``actionButton`` methods and ``data_method``s of the views of ``model`` the env's user sees."""
    viewer = Viewer.of(env)

    async def compute() -> dict[str, list[str]]:
        views = await load_views(env, model=model)
        buttons: set[str] = set()
        data_methods: set[str] = set()
        for view in views:
            if view.is_extension or view.model != model or not viewer.in_groups(view.groups):
                continue
            try:
                resolved = resolve_view(env.registry, view, extensions_of(view, views, env.registry.modules), viewer)
            except FullfinityError as exc:  # a view the user cannot open exposes nothing
                log.warning("view %s of %s does not resolve, its methods are not exposed: %s", view.label, model, exc)
                continue
            arch = resolved["arch"]
            for block in arch:
                buttons.update(_buttons(block.get("content")))
                buttons.update(_buttons(block.get("buttons")))
            if arch and isinstance(arch[0].get("data_method"), str):
                data_methods.add(arch[0]["data_method"])
        return {"buttons": sorted(buttons), "data_methods": sorted(data_methods)}

    found = await fetch_in_env(env, "views", f"methods:{model}:{viewer.cache_key}", compute, models=VIEW_MODELS)
    return ViewMethods(frozenset(found["buttons"]), frozenset(found["data_methods"]))
