"""Valuation layers: the value of stock, one layer per valued move (in: positive; out: negative).

Incoming layers keep ``remaining_qty``/``remaining_value``, consumed by outgoing moves (FIFO: oldest
first at their own cost; standard and average: at the product's cost, the remaining value spread
back over the remaining layers). Sum of values == stock value; sum of remaining quantities == on hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Char, ManyToOne, Model, Monetary, Numeric
from fullfinity_inventory.models.quant import QTY


class ValuationLayer(Model):
    _verbose_name = "Valuation Layer"
    _order = "id ASC"

    move = ManyToOne("StockMove", on_delete="RESTRICT", index=True, readonly=True)
    product = ManyToOne("Product", required=True, on_delete="RESTRICT", index=True, readonly=True)
    quantity = Numeric(digits=QTY, default=Decimal(0), readonly=True)
    unit_cost = Numeric(digits=(20, 6), default=Decimal(0), readonly=True)
    value = Monetary(default=Decimal(0), readonly=True)
    remaining_qty = Numeric(digits=QTY, default=Decimal(0), readonly=True)
    remaining_value = Monetary(default=Decimal(0), readonly=True)
    description = Char(max_length=200, readonly=True)

    @classmethod
    async def layer_columns(cls, layers: list[dict[str, Any]]) -> dict[str, list[Any]]:
        """Called by the ledger before it writes new layers (``product_id``, ``value``,
        ``description`` each), in the same transaction: more columns to write with them, one value
        per layer. Override point: ``inventory_invoicing`` posts the journal entries here and
        returns their ids (``journal_entry_id``), so each layer is written once."""
        _: Any = layers
        return {}

    @classmethod
    async def layers_created(cls, layer_ids: list[int]) -> None:
        """Called by the ledger after it created valuation layers (inside the same transaction).
        Override point: ``inventory_invoicing`` posts the journal entries here."""
        _: Any = layer_ids
