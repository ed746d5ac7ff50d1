"""Lots and serial numbers: a name unique per product (a serial holds one unit, see the ledger)."""

from __future__ import annotations

from fullfinity.engine.base import Char, Date, ManyToOne, Model, Text


class Lot(Model):
    _verbose_name = "Lot/Serial Number"
    _order = "name ASC, id ASC"
    _unique_together = [("product", "name")]

    name = Char(max_length=120, required=True, description="Lot/Serial number")
    product = ManyToOne("Product", required=True, on_delete="RESTRICT", index=True)
    expiration_date = Date()
    note = Text()
