"""Inventory adjustments: count what a location holds; applying books the differences.

``action_apply`` reads each line's theoretical quantity again under the quants' row locks, then
books one done move per difference between the location and the inventory-loss location: after it,
the quant holds exactly the counted quantity (business.md 3, invariant 6).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Char, Datetime, ManyToOne, Model, Numeric, OneToMany, Selection
from fullfinity_inventory.models.quant import QTY

STATES = [("draft", "Draft"), ("done", "Applied")]


class InventoryAdjustment(Model):
    _verbose_name = "Inventory Adjustment"
    _order = "id DESC"

    name = Char(max_length=200, required=True, default="Inventory adjustment", description="Reference")
    location = ManyToOne("Location", required=True, on_delete="RESTRICT")
    lines = OneToMany("InventoryAdjustmentLine", related_name="adjustment")
    state = Selection(choices=STATES, required=True, default="draft", readonly=True, clone=False)
    date_done = Datetime(readonly=True, clone=False)

    @Model.expose(groups=["inventory_user"])
    async def action_load_quantities(self) -> dict[str, Any]:
        """Fill the lines with what the location holds now (one line per product and lot)."""
        from fullfinity_inventory.stock.adjustments import load_lines

        await load_lines(self.env, self.ids)
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_apply(self) -> dict[str, Any]:
        """Book the counted quantities (draft adjustments only)."""
        from fullfinity_inventory.stock.adjustments import apply_adjustments

        await apply_adjustments(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}


class InventoryAdjustmentLine(Model):
    _verbose_name = "Adjustment Line"
    _order = "adjustment ASC, id ASC"

    adjustment = ManyToOne("InventoryAdjustment", related_name="lines", required=True, on_delete="CASCADE")
    product = ManyToOne("Product", required=True, on_delete="RESTRICT")
    lot = ManyToOne("Lot", on_delete="RESTRICT", description="Lot/Serial")
    location = ManyToOne("Location", on_delete="RESTRICT", hint="Default: the adjustment's")
    counted = Numeric(digits=QTY, default=Decimal(0), required=True, description="Counted quantity")
    theoretical = Numeric(digits=QTY, default=Decimal(0), readonly=True, description="Theoretical quantity")
    difference = Numeric(digits=QTY, calculate="_compute_difference", store=True)
    move = ManyToOne("StockMove", on_delete="SET NULL", readonly=True)

    @Model.calculate("counted", "theoretical")
    async def _compute_difference(self) -> None:
        self.difference = (self.counted or Decimal(0)) - (self.theoretical or Decimal(0))
