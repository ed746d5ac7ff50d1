"""Product categories: a tree whose stored ``complete_name`` reads "All / Saleable / Office"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from fullfinity.engine.base import Char, ManyToOne, Model
from fullfinity.engine.records.trees import refuse_cycle

# Every category's full path from its root, computed in the database in one statement; a parent
# cycle never reaches a root, so it cannot loop (the constraint below refuses cycles anyway).
_COMPLETE_NAMES = """
WITH RECURSIVE tree AS (
    SELECT id, name::text AS path FROM product_category WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, tree.path || ' / ' || c.name FROM product_category c JOIN tree ON c.parent_id = tree.id
)
UPDATE product_category p SET complete_name = tree.path
FROM tree WHERE p.id = tree.id AND p.complete_name IS DISTINCT FROM tree.path
"""


class ProductCategory(Model):
    #: bulk_create refreshes the complete names once for a set, as save does.
    _bulk_create_does_save = True
    _verbose_name = "Product Category"
    _order = "complete_name ASC, id ASC"
    _rec_name = "complete_name"
    _search_fields = ["complete_name"]

    name = Char(max_length=120, required=True)
    parent = ManyToOne("ProductCategory", related_name="children", on_delete="RESTRICT")
    complete_name = Char(
        max_length=1000, readonly=True, index=True, hint="The category's path from its root, kept up to date."
    )

    @Model.constrain("parent")
    async def _check_no_cycle(self) -> None:
        await refuse_cycle(self, what="a category")

    async def save(self, *, check_concurrency: bool = False) -> None:
        touched = any(name in (rec._changes or {}) for rec in self for name in ("name", "parent"))
        new = any(rec.id is None for rec in self)
        await super().save(check_concurrency=check_concurrency)
        if touched or new:
            await self._refresh_complete_names()

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        created = await super().bulk_create(rows)
        await cls._refresh_complete_names(created)
        return created

    async def _refresh_complete_names(self) -> None:
        """Recompute every category's path (the tree is small) and reload these records."""
        await self.env.execute(_COMPLETE_NAMES)
        if any(rec.id is not None for rec in self):
            await self.refresh()
