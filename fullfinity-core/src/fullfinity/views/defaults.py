"""Default views for models without one of a type, so every model is usable (views.md 7.4, 10).

- List: the record name, then up to ``LIST_COLUMNS`` other simple stored fields.
- Form: a paper with the simple fields two by two (long texts full width), then one tab per
  x-to-many field (an embedded list of the target's name).
- Search: the model's search fields (``_search_fields``, default the record name; else
  ``display_name``), an ``archived`` filter when the model has ``active``, and a group-by per
  Selection and ManyToOne field.
- Kanban: a card with the record name and a few fields. Calendar: the first Date/Datetime field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.views.arch import is_x2many
from fullfinity.views.records import ViewDef

if TYPE_CHECKING:
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.models import Model

__all__ = ["DEFAULT_TYPES", "default_view"]

DEFAULT_TYPES = ("List", "Form", "Search", "Kanban", "Calendar")
LIST_COLUMNS = 6
SIMPLE = frozenset(
    {"Char", "Integer", "Float", "Monetary", "Numeric", "Boolean", "Selection", "Date", "Datetime", "ManyToOne"}
)


def _name_field(model: type[Model]) -> str:
    return model._rec_name if model._rec_name in model._fields else "display_name"


def _simple(model: type[Model], *, exclude: str = "") -> list[Field[Any]]:
    return [
        f
        for f in model._fields.values()
        if not f.automatic and f.name != exclude and f.type_name in SIMPLE and f.column is not None
    ]


def _field(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "field", "name": name, **extra}


def _list(model: type[Model]) -> list[dict[str, Any]]:
    name = _name_field(model)
    columns = [_field(name)] + [_field(f.name) for f in _simple(model, exclude=name)[: LIST_COLUMNS - 1]]
    return [{"content": columns}]


def _form(model: type[Model]) -> list[dict[str, Any]]:
    main: list[dict[str, Any]] = []
    name = _name_field(model)
    if name != "display_name":
        main.append(_field(name, span=12))
    for f in model._fields.values():
        if f.automatic or f.name == name or is_x2many(f):
            continue
        main.append(_field(f.name, span=12 if f.type_name in ("Text", "JSON") else 6))
    content: list[dict[str, Any]] = [{"type": "paper", "anchor": "main", "content": [{"type": "row", "content": main}]}]
    tabs = []
    for f in model._fields.values():
        target = getattr(f, "target", None)
        if is_x2many(f) and target is not None and not getattr(f, "single", False):
            columns = [_field(_name_field(target))]
            tabs.append(
                {"type": "tab", "name": f.name, "title": f.description, "content": [_field(f.name, content=columns)]}
            )
    if tabs:
        content.append({"type": "pageTabs", "content": tabs})
    return [{"content": content}]


def _search(model: type[Model]) -> list[dict[str, Any]]:
    names = [n for n in (model._search_fields or []) if n in model._fields] or ["display_name"]
    content: list[dict[str, Any]] = [_field(n) for n in names]
    if model._has_active:
        content.append(
            {"type": "filter", "name": "archived", "properties": {"label": "Archived", "q_filter": "Q(active=False)"}}
        )
    for f in _simple(model):
        if f.type_name in ("Selection", "ManyToOne"):
            content.append({"type": "groupBy", "name": f.name, "properties": {"label": f.description}})
    return [{"content": content}]


def _kanban(model: type[Model]) -> list[dict[str, Any]]:
    name = _name_field(model)
    card = [_field(name, properties={"widget": "Text", "fw": 600})]
    card += [_field(f.name, properties={"widget": "Text"}) for f in _simple(model, exclude=name)[:3]]
    return [{"content": card}]


def _calendar(model: type[Model]) -> list[dict[str, Any]]:
    dates = [f.name for f in _simple(model) if f.type_name in ("Date", "Datetime")] or ["created_date"]
    return [{"content": [_field(dates[0], display_mode="start"), _field(_name_field(model), display_mode="title")]}]


_BUILDERS = {"List": _list, "Form": _form, "Search": _search, "Kanban": _kanban, "Calendar": _calendar}


def default_view(model: type[Model], view_type: str) -> ViewDef | None:
    """A synthesised view of ``model`` (identifier ``None``), or ``None`` for a type without a default."""
    builder = _BUILDERS.get(view_type)
    if builder is None:
        return None
    return ViewDef(
        identifier=None,
        type=view_type,
        model=model._name,
        arch=builder(model),
        name=str(model._verbose_name or model._name),
    )
