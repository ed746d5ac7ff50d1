"""Reports over posted items: trial balance, general ledger, aged receivable and payable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["aged_balance", "general_ledger", "trial_balance"]

ZERO = Decimal(0)


def _money(value: Any) -> Decimal:
    return value if value is not None else ZERO


async def trial_balance(date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    from fullfinity.engine.base import env_ctx

    env = env_ctx.get()
    start = date_from or dt.date(1900, 1, 1)
    end = date_to or dt.date(9999, 12, 31)
    year_start = dt.date(start.year, 1, 1)
    rows = await env.fetch(
        """
        SELECT a.id, a.code, a.name, a.account_type,
               coalesce(sum(i.balance) FILTER (WHERE i.date < $1 AND (a.account_type NOT IN
                   ('income', 'income_other', 'expense', 'expense_direct_cost') OR i.date >= $3)), 0) AS initial,
               coalesce(sum(i.debit) FILTER (WHERE i.date BETWEEN $1 AND $2), 0) AS debit,
               coalesce(sum(i.credit) FILTER (WHERE i.date BETWEEN $1 AND $2), 0) AS credit
          FROM account a LEFT JOIN journal_item i ON i.account_id = a.id AND i.parent_state = 'posted' AND i.date <= $2
         GROUP BY a.id ORDER BY a.code
        """,
        start,
        end,
        year_start,
    )
    data = []
    totals = {"initial": ZERO, "debit": ZERO, "credit": ZERO, "balance": ZERO}
    for r in rows:
        if r["initial"] == 0 and r["debit"] == 0 and r["credit"] == 0:
            continue
        balance = r["initial"] + r["debit"] - r["credit"]
        data.append(
            {
                "id": r["id"],
                "display_name": f"{r['code']} {r['name']}",
                "code": r["code"],
                "name": r["name"],
                "account_type": r["account_type"],
                "initial": r["initial"],
                "debit": r["debit"],
                "credit": r["credit"],
                "balance": balance,
            }
        )
        for key, value in (
            ("initial", r["initial"]),
            ("debit", r["debit"]),
            ("credit", r["credit"]),
            ("balance", balance),
        ):
            totals[key] += value
    return {"data": data, "total": len(data), "totals": totals}


async def general_ledger(
    account_ids: list[int] | None, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, Any]:
    from fullfinity.engine.base import env_ctx

    env = env_ctx.get()
    start = date_from or dt.date(1900, 1, 1)
    end = date_to or dt.date(9999, 12, 31)
    accounts = await env.fetch(
        "SELECT a.id, a.code, a.name, coalesce((SELECT sum(balance) FROM journal_item i WHERE i.account_id = a.id "
        "AND i.parent_state = 'posted' AND i.date < $2), 0) AS initial FROM account a "
        "WHERE ($1::bigint[] IS NULL OR a.id = ANY($1::bigint[])) ORDER BY a.code",
        account_ids,
        start,
    )
    lines = await env.fetch(
        """
        SELECT i.id, i.account_id, i.date, e.number AS entry, e.id AS entry_id, i.name, c.name AS partner,
               i.debit, i.credit,
               sum(i.balance) OVER (PARTITION BY i.account_id ORDER BY i.date, i.id) AS running
          FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id LEFT JOIN contact c ON c.id = i.partner_id
         WHERE i.parent_state = 'posted' AND i.date BETWEEN $2 AND $3
           AND ($1::bigint[] IS NULL OR i.account_id = ANY($1::bigint[]))
         ORDER BY i.account_id, i.date, i.id
        """,
        account_ids,
        start,
        end,
    )
    by_account: dict[int, list[Any]] = {}
    for ln in lines:
        by_account.setdefault(ln["account_id"], []).append(ln)
    data = []
    for a in accounts:
        items = by_account.get(a["id"], [])
        if not items and a["initial"] == 0:
            continue
        data.append({
            "id": a["id"], "code": a["code"], "name": a["name"], "initial": a["initial"],
            "lines": [{"id": ln["id"], "date": ln["date"], "entry": ln["entry"], "entry_id": ln["entry_id"],
                       "name": ln["name"], "partner": ln["partner"], "debit": ln["debit"], "credit": ln["credit"],
                       "balance": a["initial"] + ln["running"]} for ln in items],
            "final": a["initial"] + (items[-1]["running"] if items else ZERO),
        })  # fmt: skip
    return {"data": data, "total": len(data)}


BUCKETS = ("current", "1_30", "31_60", "61_90", "90_plus")


async def aged_balance(kind: str, at_date: dt.date) -> dict[str, Any]:
    """Open amounts at ``at_date``: an item counts with its balance minus the matches whose
    counterpart is dated on or before ``at_date``; buckets by days past the item's due date."""
    from fullfinity.engine.base import env_ctx

    env = env_ctx.get()
    account_type = "asset_receivable" if kind == "receivable" else "liability_payable"
    rows = await env.fetch(
        """
        WITH open_items AS (
            SELECT i.partner_id, i.date_maturity,
                   i.balance
                   - coalesce((SELECT sum(p.amount) FROM partial_reconcile p
                                 JOIN journal_item o ON o.id = p.credit_item_id
                                WHERE p.debit_item_id = i.id AND o.date <= $2), 0)
                   + coalesce((SELECT sum(p.amount) FROM partial_reconcile p
                                 JOIN journal_item o ON o.id = p.debit_item_id
                                WHERE p.credit_item_id = i.id AND o.date <= $2), 0) AS open
              FROM journal_item i
             WHERE i.account_type = $1 AND i.parent_state = 'posted' AND i.date <= $2
        )
        SELECT o.partner_id, c.name,
               sum(open) FILTER (WHERE date_maturity >= $2) AS current,
               sum(open) FILTER (WHERE $2 - date_maturity BETWEEN 1 AND 30) AS b1,
               sum(open) FILTER (WHERE $2 - date_maturity BETWEEN 31 AND 60) AS b2,
               sum(open) FILTER (WHERE $2 - date_maturity BETWEEN 61 AND 90) AS b3,
               sum(open) FILTER (WHERE $2 - date_maturity > 90) AS b4,
               sum(open) AS total
          FROM open_items o LEFT JOIN contact c ON c.id = o.partner_id
         WHERE open <> 0
         GROUP BY o.partner_id, c.name ORDER BY c.name, o.partner_id
        """,
        account_type,
        at_date,
    )
    sign = Decimal(1) if kind == "receivable" else Decimal(-1)
    data = []
    totals = dict.fromkeys((*BUCKETS, "total"), ZERO)
    for r in rows:
        values = [sign * _money(r[k]) for k in ("current", "b1", "b2", "b3", "b4", "total")]
        if values[-1] == 0:
            continue
        entry = {"id": r["partner_id"], "display_name": r["name"], "partner": r["name"]}
        for key, value in zip((*BUCKETS, "total"), values, strict=True):
            entry[key] = value
            totals[key] += value
        data.append(entry)
    return {"data": data, "total": len(data), "totals": totals, "at_date": at_date.isoformat(), "kind": kind}
