"""Quants: how much of a product (and lot) a location holds, one row per (product, location, lot).

Never written through the ORM by users: the ledger (``fullfinity_inventory.stock``) updates them in
place under row locks, and a unique index on (product, location, coalesce(lot, 0)) makes a duplicate
quant impossible. Virtual locations have quants too (negative at vendors, positive at customers):
summed over all locations each product's quantity is zero.
"""

from __future__ import annotations

from decimal import Decimal

from fullfinity.engine.base import Datetime, ManyToOne, Model, Numeric

QTY = (20, 4)


class Quant(Model):
    _verbose_name = "Stock on Hand"
    _order = "location ASC, product ASC, lot ASC, id ASC"

    product = ManyToOne("Product", required=True, on_delete="RESTRICT", index=True, readonly=True)
    location = ManyToOne("Location", required=True, on_delete="RESTRICT", index=True, readonly=True)
    lot = ManyToOne("Lot", on_delete="RESTRICT", index=True, readonly=True, description="Lot/Serial")
    quantity = Numeric(digits=QTY, default=Decimal(0), readonly=True, description="On hand")
    reserved = Numeric(digits=QTY, default=Decimal(0), readonly=True)
    in_date = Datetime(readonly=True, description="Incoming date")
