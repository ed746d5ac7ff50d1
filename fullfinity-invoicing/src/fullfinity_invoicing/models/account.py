"""The chart of accounts, and the reports over it (trial balance, general ledger)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fullfinity.engine.base import Boolean, Char, Model, Selection, Text, ValidationError

ACCOUNT_TYPES = [
    ("asset_receivable", "Receivable"),
    ("asset_cash", "Bank and cash"),
    ("asset_current", "Current assets"),
    ("asset_non_current", "Non-current assets"),
    ("liability_payable", "Payable"),
    ("liability_current", "Current liabilities"),
    ("liability_non_current", "Non-current liabilities"),
    ("equity", "Equity"),
    ("income", "Income"),
    ("income_other", "Other income"),
    ("expense", "Expenses"),
    ("expense_direct_cost", "Cost of revenue"),
]
#: Income and expense accounts start every (calendar) year at zero in the trial balance.
PROFIT_AND_LOSS = frozenset({"income", "income_other", "expense", "expense_direct_cost"})
RECONCILABLE_TYPES = frozenset({"asset_receivable", "liability_payable"})


class Account(Model):
    _order = "code ASC"
    _rec_name = "complete_name"
    _search_fields = ["code", "name"]

    code = Char(max_length=16, required=True, unique=True)
    name = Char(max_length=200, required=True)
    complete_name = Char(max_length=220, calculate="_compute_complete_name", store=True, readonly=True)
    account_type = Selection(choices=ACCOUNT_TYPES, required=True, index=True, description="Type")
    reconcile = Boolean(hint="Items of this account are matched with each other (receivables, payables).")
    active = Boolean(default=True)
    note = Text()

    @Model.calculate("code", "name")
    async def _compute_complete_name(self) -> None:
        self.complete_name = f"{self.code or ''} {self.name or ''}".strip()

    @Model.constrain("account_type", "reconcile")
    async def _check_reconcile(self) -> None:
        if self.account_type in RECONCILABLE_TYPES and not self.reconcile:
            raise ValidationError({"reconcile": "receivable and payable accounts must allow reconciliation"})

    @Model.expose(groups=["invoicing_user"])
    async def trial_balance(cls, date_from: Any = None, date_to: Any = None) -> dict[str, Any]:
        """Per account: initial balance before ``date_from``, debit, credit and balance at ``date_to``
        (posted entries only; income and expense accounts start each calendar year at zero)."""
        from fullfinity_invoicing.models._reports import trial_balance

        return await trial_balance(_date(date_from), _date(date_to))

    @Model.expose(groups=["invoicing_user"])
    async def general_ledger(
        cls, account_ids: list[int] | None = None, date_from: Any = None, date_to: Any = None
    ) -> dict[str, Any]:
        """Per account: the initial balance, then every posted item of the period with its running balance."""
        from fullfinity_invoicing.models._reports import general_ledger

        return await general_ledger(account_ids, _date(date_from), _date(date_to))

    async def ui_trial_balance(cls, params: dict[str, Any]) -> dict[str, Any]:
        """``data_method`` of the trial balance view: dates from the action context."""
        context = (params or {}).get("context") or {}
        return await cls.trial_balance(context.get("date_from"), context.get("date_to"))

    async def ui_general_ledger(cls, params: dict[str, Any]) -> dict[str, Any]:
        """``data_method`` of the general ledger view: flat rows of every account."""
        context = (params or {}).get("context") or {}
        ledger = await cls.general_ledger(context.get("account_ids"), context.get("date_from"), context.get("date_to"))
        rows = [dict(line, account=account["code"]) for account in ledger["data"] for line in account["lines"]]
        return {"data": rows, "total": len(rows)}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"Expected a date as YYYY-MM-DD, got {value!r}.") from None
