"""Payments: money received from customers or paid to vendors, reconciled with what they pay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from fullfinity.engine.base import Char, Date, ManyToMany, ManyToOne, Model, Monetary, Selection, UserError, env_ctx

PAYMENT_TYPES = [("inbound", "Receive money"), ("outbound", "Send money")]
PARTNER_TYPES = [("customer", "Customer"), ("supplier", "Vendor")]
STATES = [("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")]


class Payment(Model):
    #: bulk_create fills the company currency for a set, as save does for one payment.
    _bulk_create_does_save = True
    _order = "date DESC, id DESC"
    _rec_name = "name"
    _search_fields = ["name", "memo"]

    name = Char(max_length=64, readonly=True, default="Draft payment", clone=False)
    number = Char(max_length=64, readonly=True, clone=False, index=True)
    payment_type = Selection(choices=PAYMENT_TYPES, required=True, default="inbound", description="Type")
    partner_type = Selection(choices=PARTNER_TYPES, required=True, default="customer")
    partner = ManyToOne("Contact", required=True, on_delete="RESTRICT", index=True)
    amount = Monetary(required=True)
    currency = ManyToOne("Currency", required=True, on_delete="RESTRICT")
    date = Date(required=True, index=True)
    journal = ManyToOne("Journal", required=True, on_delete="RESTRICT", hint="A bank or cash journal")
    state = Selection(choices=STATES, required=True, default="draft", readonly=True, clone=False, index=True)
    entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True, clone=False, description="Journal entry")
    memo = Char(max_length=200)
    invoices = ManyToMany("Invoice", related_name="payments", clone=False, hint="The documents this payment pays")

    _sql_constraints = [("amount_positive", "amount > 0", "A payment's amount must be greater than zero.")]

    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_invoicing.models._guards import refuse_posted_changes

        await refuse_posted_changes(self, "payment")
        for rec in self:
            if rec.id is None and rec.currency is None:
                from fullfinity_invoicing.models.currency import company_currency

                rec.currency = (await company_currency(rec.env))[0]
        await super().save(check_concurrency=check_concurrency)

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        """New payments in one statement: the company currency where a row has none, as ``save``."""
        from fullfinity_invoicing.models.currency import company_currency

        currency: int | None = None
        prepared: list[Any] = []
        for row in rows:
            if isinstance(row, Mapping) and row.get("currency") is None:
                if currency is None:
                    currency = (await company_currency(env_ctx.get()))[0]
                row = {**row, "currency": currency}
            prepared.append(row)
        return await super().bulk_create(prepared)

    async def delete(self) -> None:
        from fullfinity_invoicing.models._guards import refuse_posted_delete

        await refuse_posted_delete(self, "payment")
        await super().delete()

    @Model.expose(groups=["invoicing_user"])
    async def action_post(self) -> dict[str, Any]:
        """Post draft payments (numbers, entries) and reconcile each with the documents it pays."""
        from fullfinity_invoicing.models._guards import require_group
        from fullfinity_invoicing.models._payments import post_payments

        require_group(self.env, "invoicing_user", "Posting payments")
        await post_payments(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["invoicing_user"])
    async def action_cancel(self) -> dict[str, Any]:
        """Cancel payments: a draft is just cancelled; a posted one is unreconciled and its entry reversed."""
        from fullfinity_invoicing.models._guards import require_group
        from fullfinity_invoicing.models._payments import cancel_payments

        require_group(self.env, "invoicing_user", "Cancelling payments")
        if not self.ids:
            raise UserError("Select the payments to cancel.")
        await cancel_payments(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}
