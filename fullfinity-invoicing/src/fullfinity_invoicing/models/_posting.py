"""Posting: a set operation over any number of documents (business.md 2, invariants 1, 2, 4, 5).

For N invoices: lock them, recompute and check their amounts, take N numbers (one locked UPDATE per
sequence), insert N entries and their items (COPY), post the entries (one UPDATE, which the database
checks for balance and lock date), mark the invoices posted (one UPDATE). About a dozen statements
whatever N; validation reports the first document that cannot be posted and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_invoicing.models._amounts import Computed, compute_invoices, write_amounts
from fullfinity_invoicing.models._numbering import Numbered, take_numbers
from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, write_entries
from fullfinity_invoicing.models.configuration import Settings, check_lock_date, settings
from fullfinity_invoicing.models.currency import company_currency, rates_at

__all__ = ["base_sign", "convert", "post_invoices", "post_manual_entries"]

ZERO = Decimal(0)
KIND = {"out_invoice": "invoice", "out_refund": "credit note", "in_invoice": "bill", "in_refund": "vendor credit note"}
SALE = frozenset({"out_invoice", "out_refund"})
REFUND = frozenset({"out_refund", "in_refund"})


def base_sign(move_type: str) -> int:
    """Sign of the revenue/expense and tax items' balance (debit positive); the receivable or
    payable items have the opposite sign."""
    return -1 if move_type in ("out_invoice", "in_refund") else 1


def convert(amount: Decimal, rate: Decimal, places: int) -> Decimal:
    """An amount of a currency in the company currency (``rate`` units per company unit), rounded."""
    if rate == 1:
        return amount
    return (amount / rate).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _prefix(move_type: str, code: str) -> str:
    return f"R{code}" if move_type in REFUND else code


async def post_invoices(env: Any, invoice_ids: Sequence[int]) -> list[int]:
    """Post the draft invoices ``invoice_ids``; returns their entry ids."""
    if not invoice_ids:
        raise UserError("Select the documents to post.")
    computed = await compute_invoices(env, invoice_ids, lock=True)
    found = {c.id for c in computed}
    missing = sorted(set(invoice_ids) - found)
    if missing:
        raise UserError(f"Invoice(s) {missing[:10]} do not exist.")
    heads = {
        r["id"]: r
        for r in await env.fetch(
            "SELECT i.id, i.name, i.number, i.move_type, i.partner_id, i.journal_id, j.code AS journal_code, "
            "j.journal_type, i.reference, c.receivable_account_id, c.payable_account_id, c.name AS partner_name "
            "FROM invoice i JOIN journal j ON j.id = i.journal_id LEFT JOIN contact c ON c.id = i.partner_id "
            "WHERE i.id = ANY($1::bigint[])",
            sorted(found),
        )
    }
    config = await settings(env)
    company, company_places = await company_currency(env)
    today = dt.date.today()
    accounts = await _account_types(env, _used_accounts(computed, heads, config))
    for c in computed:
        _validate(c, heads[c.id], config, accounts, today)
    stale = [c for c in computed if c.stale]
    if stale:  # what is booked is what the document shows
        await write_amounts(env, stale)
    rates = await rates_at(env, {(c.currency, c.invoice_date or today) for c in computed}, company)
    numbers = await take_numbers(
        env,
        [
            Numbered(c.id, _label(c, heads[c.id]), heads[c.id]["journal_id"],
                     _prefix(c.move_type, heads[c.id]["journal_code"]), c.invoice_date or today)
            for c in computed
        ],
    )  # fmt: skip
    entries = []
    for c in computed:
        head = heads[c.id]
        date = c.invoice_date or today
        rate = rates[(c.currency, date)]
        entries.append(_entry(c, head, config, accounts, numbers[c.id], date, rate, company_places))
    entry_ids = await write_entries(env, entries)
    await post_entries(env, entry_ids)
    await env.execute(
        "UPDATE invoice i SET state = 'posted', number = v.num, name = v.num, invoice_date = v.d, due_date = v.due, "
        "entry_id = v.e, amount_residual = i.amount_total, payment_state = CASE WHEN i.amount_total = 0 "
        "THEN 'paid' ELSE 'not_paid' END, currency_rate = v.r, write_uid = $7, updated_date = clock_timestamp() "
        "FROM unnest($1::bigint[], $2::text[], $3::date[], $4::date[], $5::bigint[], $6::numeric[]) "
        "AS v(id, num, d, due, e, r) WHERE i.id = v.id",
        [c.id for c in computed],
        [numbers[c.id] for c in computed],
        [c.invoice_date or today for c in computed],
        [e.items[-1].date_maturity for e in entries],
        entry_ids,
        [rates[(c.currency, c.invoice_date or today)] for c in computed],
        env.uid,
    )
    env.written.add("Invoice")
    return entry_ids


def _label(c: Computed, head: Any) -> str:
    return f"{KIND[c.move_type].capitalize()} {head['number'] or head['name'] or c.id}"


def _used_accounts(computed: Sequence[Computed], heads: dict[int, Any], config: Settings) -> set[int]:
    ids: set[int] = set()
    for c in computed:
        ids.update(a for a, _, _ in c.line_info if a)
        ids.update(t.account for t in c.amounts.tax_lines if t.account)
        head = heads[c.id]
        for key in ("receivable_account_id", "payable_account_id"):
            if head[key]:
                ids.add(head[key])
    ids.update(a for a in (config.receivable_account, config.payable_account) if a)
    return ids


async def _account_types(env: Any, ids: set[int]) -> dict[int, tuple[str, bool, str]]:
    """account id -> (type, active, code)"""
    rows = await env.fetch(
        "SELECT id, account_type, active, code FROM account WHERE id = ANY($1::bigint[])", sorted(ids)
    )
    return {r["id"]: (r["account_type"], r["active"], r["code"]) for r in rows}


def _counterpart_account(move_type: str, head: Any, config: Settings) -> int | None:
    if move_type in SALE:
        return int(head["receivable_account_id"] or config.receivable_account or 0) or None
    return int(head["payable_account_id"] or config.payable_account or 0) or None


def _validate(
    c: Computed, head: Any, config: Settings, accounts: dict[int, tuple[str, bool, str]], today: dt.date
) -> None:
    label = _label(c, head)
    if c.state != "draft":
        raise UserError(f"{label} is {c.state}: only draft documents can be posted.")
    if head["partner_id"] is None:
        raise UserError(f"{label} has no partner: choose the customer or vendor before posting.")
    wanted = "sale" if c.move_type in SALE else "purchase"
    if head["journal_type"] != wanted:
        raise UserError(
            f"{label} is in a {head['journal_type']} journal: a {KIND[c.move_type]} goes in a {wanted} journal."
        )
    if not c.line_ids:
        raise UserError(f"{label} has no product line: add what is invoiced before posting.")
    for index, (account, name, _) in enumerate(c.line_info):
        if account is None:
            raise UserError(f"{label}, line {index + 1} ({name or 'no description'}): no account. Choose one.")
        if not accounts.get(account, ("", False, ""))[1]:
            raise UserError(
                f"{label}, line {index + 1}: account {accounts.get(account, ('', False, account))[2]} is archived."
            )
    for t in c.amounts.tax_lines:
        if t.account is None and t.amount != 0:
            raise UserError(f"{label}: tax {t.tax.name} has no account. Set the tax's account before posting.")
    if c.amounts.total < 0:
        raise UserError(
            f"{label} has a negative total ({c.amounts.total}): issue a credit note instead of a negative "
            f"{KIND[c.move_type]}."
        )
    counterpart = _counterpart_account(c.move_type, head, config)
    if counterpart is None:
        kind = "receivable" if c.move_type in SALE else "payable"
        raise UserError(f"{label}: {head['partner_name']} has no {kind} account and the settings name none.")
    expected = "asset_receivable" if c.move_type in SALE else "liability_payable"
    if accounts.get(counterpart, ("",))[0] != expected:
        raise UserError(f"{label}: the {expected.split('_')[1]} account must be of type {expected}.")
    check_lock_date(config, c.invoice_date or today, label)


def _entry(
    c: Computed,
    head: Any,
    config: Settings,
    accounts: dict[int, tuple[str, bool, str]],
    number: str,
    date: dt.date,
    rate: Decimal,
    company_places: int,
) -> EntryDraft:
    sign = Decimal(base_sign(c.move_type))
    partner = head["partner_id"]
    entry = EntryDraft(head["journal_id"], date, c.currency, number=number, ref=head["reference"], invoice=c.id)
    items = entry.items
    total_balance = ZERO
    for line, (account, name, taxes) in zip(c.amounts.lines, c.line_info, strict=True):
        if line.subtotal == 0:
            continue
        amount = sign * line.subtotal
        balance = convert(amount, rate, company_places)
        total_balance += balance
        assert account is not None
        items.append(
            ItemDraft(
                account,
                accounts[account][0],
                balance,
                amount,
                c.currency,
                partner,
                name,
                taxes=taxes,
            )
        )
    for t in c.amounts.tax_lines:
        if t.amount == 0:
            continue
        amount = sign * t.amount
        balance = convert(amount, rate, company_places)
        total_balance += balance
        assert t.account is not None
        items.append(ItemDraft(t.account, accounts[t.account][0], balance, amount, c.currency, partner,
                               t.tax.name, tax_line=t.tax.id, tax_base=sign * t.base))  # fmt: skip
    counterpart = _counterpart_account(c.move_type, head, config)
    assert counterpart is not None
    parts = c.installments(date)
    remaining = -total_balance
    for index, (due, part) in enumerate(parts):
        amount = -sign * part
        balance = remaining if index == len(parts) - 1 else convert(amount, rate, company_places)
        remaining -= balance
        items.append(ItemDraft(counterpart, accounts[counterpart][0], balance, amount, c.currency, partner,
                               number if len(parts) == 1 else f"{number} ({index + 1}/{len(parts)})",
                               date_maturity=due, reconcilable=True))  # fmt: skip
    return entry


async def post_manual_entries(env: Any, entry_ids: Sequence[int]) -> None:
    """Post manual draft entries of general journals: checks, numbers, then the posting UPDATE."""
    if not entry_ids:
        raise UserError("Select the journal entries to post.")
    rows = await env.fetch(
        "SELECT e.id, e.state, e.date, e.name, e.journal_id, j.code, j.journal_type, "
        "(SELECT count(*) FROM journal_item i WHERE i.entry_id = e.id) AS n, "
        "(SELECT coalesce(sum(debit), 0) FROM journal_item i WHERE i.entry_id = e.id) AS debit, "
        "(SELECT coalesce(sum(credit), 0) FROM journal_item i WHERE i.entry_id = e.id) AS credit "
        "FROM journal_entry e JOIN journal j ON j.id = e.journal_id WHERE e.id = ANY($1::bigint[]) FOR UPDATE OF e",
        list(entry_ids),
    )
    if len(rows) != len(set(entry_ids)):
        raise UserError("Some of the journal entries do not exist.")
    config = await settings(env)
    for r in rows:
        label = f"Journal entry {r['name'] or r['id']}"
        if r["state"] != "draft":
            raise UserError(f"{label} is {r['state']}: only draft entries can be posted.")
        if r["journal_type"] != "general":
            raise UserError(f"{label} is in a {r['journal_type']} journal: manual entries go in a general journal.")
        if r["n"] < 2:
            raise UserError(f"{label} needs at least two items (a debit and a credit).")
        if r["debit"] != r["credit"]:
            raise UserError(
                f"{label} does not balance: debits {r['debit']} and credits {r['credit']} differ by "
                f"{r['debit'] - r['credit']}. Fix the items before posting."
            )
        check_lock_date(config, r["date"], label)
    numbers = await take_numbers(
        env, [Numbered(r["id"], f"Journal entry {r['id']}", r["journal_id"], r["code"], r["date"]) for r in rows]
    )
    ids = [r["id"] for r in rows]
    await env.execute(
        "UPDATE journal_entry e SET number = v.n, name = v.n FROM unnest($1::bigint[], $2::text[]) AS v(id, n) "
        "WHERE e.id = v.id",
        ids,
        [numbers[i] for i in ids],
    )
    await env.execute(
        "UPDATE journal_item i SET date = e.date, account_type = a.account_type, "
        "amount_residual = CASE WHEN a.reconcile THEN i.balance ELSE 0 END, "
        "amount_residual_currency = CASE WHEN a.reconcile THEN coalesce(i.amount_currency, i.balance) ELSE 0 END, "
        "amount_currency = coalesce(i.amount_currency, i.balance), date_maturity = coalesce(i.date_maturity, e.date), "
        "reconciled = a.reconcile AND i.balance = 0, currency_id = coalesce(i.currency_id, $2), "
        "parent_state = 'posted' "
        "FROM journal_entry e, account a WHERE e.id = i.entry_id AND a.id = i.account_id "
        "AND i.entry_id = ANY($1::bigint[])",
        ids,
        (await company_currency(env))[0],
    )
    await post_entries(env, ids)
