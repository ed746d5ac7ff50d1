"""The query object: what a queryset asks for, independent of SQL.

A ``Query`` is immutable; querysets derive new ones with ``replace()``. Turning it into
SQL is the compiler's job (``fullfinity.engine.query.compiler``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["OrderItem", "Query", "parse_order"]

_ORDER_RE = re.compile(
    r"^\s*(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:(?:__|\.)[A-Za-z_][A-Za-z0-9_]*)*(?::[a-z]+)?)"
    r"(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OrderItem:
    path: str
    descending: bool = False
    nulls: str | None = None  # "FIRST" | "LAST"

    def reversed(self) -> OrderItem:
        nulls = {"FIRST": "LAST", "LAST": "FIRST"}.get(self.nulls or "")
        return OrderItem(self.path, not self.descending, nulls)


def parse_order(specs: tuple[str, ...] | list[str] | str) -> tuple[OrderItem, ...]:
    """``"priority DESC, id"`` -> order items; a bad spec is a ``BadRequest`` saying the syntax."""
    if isinstance(specs, str):
        specs = [specs]
    items: list[OrderItem] = []
    for spec in specs:
        for part in str(spec).split(","):
            if not part.strip():
                continue
            match = _ORDER_RE.match(part)
            if match is None:
                raise BadRequest(
                    f"Bad order_by {part.strip()!r}: expected 'field', 'field ASC' or 'field DESC', optionally "
                    f"followed by NULLS FIRST/NULLS LAST (relation paths use '__')."
                )
            direction = (match["dir"] or "asc").lower()
            nulls = match["nulls"].upper() if match["nulls"] else None
            items.append(OrderItem(match["path"].replace(".", "__"), direction == "desc", nulls))
    return tuple(items)


@dataclass(frozen=True)
class Query:
    """Filters (AND of Q trees, each optionally negated), ordering, window and fields."""

    model: type[Model]
    filters: tuple[tuple[Any, bool], ...] = ()
    order: tuple[OrderItem, ...] | None = None
    limit: int | None = None
    offset: int | None = None
    fields: tuple[str, ...] | None = None
    distinct: bool = False
    #: Relation paths loaded with the records (``QuerySet.fetch_related``): to-one ones are joined.
    related: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> Query:
        # A plain copy of the attributes: dataclasses.replace() re-runs __init__ with its checks,
        # which costs more than the rest of building a query (querysets derive one per call).
        unknown = changes.keys() - _QUERY_FIELDS
        if unknown:
            raise TypeError(f"Query has no field(s) {sorted(unknown)}")
        copy = object.__new__(Query)
        state = copy.__dict__
        state.update(self.__dict__)
        state.update(changes)
        return copy

    def effective_order(self) -> tuple[OrderItem, ...]:
        """The ordering used: explicit, else the model's ``_order``; ``id`` always last.

        ``order=()`` (``qs.order_by()`` with no argument) means unordered: no ORDER BY at all.
        """
        if self.order == ():
            return ()
        items = self.order if self.order is not None else parse_order(self.model._order)
        if not any(item.path == "id" for item in items):
            items = (*items, OrderItem("id"))
        return items


_QUERY_FIELDS = frozenset(f.name for f in dataclasses.fields(Query))
