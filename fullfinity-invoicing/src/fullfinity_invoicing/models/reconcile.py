"""Partial reconciliations: a debit item and a credit item matched for an amount (business.md 2, invariant 3)."""

from __future__ import annotations

from fullfinity.engine.base import Date, ManyToOne, Model, Monetary


class PartialReconcile(Model):
    _verbose_name = "Partial Reconciliation"
    _order = "id ASC"
    _sql_constraints = [("amount_positive", "amount >= 0", "A reconciled amount cannot be negative.")]

    debit_item = ManyToOne("JournalItem", required=True, on_delete="CASCADE", readonly=True)
    credit_item = ManyToOne("JournalItem", required=True, on_delete="CASCADE", readonly=True)
    amount = Monetary(required=True, readonly=True, hint="Matched amount in the company currency")
    amount_currency = Monetary(readonly=True, hint="Matched amount in the debit item's currency")
    credit_amount_currency = Monetary(readonly=True, hint="Matched amount in the credit item's currency")
    max_date = Date(readonly=True, hint="The later date of the two items: when the match took effect")
    exchange_entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True,
                               hint="The exchange difference entry this match created")  # fmt: skip
