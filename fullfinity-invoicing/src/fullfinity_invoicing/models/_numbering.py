"""Taking gapless numbers: ``INV/2026/0001``, consecutive per (journal, prefix, year).

Numbers are taken at posting only, inside the posting transaction: the sequence rows are created
if missing (``ON CONFLICT DO NOTHING``, safe against a concurrent first posting), then locked in a
fixed order (``FOR UPDATE``: concurrent posters wait for the commit of the one ahead and then read
its last number, READ COMMITTED, so no duplicate, no gap, no deadlock and no serialization error)
and advanced by the number of documents in one UPDATE. A rollback gives the numbers back, since the
advance rolls back with it. A document may not be dated before the last numbered one of its sequence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fullfinity.engine.base import UserError

__all__ = ["Numbered", "format_number", "take_numbers"]

Key = tuple[int, str, int]  # journal id, prefix, year


def format_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}/{year}/{number:04d}"


@dataclass(frozen=True)
class Numbered:
    """A document to number: its id (for messages), sequence key and date."""

    id: int
    label: str
    journal: int
    prefix: str
    date: dt.date


async def take_numbers(env: Any, documents: Sequence[Numbered]) -> dict[int, str]:
    """Number ``documents`` (in date then id order within each sequence); ``{id: number}``."""
    by_key: dict[Key, list[Numbered]] = {}
    for doc in sorted(documents, key=lambda d: (d.date, d.id)):
        by_key.setdefault((doc.journal, doc.prefix, doc.date.year), []).append(doc)
    if not by_key:
        return {}
    keys = sorted(by_key)
    journals, prefixes, years = [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]
    await env.execute(
        "INSERT INTO journal_sequence (journal_id, prefix, year, next_number, create_uid, write_uid) "
        "SELECT j, p, y, 1, $4::bigint, $4::bigint FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS k(j, p, y) "
        "ON CONFLICT DO NOTHING",
        journals,
        prefixes,
        years,
        env.uid,
    )
    rows = await env.fetch(
        "SELECT s.id, s.journal_id, s.prefix, s.year, s.next_number, s.last_date FROM journal_sequence s "
        "JOIN unnest($1::bigint[], $2::text[], $3::bigint[]) AS k(j, p, y) "
        "ON s.journal_id = k.j AND s.prefix = k.p AND s.year = k.y "
        "ORDER BY s.journal_id, s.prefix, s.year FOR UPDATE OF s",
        journals,
        prefixes,
        years,
    )
    numbers: dict[int, str] = {}
    ids, nexts, lasts = [], [], []
    for row in rows:
        key = (row["journal_id"], row["prefix"], row["year"])
        docs = by_key[key]
        last = row["last_date"]
        if last is not None and docs[0].date < last:
            raise UserError(
                f"{docs[0].label} is dated {docs[0].date.isoformat()}, before the last numbered document of "
                f"{row['prefix']}/{row['year']} ({last.isoformat()}). Date it on or after {last.isoformat()}: "
                f"numbers and dates must increase together."
            )
        start = row["next_number"]
        for offset, doc in enumerate(docs):
            numbers[doc.id] = format_number(doc.prefix, doc.date.year, start + offset)
        ids.append(row["id"])
        nexts.append(start + len(docs))
        lasts.append(docs[-1].date)
    await env.execute(
        "UPDATE journal_sequence s SET next_number = v.n, last_date = v.d, write_uid = $4::bigint, "
        "updated_date = clock_timestamp() FROM unnest($1::bigint[], $2::bigint[], $3::date[]) AS v(id, n, d) "
        "WHERE s.id = v.id",
        ids,
        nexts,
        lasts,
        env.uid,
    )
    env.written.add("JournalSequence")
    return numbers
