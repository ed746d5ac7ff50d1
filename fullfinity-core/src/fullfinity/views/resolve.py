"""Resolving a view for one user (views.md 10).

1. Choose the primary view: the one named, else the lowest-``sequence`` primary view of that model and
   type whose ``groups`` admit the user, else a synthesised default (``defaults``).
2. Apply the extensions that apply to this user (``inherit``).
3. Remove what the user may not see: nodes whose ``groups`` exclude them, fields hidden by field
   ``groups``, x-to-many fields of models they cannot read, buttons of methods exposed to other groups.
4. Replace every Q string (modifiers, search filters, ``linkButton`` filters) by its JSON tree;
   compute the ``fetch`` list and the metadata of the fields used.

The result is what ``GET /api/views/{model}`` answers; ``service.get_view`` caches it per tenant,
view and set of effective groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fullfinity.api.handlers.meta import field_meta
from fullfinity.engine.Q import Q
from fullfinity.views.arch import MODIFIERS, is_x2many, q_leaves
from fullfinity.views.inherit import apply_extensions, order_extensions, primary_of
from fullfinity.views.records import ViewDef
from fullfinity.views.search import default_lookup
from fullfinity.views.viewer import Viewer

if TYPE_CHECKING:
    from fullfinity.engine.models import Model
    from fullfinity.engine.records.registry import Registry

__all__ = ["choose_primary", "extensions_of", "resolve_view"]

Q_PROPERTIES = (*MODIFIERS, "q_filter")


def choose_primary(views: Iterable[ViewDef], model: str, view_type: str, viewer: Viewer) -> ViewDef | None:
    """The lowest-sequence primary view of ``model`` and ``view_type`` the viewer's groups admit."""
    candidates = [
        v
        for v in views
        if not v.is_extension and v.model == model and v.type == view_type and viewer.in_groups(v.groups)
    ]
    return min(candidates, key=lambda v: (v.sequence, v.id or 0, v.identifier or "")) if candidates else None


def extensions_of(primary: ViewDef, views: Sequence[ViewDef], module_order: Sequence[str]) -> list[ViewDef]:
    """Every extension resolving to ``primary``, in application order."""
    if primary.identifier is None:
        return []
    by_id = {v.identifier: v for v in views if v.identifier}
    mine = [v for v in views if v.is_extension and primary_of(v, by_id) is primary]
    return order_extensions(mine, module_order)


@dataclass
class _Resolution:
    registry: Registry
    viewer: Viewer
    view_type: str
    fetch: dict[str, None] = field(default_factory=dict)
    used: dict[str, dict[str, Any]] = field(default_factory=dict)
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)

    def use(self, model: type[Model], name: str, prefix: str = "") -> None:
        f = model._fields.get(name)
        if f is None:
            return
        self.used.setdefault(model._name, {})[name] = field_meta(f, model)
        if self.view_type != "Search":
            self.fetch[prefix + name] = None
            for extra in (f.prefix_field, f.suffix_field):
                if extra:
                    self.fetch[prefix + extra.replace("__", ".")] = None

    def visible(self, node: dict[str, Any], model: type[Model]) -> bool:
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        if props and not self.viewer.in_groups(props.get("groups") or ()):
            return False
        kind = node.get("type")
        if kind in ("field", "statusbar"):
            name = node.get("name")
            f = model._fields.get(name) if isinstance(name, str) else None
            if f is None:
                return False
            if not self.viewer.sees(f):
                return False
            if is_x2many(f) and not self.viewer.can(getattr(f, "related_model", "")):
                return False
        if kind == "actionButton" and props:
            fn = getattr(model, str(props.get("method")), None)
            if fn is not None and not self.viewer.in_groups(getattr(fn, "_expose_groups", ())):
                return False
        return True

    def nodes(self, nodes: Any, model: type[Model], prefix: str = "") -> list[Any]:
        out: list[Any] = []
        for node in nodes if isinstance(nodes, list) else []:
            if not isinstance(node, dict) or not self.visible(node, model):
                continue
            out.append(self.node(node, model, prefix))
        return out

    def node(self, node: dict[str, Any], model: type[Model], prefix: str) -> dict[str, Any]:
        node = dict(node)
        kind = node.get("type")
        props = dict(node["properties"]) if isinstance(node.get("properties"), dict) else None
        if props is not None:
            for key in Q_PROPERTIES:
                value = props.get(key)
                if isinstance(value, str):
                    q = Q.parse(value)
                    props[key] = q.to_json()
                    if key in MODIFIERS:
                        for leaf in q_leaves(q):
                            self.use(model, leaf.path.split("__")[0], prefix)
            if kind == "actionButton" and isinstance(props.get("method"), str):
                entry = self.methods.setdefault(props["method"], {})
                confirm = getattr(getattr(model, props["method"], None), "_confirm", None)
                if isinstance(confirm, dict):  # later.md 1: the client asks before calling the method
                    entry["confirm"] = dict(confirm)
            node["properties"] = props
        if kind in ("field", "statusbar") and isinstance(node.get("name"), str):
            name = node["name"]
            if self.view_type == "Search" and not (props or {}).get("q_filter") and name in model._fields:
                node["properties"] = {**(props or {}), "lookup": default_lookup(model._fields[name])}
            self.use(model, name, prefix)
            target = getattr(model._fields.get(name), "target", None)
            if kind == "field" and "content" in node and target is not None:
                node["content"] = self.nodes(node["content"], target, f"{prefix}{name}.")
                return node
        elif kind == "groupBy" and isinstance(node.get("name"), str):
            self.use(model, node["name"].partition(":")[0], prefix)
        if "content" in node:
            node["content"] = self.nodes(node["content"], model, prefix)
        return node

    def block(self, block: Any, model: type[Model]) -> dict[str, Any]:
        out = dict(block) if isinstance(block, dict) else {}
        out["content"] = self.nodes(out.get("content", []), model)
        if "buttons" in out:
            out["buttons"] = self.nodes(out["buttons"], model)
        if isinstance(out.get("decorations"), dict):
            trees: dict[str, Any] = {}
            for style, text in out["decorations"].items():
                q = Q.parse(text) if isinstance(text, str) else None
                trees[style] = q.to_json() if q is not None else text
                for leaf in q_leaves(q) if q is not None else ():
                    self.use(model, leaf.path.split("__")[0], "")
            out["decorations"] = trees
        if isinstance(out.get("column_filter"), str):
            # Over the columns' model (checked at install); the client sends it back as the q_filter
            # of the columns' query, where the server binds uid, company_id and the other names.
            out["column_filter"] = Q.parse(out["column_filter"]).to_json()
        for name in out.get("drag_fields") or []:
            self.use(model, name)
        for spec in out.get("aggregates") or []:
            self.use(model, str(spec).partition(":")[0])
        return out


def resolve_view(registry: Registry, primary: ViewDef, extensions: Sequence[ViewDef], viewer: Viewer) -> dict[str, Any]:
    """The view as ``/api/views`` answers it for ``viewer`` (``extensions`` already ordered)."""
    model = registry.get(primary.model)
    arch = apply_extensions(primary, extensions, admits=lambda v: viewer.in_groups(v.groups))
    work = _Resolution(registry, viewer, primary.type)
    resolved = [work.block(block, model) for block in arch]
    if primary.type == "Kanban" and "sequence" in model._fields:
        work.use(model, "sequence")  # cards are ordered by it and reordered inside a column
    if primary.type != "Search":
        work.fetch = {"id": None, "display_name": None, **work.fetch}
    return {
        "identifier": primary.identifier,
        "name": primary.name or primary.identifier or model._verbose_name,
        "type": primary.type,
        "model": primary.model,
        "arch": resolved,
        "fetch": list(work.fetch),
        "models": work.used,
        "methods": work.methods,
    }
