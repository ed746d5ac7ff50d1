"""Invoicing settings on the tenant's ``Configuration`` record (the Invoicing tab of the settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fullfinity.engine.base import Date, ManyToOne, Model, Selection, UserError

ROUNDING_MODES = [("per_line", "Round per line"), ("globally", "Round globally")]


class Configuration(Model):
    __inherit__ = "Configuration"

    invoicing_tax_rounding = Selection(
        choices=ROUNDING_MODES,
        default="per_line",
        description="Tax rounding",
        hint="Per line: each line's tax is rounded. Globally: each tax is rounded once on the document total.",
    )
    invoicing_lock_date = Date(description="Lock date", hint="Nothing can be posted or changed on or before this date.")
    invoicing_sale_journal = ManyToOne("Journal", on_delete="SET NULL", description="Customer invoices journal")
    invoicing_purchase_journal = ManyToOne("Journal", on_delete="SET NULL", description="Vendor bills journal")
    invoicing_general_journal = ManyToOne("Journal", on_delete="SET NULL", description="Miscellaneous journal")
    invoicing_bank_journal = ManyToOne("Journal", on_delete="SET NULL", description="Default payment journal")
    invoicing_exchange_journal = ManyToOne("Journal", on_delete="SET NULL", description="Exchange difference journal")
    invoicing_receivable_account = ManyToOne("Account", on_delete="SET NULL", description="Default receivable account")
    invoicing_payable_account = ManyToOne("Account", on_delete="SET NULL", description="Default payable account")
    invoicing_income_account = ManyToOne("Account", on_delete="SET NULL", description="Default income account")
    invoicing_expense_account = ManyToOne("Account", on_delete="SET NULL", description="Default expense account")
    invoicing_exchange_gain_account = ManyToOne("Account", on_delete="SET NULL", description="Exchange gain account")
    invoicing_exchange_loss_account = ManyToOne("Account", on_delete="SET NULL", description="Exchange loss account")
    invoicing_sale_tax = ManyToOne("Tax", on_delete="SET NULL", description="Default sales tax")
    invoicing_purchase_tax = ManyToOne("Tax", on_delete="SET NULL", description="Default purchase tax")

    async def save(self, *, check_concurrency: bool = False) -> None:
        rounding_changed = any("invoicing_tax_rounding" in (rec._changes or {}) for rec in self)
        await super().save(check_concurrency=check_concurrency)
        if rounding_changed:  # draft documents follow the new rounding mode at once
            from fullfinity_invoicing.models._amounts import refresh_all_drafts

            await refresh_all_drafts(self.env)


@dataclass(frozen=True)
class Settings:
    """The invoicing settings as plain values (ids), read once per operation."""

    tax_rounding: str
    lock_date: Any
    sale_journal: int | None
    purchase_journal: int | None
    general_journal: int | None
    bank_journal: int | None
    exchange_journal: int | None
    receivable_account: int | None
    payable_account: int | None
    income_account: int | None
    expense_account: int | None
    exchange_gain_account: int | None
    exchange_loss_account: int | None
    sale_tax: int | None
    purchase_tax: int | None

    def require(self, name: str, what: str) -> int:
        value = getattr(self, name)
        if value is None:
            raise UserError(f"No {what} is set: choose one in Settings > Invoicing ({name.replace('_', ' ')}).")
        return int(value)


_COLUMNS = (
    "invoicing_tax_rounding, invoicing_lock_date, invoicing_sale_journal_id, invoicing_purchase_journal_id, "
    "invoicing_general_journal_id, invoicing_bank_journal_id, invoicing_exchange_journal_id, "
    "invoicing_receivable_account_id, invoicing_payable_account_id, invoicing_income_account_id, "
    "invoicing_expense_account_id, invoicing_exchange_gain_account_id, invoicing_exchange_loss_account_id, "
    "invoicing_sale_tax_id, invoicing_purchase_tax_id"
)


async def settings(env: Any) -> Settings:
    row = await env.fetchrow(f"SELECT {_COLUMNS} FROM configuration ORDER BY id LIMIT 1")
    if row is None:
        return Settings("per_line", *([None] * 14))
    values = list(row.values())
    return Settings(values[0] or "per_line", *values[1:])


def check_lock_date(config: Settings, date: Any, what: str) -> None:
    if config.lock_date is not None and date is not None and date <= config.lock_date:
        raise UserError(
            f"{what} is dated {date.isoformat()}, on or before the lock date {config.lock_date.isoformat()}: "
            f"nothing can be posted or changed in a locked period. Date it after the lock date."
        )
