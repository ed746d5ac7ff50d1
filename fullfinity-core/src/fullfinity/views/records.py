"""Plain descriptions of view, action and menu records, independent of the database.

The engine (validation, inheritance, resolution) works on these; ``store`` builds them from the
``UiView``/``WindowAction``/``UiMenu`` records of a tenant, tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["VIEW_TYPE_ALIASES", "ActionDef", "MenuDef", "ViewDef", "normalise_view_type"]

#: Legacy spellings accepted for a view type and the type they mean.
VIEW_TYPE_ALIASES = {"Tree": "List"}


def normalise_view_type(view_type: str) -> str:
    """``Tree`` -> ``List``; other names unchanged."""
    return VIEW_TYPE_ALIASES.get(view_type, view_type)


@dataclass
class ViewDef:
    """A ``UiView``: a primary view (``arch`` is a list of root blocks) or an extension
    (``inherited_view`` set, ``arch`` is ``{"operations": [...]}``)."""

    identifier: str | None
    type: str
    model: str
    arch: Any
    name: str = ""
    inherited_view: str | None = None
    sequence: int = 10
    groups: tuple[str, ...] = ()
    module: str = ""
    file: str = ""
    id: int | None = None

    @property
    def is_extension(self) -> bool:
        return self.inherited_view is not None

    @property
    def label(self) -> str:
        return self.identifier or f"<default {self.type} view of {self.model}>"


@dataclass
class ActionDef:
    """A ``WindowAction`` (views.md 12.1)."""

    identifier: str
    name: str
    model: str
    view_types: list[str] = field(default_factory=lambda: ["List", "Form"])
    views: list[str] = field(default_factory=list)
    q_filter: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    order_by: list[str] = field(default_factory=list)
    limit: int = 80
    groups: tuple[str, ...] = ()
    target: str = "current"
    res_id: str | None = None
    help: str | None = None
    module: str = ""
    file: str = ""
    id: int | None = None


@dataclass
class MenuDef:
    """A ``UiMenu`` (views.md 12.2)."""

    identifier: str
    name: str
    parent: str | None = None
    sequence: int = 10
    icon: str | None = None
    action: str | None = None
    groups: tuple[str, ...] = ()
    module: str = ""
    file: str = ""
    id: int | None = None
