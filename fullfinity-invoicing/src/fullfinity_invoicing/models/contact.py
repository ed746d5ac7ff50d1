"""Accounting on contacts: receivable/payable accounts, payment terms, amount due, aged balances."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fullfinity.engine.base import ManyToOne, Model, Monetary, ValidationError


class Contact(Model):
    __inherit__ = "Contact"

    receivable_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the settings' receivable account")
    payable_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the settings' payable account")
    customer_payment_term = ManyToOne("PaymentTerm", on_delete="SET NULL")
    supplier_payment_term = ManyToOne("PaymentTerm", on_delete="SET NULL")
    total_due = Monetary(
        calculate="_compute_total_due",
        store=False,
        calculate_elevated=True,
        hint="What the contact owes (open receivables) minus what is owed to it (open payables).",
    )

    @Model.calculate()
    async def _compute_total_due(self) -> None:
        value = await self.env.fetchval(
            "SELECT coalesce(sum(amount_residual), 0) FROM journal_item WHERE partner_id = $1 "
            "AND parent_state = 'posted' AND account_type IN ('asset_receivable', 'liability_payable')",
            self.id,
        )
        self.total_due = value

    @Model.expose(groups=["invoicing_user"])
    async def aged_balance(cls, kind: str = "receivable", at_date: Any = None) -> dict[str, Any]:
        """Open amounts per contact at ``at_date`` (default today) by days past due: current (not
        due yet), 1-30, 31-60, 61-90 and over 90; ``kind`` is ``receivable`` or ``payable``."""
        from fullfinity_invoicing.models._reports import aged_balance

        if kind not in ("receivable", "payable"):
            raise ValidationError({"kind": f"must be 'receivable' or 'payable', got {kind!r}"})
        when = at_date if isinstance(at_date, dt.date) else dt.date.fromisoformat(at_date) if at_date else None
        return await aged_balance(kind, when or dt.date.today())

    async def ui_aged_receivable(cls, params: dict[str, Any]) -> dict[str, Any]:
        context = (params or {}).get("context") or {}
        return await cls.aged_balance("receivable", context.get("at_date"))

    async def ui_aged_payable(cls, params: dict[str, Any]) -> dict[str, Any]:
        context = (params or {}).get("context") or {}
        return await cls.aged_balance("payable", context.get("at_date"))
