"""The payment wizard: register the payment of one or many posted documents at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Boolean, Char, Date, ManyToMany, ManyToOne, Model, Monetary, UserError


class PaymentRegister(Model):
    _verbose_name = "Register Payment"
    _transient = True

    invoices = ManyToMany("Invoice", description="Documents")
    journal = ManyToOne("Journal", description="Journal", hint="A bank or cash journal")
    date = Date(description="Payment date")
    amount = Monetary(hint="Default: what the documents still owe. Less is a partial payment; more stays open.")
    currency = ManyToOne("Currency")
    memo = Char(max_length=200)
    group_payments = Boolean(default=True, hint="One payment per partner (otherwise one per document)")

    @classmethod
    async def _default_get(cls, context: Mapping[str, Any]) -> dict[str, Any]:
        values = await super()._default_get(context)
        from fullfinity.engine.base import env_ctx
        from fullfinity_invoicing.models.configuration import settings

        env = env_ctx.get()
        ids = list(context.get("active_ids") or []) if context.get("active_model", "Invoice") == "Invoice" else []
        values.setdefault("date", dt.date.today())
        values.setdefault("journal", (await settings(env)).bank_journal)
        if ids:
            rows = await env["Invoice"].with_fields("amount_residual", "currency", "move_type").filter(id__in=ids)
            values.setdefault("invoices", [r.id for r in rows])
            currencies = {r.currency.id for r in rows}
            if len(currencies) == 1:
                values.setdefault("currency", currencies.pop())
                values.setdefault("amount", sum((r.amount_residual for r in rows), Decimal(0)))
        return values

    @Model.expose(groups=["invoicing_user"])
    async def action_create_payments(self) -> dict[str, Any]:
        """Create and post the payments, reconciled with the documents; returns a client action."""
        from fullfinity_invoicing.models._guards import require_group
        from fullfinity_invoicing.models._payments import register_payments

        require_group(self.env, "invoicing_user", "Registering payments")
        wizard = self.ensure_one()
        invoice_ids = _ids(wizard.invoices)
        if not invoice_ids:
            raise UserError("Choose the documents to pay.")
        await register_payments(
            self.env, invoice_ids, journal=_id(wizard.journal), date=wizard.date, amount=wizard.amount,
            currency=_id(wizard.currency), memo=wizard.memo, group=bool(wizard.group_payments),
        )  # fmt: skip
        return {"type": "close", "reload": True}


def _id(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return getattr(value, "id", None)


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, list):
        out: list[int] = []
        for item in value:
            if isinstance(item, list) and item and item[0] == "S":
                out.extend(item[1])
            elif isinstance(item, list) and item and item[0] == "L":
                out.append(item[1])
            elif isinstance(item, int):
                out.append(item)
        return out
    return [r.id for r in value]
