"""Reconciliation: matching debits and credits of one account and partner, for many groups at once.

Within a group, debits and credits are matched oldest due first. A match reduces both items' open
amounts by the same company-currency amount (and each by its share in its own currency), so open
amounts never go below zero and an invoice's amount due never exceeds its total. When an item in a
foreign currency is fully matched in that currency but some company-currency amount remains (the
rate moved between invoice and payment), an exchange difference entry books the rest to the
exchange gain or loss account and closes the item (business.md 2, invariant 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, reserve_ids, write_entries
from fullfinity_invoicing.models.configuration import settings
from fullfinity_invoicing.models.currency import company_currency

__all__ = ["reconcile", "refresh_invoice_residuals", "unreconcile"]

ZERO = Decimal(0)


@dataclass
class _Item:
    id: int
    account: int
    account_type: str
    partner: int | None
    currency: int
    places: int
    residual: Decimal
    residual_currency: Decimal
    date: dt.date
    due: dt.date
    invoice: int | None


def _share(residual: Decimal, part: Decimal, whole: Decimal, places: int) -> Decimal:
    if part == whole:
        return residual
    return (residual * part / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


async def _load(env: Any, ids: Sequence[int]) -> dict[int, _Item]:
    rows = await env.fetch(
        "SELECT i.id, i.account_id, i.account_type, i.partner_id, i.currency_id, "
        "coalesce(c.decimal_places, 2) AS places, i.amount_residual, i.amount_residual_currency, i.date, "
        "i.date_maturity, i.parent_state, a.reconcile, e.invoice_id FROM journal_item i "
        "JOIN account a ON a.id = i.account_id JOIN journal_entry e ON e.id = i.entry_id "
        "LEFT JOIN currency c ON c.id = i.currency_id WHERE i.id = ANY($1::bigint[]) ORDER BY i.id FOR UPDATE OF i",
        sorted(set(ids)),
    )
    out = {}
    for r in rows:
        if r["parent_state"] != "posted":
            raise UserError(f"Journal item {r['id']} is not posted: only posted items can be reconciled.")
        if not r["reconcile"]:
            raise UserError(f"Journal item {r['id']} is on an account that does not allow reconciliation.")
        out[r["id"]] = _Item(
            r["id"], r["account_id"], r["account_type"], r["partner_id"], r["currency_id"], r["places"],
            r["amount_residual"], r["amount_residual_currency"], r["date"], r["date_maturity"], r["invoice_id"],
        )  # fmt: skip
    return out


async def reconcile(env: Any, groups: Sequence[Sequence[int]]) -> None:
    """Reconcile each group of items with each other (same account; same partner)."""
    items = await _load(env, [i for g in groups for i in g])
    company, company_places = await company_currency(env)
    partials: list[tuple[int, int, Decimal, Decimal, Decimal, dt.date]] = []
    for group in groups:
        members = [items[i] for i in dict.fromkeys(group) if i in items]
        if {m.account for m in members}.__len__() > 1:
            raise UserError("Items of different accounts cannot be reconciled together.")
        if len({m.partner for m in members}) > 1:
            raise UserError("Items of different partners cannot be reconciled together.")
        debits = sorted((m for m in members if m.residual > 0), key=lambda m: (m.due, m.id))
        credits = sorted((m for m in members if m.residual < 0), key=lambda m: (m.due, m.id))
        di = ci = 0
        while di < len(debits) and ci < len(credits):
            d, c = debits[di], credits[ci]
            if d.currency == c.currency and d.currency != company:
                cur = min(d.residual_currency, -c.residual_currency)
                d_value = _share(d.residual, cur, d.residual_currency, company_places)
                c_value = _share(-c.residual, cur, -c.residual_currency, company_places)
                amount = min(d_value, c_value)
                d_cur = c_cur = cur
            else:
                amount = min(d.residual, -c.residual)
                d_cur = _share(d.residual_currency, amount, d.residual, d.places)
                c_cur = _share(-c.residual_currency, amount, -c.residual, c.places)
            if amount <= 0 and d_cur <= 0 and c_cur <= 0:
                break
            d.residual -= amount
            c.residual += amount
            d.residual_currency -= d_cur
            c.residual_currency += c_cur
            partials.append((d.id, c.id, amount, d_cur, c_cur, max(d.date, c.date)))
            if d.residual_currency <= 0 or d.residual <= 0:
                di += 1
            if c.residual_currency >= 0 or c.residual >= 0:
                ci += 1
    exchange = [m for m in items.values() if m.residual_currency == 0 and m.residual != 0]
    links: list[tuple[int, int | None]] = []
    if exchange:
        links = await _exchange_differences(env, exchange, partials, company)
    if partials:
        ids = await reserve_ids(env, "partial_reconcile", len(partials))
        rows = []
        exchange_of = dict(links)
        for pid, (debit, credit, amount, cur, ccur, date) in zip(ids, partials, strict=True):
            rows.append((pid, debit, credit, amount, cur, ccur, date, exchange_of.get(debit) or exchange_of.get(credit),
                         env.uid, env.uid))  # fmt: skip
        await env.copy_records(
            "partial_reconcile",
            ("id", "debit_item_id", "credit_item_id", "amount", "amount_currency", "credit_amount_currency", "max_date",
             "exchange_entry_id", "create_uid", "write_uid"),
            rows,
        )  # fmt: skip
        env.written.add("PartialReconcile")
    changed = list(items.values())
    await env.execute(
        "UPDATE journal_item i SET amount_residual = v.r, amount_residual_currency = v.rc, reconciled = (v.r = 0 AND "
        "v.rc = 0) FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS v(id, r, rc) WHERE i.id = v.id "
        "AND (i.amount_residual <> v.r OR i.amount_residual_currency <> v.rc "
        "OR i.reconciled <> (v.r = 0 AND v.rc = 0))",
        [m.id for m in changed],
        [m.residual for m in changed],
        [m.residual_currency for m in changed],
    )
    env.written.add("JournalItem")
    await refresh_invoice_residuals(env, {m.invoice for m in changed if m.invoice is not None})


async def _exchange_differences(
    env: Any, items: list[_Item], partials: list[Any], company: int
) -> list[tuple[int, int | None]]:
    """Close ``items`` (fully matched in their currency, not in the company's) with exchange entries."""
    config = await settings(env)
    journal = config.require("exchange_journal", "exchange difference journal")
    gain = config.require("exchange_gain_account", "exchange gain account")
    loss = config.require("exchange_loss_account", "exchange loss account")
    types = {
        r["id"]: r["account_type"]
        for r in await env.fetch("SELECT id, account_type FROM account WHERE id = ANY($1::bigint[])", [gain, loss])
    }
    today = dt.date.today()
    drafts = []
    for m in items:
        date = max(m.date, today) if config.lock_date is None or m.date > config.lock_date else today
        close = -m.residual  # the item's open company amount, booked away
        other = gain if close > 0 else loss  # the counterpart is a credit (income) when close is a debit
        entry = EntryDraft(journal, date, company, ref=f"Exchange difference of item {m.id}")
        entry.items.append(ItemDraft(m.account, m.account_type, close, ZERO, m.currency, m.partner,
                                     "Exchange difference", reconcilable=True))  # fmt: skip
        entry.items.append(ItemDraft(other, types[other], -close, -close, company, m.partner, "Exchange difference"))
        drafts.append(entry)
    from fullfinity_invoicing.models._numbering import Numbered, take_numbers

    codes = {r["id"]: r["code"] for r in await env.fetch("SELECT id, code FROM journal WHERE id = $1", journal)}
    numbers = await take_numbers(
        env, [Numbered(i, f"Exchange difference {i}", journal, codes[journal], d.date) for i, d in enumerate(drafts)]
    )
    for i, d in enumerate(drafts):
        d.number = numbers[i]
    entry_ids = await write_entries(env, drafts)
    await post_entries(env, entry_ids)
    rows = await env.fetch(
        "SELECT id, entry_id, balance FROM journal_item WHERE entry_id = ANY($1::bigint[]) AND amount_residual <> 0",
        entry_ids,
    )
    by_entry = {r["entry_id"]: r for r in rows}
    links: list[tuple[int, int | None]] = []
    for m, entry_id in zip(items, entry_ids, strict=True):
        new = by_entry[entry_id]
        amount = abs(m.residual)
        if m.residual > 0:
            partials.append((m.id, new["id"], amount, ZERO, ZERO, m.date))
        else:
            partials.append((new["id"], m.id, amount, ZERO, ZERO, m.date))
        links.append((new["id"], entry_id))
        m.residual = ZERO
    await env.execute(
        "UPDATE journal_item SET amount_residual = 0, amount_residual_currency = 0, reconciled = true "
        "WHERE id = ANY($1::bigint[])",
        [r["id"] for r in rows],
    )
    return links


async def refresh_invoice_residuals(env: Any, invoice_ids: set[int]) -> None:
    """Amount due and payment state of invoices from their receivable/payable items."""
    if not invoice_ids:
        return
    await env.execute(
        """
        WITH r AS (
            SELECT e.invoice_id, sum(i.amount_residual_currency) AS res, bool_and(i.reconciled) AS done
              FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id
             WHERE e.invoice_id = ANY($1::bigint[]) AND i.account_type IN ('asset_receivable', 'liability_payable')
             GROUP BY e.invoice_id
        ),
        pairs AS (
            SELECT e.invoice_id, p.credit_item_id AS other FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id
              JOIN partial_reconcile p ON p.debit_item_id = i.id
             WHERE e.invoice_id = ANY($1::bigint[]) AND i.account_type IN ('asset_receivable', 'liability_payable')
            UNION ALL
            SELECT e.invoice_id, p.debit_item_id FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id
              JOIN partial_reconcile p ON p.credit_item_id = i.id
             WHERE e.invoice_id = ANY($1::bigint[]) AND i.account_type IN ('asset_receivable', 'liability_payable')
        ),
        rev AS (
            SELECT pairs.invoice_id,
                   bool_and(oi.reversed_invoice_id IS NOT DISTINCT FROM pairs.invoice_id) AS only_notes
              FROM pairs JOIN journal_item o ON o.id = pairs.other JOIN journal_entry oe ON oe.id = o.entry_id
              LEFT JOIN invoice oi ON oi.id = oe.invoice_id
             GROUP BY pairs.invoice_id
        )
        UPDATE invoice inv SET amount_residual = abs(r.res),
               payment_state = CASE WHEN r.res = 0 AND coalesce(rev.only_notes, false) THEN 'reversed'
                                    WHEN r.res = 0 THEN 'paid'
                                    WHEN abs(r.res) < inv.amount_total THEN 'partial' ELSE 'not_paid' END
          FROM r LEFT JOIN rev ON rev.invoice_id = r.invoice_id
         WHERE inv.id = r.invoice_id AND inv.state = 'posted'
        """,
        sorted(invoice_ids),
    )
    env.written.add("Invoice")


async def unreconcile(env: Any, item_ids: Sequence[int]) -> None:
    """Remove every match of ``item_ids``: open amounts come back; exchange entries are reversed."""
    partials = await env.fetch(
        "SELECT p.id, p.debit_item_id, p.credit_item_id, p.amount, p.amount_currency, p.credit_amount_currency, "
        "p.exchange_entry_id FROM partial_reconcile p WHERE p.debit_item_id = ANY($1::bigint[]) "
        "OR p.credit_item_id = ANY($1::bigint[]) FOR UPDATE",
        list(item_ids),
    )
    if not partials:
        return
    touched = {p["debit_item_id"] for p in partials} | {p["credit_item_id"] for p in partials}
    await env.fetch("SELECT id FROM journal_item WHERE id = ANY($1::bigint[]) FOR UPDATE", sorted(touched))
    await env.execute(
        "WITH d AS (SELECT debit_item_id AS id, sum(amount) AS a, sum(coalesce(amount_currency, 0)) AS c "
        "FROM partial_reconcile WHERE id = ANY($1::bigint[]) GROUP BY debit_item_id), "
        "k AS (SELECT credit_item_id AS id, sum(amount) AS a, sum(coalesce(credit_amount_currency, 0)) AS c "
        "FROM partial_reconcile WHERE id = ANY($1::bigint[]) GROUP BY credit_item_id), "
        "t AS (SELECT id, sum(a) AS a, sum(c) AS c FROM (SELECT id, a, c FROM d UNION ALL SELECT id, -a, -c FROM k) x "
        "GROUP BY id) "
        "UPDATE journal_item i SET amount_residual = i.amount_residual + t.a, "
        "amount_residual_currency = i.amount_residual_currency + t.c, "
        "reconciled = (i.amount_residual + t.a = 0 AND i.amount_residual_currency + t.c = 0) FROM t WHERE i.id = t.id",
        [p["id"] for p in partials],
    )
    await env.execute("DELETE FROM partial_reconcile WHERE id = ANY($1::bigint[])", [p["id"] for p in partials])
    env.written.update({"PartialReconcile", "JournalItem"})
    rows = await env.fetch(
        "SELECT DISTINCT e.invoice_id FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id "
        "WHERE i.id = ANY($1::bigint[]) AND e.invoice_id IS NOT NULL",
        sorted(touched),
    )
    await refresh_invoice_residuals(env, {r["invoice_id"] for r in rows})
    exchange = sorted({p["exchange_entry_id"] for p in partials if p["exchange_entry_id"]})
    if exchange:
        from fullfinity_invoicing.models._reversal import reverse_entries

        await reverse_entries(env, exchange, reconcile_with_origin=True)
