"""Transfer workflow: confirm, reserve, unreserve, validate, cancel (business.md 3).

Each runs for any number of transfers in one savepoint (``retry.retrying``): the transfers are
locked first (id order), their states checked (a ``WrongState`` naming the first wrong one), then
the work is done with set-based statements. Validation is one transaction: quants, reservations,
lines, valuation, backorders and states commit together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_inventory.exceptions import SerialNumberError, WrongState
from fullfinity_inventory.stock import ledger, valuation
from fullfinity_inventory.stock.ledger import Key, LineSpec
from fullfinity_inventory.stock.lots_setting import TRACKING_SQL
from fullfinity_inventory.stock.reservation import reserve
from fullfinity_inventory.stock.retry import retrying
from fullfinity_inventory.stock.units import convert_moves

__all__ = ["assign", "cancel", "confirm", "refresh_states", "unreserve", "validate"]

ZERO = Decimal(0)
OPEN = ("draft", "waiting", "confirmed", "assigned")

_STATES = """
UPDATE transfer t SET state = s.state, updated_date = now() FROM (
    SELECT m.transfer_id AS id, CASE
        WHEN bool_and(m.state = 'cancelled') THEN 'cancelled'
        WHEN bool_and(m.state IN ('done', 'cancelled')) THEN 'done'
        WHEN bool_and(m.state = 'draft') THEN 'draft'
        WHEN bool_or(m.state IN ('assigned', 'partially_available')) THEN 'assigned'
        WHEN bool_and(m.state IN ('waiting', 'done', 'cancelled')) THEN 'waiting'
        ELSE 'confirmed' END AS state
      FROM stock_move m WHERE m.transfer_id = ANY($1::bigint[]) GROUP BY m.transfer_id
) s WHERE t.id = s.id AND t.state IS DISTINCT FROM s.state
"""


async def refresh_states(env: Any, transfer_ids: Sequence[int]) -> None:
    """Each transfer's state from its moves' states."""
    await env.execute(_STATES, list(transfer_ids))
    env.written.add("Transfer")


async def _lock(env: Any, ids: Sequence[int], allowed: Sequence[str], verb: str) -> list[Any]:
    if not ids:
        raise UserError(f"Select the transfers to be {verb}.")
    rows: list[Any] = await env.fetch(
        "SELECT id, number, state FROM transfer WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", list(ids)
    )
    missing = sorted(set(ids) - {r["id"] for r in rows})
    if missing:
        raise UserError(f"Transfer(s) {missing[:10]} do not exist.")
    for r in rows:
        if r["state"] not in allowed:
            raise WrongState(
                f"Transfer {r['number'] or r['id']} is {r['state']}: only {' or '.join(allowed)} transfers "
                f"can be {verb}."
            )
    return rows


# -- confirm ------------------------------------------------------------------------------------
async def confirm(env: Any, ids: Sequence[int]) -> None:
    await retrying(env, lambda: _confirm(env, ids))


async def _confirm(env: Any, ids: Sequence[int]) -> None:
    rows = await _lock(env, ids, ("draft",), "confirmed")
    await confirm_locked(env, [r["id"] for r in rows])


async def confirm_locked(env: Any, transfer_ids: Sequence[int], *, validating: bool = False) -> None:
    """Draft moves of these (locked) transfers get their defaults and become confirmed.

    ``validating``: the transfers are validated next, in this transaction; the moves that need no
    reservation stay draft here and get their defaults with their done state (``_validate``): each
    move is then written once (a row inserted and updated in one transaction has its foreign keys
    checked again at each update)."""
    empty = await env.fetchrow(
        "SELECT t.id, t.number FROM transfer t WHERE t.id = ANY($1::bigint[]) AND NOT EXISTS "
        "(SELECT 1 FROM stock_move m WHERE m.transfer_id = t.id AND m.state <> 'cancelled') ORDER BY t.id LIMIT 1",
        list(transfer_ids),
    )
    if empty is not None:
        raise UserError(f"Transfer {empty['number'] or empty['id']} has no moves: add the products to move first.")
    # Converted into the products' units, checked on the values the moves will have, then written in
    # one UPDATE: moves that need no reservation (from a vendor or a customer, or of a product
    # without stock) are ready at once; moves waiting for another move that is not done wait.
    await convert_moves(env, transfer_ids)
    await check_moves(env, transfer_ids)
    await env.execute(
        "UPDATE stock_move m SET source_id = v.source_id, destination_id = v.destination_id, uom_id = v.uom_id, "
        "name = v.name, reference = v.reference, "
        "state = CASE WHEN v.blocked THEN 'waiting' WHEN v.immediate THEN 'assigned' ELSE 'confirmed' END, "
        "quantity = CASE WHEN v.immediate AND NOT v.blocked AND m.quantity = 0 THEN m.demand ELSE m.quantity END "
        f"FROM ({_DEFAULTS}) AS v WHERE m.id = v.id{' AND NOT (v.immediate AND NOT v.blocked)' if validating else ''}",
        list(transfer_ids),
    )
    await refresh_states(env, transfer_ids)
    env.written.add("StockMove")


#: The values a draft move gets at confirmation: its transfer's locations and the product's unit
#: when it has none, and whether it needs no reservation.
_DEFAULTS = """
SELECT m.id, m.product_id, coalesce(m.source_id, t.source_id) AS source_id, coalesce(m.destination_id, t.destination_id)
       AS destination_id, coalesce(m.uom_id, p.uom_id) AS uom_id, coalesce(nullif(m.name, ''), p.name) AS name,
       t.number AS reference, p.uom_id AS product_uom, m.demand, p.name AS product,
       (NOT p.storable OR s.usage IS DISTINCT FROM 'internal') AS immediate,
       (o.id IS NOT NULL AND o.state NOT IN ('done', 'cancelled')) AS blocked,
       lot.product_id AS lot_product, lot.name AS lot
  FROM stock_move m JOIN transfer t ON t.id = m.transfer_id JOIN product p ON p.id = m.product_id
  LEFT JOIN location s ON s.id = coalesce(m.source_id, t.source_id)
  LEFT JOIN stock_move o ON o.id = m.move_orig_id LEFT JOIN lot ON lot.id = m.lot_id
 WHERE m.transfer_id = ANY($1::bigint[]) AND m.state = 'draft'
"""


async def check_moves(env: Any, transfer_ids: Sequence[int]) -> None:
    """Refuse the draft moves of these transfers that cannot be booked: no locations, the same location
    twice, a quantity <= 0, another unit than the product's (once converted), a lot of another product."""
    bad = await env.fetchrow(
        f"SELECT * FROM ({_DEFAULTS}) AS m WHERE m.source_id IS NULL OR m.destination_id IS NULL "
        "OR m.source_id = m.destination_id OR m.demand <= 0 OR m.uom_id <> m.product_uom "
        "OR m.lot_product <> m.product_id ORDER BY m.id LIMIT 1",
        list(transfer_ids),
    )
    if bad is None:
        return
    what = f"{bad['reference'] or ''}: move of {bad['product']}".lstrip(": ")
    if bad["source_id"] is None or bad["destination_id"] is None:
        raise UserError(f"{what} has no source or destination location: set both (or the transfer's).")
    if bad["source_id"] == bad["destination_id"]:
        raise UserError(f"{what} goes from a location to the same location: choose another destination.")
    if bad["demand"] <= 0:
        raise UserError(f"{what} asks for {bad['demand']:f}: the demand must be more than zero.")
    if bad["lot_product"] is not None and bad["lot_product"] != bad["product_id"]:
        raise UserError(f"{what}: lot {bad['lot']} is a lot of another product; choose a lot of {bad['product']}.")
    raise UserError(f"{what} is in another unit than the product's: choose a unit of the product's category.")


# -- reserve / unreserve ----------------------------------------------------------------------------
async def assign(env: Any, ids: Sequence[int]) -> None:
    await retrying(env, lambda: _assign(env, ids))


async def _assign(env: Any, ids: Sequence[int]) -> None:
    rows = await _lock(env, ids, OPEN, "reserved")
    drafts = [r["id"] for r in rows if r["state"] == "draft"]
    if drafts:
        await confirm_locked(env, drafts)
    all_ids = [r["id"] for r in rows]
    moves = await env.fetch(
        "SELECT id FROM stock_move WHERE transfer_id = ANY($1::bigint[]) AND state IN ('confirmed', "
        "'partially_available') ORDER BY id",
        all_ids,
    )
    await reserve(env, [m["id"] for m in moves])
    await refresh_states(env, all_ids)


async def unreserve(env: Any, ids: Sequence[int]) -> None:
    await retrying(env, lambda: _unreserve(env, ids))


async def _unreserve(env: Any, ids: Sequence[int]) -> None:
    rows = await _lock(env, ids, ("confirmed", "waiting", "assigned"), "unreserved")
    await release_moves(env, [r["id"] for r in rows])
    await refresh_states(env, [r["id"] for r in rows])


async def release_moves(env: Any, transfer_ids: Sequence[int]) -> None:
    """Give back the reservations of the open moves of these transfers; they wait again."""
    lines = await env.fetch(
        "SELECT l.id, l.product_id, l.source_id, l.lot_id, l.reserved FROM stock_move_line l "
        "JOIN stock_move m ON m.id = l.move_id WHERE m.transfer_id = ANY($1::bigint[]) "
        "AND m.state IN ('partially_available', 'assigned') AND l.state <> 'done'",
        list(transfer_ids),
    )
    released: dict[Key, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line["reserved"]:
            released[(line["product_id"], line["source_id"], line["lot_id"])] += line["reserved"]
    if released:
        await ledger.apply(env, [], released)
    await env.execute(
        "DELETE FROM stock_move_line l USING stock_move m, location s WHERE m.id = l.move_id AND s.id = m.source_id "
        "AND m.transfer_id = ANY($1::bigint[]) AND m.state IN ('partially_available', 'assigned') "
        "AND l.state <> 'done' AND (l.reserved > 0 OR s.usage = 'internal')",
        list(transfer_ids),
    )
    await env.execute(
        "UPDATE stock_move SET reserved = 0, quantity = 0, state = 'confirmed' WHERE transfer_id = ANY($1::bigint[]) "
        "AND state IN ('partially_available', 'assigned')",
        list(transfer_ids),
    )
    env.written.update({"StockMove", "StockMoveLine"})


# -- cancel -------------------------------------------------------------------------------------------
async def cancel(env: Any, ids: Sequence[int]) -> None:
    await retrying(env, lambda: _cancel(env, ids))


async def _cancel(env: Any, ids: Sequence[int]) -> None:
    rows = await _lock(env, ids, OPEN, "cancelled")
    transfer_ids = [r["id"] for r in rows]
    await release_moves(env, transfer_ids)
    cancelled = await env.fetch(
        "UPDATE stock_move SET state = 'cancelled', reserved = 0, quantity = 0 WHERE transfer_id = ANY($1::bigint[]) "
        "AND state NOT IN ('done', 'cancelled') RETURNING id",
        transfer_ids,
    )
    await env.execute(
        "UPDATE transfer SET state = 'cancelled', updated_date = now() WHERE id = ANY($1::bigint[])", transfer_ids
    )
    await release_waiting(env, [r["id"] for r in cancelled])
    env.written.update({"Transfer", "StockMove"})


# -- validate ------------------------------------------------------------------------------------------
async def validate(env: Any, ids: Sequence[int], *, backorder: bool | None = None) -> bool:
    """Validate the transfers; ``True`` (and nothing moved) when some move is short and ``backorder``
    is ``None``: the caller asks the user (the backorder wizard)."""
    return await retrying(env, lambda: _validate(env, ids, backorder))


#: The moves to validate: the open ones, and the draft ones of the draft transfers ($2) that need
#: no reservation (left draft by ``confirm_locked(validating=True)``), with their defaults; the
#: tracking is 'none' while the "Lots & serial numbers" setting is off (stock/lots_setting.py).
_OPEN_MOVES = f"""
SELECT m.id, m.transfer_id, m.product_id, m.demand,
       CASE WHEN m.state = 'draft' AND m.quantity = 0 THEN m.demand ELSE m.quantity END AS quantity,
       m.reserved, v.source_id, v.destination_id, m.unit_cost, m.origin_return_id, v.uom_id, v.name,
       v.reference, p.storable, {TRACKING_SQL} AS tracking, p.name AS product, ls.usage AS source_usage,
       ld.usage AS destination_usage, m.state, m.lot_id, lot.name AS lot, o.reference AS waits_for
  FROM stock_move m JOIN product p ON p.id = m.product_id JOIN transfer t ON t.id = m.transfer_id
  LEFT JOIN lot ON lot.id = m.lot_id LEFT JOIN stock_move o ON o.id = m.move_orig_id
  CROSS JOIN LATERAL (SELECT coalesce(m.source_id, t.source_id) AS source_id,
                             coalesce(m.destination_id, t.destination_id) AS destination_id,
                             coalesce(m.uom_id, p.uom_id) AS uom_id, coalesce(nullif(m.name, ''), p.name) AS name,
                             CASE WHEN m.state = 'draft' THEN t.number ELSE m.reference END AS reference) v
  JOIN location ls ON ls.id = v.source_id JOIN location ld ON ld.id = v.destination_id
 WHERE m.transfer_id = ANY($1::bigint[]) AND m.state NOT IN ('done', 'cancelled')
   AND (m.state <> 'draft' OR m.transfer_id = ANY($2::bigint[]))
 ORDER BY m.id
"""


async def _validate(env: Any, ids: Sequence[int], backorder: bool | None) -> bool:
    rows = await _lock(env, ids, OPEN, "validated")
    transfer_ids = [r["id"] for r in rows]
    numbers = {r["id"]: r["number"] or str(r["id"]) for r in rows}
    drafts = [r["id"] for r in rows if r["state"] == "draft"]
    if drafts:
        await confirm_locked(env, drafts, validating=True)
    waiting = await env.fetch(
        "SELECT id FROM stock_move WHERE transfer_id = ANY($1::bigint[]) AND state IN ('confirmed', "
        "'partially_available') ORDER BY id",
        transfer_ids,
    )
    await reserve(env, [m["id"] for m in waiting])
    moves = await env.fetch(_OPEN_MOVES, transfer_ids, drafts)
    picked: dict[int, Decimal] = defaultdict(Decimal)
    for m in moves:
        if m["quantity"] < 0:
            raise UserError(f"{numbers[m['transfer_id']]}: the quantity of {m['product']} is negative.")
        if m["state"] == "waiting" and m["quantity"] > 0:
            raise WrongState(
                f"{numbers[m['transfer_id']]}: the move of {m['product']} waits for another operation "
                f"({m['waits_for'] or 'a move not done yet'}): validate that one first."
            )
        picked[m["transfer_id"]] += m["quantity"]
    for tid in transfer_ids:
        if picked[tid] <= 0:
            waits = [m for m in moves if m["transfer_id"] == tid and m["state"] == "waiting"]
            if waits:
                raise WrongState(
                    f"Transfer {numbers[tid]} waits for another operation ({waits[0]['waits_for'] or 'not done'}): "
                    "validate that one first."
                )
            asked = [m for m in moves if m["transfer_id"] == tid and m["lot"] is not None]
            lot = f" (lot {asked[0]['lot']} of {asked[0]['product']} is not available)" if asked else ""
            raise UserError(
                f"Transfer {numbers[tid]}: nothing to validate, no quantity is picked or available{lot}. "
                "Receive the products first, or set the quantities to move."
            )
    short = [m for m in moves if m["quantity"] < m["demand"]]
    if short and backorder is None:
        if drafts:  # nothing moves: the moves left draft for validation are confirmed as usual
            await confirm_locked(env, drafts)
        await refresh_states(env, transfer_ids)
        return True
    lines_by_move: dict[int, list[Any]] = defaultdict(list)
    for line in await env.fetch(
        "SELECT id, move_id, product_id, lot_id, lot_name, source_id, destination_id, quantity, reserved "
        "FROM stock_move_line WHERE move_id = ANY($1::bigint[]) ORDER BY id",
        [m["id"] for m in moves],
    ):
        lines_by_move[line["move_id"]].append(line)
    released: dict[Key, Decimal] = defaultdict(Decimal)
    final: list[LineSpec] = []
    for m in moves:
        mlines = lines_by_move.get(m["id"], [])
        for line in mlines:
            if line["reserved"]:
                released[(m["product_id"], line["source_id"], line["lot_id"])] += line["reserved"]
        if m["quantity"] > 0:
            final.extend(_lines_of(m, mlines, numbers[m["transfer_id"]]))
    await _create_lots(env, final)
    storable = {m["id"] for m in moves if m["storable"]}
    await ledger.apply(env, [line for line in final if line.move in storable], released)
    done_moves = [m for m in moves if m["quantity"] > 0]
    costs = await valuation.value_moves(env, done_moves)
    uid = env.uid
    await _write_lines(env, final, [line["id"] for lines in lines_by_move.values() for line in lines])
    split = bool(backorder)
    await env.execute(
        "UPDATE stock_move m SET state = 'done', date = now(), reserved = 0, quantity = v.q, demand = v.d, "
        "unit_cost = v.c, write_uid = $5, updated_date = now(), source_id = v.s, destination_id = v.t, "
        "uom_id = v.u, name = v.n, reference = v.r "
        "FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $6::bigint[], $7::bigint[], "
        "$8::bigint[], $9::text[], $10::text[]) AS v(id, q, d, c, s, t, u, n, r) WHERE m.id = v.id",
        [m["id"] for m in done_moves],
        [m["quantity"] for m in done_moves],
        [min(m["demand"], m["quantity"]) if split else max(m["demand"], m["quantity"]) for m in done_moves],
        [costs.get(m["id"], m["unit_cost"]) for m in done_moves],
        uid,
        [m["source_id"] for m in done_moves],
        [m["destination_id"] for m in done_moves],
        [m["uom_id"] for m in done_moves],
        [m["name"] for m in done_moves],
        [m["reference"] for m in done_moves],
    )
    untouched = [m["id"] for m in moves if m["quantity"] == 0]
    if untouched and not split:
        await env.execute(
            "UPDATE stock_move SET state = 'cancelled', reserved = 0 WHERE id = ANY($1::bigint[])", untouched
        )
    await env.execute(
        "UPDATE transfer SET state = 'done', date_done = now(), write_uid = $2, updated_date = now() "
        "WHERE id = ANY($1::bigint[])",
        transfer_ids,
        uid,
    )
    if split and short:
        from fullfinity_inventory.stock.backorders import create_backorders

        await create_backorders(env, short)
    await release_waiting(env, [m["id"] for m in moves])
    env.written.update({"Transfer", "StockMove", "StockMoveLine", "Lot"})
    return False


async def release_waiting(env: Any, move_ids: Sequence[int]) -> None:
    """The moves waiting for these (now done or cancelled) moves stop waiting: they are confirmed and
    reserved, and their transfers' states follow (locked in id order first)."""
    if not move_ids:
        return
    freed = await env.fetch(
        "SELECT m.id, m.transfer_id FROM stock_move m JOIN stock_move o ON o.id = m.move_orig_id "
        "WHERE m.move_orig_id = ANY($1::bigint[]) AND m.state = 'waiting' AND o.state IN ('done', 'cancelled')",
        list(move_ids),
    )
    if not freed:
        return
    transfers = sorted({r["transfer_id"] for r in freed})
    await env.execute("SELECT 1 FROM transfer WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", transfers)
    ids = [r["id"] for r in freed]
    await env.execute("UPDATE stock_move SET state = 'confirmed' WHERE id = ANY($1::bigint[])", ids)
    await reserve(env, ids)
    await refresh_states(env, transfers)


async def _write_lines(env: Any, final: list[LineSpec], existing: list[int]) -> None:
    """The done lines: existing lines validated in place (one UPDATE, done by PostgreSQL in place),
    the others deleted, new ones copied."""
    kept = [ln for ln in final if ln.line_id is not None]
    gone = sorted(set(existing) - {ln.line_id for ln in kept})
    if gone:
        await env.execute("DELETE FROM stock_move_line WHERE id = ANY($1::bigint[])", gone)
    if kept:
        await env.execute(
            "UPDATE stock_move_line l SET state = 'done', reserved = 0, quantity = v.q, lot_id = v.lot, "
            "source_id = v.s, destination_id = v.d, product_id = v.p "
            "FROM unnest($1::bigint[], $2::numeric[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) "
            "AS v(id, q, lot, s, d, p) WHERE l.id = v.id",
            [ln.line_id for ln in kept], [ln.quantity for ln in kept], [ln.lot for ln in kept],
            [ln.source for ln in kept], [ln.destination for ln in kept], [ln.product for ln in kept],
        )  # fmt: skip
    new = [ln for ln in final if ln.line_id is None]
    if new:
        uid = env.uid
        await env.copy_records(
            "stock_move_line",
            ("move_id", "product_id", "lot_id", "source_id", "destination_id", "quantity", "reserved", "state",
             "create_uid", "write_uid"),
            [(ln.move, ln.product, ln.lot, ln.source, ln.destination, ln.quantity, ZERO, "done", uid, uid)
             for ln in new],
        )  # fmt: skip


def _lines_of(m: Any, mlines: list[Any], number: str) -> list[LineSpec]:
    """What moves for move ``m``: its lines when they add up to the picked quantity, else its
    reservation trimmed to the picked quantity (and the rest from the move's source)."""
    tracked = m["storable"] and m["tracking"] != "none"
    if not mlines and m["lot_id"] is not None:  # the lot asked on the move (a receipt of that lot)
        mlines = [{"id": None, "lot_id": m["lot_id"], "lot_name": None, "source_id": None, "destination_id": None,
                   "quantity": m["quantity"], "reserved": ZERO}]  # fmt: skip
    given = sum((line["quantity"] for line in mlines), ZERO)
    if mlines and given == m["quantity"] and (not tracked or all(ln["lot_id"] or ln["lot_name"] for ln in mlines)):
        out = [
            LineSpec(m["id"], m["product_id"], line["lot_id"], line["source_id"] or m["source_id"],
                     line["destination_id"] or m["destination_id"], line["quantity"], line["lot_name"] or None,
                     line["id"])
            for line in mlines if line["quantity"] > 0
        ]  # fmt: skip
    elif tracked:
        raise UserError(
            f"{number}: {m['product']} is tracked by {'serial numbers' if m['tracking'] == 'serial' else 'lots'}; "
            f"{m['quantity']:f} are picked but the lines with a lot hold {given:f}. Give each line its lot "
            "(or the name of a new one) so that the lines add up to the picked quantity."
        )
    else:
        out = []
        remaining = m["quantity"]
        for line in mlines:
            if remaining <= 0:
                break
            if line["reserved"] > 0:
                take = min(line["reserved"], remaining)
                out.append(LineSpec(m["id"], m["product_id"], line["lot_id"], line["source_id"],
                                    line["destination_id"] or m["destination_id"], take))  # fmt: skip
                remaining -= take
        if remaining > 0:
            out.append(LineSpec(m["id"], m["product_id"], None, m["source_id"], m["destination_id"], remaining))
    for line in out:
        if line.source == line.destination:
            raise UserError(f"{number}: a line of {m['product']} goes from a location to the same location.")
        if m["tracking"] == "serial" and m["storable"] and line.quantity != 1:
            raise SerialNumberError(
                f"{number}: a line of {m['product']} moves {line.quantity:f} units of one serial number; a serial "
                "number is one unit. Split it into one line per serial number."
            )
    return out


async def _create_lots(env: Any, lines: list[LineSpec]) -> None:
    """Lines naming a new lot (``lot_name``) get it, created once per (product, name)."""
    named = [line for line in lines if line.lot is None and line.lot_name]
    if not named:
        return
    pairs = sorted({(line.product, line.lot_name or "") for line in named})
    await env.execute(
        "INSERT INTO lot (product_id, name, create_uid, write_uid) SELECT p, n, $3::bigint, $3::bigint "
        "FROM unnest($1::bigint[], $2::text[]) AS v(p, n) ON CONFLICT DO NOTHING",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        env.uid,
    )
    rows = await env.fetch(
        "SELECT l.id, l.product_id, l.name FROM lot l JOIN unnest($1::bigint[], $2::text[]) AS v(p, n) "
        "ON l.product_id = v.p AND l.name = v.n",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    ids = {(r["product_id"], r["name"]): r["id"] for r in rows}
    for line in named:
        line.lot = ids[(line.product, line.lot_name or "")]
