"""Invoices know the opportunity they come from; posting one may win it (the setting)."""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import ManyToOne, Model


class Invoice(Model):
    __inherit__ = "Invoice"

    opportunity = ManyToOne(
        "CrmLead",
        related_name="invoices",
        on_delete="SET NULL",
        index=True,
        hint="The opportunity this invoice was made for",
    )

    @Model.expose(groups=["invoicing_user"])
    async def action_post(self) -> dict[str, Any]:
        """Post as invoicing does; then, with the setting on, win the open opportunities whose
        first customer invoice this is (in the same transaction: a refused win refuses the post)."""
        result: dict[str, Any] = await super().action_post()  # type: ignore[misc]  # invoicing's Invoice
        from fullfinity_crm_invoicing.models.lead import win_on_first_invoice

        await win_on_first_invoice(self.env, self.ids)
        return result
