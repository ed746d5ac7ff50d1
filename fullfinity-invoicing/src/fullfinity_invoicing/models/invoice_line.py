"""Invoice lines: products (with their quantity, unit price, discount and taxes), sections and notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Self

from fullfinity.engine.base import (
    Integer,
    ManyToMany,
    ManyToOne,
    Model,
    Monetary,
    Numeric,
    Selection,
    Text,
    ValidationError,
)

DISPLAY_TYPES = [("product", "Product"), ("section", "Section"), ("note", "Note")]
#: Fields whose change alters the amounts of the line's invoice.
AMOUNT_FIELDS = frozenset({"quantity", "price_unit", "discount", "taxes", "display_type", "invoice"})


class InvoiceLine(Model):
    #: bulk_create refuses non-draft invoices and fills defaults and amounts for a set.
    _bulk_create_does_save = True
    _verbose_name = "Invoice Line"
    _order = "invoice ASC, sequence ASC, id ASC"
    _rec_name = "name"
    _sql_constraints = [
        ("discount_range", "discount >= 0 AND discount <= 100", "A discount is between 0 and 100 %."),
    ]

    invoice = ManyToOne("Invoice", related_name="lines", required=True, on_delete="CASCADE")
    sequence = Integer(default=10)
    display_type = Selection(choices=DISPLAY_TYPES, required=True, default="product", description="Line type")
    # product, account and unit are not indexed (index=False keeps the foreign keys): lines are read by their
    # invoice, never looked up by these; each index cost every line written (docs/benchmarks.md, issue 14).
    product = ManyToOne("Product", on_delete="RESTRICT", index=False)
    name = Text(description="Description", hint="Default: the product's name")
    account = ManyToOne(
        "Account", on_delete="RESTRICT", index=False, hint="Default: the product's, its category's, the settings'"
    )
    quantity = Numeric(digits=(16, 4), default=Decimal(1))
    uom = ManyToOne("Uom", on_delete="RESTRICT", index=False, description="Unit")
    price_unit = Monetary(
        default=Decimal(0), currency_field="invoice__currency", description="Unit price",
        hint="Default: the product's price",
    )  # fmt: skip
    discount = Numeric(digits=(7, 4), default=Decimal(0), description="Discount (%)")
    taxes = ManyToMany("Tax", hint="Default: the product's taxes")
    price_subtotal = Monetary(readonly=True, default=Decimal(0), currency_field="invoice__currency",
                              description="Subtotal")  # fmt: skip
    price_total = Monetary(readonly=True, default=Decimal(0), currency_field="invoice__currency", description="Total")

    @Model.constrain("display_type", "product", "quantity")
    async def _check_product_line(self) -> None:
        if self.display_type != "product" and self.product is not None:
            raise ValidationError({"product": "sections and notes carry no product"})

    @Model.onchange("product")
    async def _onchange_product(self) -> None:
        """A product picked on a form fills the line as saving would: description, price, taxes,
        account and unit (the user can still change each of them afterwards)."""
        from fullfinity_invoicing.models._defaults import draft_line_defaults

        for name, value in (await draft_line_defaults(self)).items():
            setattr(self, name, value)
        await self._onchange_amounts()

    @Model.onchange("quantity", "price_unit", "discount", "taxes", "display_type")
    async def _onchange_amounts(self) -> None:
        """The line's subtotal and total while it is edited, with the engine and rounding posting uses."""
        from fullfinity_invoicing.models._amounts import draft_line_amounts

        subtotal, total = await draft_line_amounts(self)
        self.price_subtotal = subtotal
        self.price_total = total

    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_invoicing.models._defaults import fill_line_defaults, refuse_unless_draft
        from fullfinity_invoicing.models.invoice import schedule_amounts

        await refuse_unless_draft(self)
        await fill_line_defaults(self)
        touched: set[int] = set()
        for rec in self:
            if rec.id is None or AMOUNT_FIELDS & set(rec._changes or {}):
                touched.add(rec.invoice.id)
                old = (rec._changes or {}).get("invoice")
                if isinstance(old, int):
                    touched.add(old)
        await super().save(check_concurrency=check_concurrency)
        await schedule_amounts(self.env, sorted(touched))

    async def delete(self) -> None:
        from fullfinity_invoicing.models._defaults import refuse_unless_draft
        from fullfinity_invoicing.models.invoice import schedule_amounts

        await refuse_unless_draft(self, deleting=True)
        rows = await self.env.fetch(
            "SELECT DISTINCT invoice_id FROM invoice_line WHERE id = ANY($1::bigint[])", self.ids
        )
        await super().delete()
        await schedule_amounts(self.env, [r["invoice_id"] for r in rows])

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        from fullfinity.engine.base import env_ctx
        from fullfinity_invoicing.models._defaults import fill_line_rows, refuse_rows_unless_draft
        from fullfinity_invoicing.models.invoice import PREPARED, schedule_amounts

        env = env_ctx.get()
        if PREPARED.get():  # Invoice.bulk_create filled defaults and amounts already
            return await super().bulk_create(rows)
        prepared = await fill_line_rows(env, [dict(r) if isinstance(r, Mapping) else r for r in rows])
        await refuse_rows_unless_draft(env, prepared)
        created = await super().bulk_create(prepared)
        await schedule_amounts(
            env, sorted({r["invoice"] for r in prepared if isinstance(r, dict) and r.get("invoice")})
        )
        return created
