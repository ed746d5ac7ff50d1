"""Posting, registering and cancelling payments, as set operations over any number of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_invoicing.models._numbering import Numbered, take_numbers
from fullfinity_invoicing.models._posting import convert
from fullfinity_invoicing.models._reconciliation import reconcile, unreconcile
from fullfinity_invoicing.models._reversal import reverse_entries
from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, write_entries
from fullfinity_invoicing.models.configuration import check_lock_date, settings
from fullfinity_invoicing.models.currency import company_currency, rates_at

__all__ = ["cancel_payments", "post_payments", "register_payments"]

ZERO = Decimal(0)


async def post_payments(env: Any, payment_ids: Sequence[int]) -> None:
    if not payment_ids:
        raise UserError("Select the payments to post.")
    relation = env["Payment"]._fields["invoices"].relation
    table, this_col, other_col = relation
    rows = await env.fetch(
        f"SELECT p.id, p.name, p.state, p.payment_type, p.partner_type, p.partner_id, p.amount, p.currency_id, p.date, "
        f"p.memo, p.journal_id, j.code, j.journal_type, j.default_account_id, a.account_type AS bank_type, "
        f"c.receivable_account_id, c.payable_account_id, "
        f'ARRAY(SELECT x."{other_col}" FROM "{table}" x WHERE x."{this_col}" = p.id) AS invoices '
        f"FROM payment p JOIN journal j ON j.id = p.journal_id LEFT JOIN account a ON a.id = j.default_account_id "
        f"JOIN contact c ON c.id = p.partner_id WHERE p.id = ANY($1::bigint[]) ORDER BY p.id FOR UPDATE OF p",
        list(payment_ids),
    )
    if len(rows) != len(set(payment_ids)):
        raise UserError("Some of the payments do not exist.")
    config = await settings(env)
    company, places = await company_currency(env)
    for r in rows:
        label = f"Payment {r['name'] or r['id']}"
        if r["state"] != "draft":
            raise UserError(f"{label} is {r['state']}: only draft payments can be posted.")
        if r["journal_type"] not in ("bank", "cash"):
            raise UserError(f"{label}: payments go in a bank or cash journal, not a {r['journal_type']} journal.")
        if r["default_account_id"] is None:
            raise UserError(f"{label}: journal {r['code']} has no account for the money; set its default account.")
        check_lock_date(config, r["date"], label)
    counterpart = {}
    for r in rows:
        if r["partner_type"] == "customer":
            counterpart[r["id"]] = r["receivable_account_id"] or config.require(
                "receivable_account", "receivable account"
            )
        else:
            counterpart[r["id"]] = r["payable_account_id"] or config.require("payable_account", "payable account")
    types = {
        a["id"]: a["account_type"]
        for a in await env.fetch(
            "SELECT id, account_type FROM account WHERE id = ANY($1::bigint[])", sorted(set(counterpart.values()))
        )
    }
    rates = await rates_at(env, {(r["currency_id"], r["date"]) for r in rows}, company)
    numbers = await take_numbers(
        env, [Numbered(r["id"], f"Payment {r['id']}", r["journal_id"], r["code"], r["date"]) for r in rows]
    )
    drafts = []
    for r in rows:
        sign = Decimal(1) if r["payment_type"] == "inbound" else Decimal(-1)
        amount = sign * r["amount"]
        balance = convert(amount, rates[(r["currency_id"], r["date"])], places)
        label = r["memo"] or numbers[r["id"]]
        entry = EntryDraft(r["journal_id"], r["date"], r["currency_id"], number=numbers[r["id"]], ref=r["memo"],
                           payment=r["id"])  # fmt: skip
        entry.items.append(ItemDraft(r["default_account_id"], r["bank_type"], balance, amount, r["currency_id"],
                                     r["partner_id"], label))  # fmt: skip
        account = counterpart[r["id"]]
        entry.items.append(ItemDraft(account, types[account], -balance, -amount, r["currency_id"], r["partner_id"],
                                     label, reconcilable=True))  # fmt: skip
        drafts.append(entry)
    entry_ids = await write_entries(env, drafts)
    await post_entries(env, entry_ids)
    await env.execute(
        "UPDATE payment p SET state = 'posted', number = v.n, name = v.n, entry_id = v.e, write_uid = $4, "
        "updated_date = clock_timestamp() FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, n, e) "
        "WHERE p.id = v.id",
        [r["id"] for r in rows],
        [numbers[r["id"]] for r in rows],
        entry_ids,
        env.uid,
    )
    env.written.add("Payment")
    await _reconcile_with_invoices(env, rows, entry_ids, counterpart)


async def _reconcile_with_invoices(
    env: Any, rows: Sequence[Any], entry_ids: Sequence[int], counterpart: dict[int, int]
) -> None:
    wanted = {r["id"]: list(r["invoices"]) for r in rows if r["invoices"]}
    if not wanted:
        return
    invoice_ids = sorted({i for ids in wanted.values() for i in ids})
    open_items = await env.fetch(
        "SELECT i.id, e.invoice_id, i.account_id, i.partner_id, inv.state, coalesce(inv.number, inv.name) AS label "
        "FROM invoice inv JOIN journal_entry e ON e.id = inv.entry_id JOIN journal_item i ON i.entry_id = e.id "
        "WHERE inv.id = ANY($1::bigint[]) AND i.account_type IN ('asset_receivable', 'liability_payable') "
        "AND NOT i.reconciled",
        invoice_ids,
    )
    states = await env.fetch(
        "SELECT id, state, coalesce(number, name) AS label, partner_id FROM invoice WHERE id = ANY($1::bigint[])",
        invoice_ids,
    )
    for s in states:
        if s["state"] != "posted":
            raise UserError(f"{s['label']} is {s['state']}: only posted documents can be paid.")
    by_invoice: dict[int, list[Any]] = {}
    for item in open_items:
        by_invoice.setdefault(item["invoice_id"], []).append(item)
    payment_items = {
        r["entry_id"]: r["id"]
        for r in await env.fetch(
            "SELECT id, entry_id FROM journal_item WHERE entry_id = ANY($1::bigint[]) "
            "AND account_type IN ('asset_receivable', 'liability_payable')",
            list(entry_ids),
        )
    }
    groups = []
    for r, entry_id in zip(rows, entry_ids, strict=True):
        ids = wanted.get(r["id"])
        if not ids:
            continue
        group = [payment_items[entry_id]]
        for invoice_id in ids:
            for item in by_invoice.get(invoice_id, ()):
                if item["account_id"] != counterpart[r["id"]] or item["partner_id"] != r["partner_id"]:
                    raise UserError(
                        f"Payment {r['id']} and {item['label']} are on different accounts or partners: a payment "
                        f"pays documents of its own partner, on the same receivable or payable account."
                    )
                group.append(item["id"])
        groups.append(group)
    await reconcile(env, groups)


async def cancel_payments(env: Any, payment_ids: Sequence[int]) -> None:
    rows = await env.fetch(
        "SELECT id, state, entry_id, coalesce(number, name) AS label FROM payment WHERE id = ANY($1::bigint[]) "
        "ORDER BY id FOR UPDATE",
        list(payment_ids),
    )
    for r in rows:
        if r["state"] == "cancelled":
            raise UserError(f"Payment {r['label']} is already cancelled.")
    posted = [r for r in rows if r["state"] == "posted"]
    if posted:
        items = await env.fetch(
            "SELECT id FROM journal_item WHERE entry_id = ANY($1::bigint[])", [r["entry_id"] for r in posted]
        )
        await unreconcile(env, [i["id"] for i in items])
        await reverse_entries(env, [r["entry_id"] for r in posted], reconcile_with_origin=True)
    await env.execute(
        "UPDATE payment SET state = 'cancelled', write_uid = $2, updated_date = clock_timestamp() "
        "WHERE id = ANY($1::bigint[])",
        [r["id"] for r in rows],
        env.uid,
    )
    env.written.add("Payment")


async def register_payments(
    env: Any,
    invoice_ids: Sequence[int],
    *,
    journal: int | None,
    date: dt.date | None,
    amount: Decimal | None,
    currency: int | None,
    memo: str | None,
    group: bool,
) -> list[int]:
    """One payment per partner (``group``) or per document, posted and reconciled; returns their ids."""
    config = await settings(env)
    journal = journal or config.require("bank_journal", "payment journal")
    rows = await env.fetch(
        "SELECT id, move_type, state, partner_id, amount_residual, currency_id, payment_state, "
        "coalesce(number, name) AS label FROM invoice WHERE id = ANY($1::bigint[]) ORDER BY id",
        list(invoice_ids),
    )
    for r in rows:
        if r["state"] != "posted":
            raise UserError(f"{r['label']} is {r['state']}: only posted documents can be paid.")
        if r["amount_residual"] == 0:
            raise UserError(f"{r['label']} is already paid.")
    keys: dict[tuple[Any, ...], list[Any]] = {}
    for r in rows:
        customer = r["move_type"] in ("out_invoice", "out_refund")
        key: tuple[Any, ...] = (r["partner_id"], customer, r["currency_id"]) if group else (r["id"],)
        keys.setdefault(key, []).append(r)
    single = len(keys) == 1
    values = []
    for docs in keys.values():
        customer = docs[0]["move_type"] in ("out_invoice", "out_refund")
        signed = sum(
            (
                d["amount_residual"] if d["move_type"] in ("out_invoice", "in_invoice") else -d["amount_residual"]
                for d in docs
            ),
            ZERO,
        )
        if single and amount is not None:
            signed = amount if signed >= 0 else -amount
        if signed == 0:
            continue
        inbound = (signed > 0) == customer
        values.append(
            {
                "payment_type": "inbound" if inbound else "outbound",
                "partner_type": "customer" if customer else "supplier",
                "partner": docs[0]["partner_id"],
                "amount": abs(signed),
                "currency": currency if single and currency else docs[0]["currency_id"],
                "date": date or dt.date.today(),
                "journal": journal,
                "memo": memo or ", ".join(d["label"] for d in docs),
                "invoices": [d["id"] for d in docs],
            }
        )
    if not values:
        raise UserError("Nothing to pay: the documents' amounts due cancel each other out.")
    payments = await env["Payment"].bulk_create(values)
    await post_payments(env, payments.ids)
    return list(payments.ids)
