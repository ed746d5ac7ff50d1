"""Stock moves (a product going from one location to another) and their lines (per lot and sublocation).

A move's ``demand`` is what is asked, ``reserved`` what its lines hold in source quants, ``quantity``
what is picked (validated). Its lines say from which exact location and lot: reservation creates
them; for tracked products received from a vendor the user fills ``lot_name`` (or ``lot``) per line.
Done moves are immutable (the database refuses changes); corrections are returns or adjustments.
"""

from __future__ import annotations

from decimal import Decimal

from fullfinity.engine.base import Char, Datetime, ManyToOne, Model, Numeric, OneToMany, Selection
from fullfinity_inventory.models.quant import QTY

STATES = [
    ("draft", "New"),
    ("waiting", "Waiting another operation"),
    ("confirmed", "Waiting availability"),
    ("partially_available", "Partially available"),
    ("assigned", "Available"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class StockMove(Model):
    _verbose_name = "Stock Move"
    _order = "transfer ASC, id ASC"

    transfer = ManyToOne("Transfer", related_name="moves", on_delete="CASCADE", index=True)
    product = ManyToOne("Product", required=True, on_delete="RESTRICT", index=True)
    name = Char(max_length=200, description="Description")
    demand = Numeric(digits=QTY, default=Decimal(0), required=True)
    quantity = Numeric(digits=QTY, default=Decimal(0), description="Quantity", hint="Picked (moved at validation)")
    reserved = Numeric(digits=QTY, default=Decimal(0), readonly=True, clone=False)
    uom = ManyToOne("Uom", on_delete="RESTRICT", description="Unit", hint="Default: the product's unit; another unit "
                    "of its category is converted into it at confirmation")  # fmt: skip
    asked_uom = ManyToOne("Uom", on_delete="RESTRICT", readonly=True, clone=False, description="Unit asked",
                          hint="The unit the move was asked in, when it was not the product's")  # fmt: skip
    asked_demand = Numeric(digits=QTY, readonly=True, clone=False, description="Demand asked",
                           hint="The demand in the unit asked (the demand is in the product's unit)")  # fmt: skip
    lot = ManyToOne("Lot", on_delete="RESTRICT", description="Lot/Serial asked",
                    hint="Deliveries: reserve only this lot; receipts: the lot received")  # fmt: skip
    # Indexed (as every ManyToOne): validation finds the moves waiting for the moves it completes.
    move_orig = ManyToOne("StockMove", related_name="move_dests", on_delete="SET NULL", description="Waits for",
                          hint="This move waits until that move is done (chained operations)")  # fmt: skip
    source = ManyToOne("Location", on_delete="RESTRICT", index=True, description="Source location")
    destination = ManyToOne("Location", on_delete="RESTRICT", index=True, description="Destination location")
    # Not indexed on purpose: moves are found through their transfer or product, and an unindexed
    # state lets PostgreSQL update a move in place (HOT) when it is reserved or done.
    state = Selection(choices=STATES, required=True, default="draft", readonly=True, clone=False)
    date = Datetime(readonly=True, clone=False, hint="Date done")
    unit_cost = Numeric(digits=(20, 6), hint="Incoming moves: the cost of one unit (default: the product's cost)")
    origin_return = ManyToOne("StockMove", related_name="returned_by", on_delete="SET NULL", readonly=True,
                              clone=False, description="Return of")  # fmt: skip
    lines = OneToMany("StockMoveLine", related_name="move")
    reference = Char(max_length=200, readonly=True, clone=False, hint="The transfer, adjustment or scrap")


class StockMoveLine(Model):
    _verbose_name = "Move Line"
    _order = "move ASC, id ASC"

    move = ManyToOne("StockMove", related_name="lines", required=True, on_delete="CASCADE", index=True)
    product = ManyToOne("Product", on_delete="RESTRICT", index=True, hint="Default: the move's")
    lot = ManyToOne("Lot", on_delete="RESTRICT", index=True, description="Lot/Serial")
    lot_name = Char(max_length=120, description="New lot/serial", hint="Received goods: the lot to create")
    source = ManyToOne("Location", on_delete="RESTRICT", hint="Default: the move's")
    destination = ManyToOne("Location", on_delete="RESTRICT", hint="Default: the move's")
    quantity = Numeric(digits=QTY, default=Decimal(0))
    reserved = Numeric(digits=QTY, default=Decimal(0), readonly=True, clone=False)
    state = Selection(choices=STATES, default="draft", readonly=True, clone=False)
