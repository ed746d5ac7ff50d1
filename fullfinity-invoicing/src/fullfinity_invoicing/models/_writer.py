"""Writing journal entries and their items for many documents at once (COPY, ids reserved ahead).

Entries are inserted as drafts with their items (already marked ``parent_state = 'posted'``, so that
posting rewrites no item), then posted by one UPDATE: the database checks, for every entry that
becomes posted in that statement, that it balances and that its items are marked (``database``), and
nothing can be added to a posted entry afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["EntryDraft", "ItemDraft", "post_entries", "reserve_ids", "write_entries"]

ZERO = Decimal(0)


@dataclass
class ItemDraft:
    account: int
    account_type: str
    balance: Decimal  # company currency, debit positive
    amount_currency: Decimal
    currency: int
    partner: int | None = None
    name: str | None = None
    date_maturity: dt.date | None = None
    tax_line: int | None = None
    tax_base: Decimal | None = None
    taxes: Sequence[int] = ()
    reconcilable: bool = False


@dataclass
class EntryDraft:
    journal: int
    date: dt.date
    currency: int
    number: str | None = None
    ref: str | None = None
    invoice: int | None = None
    payment: int | None = None
    reversed_entry: int | None = None
    items: list[ItemDraft] = field(default_factory=list)
    id: int = 0


async def reserve_ids(env: Any, table: str, count: int) -> list[int]:
    if count == 0:
        return []
    rows = await env.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", f'"{table}"', count
    )
    return [r["id"] for r in rows]


ENTRY_COLUMNS = (
    "id", "name", "number", "journal_id", "date", "ref", "state", "invoice_id", "payment_id", "reversed_entry_id",
    "currency_id", "create_uid", "write_uid",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "entry_id", "account_id", "partner_id", "name", "debit", "credit", "balance", "amount_currency",
    "currency_id", "date", "date_maturity", "tax_line_id", "tax_base", "amount_residual",
    "amount_residual_currency", "reconciled", "parent_state", "account_type", "create_uid", "write_uid",
)  # fmt: skip


async def write_entries(env: Any, entries: Sequence[EntryDraft]) -> list[int]:
    """Insert ``entries`` (draft) and their items; returns the entry ids, in order (also set on each)."""
    entry_ids = await reserve_ids(env, "journal_entry", len(entries))
    count = sum(len(e.items) for e in entries)
    item_ids = await reserve_ids(env, "journal_item", count)
    uid = env.uid
    entry_rows = []
    item_rows = []
    tax_links: list[tuple[int, int]] = []
    it = iter(item_ids)
    for entry, entry_id in zip(entries, entry_ids, strict=True):
        entry.id = entry_id
        entry_rows.append(
            (
                entry_id,
                entry.number or "Draft entry",
                entry.number,
                entry.journal,
                entry.date,
                entry.ref,
                "draft",
                entry.invoice,
                entry.payment,
                entry.reversed_entry,
                entry.currency,
                uid,
                uid,
            )
        )
        for item in entry.items:
            item_id = next(it)
            debit = item.balance if item.balance > 0 else ZERO
            credit = -item.balance if item.balance < 0 else ZERO
            residual = item.balance if item.reconcilable else ZERO
            residual_currency = item.amount_currency if item.reconcilable else ZERO
            item_rows.append(
                (item_id, entry_id, item.account, item.partner, item.name, debit, credit, item.balance,
                 item.amount_currency, item.currency, entry.date, item.date_maturity or entry.date, item.tax_line,
                 item.tax_base, residual, residual_currency,
                 item.reconcilable and residual == 0 and residual_currency == 0, "posted", item.account_type, uid, uid)
            )  # fmt: skip
            tax_links.extend((item_id, tax) for tax in item.taxes)
    await env.copy_records("journal_entry", ENTRY_COLUMNS, entry_rows)
    await env.copy_records("journal_item", ITEM_COLUMNS, item_rows)
    if tax_links:
        table, this_col, other_col = env["JournalItem"]._fields["taxes"].relation
        await env.copy_records(table, (this_col, other_col), tax_links)
    env.written.update({"JournalEntry", "JournalItem"})
    return entry_ids


async def post_entries(env: Any, entry_ids: Sequence[int]) -> None:
    """Mark the entries (and their items) posted. The database refuses the statement if one of them
    does not balance or falls on or before the lock date."""
    if not entry_ids:
        return
    ids = list(entry_ids)
    await env.execute(
        "UPDATE journal_entry SET state = 'posted', updated_date = clock_timestamp(), write_uid = $2 "
        "WHERE id = ANY($1::bigint[]) AND state = 'draft'",
        ids,
        env.uid,
    )
