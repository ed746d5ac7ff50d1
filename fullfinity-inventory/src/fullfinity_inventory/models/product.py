"""Products gain stock fields: storable, tracking, cost method, and quantities for a location.

The quantities are computed for a whole record set in one query, for the context's ``location``
(that location and its sublocations) or ``warehouse`` (its stock), else every internal location.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Boolean, Model, Numeric, Selection
from fullfinity_inventory.models.quant import QTY

TRACKING = [("none", "No tracking"), ("lot", "By lots"), ("serial", "By unique serial number")]
COST_METHODS = [("standard", "Standard price"), ("average", "Average cost (AVCO)"), ("fifo", "First in, first out")]


class Product(Model):
    __inherit__ = "Product"

    storable = Boolean(default=False, description="Track inventory", hint="Stock quantities are kept for it")
    tracking = Selection(choices=TRACKING, default="none", required=True)
    cost_method = Selection(choices=COST_METHODS, default="standard", required=True, description="Costing method")
    qty_on_hand = Numeric(digits=QTY, calculate="_compute_quantities", store=False, description="On hand")
    qty_reserved = Numeric(digits=QTY, calculate="_compute_quantities", store=False, description="Reserved")
    qty_available = Numeric(digits=QTY, calculate="_compute_quantities", store=False, description="Available")
    qty_forecast = Numeric(digits=QTY, calculate="_compute_quantities", store=False, description="Forecasted")

    @Model.calculate("storable", batch=True)
    async def _compute_quantities(self) -> None:
        from fullfinity_inventory.stock.quantities import quantities

        ids = [rec.id for rec in self if rec.id is not None]
        found = await quantities(self.env, ids, self.env.context) if ids else {}
        zero = Decimal(0)
        for rec in self:
            on_hand, reserved, incoming, outgoing = found.get(rec.id, (zero, zero, zero, zero))
            rec.qty_on_hand = on_hand
            rec.qty_reserved = reserved
            rec.qty_available = on_hand - reserved
            rec.qty_forecast = on_hand + incoming - outgoing

    @Model.expose(groups=["inventory_user"])
    async def action_scrap(self, quantity: Any, location: int | None = None, lot: int | None = None) -> dict[str, Any]:
        """Scrap ``quantity`` of this product from ``location`` (default: the first warehouse's stock):
        a done move to the scrap location."""
        from fullfinity_inventory.stock.scrap import scrap

        product = self.ensure_one()
        await scrap(self.env, product.id, Decimal(str(quantity)), location, lot)
        return {"type": "reload"}

    @Model.expose
    async def action_view_moves(self) -> dict[str, Any]:
        """The done moves of this product (its move history)."""
        product = self.ensure_one()
        return {
            "type": "action",
            "name": "Moves History",
            "model": "StockMove",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(product={int(product.id)}) & Q(state='done')",
        }
