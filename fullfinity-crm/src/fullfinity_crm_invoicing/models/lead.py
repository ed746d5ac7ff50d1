"""Opportunities make invoices and show what was invoiced."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Model, Monetary, UserError

#: Posted customer invoices minus posted credit notes of each opportunity, in the company
#: currency (the receivable side of their journal entries). A credit note counts for the
#: opportunity of the invoice it reverses when it has none of its own.
_INVOICED_SQL = """
SELECT coalesce(i.opportunity_id, r.opportunity_id), coalesce(sum(ji.balance), 0)
  FROM invoice i
  LEFT JOIN invoice r ON r.id = i.reversed_invoice_id
  JOIN journal_item ji ON ji.entry_id = i.entry_id AND ji.account_type = 'asset_receivable'
 WHERE (i.opportunity_id = ANY($1::bigint[]) OR (i.opportunity_id IS NULL AND r.opportunity_id = ANY($1::bigint[])))
   AND i.state = 'posted' AND i.move_type IN ('out_invoice', 'out_refund')
 GROUP BY 1
"""


class CrmLead(Model):
    __inherit__ = "CrmLead"

    invoiced_amount = Monetary(
        calculate="_compute_invoiced_amount",
        store=False,
        calculate_elevated=True,
        description="Invoiced",
        hint="Posted customer invoices minus posted credit notes made from this opportunity (company currency)",
    )

    @Model.calculate("invoices", "invoices__state", batch=True)
    async def _compute_invoiced_amount(self) -> None:
        ids = [lead.id for lead in self if lead.id is not None]
        rows = await self.env.fetch(_INVOICED_SQL, ids) if ids else []
        amounts = {row[0]: row[1] for row in rows}
        for lead in self:
            lead.invoiced_amount = amounts.get(lead.id, Decimal(0))

    @Model.expose(groups=["invoicing_user"])
    async def action_new_invoice(self) -> dict[str, Any]:
        """A draft customer invoice for the opportunity's customer, linked to it; opens its form."""
        lead = self.ensure_one()
        loaded = await type(lead).with_fields("name", "contact", "won_status", "active").filter(id=lead.id).first()
        if loaded is None:
            raise UserError(f"Opportunity {lead.id} does not exist or is not visible to you.")
        if loaded.contact is None:
            raise UserError(
                f"Opportunity '{loaded.name}' (id {loaded.id}) has no customer: set its Customer field "
                "(or convert it with a contact) before invoicing it."
            )
        if loaded.won_status == "lost":
            raise UserError(f"Opportunity '{loaded.name}' (id {loaded.id}) is lost: restore it before invoicing it.")
        invoices = self.env.get_model("Invoice")
        invoice = await invoices.create(
            move_type="out_invoice", partner=loaded.contact.id, opportunity=loaded.id, reference=loaded.name
        )
        return {
            "type": "action",
            "name": "Invoice",
            "model": "Invoice",
            "view_types": ["Form"],
            "res_id": invoice.id,
        }

    @Model.expose
    async def action_view_invoices(self) -> dict[str, Any]:
        """The invoices and credit notes made from this opportunity (those the caller may read)."""
        lead = self.ensure_one()
        return {
            "type": "action",
            "name": "Invoices",
            "model": "Invoice",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(opportunity={int(lead.id)})",
            "context": {"default_opportunity": lead.id, "default_move_type": "out_invoice"},
        }


async def win_on_first_invoice(env: Any, invoice_ids: list[int]) -> None:
    """With the setting on: win the open opportunities of these just-posted customer invoices
    when no other posted customer invoice of theirs exists (as the system, the poster may be an
    accountant who cannot write leads; the stage change is what the setting asks for)."""
    if not invoice_ids:
        return
    won_on_post = await env.fetchval("SELECT crm_invoicing_won_on_post FROM configuration ORDER BY id LIMIT 1")
    if not won_on_post:
        return
    rows = await env.fetch(
        """
        SELECT DISTINCT l.id FROM invoice i JOIN crm_lead l ON l.id = i.opportunity_id
         WHERE i.id = ANY($1::bigint[]) AND i.move_type = 'out_invoice' AND i.state = 'posted'
           AND l.won_status = 'pending' AND l.active
           AND NOT EXISTS (SELECT 1 FROM invoice o WHERE o.opportunity_id = l.id AND o.move_type = 'out_invoice'
                           AND o.state = 'posted' AND NOT (o.id = ANY($1::bigint[])))
         ORDER BY l.id
        """,
        invoice_ids,
    )
    if not rows:
        return
    with env.sudo():
        leads = env.get_model("CrmLead").browse([row[0] for row in rows])
        await leads.action_set_won()
