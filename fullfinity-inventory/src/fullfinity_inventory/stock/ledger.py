"""The one place quants change (business.md 3, invariants 1 to 5).

``apply`` takes the lines that move (product, lot, from, to, quantity) and the reservations they
release, and in a handful of statements whatever their count:

1. inserts the quants that do not exist yet with their quantity (``INSERT ... ON CONFLICT DO UPDATE``
   on the unique key), so that every quant touched exists and is unique;
2. in the same statement, in key order (product, location, lot), locks every existing quant it
   touches and adds the deltas in place: concurrent operations queue on the same rows in the same
   order, so they neither deadlock nor lose an update (READ COMMITTED: the update applies to the
   committed quantity once it holds the lock);
3. checks the touched quants: no negative quantity in an internal location that does not
   ``allow_negative``, 0 <= reserved <= quantity, a serial number holds at most one unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fullfinity_inventory.exceptions import NotEnoughStock, SerialNumberError

__all__ = ["Key", "LineSpec", "apply", "lock_quants"]

Key = tuple[int, int, int | None]  # product, location, lot
ZERO = Decimal(0)


@dataclass
class LineSpec:
    """A line that moves: ``quantity`` of ``product`` (``lot``) from ``source`` to ``destination``."""

    move: int
    product: int
    lot: int | None
    source: int
    destination: int
    quantity: Decimal
    lot_name: str | None = None
    #: The existing move line this one is (validated in place), or ``None`` for a new line.
    line_id: int | None = None


def _sort_key(key: Key) -> tuple[int, int, int]:
    return key[0], key[1], key[2] or 0


async def lock_quants(env: Any, keys: Iterable[Key], *, create: bool = True) -> dict[Key, Any]:
    """The quants of ``keys`` (created at zero when ``create``), locked in key order: key -> row."""
    ordered = sorted(set(keys), key=_sort_key)
    if not ordered:
        return {}
    products = [k[0] for k in ordered]
    locations = [k[1] for k in ordered]
    lots = [k[2] for k in ordered]
    if create:
        await env.execute(
            "INSERT INTO quant (product_id, location_id, lot_id, quantity, reserved, create_uid, write_uid) "
            "SELECT p, l, lt, 0, 0, $4::bigint, $4::bigint FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) "
            "WITH ORDINALITY AS k(p, l, lt, n) ORDER BY n ON CONFLICT DO NOTHING",
            products,
            locations,
            lots,
            env.uid,
        )
    rows = await env.fetch(
        "SELECT q.id, q.product_id, q.location_id, q.lot_id, q.quantity, q.reserved FROM quant q "
        "JOIN unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS k(p, l, lt) "
        "ON q.product_id = k.p AND q.location_id = k.l AND coalesce(q.lot_id, 0) = coalesce(k.lt, 0) "
        "ORDER BY q.product_id, q.location_id, coalesce(q.lot_id, 0) FOR UPDATE OF q",
        products,
        locations,
        lots,
    )
    env.written.add("Quant")
    return {(r["product_id"], r["location_id"], r["lot_id"]): r for r in rows}


async def apply(env: Any, lines: Sequence[LineSpec], released: Mapping[Key, Decimal] | None = None) -> list[int]:
    """Move ``lines`` (storable products only) and release ``released`` reservations; returns the
    touched quant ids. Raises ``NotEnoughStock``/``SerialNumberError`` (nothing is written then: the
    caller's savepoint rolls back)."""
    qty: dict[Key, Decimal] = defaultdict(Decimal)
    for line in lines:
        qty[(line.product, line.source, line.lot)] -= line.quantity
        qty[(line.product, line.destination, line.lot)] += line.quantity
    res: dict[Key, Decimal] = defaultdict(Decimal)
    for key, amount in (released or {}).items():
        if amount:
            res[key] -= amount
    keys = sorted(set(qty) | set(res), key=_sort_key)
    if not keys:
        return []
    # One statement, in key order: a new quant is inserted with its quantity (its foreign keys are
    # checked once), an existing one is locked and updated in place. Every writer of quants
    # (this, reservation, adjustments) locks them in the same key order, so none deadlocks.
    rows = await env.fetch(
        _UPSERT,
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [qty.get(k, ZERO) for k in keys],
        [res.get(k, ZERO) for k in keys],
        env.uid,
    )
    env.written.add("Quant")
    ids = [r["id"] for r in rows]
    await check(env, ids)
    return ids


_UPSERT = """
INSERT INTO quant AS q (product_id, location_id, lot_id, quantity, reserved, in_date, create_uid, write_uid)
SELECT k.p, k.l, k.lt, k.dq, k.dr, CASE WHEN k.dq > 0 THEN now() END, $6::bigint, $6::bigint
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::numeric[], $5::numeric[]) WITH ORDINALITY
       AS k(p, l, lt, dq, dr, n)
 ORDER BY k.n
    ON CONFLICT (product_id, location_id, (coalesce(lot_id, 0))) DO UPDATE
   SET quantity = q.quantity + excluded.quantity, reserved = q.reserved + excluded.reserved,
       in_date = CASE WHEN excluded.quantity > 0 AND (q.quantity <= 0 OR q.in_date IS NULL) THEN now()
                      ELSE q.in_date END,
       write_uid = excluded.write_uid, updated_date = now()
RETURNING q.id
"""


async def check(env: Any, quant_ids: Sequence[int]) -> None:
    """Refuse the state of these quants when it breaks a ledger rule (the message says which)."""
    bad = await env.fetchrow(
        "SELECT q.quantity, q.reserved, l.allow_negative, p.name AS product, l.complete_name AS location, "
        "lot.name AS lot FROM quant q JOIN location l ON l.id = q.location_id JOIN product p ON p.id = q.product_id "
        "LEFT JOIN lot ON lot.id = q.lot_id WHERE q.id = ANY($1::bigint[]) AND l.usage = 'internal' AND "
        "((q.quantity < 0 AND NOT l.allow_negative) OR q.reserved < 0 OR (q.reserved > 0 AND q.reserved > q.quantity)) "
        "ORDER BY q.id LIMIT 1",
        list(quant_ids),
    )
    if bad is not None:
        where = f"{bad['product']}{' (lot ' + bad['lot'] + ')' if bad['lot'] else ''} in {bad['location']}"
        if bad["quantity"] < 0 and not bad["allow_negative"]:
            raise NotEnoughStock(
                f"Not enough {where}: the operation would leave {bad['quantity']:f}. Receive or adjust the stock "
                f"first, pick less, or allow negative stock on {bad['location']}."
            )
        raise NotEnoughStock(
            f"{where}: {bad['reserved']:f} reserved for other transfers but only {bad['quantity']:f} on hand after "
            f"this operation. Unreserve those transfers first, or pick from another lot or location."
        )
    serial = await env.fetchrow(
        "SELECT p.name AS product, lot.name AS lot, sum(q2.quantity) AS held FROM lot "
        "JOIN product p ON p.id = lot.product_id AND p.tracking = 'serial' "
        "JOIN quant q2 ON q2.lot_id = lot.id JOIN location l2 ON l2.id = q2.location_id AND l2.usage = 'internal' "
        "WHERE lot.id IN (SELECT lot_id FROM quant WHERE id = ANY($1::bigint[])) GROUP BY p.name, lot.name, lot.id "
        "HAVING sum(q2.quantity) > 1 LIMIT 1",
        list(quant_ids),
    )
    if serial is not None:
        raise SerialNumberError(
            f"Serial number {serial['lot']} of {serial['product']} would be held {serial['held']:f} times in stock: "
            "a serial number is one unit. Use a new serial number for each unit."
        )
