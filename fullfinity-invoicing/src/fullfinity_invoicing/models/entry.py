"""Journal entries and their items: what the books hold (business.md 2, invariants 1 and 5).

Entries of invoices and payments are written by posting (``_posting``); users write manual entries
in a general journal and post them with ``action_post``. A posted entry balances, and neither it nor
its items change afterwards: the ORM refuses with a message, and the database refuses too (the
triggers of ``fullfinity_invoicing.database``), whatever code sends the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Self

from fullfinity.engine.base import (
    Boolean,
    Char,
    Date,
    ManyToMany,
    ManyToOne,
    Model,
    Monetary,
    OneToMany,
    Selection,
    Text,
    UserError,
    ValidationError,
)

ENTRY_STATES = [("draft", "Draft"), ("posted", "Posted")]


class JournalEntry(Model):
    #: bulk_create checks the state and the journal of each new entry, as save does.
    _bulk_create_does_save = True
    _verbose_name = "Journal Entry"
    _order = "date DESC, number DESC, id DESC"
    _rec_name = "name"
    _search_fields = ["name", "ref"]
    _unique_together = [("journal", "number")]

    name = Char(max_length=64, readonly=True, default="Draft entry", clone=False)
    number = Char(max_length=64, readonly=True, clone=False)  # unique with the journal (its index)
    journal = ManyToOne("Journal", required=True, on_delete="RESTRICT")
    date = Date(required=True, index=True)
    ref = Char(max_length=200, description="Reference")
    narration = Text()
    state = Selection(choices=ENTRY_STATES, required=True, default="draft", readonly=True, clone=False, index=True)
    items = OneToMany("JournalItem", related_name="entry")
    invoice = ManyToOne("Invoice", on_delete="RESTRICT", readonly=True, clone=False)
    payment = ManyToOne("Payment", on_delete="RESTRICT", readonly=True, clone=False)
    reversed_entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True, clone=False)
    currency = ManyToOne("Currency", on_delete="RESTRICT", readonly=True)

    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_invoicing.models._guards import refuse_posted_changes

        await refuse_posted_changes(self, "entry")
        for rec in self:
            if rec.id is None:
                await _check_manual_journal(rec)
        await super().save(check_concurrency=check_concurrency)

    async def delete(self) -> None:
        from fullfinity_invoicing.models._guards import refuse_posted_delete

        await refuse_posted_delete(self, "entry")
        await super().delete()

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        for row in rows:
            if isinstance(row, Mapping) and row.get("state", "draft") != "draft":
                raise ValidationError({"state": "entries are created as drafts and posted with action_post"})
        created = await super().bulk_create(rows)
        for rec in created:
            await _check_manual_journal(rec)
        return created

    @Model.expose(groups=["invoicing_manager"])
    async def action_post(self) -> dict[str, Any]:
        """Post manual entries (general journals): balanced, dated after the lock date, numbered."""
        from fullfinity_invoicing.models._guards import require_group
        from fullfinity_invoicing.models._posting import post_manual_entries

        require_group(self.env, "invoicing_manager", "Posting manual entries")
        await post_manual_entries(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}


async def _check_manual_journal(rec: Any) -> None:
    """Entries created through the ORM are manual ones: only in a general journal."""
    journal_id = rec.journal.id if rec.journal is not None else None
    if journal_id is None:
        return
    kind = await rec.env.fetchval("SELECT journal_type FROM journal WHERE id = $1", journal_id)
    if kind != "general":
        raise ValidationError(
            {"journal": f"manual entries go in a general (miscellaneous) journal, not a {kind} journal: "
             f"invoices, bills and payments write their own entries"}
        )  # fmt: skip


class JournalItem(Model):
    _verbose_name = "Journal Item"
    _order = "date DESC, entry ASC, id ASC"
    _sql_constraints = [
        ("debit_positive", "debit >= 0", "A debit cannot be negative."),
        ("credit_positive", "credit >= 0", "A credit cannot be negative."),
        ("one_side", "debit = 0 OR credit = 0", "A journal item is a debit or a credit, not both."),
        ("balance", "balance = debit - credit", "An item's balance is its debit minus its credit."),
    ]

    entry = ManyToOne("JournalEntry", related_name="items", required=True, on_delete="CASCADE")
    account = ManyToOne("Account", required=True, on_delete="RESTRICT", index=True)
    partner = ManyToOne("Contact", on_delete="RESTRICT", index=True)
    name = Char(max_length=500, description="Label")
    debit = Monetary(required=True, default=Decimal(0))
    credit = Monetary(required=True, default=Decimal(0))
    balance = Monetary(calculate="_compute_balance", store=True, readonly=True)
    amount_currency = Monetary(hint="Signed amount in the item's currency")
    # Not indexed (index=False keeps the foreign key): nothing looks items up by currency or by tax, and
    # every posted item would pay for the two indexes (docs/benchmarks.md, issue 14).
    currency = ManyToOne("Currency", on_delete="RESTRICT", index=False)
    date = Date(readonly=True)
    date_maturity = Date(description="Due date")
    tax_line = ManyToOne("Tax", on_delete="RESTRICT", readonly=True, index=False, hint="The tax this item books")
    tax_base = Monetary(readonly=True, hint="Base of the tax this item books")
    taxes = ManyToMany("Tax", hint="Taxes applied to this base item")
    amount_residual = Monetary(readonly=True, hint="Open amount (company currency), receivables and payables")
    amount_residual_currency = Monetary(readonly=True, hint="Open amount in the item's currency")
    # Not indexed on purpose: reconciliation and posting update them in place (HOT updates, see database.py).
    reconciled = Boolean(readonly=True)
    parent_state = Selection(choices=ENTRY_STATES, default="draft", readonly=True)
    account_type = Char(max_length=32, readonly=True)
    matched_debits = OneToMany("PartialReconcile", related_name="credit_item")
    matched_credits = OneToMany("PartialReconcile", related_name="debit_item")

    @Model.calculate("debit", "credit")
    async def _compute_balance(self) -> None:
        self.balance = (self.debit or Decimal(0)) - (self.credit or Decimal(0))

    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_invoicing.models._guards import refuse_item_changes

        await refuse_item_changes(self)
        await super().save(check_concurrency=check_concurrency)

    async def delete(self) -> None:
        from fullfinity_invoicing.models._guards import refuse_item_changes

        await refuse_item_changes(self, deleting=True)
        await super().delete()

    @Model.expose(groups=["invoicing_manager"])
    async def action_unreconcile(self) -> dict[str, Any]:
        """Undo every reconciliation of these items (exchange difference entries are reversed)."""
        from fullfinity_invoicing.models._guards import require_group
        from fullfinity_invoicing.models._reconciliation import unreconcile

        require_group(self.env, "invoicing_manager", "Unreconciling items")
        if not self.ids:
            raise UserError("Select the journal items to unreconcile.")
        await unreconcile(self.env, self.ids)
        return {"type": "reload"}
