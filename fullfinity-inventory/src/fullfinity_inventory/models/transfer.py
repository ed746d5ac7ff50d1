"""Transfers (pickings): receipts, deliveries and internal transfers, and their workflow buttons.

Each ``action_*`` checks the states it starts from, then hands the work to the ledger
(``fullfinity_inventory.stock``), which does it for every selected transfer in a few set-based
statements, in one transaction, retrying a deadlock or serialization failure inside the operation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Self

from fullfinity.engine.base import Char, Datetime, ManyToOne, Model, OneToMany, Selection, Text, env_ctx

STATES = [
    ("draft", "Draft"),
    ("waiting", "Waiting another operation"),
    ("confirmed", "Waiting"),
    ("assigned", "Ready"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


def _now(record: Any) -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Transfer(Model):
    #: bulk_create fills the locations and numbers of new transfers for a set, as save does for one.
    _bulk_create_does_save = True
    _order = "scheduled_date ASC, id DESC"
    _rec_name = "number"
    _search_fields = ["number", "origin"]

    number = Char(max_length=64, readonly=True, clone=False, index=True, description="Reference")
    operation_type = ManyToOne("OperationType", required=True, on_delete="RESTRICT", index=True)
    partner = ManyToOne("Contact", on_delete="SET NULL", index=True, description="Contact")
    source = ManyToOne("Location", on_delete="RESTRICT", description="Source location")
    destination = ManyToOne("Location", on_delete="RESTRICT", description="Destination location")
    scheduled_date = Datetime(index=True, default=_now)
    date_done = Datetime(readonly=True, clone=False, description="Date of transfer")
    origin = Char(max_length=200, description="Source document")
    note = Text()
    state = Selection(choices=STATES, required=True, default="draft", readonly=True, clone=False, index=True)
    moves = OneToMany("StockMove", related_name="transfer")
    backorder_of = ManyToOne("Transfer", related_name="backorders", on_delete="SET NULL", readonly=True, clone=False)
    return_of = ManyToOne("Transfer", related_name="returns", on_delete="SET NULL", readonly=True, clone=False)

    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_inventory.stock.documents import PREFILLED, fill_transfer_defaults, refuse_done_changes

        await refuse_done_changes(self)
        if not PREFILLED.get():
            for rec in self:
                if rec.id is None:
                    await fill_transfer_defaults(rec)
        await super().save(check_concurrency=check_concurrency)

    @classmethod
    async def create(cls, **values: Any) -> Self:
        """Create a transfer; its moves given as ``N`` commands are created in bulk (one COPY)."""
        from fullfinity_inventory.stock.documents import PREFILLED

        if PREFILLED.get():  # a row of our bulk_create, written through the ORM's per-record path
            return await super().create(**values)
        return (await cls.bulk_create([values]))[0]

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        """Create many transfers: numbers taken once per operation type, moves created in one COPY."""
        from fullfinity_inventory.stock.documents import (
            PREFILLED,
            create_moves,
            prefill_transfers,
            split_moves,
        )

        if not all(isinstance(row, Mapping) for row in rows):
            return await super().bulk_create(rows)  # the ORM reports the bad rows
        env = env_ctx.get()
        values = [dict(row) for row in rows]
        moves = [split_moves(row) for row in values]
        numbers = await prefill_transfers(env, values)
        for row, number in zip(values, numbers, strict=True):
            if number:
                row["number"] = number  # written with the row (no second write of a new row)
        token = PREFILLED.set(True)
        try:
            created = await super().bulk_create(values)
        finally:
            PREFILLED.reset(token)
        await create_moves(env, list(zip(created.ids, moves, strict=True)))
        await created.refresh()
        return created

    async def delete(self) -> None:
        from fullfinity_inventory.stock.documents import refuse_delete

        await refuse_delete(self)
        await super().delete()

    # -- workflow ---------------------------------------------------------------------------
    @Model.expose(groups=["inventory_user"])
    async def action_confirm(self) -> dict[str, Any]:
        """Draft -> waiting: the moves ask for their quantities (reserve with ``action_assign``)."""
        from fullfinity_inventory.stock import operations

        await operations.confirm(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_assign(self) -> dict[str, Any]:
        """Check availability: reserve what the source locations hold (confirming drafts first)."""
        from fullfinity_inventory.stock import operations

        await operations.assign(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_unreserve(self) -> dict[str, Any]:
        """Give the reserved quantities back to the stock."""
        from fullfinity_inventory.stock import operations

        await operations.unreserve(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_validate(self, backorder: bool | None = None) -> dict[str, Any]:
        """Mark done: the picked quantities (``StockMove.quantity``; the reserved, or the demand when the
        source is not a stock location) move. When less than the demand is picked, pass
        ``backorder=True`` (the rest waits in a new transfer) or ``False`` (the rest is dropped);
        without it, the answer is the backorder wizard."""
        from fullfinity_inventory.stock import operations

        short = await operations.validate(self.env, self.ids, backorder=backorder)
        if short:
            return {
                "type": "action",
                "action": {
                    "model": "BackorderWizard",
                    "view_types": ["Form"],
                    "target": "new",
                    "context": {"active_model": "Transfer", "active_ids": self.ids},
                },
            }
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_cancel(self) -> dict[str, Any]:
        """Cancel transfers that are not done (reservations are released)."""
        from fullfinity_inventory.stock import operations

        await operations.cancel(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["inventory_user"])
    async def action_return(self) -> dict[str, Any]:
        """A return of this done transfer (what was moved and not yet returned), ready to validate."""
        from fullfinity_inventory.stock import returns

        transfer = self.ensure_one()
        created = await returns.create_return(self.env, transfer.id)
        return {"type": "action", "name": "Return", "model": "Transfer", "view_types": ["Form"], "res_id": created}

    @Model.expose
    async def action_view_moves(self) -> dict[str, Any]:
        """The stock moves of this transfer."""
        transfer = self.ensure_one()
        return {
            "type": "action",
            "name": "Moves",
            "model": "StockMove",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(transfer={int(transfer.id)})",
        }
