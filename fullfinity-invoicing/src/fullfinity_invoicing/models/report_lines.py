"""Rows of the report screens (trial balance, general ledger, aged balances): transient models whose
List views are filled by a ``data_method`` calling the reports (``Account.trial_balance`` ...)."""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Char, Date, ManyToOne, Model, Monetary


class TrialBalanceLine(Model):
    _verbose_name = "Trial Balance"
    _transient = True

    code = Char()
    name = Char()
    account_type = Char(description="Type")
    initial = Monetary(description="Initial balance")
    debit = Monetary()
    credit = Monetary()
    balance = Monetary(description="End balance")

    async def ui_rows(cls, params: dict[str, Any]) -> dict[str, Any]:
        context = (params or {}).get("context") or {}
        report: dict[str, Any] = await cls.env_model("Account").trial_balance(
            context.get("date_from"), context.get("date_to")
        )
        return report

    @staticmethod
    def env_model(name: str) -> Any:
        from fullfinity.engine.base import env_ctx

        return env_ctx.get().get_model(name)


class GeneralLedgerLine(Model):
    _verbose_name = "General Ledger"
    _transient = True

    account = Char()
    date = Date()
    entry = Char(description="Entry")
    name = Char(description="Label")
    partner = Char()
    debit = Monetary()
    credit = Monetary()
    balance = Monetary(description="Running balance")

    async def ui_rows(cls, params: dict[str, Any]) -> dict[str, Any]:
        context = (params or {}).get("context") or {}
        ledger = await TrialBalanceLine.env_model("Account").general_ledger(
            context.get("account_ids"), context.get("date_from"), context.get("date_to")
        )
        rows = [dict(line, account=a["code"]) for a in ledger["data"] for line in a["lines"]]
        return {"data": rows, "total": len(rows)}


class AgedBalanceLine(Model):
    _verbose_name = "Aged Balance"
    _transient = True

    partner = ManyToOne("Contact")
    current = Monetary(description="Not due")
    b1_30 = Monetary(description="1-30 days")
    b31_60 = Monetary(description="31-60 days")
    b61_90 = Monetary(description="61-90 days")
    b90_plus = Monetary(description="Over 90 days")
    total = Monetary()

    async def ui_rows(cls, params: dict[str, Any]) -> dict[str, Any]:
        context = (params or {}).get("context") or {}
        found = await TrialBalanceLine.env_model("Contact").aged_balance(context.get("kind", "receivable"),
                                                                         context.get("at_date"))  # fmt: skip
        rows = [{"id": r["id"], "partner": {"id": r["id"], "display_name": r["partner"]}, "current": r["current"],
                 "b1_30": r["1_30"], "b31_60": r["31_60"], "b61_90": r["61_90"], "b90_plus": r["90_plus"],
                 "total": r["total"]} for r in found["data"]]  # fmt: skip
        return {"data": rows, "total": len(rows), "totals": found["totals"]}
