"""Inventory settings on the tenant's ``Configuration`` record."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Model


class Configuration(Model):
    __inherit__ = "Configuration"

    inventory_lots = Boolean(
        default=True,
        description="Lots & serial numbers",
        hint="Track products by lots or serial numbers (off: tracking is ignored and lots are hidden).",
    )

    async def save(self, *, check_concurrency: bool = False) -> None:
        lots_changed = any("inventory_lots" in (rec._changes or {}) for rec in self)
        await super().save(check_concurrency=check_concurrency)
        if lots_changed:  # the lot fields and menus follow the setting (stock/lots_setting.py)
            from fullfinity_inventory.stock.lots_setting import sync_lots_group

            await sync_lots_group(self.env)
