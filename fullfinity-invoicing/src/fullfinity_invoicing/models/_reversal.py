"""Reversals: credit notes mirroring posted invoices, and reversing entries (payment cancellation,
undoing exchange differences). A reversal books exactly the opposite of its origin, item by item,
at the origin's rates (business.md 2, invariant 6)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_invoicing.models._numbering import Numbered, take_numbers
from fullfinity_invoicing.models._reconciliation import reconcile
from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, write_entries
from fullfinity_invoicing.models.configuration import check_lock_date, settings

__all__ = ["reverse_entries", "reverse_invoices"]

REFUND_OF = {"out_invoice": "out_refund", "in_invoice": "in_refund"}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


async def _mirrored_items(env: Any, entry_ids: Sequence[int]) -> dict[int, list[ItemDraft]]:
    table, this_col, other_col = env["JournalItem"]._fields["taxes"].relation
    rows = await env.fetch(
        f"SELECT i.id, i.entry_id, i.account_id, i.account_type, i.balance, i.amount_currency, i.currency_id, "
        f"i.partner_id, i.name, i.tax_line_id, i.tax_base, a.reconcile, "
        f'ARRAY(SELECT t."{other_col}" FROM "{table}" t WHERE t."{this_col}" = i.id) AS taxes '
        f"FROM journal_item i JOIN account a ON a.id = i.account_id WHERE i.entry_id = ANY($1::bigint[]) "
        f"ORDER BY i.entry_id, i.id",
        list(entry_ids),
    )
    out: dict[int, list[ItemDraft]] = {e: [] for e in entry_ids}
    for r in rows:
        out[r["entry_id"]].append(
            ItemDraft(
                r["account_id"],
                r["account_type"],
                -r["balance"],
                -(r["amount_currency"] or r["balance"]),
                r["currency_id"],
                r["partner_id"],
                r["name"],
                tax_line=r["tax_line_id"],
                tax_base=-r["tax_base"] if r["tax_base"] is not None else None,
                taxes=tuple(r["taxes"]),
                reconcilable=bool(r["reconcile"]),
            )
        )
    return out


async def _reconcile_with_origins(env: Any, pairs: Sequence[tuple[int, int]]) -> None:
    """Reconcile, account by account, the reconcilable items of each (origin entry, reversal entry)."""
    rows = await env.fetch(
        "SELECT i.id, i.entry_id, i.account_id, i.partner_id FROM journal_item i JOIN account a ON a.id = i.account_id "
        "WHERE a.reconcile AND i.entry_id = ANY($1::bigint[]) AND i.amount_residual <> 0",
        [e for pair in pairs for e in pair],
    )
    of = {e: k for k, pair in enumerate(pairs) for e in pair}
    groups: dict[tuple[int, int, int | None], list[int]] = {}
    for r in rows:
        groups.setdefault((of[r["entry_id"]], r["account_id"], r["partner_id"]), []).append(r["id"])
    if groups:
        await reconcile(env, list(groups.values()))


async def reverse_entries(env: Any, entry_ids: Sequence[int], *, reconcile_with_origin: bool = False,
                          date: dt.date | None = None) -> list[int]:  # fmt: skip
    """Post a reversing entry of each posted entry (same journal, opposite items)."""
    rows = await env.fetch(
        "SELECT e.id, e.journal_id, j.code, e.date, e.currency_id, e.number, e.payment_id, e.state "
        "FROM journal_entry e JOIN journal j ON j.id = e.journal_id WHERE e.id = ANY($1::bigint[]) ORDER BY e.id",
        list(entry_ids),
    )
    config = await settings(env)
    items = await _mirrored_items(env, [r["id"] for r in rows])
    drafts = []
    for r in rows:
        if r["state"] != "posted":
            raise UserError(f"Journal entry {r['number'] or r['id']} is not posted: there is nothing to reverse.")
        when = date or r["date"]
        if config.lock_date is not None and when <= config.lock_date:
            when = max(dt.date.today(), config.lock_date + dt.timedelta(days=1))
        drafts.append(EntryDraft(r["journal_id"], when, r["currency_id"], ref=f"Reversal of {r['number']}",
                                 payment=r["payment_id"], reversed_entry=r["id"], items=items[r["id"]]))  # fmt: skip
    numbers = await take_numbers(
        env,
        [
            Numbered(i, f"Reversal of {r['number']}", r["journal_id"], r["code"], d.date)
            for i, (r, d) in enumerate(zip(rows, drafts, strict=True))
        ],
    )
    for i, d in enumerate(drafts):
        d.number = numbers[i]
    new_ids = await write_entries(env, drafts)
    await post_entries(env, new_ids)
    if reconcile_with_origin:
        await _reconcile_with_origins(env, [(r["id"], n) for r, n in zip(rows, new_ids, strict=True)])
    return new_ids


async def reverse_invoices(
    env: Any, invoice_ids: Sequence[int], *, date: Any = None, reason: str | None = None
) -> list[int]:
    """Credit notes of posted invoices/bills, posted and reconciled with them; returns their ids."""
    if not invoice_ids:
        raise UserError("Select the invoices to credit.")
    when = _date(date) or dt.date.today()
    origins = await env.fetch(
        "SELECT i.*, j.code AS journal_code FROM invoice i JOIN journal j ON j.id = i.journal_id "
        "WHERE i.id = ANY($1::bigint[]) ORDER BY i.id FOR UPDATE OF i",
        list(invoice_ids),
    )
    config = await settings(env)
    for o in origins:
        label = o["number"] or o["name"]
        if o["state"] != "posted":
            raise UserError(f"{label} is {o['state']}: only posted invoices and bills can be credited.")
        if o["move_type"] not in REFUND_OF:
            raise UserError(f"{label} is already a credit note: reverse the invoice it credits, or issue an invoice.")
        if o["payment_state"] in ("partial", "paid", "reversed") or o["amount_residual"] != o["amount_total"]:
            raise UserError(
                f"{label} is {o['payment_state'].replace('_', ' ')}: unreconcile its payments (or cancel them) before "
                f"crediting it."
            )
        if o["invoice_date"] and when < o["invoice_date"]:
            raise UserError(f"The credit note of {label} cannot be dated before the invoice ({o['invoice_date']}).")
        check_lock_date(config, when, f"The credit note of {label}")
    ids = await _copy_as_credit_notes(env, origins, when, reason)
    numbers = await take_numbers(
        env, [Numbered(n, f"Credit note of {o['number']}", o["journal_id"], f"R{o['journal_code']}", when)
              for n, o in zip(ids, origins, strict=True)]
    )  # fmt: skip
    mirrored = await _mirrored_items(env, [o["entry_id"] for o in origins])
    drafts = []
    for n, o in zip(ids, origins, strict=True):
        items = mirrored[o["entry_id"]]
        for item in items:
            if item.reconcilable:
                item.date_maturity = when
        drafts.append(EntryDraft(o["journal_id"], when, o["currency_id"], number=numbers[n],
                                 ref=reason or f"Reversal of {o['number']}", invoice=n,
                                 reversed_entry=o["entry_id"], items=items))  # fmt: skip
    entry_ids = await write_entries(env, drafts)
    await post_entries(env, entry_ids)
    await env.execute(
        "UPDATE invoice i SET state = 'posted', number = v.num, name = v.num, entry_id = v.e, due_date = $4, "
        "invoice_date = $4, amount_residual = i.amount_total, payment_state = 'not_paid', "
        "currency_rate = o.currency_rate, "
        "updated_date = clock_timestamp(), write_uid = $5 FROM unnest($1::bigint[], $2::text[], $3::bigint[]) "
        "AS v(id, num, e), invoice o WHERE i.id = v.id AND o.id = i.reversed_invoice_id",
        ids,
        [numbers[n] for n in ids],
        entry_ids,
        when,
        env.uid,
    )
    env.written.add("Invoice")
    await _reconcile_with_origins(env, [(o["entry_id"], e) for o, e in zip(origins, entry_ids, strict=True)])
    return ids


async def _copy_as_credit_notes(env: Any, origins: Sequence[Any], when: dt.date, reason: str | None) -> list[int]:
    """Draft credit notes holding the origins' lines and amounts exactly (no recomputation: a credit
    note mirrors what was booked even if a tax or the rounding mode changed since)."""
    from fullfinity_invoicing.models._writer import reserve_ids

    ids = await reserve_ids(env, "invoice", len(origins))
    columns = ("id", "name", "move_type", "partner_id", "invoice_date", "due_date", "payment_term_id", "journal_id",
               "currency_id", "reference", "narration", "amount_untaxed", "amount_tax", "amount_total",
               "amount_residual", "tax_details", "state", "payment_state", "reversed_invoice_id",
               "create_uid", "write_uid")  # fmt: skip
    rows = []
    for new, o in zip(ids, origins, strict=True):
        rows.append((new, "Draft credit note", REFUND_OF[o["move_type"]], o["partner_id"], when, when, None,
                     o["journal_id"], o["currency_id"], reason or o["number"], o["narration"], o["amount_untaxed"],
                     o["amount_tax"], o["amount_total"], o["amount_total"],
                     json.dumps(o["tax_details"]) if o["tax_details"] is not None else None,
                     "draft", "not_paid", o["id"], env.uid, env.uid))  # fmt: skip
    await env.execute(
        f"INSERT INTO invoice ({', '.join(columns)}) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], "
        "$4::bigint[], $5::date[], $6::date[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], "
        "$12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::text[]::jsonb[], "
        "$17::text[], $18::text[], $19::bigint[], $20::bigint[], $21::bigint[])",
        *[[row[i] for row in rows] for i in range(len(columns))],
    )
    mapping = dict(zip([o["id"] for o in origins], ids, strict=True))
    lines = await env.fetch(
        "SELECT * FROM invoice_line WHERE invoice_id = ANY($1::bigint[]) ORDER BY invoice_id, sequence, id",
        [o["id"] for o in origins],
    )
    new_line_ids = await reserve_ids(env, "invoice_line", len(lines))
    line_columns = ("id", "invoice_id", "sequence", "display_type", "product_id", "name", "account_id", "quantity",
                    "uom_id", "price_unit", "discount", "price_subtotal", "price_total", "create_uid",
                    "write_uid")  # fmt: skip
    await env.copy_records(
        "invoice_line",
        line_columns,
        [(n, mapping[ln["invoice_id"]], ln["sequence"], ln["display_type"], ln["product_id"], ln["name"],
          ln["account_id"], ln["quantity"], ln["uom_id"], ln["price_unit"], ln["discount"], ln["price_subtotal"],
          ln["price_total"], env.uid, env.uid)
         for n, ln in zip(new_line_ids, lines, strict=True)],
    )  # fmt: skip
    table, this_col, other_col = env["InvoiceLine"]._fields["taxes"].relation
    old_to_new = {ln["id"]: n for ln, n in zip(lines, new_line_ids, strict=True)}
    links = await env.fetch(
        f'SELECT "{this_col}" AS line, "{other_col}" AS tax FROM "{table}" WHERE "{this_col}" = ANY($1::bigint[])',
        list(old_to_new),
    )
    if links:
        await env.copy_records(table, (this_col, other_col), [(old_to_new[r["line"]], r["tax"]) for r in links])
    env.written.update({"Invoice", "InvoiceLine"})
    return ids
