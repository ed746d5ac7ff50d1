"""Records arranged in a tree through a ManyToOne to their own model (categories, locations...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fullfinity.engine.query.sql import ident
from fullfinity.exceptions import ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["refuse_cycle"]


async def refuse_cycle(record: Model, *, parent: str = "parent", what: str = "a record") -> None:
    """A ``ValidationError`` on ``parent`` when following the parents from ``record`` comes back to
    it (use it in a ``@Model.constrain(parent)``); one query per level, stored parents above the
    record's own (possibly unsaved) one."""
    cls = type(record)
    column = cls._fields[parent].column
    sql = f"SELECT {ident(column or parent)} FROM {ident(cls._table)} WHERE id = $1"
    seen = {record.id}
    above = getattr(record, parent)
    current = above.id if above is not None else None
    while current is not None:
        if current in seen:
            raise ValidationError({parent: f"{what} cannot be inside itself: its {parent} chain comes back to it"})
        seen.add(current)
        current = await record.env.fetchval(sql, current)
