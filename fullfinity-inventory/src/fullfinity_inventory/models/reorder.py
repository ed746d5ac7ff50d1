"""Reorder rules: keep a product's forecast between a minimum and a maximum at a location.

``action_replenish`` (also ``ReorderRule.replenish_all``) makes draft receipts, one per warehouse,
for every rule whose forecast is below ``min_qty``: the quantity brings the forecast to ``max_qty``,
rounded up to a multiple of ``multiple``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Boolean, ManyToOne, Model, Numeric
from fullfinity_inventory.models.quant import QTY


class ReorderRule(Model):
    _verbose_name = "Reorder Rule"
    _order = "warehouse ASC, product ASC, id ASC"
    _unique_together = [("product", "location")]

    product = ManyToOne("Product", required=True, on_delete="CASCADE", index=True)
    warehouse = ManyToOne("Warehouse", required=True, on_delete="CASCADE")
    location = ManyToOne("Location", on_delete="CASCADE", hint="Default: the warehouse's stock location")
    min_qty = Numeric(digits=QTY, default=Decimal(0), required=True, description="Minimum")
    max_qty = Numeric(digits=QTY, default=Decimal(0), required=True, description="Maximum")
    multiple = Numeric(digits=QTY, default=Decimal(1), required=True, description="Order in multiples of")
    partner = ManyToOne("Contact", on_delete="SET NULL", description="Vendor")
    active = Boolean(default=True)

    @Model.constrain("min_qty", "max_qty", "multiple")
    async def _check_quantities(self) -> None:
        from fullfinity.engine.base import ValidationError

        problems = {}
        if self.min_qty is not None and self.min_qty < 0:
            problems["min_qty"] = "must be zero or more"
        if self.max_qty is not None and self.min_qty is not None and self.max_qty < self.min_qty:
            problems["max_qty"] = "must not be below the minimum"
        if self.multiple is not None and self.multiple <= 0:
            problems["multiple"] = "must be more than zero"
        if problems:
            raise ValidationError(problems)

    @Model.expose(groups=["inventory_user"])
    async def action_replenish(self) -> dict[str, Any]:
        """Draft receipts for these rules whose forecast is below their minimum."""
        from fullfinity_inventory.stock.replenishment import replenish

        created = await replenish(self.env, self.ids)
        return {
            "type": "action",
            "name": "Replenishment",
            "model": "Transfer",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(id__in={sorted(created)})",
        }

    async def cron_replenish(cls) -> None:
        """Scheduled job ``inventory_cron_replenish``: draft receipts for every active rule whose
        forecast is below its minimum (``action_replenish`` for all rules)."""
        from fullfinity.engine.base import env_ctx
        from fullfinity_inventory.stock.replenishment import replenish

        await replenish(env_ctx.get(), None)
