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
