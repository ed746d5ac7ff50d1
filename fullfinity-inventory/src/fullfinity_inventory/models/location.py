"""Locations (business.md 3): a tree of places; internal ones hold stock, virtual ones balance it.

``complete_name`` ("WH/Stock/Shelf 1") and ``parent_path`` ("/3/4/9/", ids from the root) are kept
by one recursive statement after each write: reservation and quantities use ``parent_path`` to take a
location together with its sublocations in one indexed ``LIKE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from fullfinity.engine.base import Boolean, Char, ManyToOne, Model, Selection
from fullfinity.engine.records.trees import refuse_cycle

USAGES = [
    ("view", "View"),
    ("internal", "Internal"),
    ("supplier", "Vendor"),
    ("customer", "Customer"),
    ("inventory", "Inventory loss"),
    ("production", "Production"),
    ("transit", "Transit"),
    ("scrap", "Scrap"),
]

_PATHS = """
WITH RECURSIVE tree AS (
    SELECT id, name::text AS path, '/' || id || '/' AS ids FROM location WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, tree.path || '/' || c.name, tree.ids || c.id || '/' FROM location c JOIN tree ON c.parent_id = tree.id
)
UPDATE location l SET complete_name = tree.path, parent_path = tree.ids
FROM tree WHERE l.id = tree.id
  AND (l.complete_name IS DISTINCT FROM tree.path OR l.parent_path IS DISTINCT FROM tree.ids)
"""


class Location(Model):
    #: bulk_create refreshes the paths once for a set, as save does.
    _bulk_create_does_save = True
    _order = "complete_name ASC, id ASC"
    _rec_name = "complete_name"
    _search_fields = ["complete_name", "barcode"]

    name = Char(max_length=120, required=True)
    complete_name = Char(max_length=1000, readonly=True, index=True, description="Full name")
    parent_path = Char(max_length=1000, readonly=True, index=True, hint="Ids from the root: /1/4/9/")
    parent = ManyToOne("Location", related_name="children", on_delete="RESTRICT", description="Parent location")
    usage = Selection(choices=USAGES, required=True, default="internal", index=True, description="Type")
    warehouse = ManyToOne("Warehouse", on_delete="SET NULL", index=True)
    allow_negative = Boolean(default=False, hint="Let this location go below zero (deliveries before receipts)")
    barcode = Char(max_length=64, unique=True)
    active = Boolean(default=True)

    @Model.constrain("parent")
    async def _check_no_cycle(self) -> None:
        await refuse_cycle(self, what="a location")

    async def save(self, *, check_concurrency: bool = False) -> None:
        touched = any(rec.id is None or {"name", "parent"} & set(rec._changes or {}) for rec in self)
        await super().save(check_concurrency=check_concurrency)
        if touched:
            await self._refresh_paths()

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        created = await super().bulk_create(rows)
        await created._refresh_paths()
        return created

    async def _refresh_paths(self) -> None:
        await self.env.execute(_PATHS)
        if any(rec.id is not None for rec in self):
            await self.refresh()
