"""Invoices, bills and credit notes (business.md 2): business documents whose posting books an entry."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Self

from fullfinity.engine.base import (
    JSON,
    Char,
    Date,
    ManyToOne,
    Model,
    Monetary,
    Numeric,
    OneToMany,
    Selection,
    Text,
    UserError,
    env_ctx,
)
from fullfinity_invoicing.models._guards import require_group

MOVE_TYPES = [
    ("out_invoice", "Customer invoice"),
    ("out_refund", "Customer credit note"),
    ("in_invoice", "Vendor bill"),
    ("in_refund", "Vendor credit note"),
]
STATES = [("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")]
PAYMENT_STATES = [("not_paid", "Not paid"), ("partial", "Partially paid"), ("paid", "Paid"), ("reversed", "Reversed")]
DRAFT_LABELS = {
    "out_invoice": "Draft invoice",
    "out_refund": "Draft credit note",
    "in_invoice": "Draft bill",
    "in_refund": "Draft vendor credit note",
}
#: Fields whose change alters the amounts (the lines' own fields are watched by InvoiceLine).
AMOUNT_FIELDS = frozenset({"currency", "move_type", "lines", "invoice_date", "payment_term"})

#: Invoice ids whose amounts are due once the outermost write finishes (lines written inside an
#: invoice's save are summed once, not once per line).
PENDING: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("invoicing_pending_amounts", default=None)
#: True while ``Invoice.bulk_create`` writes lines whose defaults and amounts it already filled in.
PREPARED: contextvars.ContextVar[bool] = contextvars.ContextVar("invoicing_prepared_lines", default=False)


async def schedule_amounts(env: Any, invoice_ids: Sequence[int]) -> None:
    """Recompute the amounts of ``invoice_ids`` now, or when the enclosing invoice write ends."""
    pending = PENDING.get()
    if pending is not None:
        pending.update(i for i in invoice_ids if i is not None)
        return
    from fullfinity_invoicing.models._amounts import refresh_amounts

    await refresh_amounts(env, [i for i in invoice_ids if i is not None])


class Invoice(Model):
    #: bulk_create fills the same defaults and amounts for a set (one COPY).
    _bulk_create_does_save = True
    _order = "invoice_date DESC NULLS FIRST, name DESC, id DESC"
    _rec_name = "name"
    _search_fields = ["name", "reference"]
    _unique_together = [("journal", "number")]

    name = Char(max_length=64, readonly=True, clone=False, description="Number")
    move_type = Selection(choices=MOVE_TYPES, required=True, default="out_invoice", description="Type", index=True)
    number = Char(max_length=64, readonly=True, clone=False, index=True, hint="Assigned when the document is posted")
    partner = ManyToOne("Contact", on_delete="RESTRICT", index=True)
    invoice_date = Date(index=True, clone=False, hint="Empty: the posting date")
    due_date = Date(index=True, clone=False, hint="From the payment term; without one, the invoice date")
    payment_term = ManyToOne("PaymentTerm", on_delete="RESTRICT")
    journal = ManyToOne("Journal", required=True, on_delete="RESTRICT")
    currency = ManyToOne("Currency", required=True, on_delete="RESTRICT")
    lines = OneToMany("InvoiceLine", related_name="invoice")
    reference = Char(max_length=200, hint="Customer order reference, or the vendor's bill number")
    narration = Text(description="Terms and notes")
    amount_untaxed = Monetary(readonly=True, default=Decimal(0), clone=False, description="Untaxed amount")
    amount_tax = Monetary(readonly=True, default=Decimal(0), clone=False, description="Tax")
    amount_total = Monetary(readonly=True, default=Decimal(0), clone=False, description="Total")
    amount_residual = Monetary(readonly=True, default=Decimal(0), clone=False, description="Amount due")
    tax_totals = JSON(
        calculate="_compute_tax_totals",
        store=False,
        hint="Untaxed, tax and total, and per tax group the base and amount: live on a form being edited",
    )
    tax_details = JSON(readonly=True, clone=False, hint="Per tax and account: base and amount (what posting books)")
    currency_rate = Numeric(digits=(20, 10), readonly=True, clone=False, hint="Rate used at posting")
    state = Selection(choices=STATES, required=True, default="draft", readonly=True, clone=False, index=True)
    payment_state = Selection(
        choices=PAYMENT_STATES, required=True, default="not_paid", readonly=True, clone=False, index=True
    )
    entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True, clone=False, description="Journal entry")
    reversed_invoice = ManyToOne(
        "Invoice", related_name="credit_notes", on_delete="RESTRICT", readonly=True, clone=False,
        hint="The invoice this credit note reverses",
    )  # fmt: skip

    @Model.calculate(
        "lines", "lines__quantity", "lines__price_unit", "lines__discount", "lines__display_type", "lines__taxes",
        "currency", "move_type",
    )  # fmt: skip
    async def _compute_tax_totals(self) -> None:
        """The totals of the document as it stands (also an unsaved draft: the form's live totals),
        with the same engine and rounding mode posting uses."""
        from fullfinity_invoicing.models._amounts import live_totals

        self.tax_totals = await live_totals(self)

    # -- live defaults on a form (the same rules saving applies) ---------------------------------
    @Model.onchange("move_type")
    async def _onchange_move_type(self) -> None:
        """The journal of the document's type and the company currency (a new form gets them too)."""
        from fullfinity_invoicing.models._defaults import draft_invoice_defaults

        for name, value in (await draft_invoice_defaults(self, "move_type")).items():
            setattr(self, name, value)

    @Model.onchange("partner")
    async def _onchange_partner(self) -> None:
        """The partner's payment term for this type of document."""
        from fullfinity_invoicing.models._defaults import draft_invoice_defaults

        for name, value in (await draft_invoice_defaults(self, "partner")).items():
            setattr(self, name, value)

    # -- writing ------------------------------------------------------------------------------
    async def save(self, *, check_concurrency: bool = False) -> None:
        from fullfinity_invoicing.models._defaults import fill_invoice_defaults
        from fullfinity_invoicing.models._guards import refuse_posted_changes

        await refuse_posted_changes(self, "invoice")
        for rec in self:
            await fill_invoice_defaults(rec)
        touched = [rec for rec in self if rec.id is None or AMOUNT_FIELDS & set(rec._changes or {})]
        token = PENDING.set(set()) if PENDING.get() is None else None
        try:
            await super().save(check_concurrency=check_concurrency)
            pending = PENDING.get() or set()
        finally:
            if token is not None:
                PENDING.reset(token)
        pending |= {rec.id for rec in touched}
        await schedule_amounts(self.env, sorted(pending))
        if touched and token is not None:
            await _reload_amounts(self)

    async def delete(self) -> None:
        from fullfinity_invoicing.models._guards import refuse_posted_delete

        await refuse_posted_delete(self, "invoice")
        await super().delete()

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        """Create many invoices; their ``lines`` (``N`` commands) are created in bulk too, and the
        amounts of every invoice computed once, before the rows are written (few statements, any count)."""
        from fullfinity_invoicing.models._amounts import precompute_rows, refresh_amounts
        from fullfinity_invoicing.models._defaults import facts_of_rows, fill_invoice_rows, fill_line_rows

        env = env_ctx.get()
        headers: list[Any] = []
        lines: list[tuple[int, dict[str, Any]]] = []
        for index, row in enumerate(rows):
            values = dict(row) if isinstance(row, Mapping) else row
            commands = values.pop("lines", None) if isinstance(values, dict) else None
            if commands is not None:
                if isinstance(commands, list) and all(
                    isinstance(c, list | tuple) and len(c) == 2 and c[0] == "N" and isinstance(c[1], dict)
                    for c in commands
                ):
                    lines.extend((index, dict(c[1])) for c in commands)
                else:
                    values["lines"] = commands  # other commands: the generic path, record by record
            headers.append(values)
        dicts = [h for h in headers if isinstance(h, dict)]
        if len(dicts) != len(headers):
            return await super().bulk_create(headers)  # the ORM reports the bad rows
        await fill_invoice_rows(env, dicts)
        facts = await facts_of_rows(env, dicts)
        for index, line in lines:
            line["invoice"] = -1 - index
        await fill_line_rows(env, [line for _, line in lines], facts)
        ready = await precompute_rows(env, dicts, lines, facts)
        token = PENDING.set(set())
        prepared = PREPARED.set(ready)
        try:
            created = await super().bulk_create(dicts)
            for index, line in lines:
                line["invoice"] = created[index].id
            if lines:
                await env.get_model("InvoiceLine").bulk_create([line for _, line in lines])
        finally:
            PENDING.reset(token)
            PREPARED.reset(prepared)
        if not ready:
            await refresh_amounts(env, created.ids)
            await _reload_amounts(created)
        return created

    # -- workflow -----------------------------------------------------------------------------
    @Model.expose(groups=["invoicing_user"])
    async def action_post(self) -> dict[str, Any]:
        """Post draft documents: validate, number, book their entries (one set operation for all)."""
        from fullfinity_invoicing.models._posting import post_invoices

        require_group(self.env, "invoicing_user", "Posting invoices")
        await post_invoices(self.env, self.ids)
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["invoicing_user"])
    async def action_cancel(self) -> dict[str, Any]:
        """Cancel drafts (nothing was booked; the document keeps no number)."""
        require_group(self.env, "invoicing_user", "Cancelling invoices")
        return await self._move_state("draft", "cancelled", "cancelled")

    @Model.expose(groups=["invoicing_user"])
    async def action_reset_to_draft(self) -> dict[str, Any]:
        """Bring cancelled documents back to draft (they were never booked)."""
        require_group(self.env, "invoicing_user", "Resetting invoices")
        return await self._move_state("cancelled", "draft", "reset to draft")

    async def _move_state(self, current: str, target: str, verb: str) -> dict[str, Any]:
        """Documents in ``current`` (all of them, else a clear error) moved to ``target`` in one UPDATE."""
        await _require_state(self, current, verb)
        await self.env.execute(
            "UPDATE invoice SET state = $3, write_uid = $2, updated_date = clock_timestamp() "
            "WHERE id = ANY($1::bigint[])",
            self.ids,
            self.env.uid,
            target,
        )
        self.env.written.add("Invoice")
        await self.refresh()
        return {"type": "reload"}

    @Model.expose(groups=["invoicing_user"])
    async def action_reverse(self, date: Any = None, reason: str | None = None) -> dict[str, Any]:
        """Credit notes mirroring these posted invoices (or bills), posted and reconciled with them:
        the origins become ``reversed``. Refused while an origin is (partly) paid."""
        from fullfinity_invoicing.models._reversal import reverse_invoices

        require_group(self.env, "invoicing_user", "Crediting invoices")
        notes = await reverse_invoices(self.env, self.ids, date=date, reason=reason)
        await self.refresh()
        if len(notes) == 1:
            return {"type": "action", "action": {"model": "Invoice", "view_types": ["Form"], "res_id": notes[0]}}
        return {"type": "action", "action": {"model": "Invoice", "view_types": ["List", "Form"],
                                             "q_filter": f"Q(id__in={sorted(notes)!r})"}}  # fmt: skip

    @Model.expose(groups=["invoicing_user"])
    async def action_register_payment(self) -> dict[str, Any]:
        """Open the payment wizard for these posted, unpaid documents."""
        await _require_state(self, "posted", "paid")
        return {
            "type": "action",
            "action": {
                "model": "PaymentRegister",
                "view_types": ["Form"],
                "target": "new",
                "context": {"active_model": "Invoice", "active_ids": self.ids},
            },
        }


async def _require_state(records: Any, state: str, verb: str) -> None:
    if not records.ids:
        raise UserError(f"Select the documents to be {verb}.")
    rows = await records.env.fetch(
        "SELECT id, state, coalesce(number, name) AS label FROM invoice WHERE id = ANY($1::bigint[]) FOR UPDATE",
        records.ids,
    )
    wrong = [r for r in rows if r["state"] != state]
    if wrong:
        r = wrong[0]
        raise UserError(
            f"{r['label'] or r['id']} is {r['state']}: only {state} documents can be {verb}"
            f"{f' ({len(wrong)} of the selection are not)' if len(wrong) > 1 else ''}."
        )


async def _reload_amounts(records: Any) -> None:
    """Read back what the amounts computation wrote (amounts, due date, name) onto these records."""
    if any(rec.id is not None for rec in records):
        await records.refresh()
