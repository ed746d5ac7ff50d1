"""Products (business.md 1): goods and services, with their unit, category, prices and image."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from fullfinity.engine.base import Boolean, Char, File, ManyToOne, Model, Monetary, Selection, Text

PRODUCT_TYPES = [("goods", "Goods"), ("service", "Service")]
#: Codes and barcodes are unique when set; an empty string means "not set" (NULL), so that many
#: products can have none.
_OPTIONAL_UNIQUE = ("code", "barcode")


def _without_blank_codes(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in _OPTIONAL_UNIQUE:
        value = out.get(name)
        if isinstance(value, str) and not value.strip():
            out[name] = None
    return out


async def _default_uom(record: Any) -> int | None:
    """The reference unit of the "Unit" category (the module's data ships it as "Units"), if any."""
    row = await record.env.fetchrow(
        "SELECT u.id FROM uom u JOIN uom_category c ON c.id = u.category_id "
        "WHERE c.name = 'Unit' AND u.uom_type = 'reference' AND u.active ORDER BY u.id LIMIT 1"
    )
    return int(row["id"]) if row is not None else None


class Product(Model):
    #: bulk_create blanks empty codes and barcodes for a set, as save does.
    _bulk_create_does_save = True
    _order = "name ASC, id ASC"
    _search_fields = ["name", "code", "barcode"]

    name = Char(max_length=200, required=True)
    code = Char(max_length=64, unique=True, clone=False, description="Internal reference")
    barcode = Char(max_length=64, unique=True, clone=False)
    product_type = Selection(choices=PRODUCT_TYPES, required=True, default="goods", description="Product type")
    category = ManyToOne("ProductCategory", related_name="products", on_delete="SET NULL")
    uom = ManyToOne("Uom", required=True, default=_default_uom, on_delete="RESTRICT", description="Unit of measure")
    sale_price = Monetary(default=0, hint="Price of one unit, in the company currency, taxes as the tax says.")
    cost = Monetary(default=0, hint="Cost of one unit, in the company currency.")
    description = Text()
    image = File(accept=["image/*"], max_size=5 * 1024 * 1024)
    active = Boolean(default=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**_without_blank_codes(values))

    async def save(self, *, check_concurrency: bool = False) -> None:
        for rec in self:
            for name in _OPTIONAL_UNIQUE:
                if name in (rec._changes or {}):
                    value = getattr(rec, name)
                    if isinstance(value, str) and not value.strip():
                        setattr(rec, name, None)
        await super().save(check_concurrency=check_concurrency)

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        return await super().bulk_create([_without_blank_codes(r) if isinstance(r, Mapping) else r for r in rows])
