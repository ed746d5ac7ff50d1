"""Transfers from posted invoices and bills; delivered quantities on their lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import ManyToOne, Model, Numeric, UserError

#: Per invoice line: quantity in open or done moves (what is in a transfer) and done, returns deducted.
_QUANTITIES = """
SELECT m.invoice_line_id AS id,
       sum(CASE WHEN m.origin_return_id IS NULL THEN CASE WHEN m.state = 'done' THEN m.quantity ELSE m.demand END
                ELSE -CASE WHEN m.state = 'done' THEN m.quantity ELSE m.demand END END) AS planned,
       sum(CASE WHEN m.state <> 'done' THEN 0 WHEN m.origin_return_id IS NULL THEN m.quantity ELSE -m.quantity END)
           AS delivered
  FROM stock_move m WHERE m.invoice_line_id = ANY($1::bigint[]) AND m.state <> 'cancelled' GROUP BY 1
"""


class StockMove(Model):
    __inherit__ = "StockMove"

    invoice_line = ManyToOne("InvoiceLine", related_name="stock_moves", on_delete="SET NULL", index=True,
                             readonly=True)  # fmt: skip


class InvoiceLine(Model):
    __inherit__ = "InvoiceLine"

    qty_delivered = Numeric(
        digits=(20, 4), calculate="_compute_qty_delivered", store=False, calculate_elevated=True,
        description="Delivered", hint="Done moves of this line (received for bills), returns deducted",
    )  # fmt: skip

    @Model.calculate("quantity", batch=True)
    async def _compute_qty_delivered(self) -> None:
        ids = [rec.id for rec in self if rec.id is not None]
        rows = await self.env.fetch(_QUANTITIES, ids) if ids else []
        found = {r["id"]: r["delivered"] for r in rows}
        for rec in self:
            rec.qty_delivered = found.get(rec.id, Decimal(0))


class Invoice(Model):
    __inherit__ = "Invoice"

    @Model.expose(groups=["inventory_user"])
    async def action_create_transfer(self) -> dict[str, Any]:
        """The delivery (invoices) or receipt (bills) of the storable goods of these posted documents
        that are not in a transfer yet; a line is never put in transfers beyond its quantity."""
        created = await create_transfers(self.env, self.ids)
        return {
            "type": "action",
            "name": "Transfers",
            "model": "Transfer",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(id__in={sorted(created)})",
        }


async def create_transfers(env: Any, invoice_ids: list[int]) -> list[int]:
    heads = await env.fetch(
        "SELECT id, number, state, move_type, partner_id FROM invoice WHERE id = ANY($1::bigint[]) ORDER BY id "
        "FOR UPDATE",
        invoice_ids,
    )
    if not heads:
        raise UserError("Select the posted invoices or bills to deliver or receive.")
    warehouse = await env.fetchrow("SELECT id, receipt_type_id, delivery_type_id FROM warehouse ORDER BY id LIMIT 1")
    if warehouse is None:
        raise UserError("No warehouse exists: create one in Inventory > Configuration > Warehouses.")
    created = []
    for head in heads:
        if head["state"] != "posted" or head["move_type"] not in ("out_invoice", "in_invoice"):
            raise UserError(
                f"{head['number'] or head['id']} is not a posted invoice or bill: only those create transfers."
            )
        lines = await env.fetch(
            "SELECT l.id, l.product_id, l.quantity, l.name FROM invoice_line l JOIN product p ON p.id = l.product_id "
            "WHERE l.invoice_id = $1 AND p.storable AND l.display_type = 'product' AND l.quantity > 0 ORDER BY l.id",
            head["id"],
        )
        planned = {r["id"]: r["planned"] for r in await env.fetch(_QUANTITIES, [ln["id"] for ln in lines])}
        todo = [(ln, ln["quantity"] - planned.get(ln["id"], 0)) for ln in lines]
        todo = [(ln, qty) for ln, qty in todo if qty > 0]
        if not todo:
            continue
        outgoing = head["move_type"] == "out_invoice"
        transfer = await env["Transfer"].create(
            operation_type=warehouse["delivery_type_id"] if outgoing else warehouse["receipt_type_id"],
            partner=head["partner_id"], origin=head["number"],
            moves=[["N", {"product": ln["product_id"], "demand": qty, "name": ln["name"]}] for ln, qty in todo],
        )  # fmt: skip
        moves = await env.fetch("SELECT id FROM stock_move WHERE transfer_id = $1 ORDER BY id", transfer.id)
        await env.execute(
            "UPDATE stock_move m SET invoice_line_id = v.l FROM unnest($1::bigint[], $2::bigint[]) AS v(id, l) "
            "WHERE m.id = v.id",
            [m["id"] for m in moves],
            [ln["id"] for ln, _ in todo],
        )
        await transfer.action_confirm()
        created.append(transfer.id)
    return created
