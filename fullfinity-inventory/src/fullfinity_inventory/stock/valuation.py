"""Valuation layers of valued moves (business.md 3, invariant 7), exact decimals throughout.

A move is valued when it brings a storable product into the company's stock (from a non-internal
location: a layer of +quantity at its unit cost) or takes it out (a layer of -quantity). Incoming
layers keep what remains of them; outgoing moves consume them:

- FIFO: the oldest layers first, each at its own cost (the last unit of a layer takes what remains
  of its value, so no cent is lost);
- average (AVCO): at value / quantity of what remains; all of it when everything leaves;
- standard: at the product's cost.

For average and standard, the value left is spread back over the remaining layers (the last one
takes the rounding), so sum(values) == sum(remaining values) and sum(remaining quantities) == on
hand, always. Stock leaving beyond the layers (negative stock) gets a layer whose remaining
quantity is negative, at the product's cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["value_moves"]

ZERO = Decimal(0)
CENT = Decimal("0.01")
UNIT = Decimal("0.000001")
#: First key of the advisory locks serialising the valuation of a product.
LOCK_SPACE = 7_340_001
#: Products share this many advisory lock slots (two products of one slot are valued one after the other).
LOCK_SLOTS = 512


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def unit(value: Decimal) -> Decimal:
    return value.quantize(UNIT, rounding=ROUND_HALF_UP)


class _Layer:
    __slots__ = ("changed", "id", "remaining_qty", "remaining_value", "unit_cost")

    def __init__(self, id: int | None, remaining_qty: Decimal, remaining_value: Decimal, unit_cost: Decimal) -> None:
        self.id = id
        self.remaining_qty = remaining_qty
        self.remaining_value = remaining_value
        self.unit_cost = unit_cost
        self.changed = False


def _spread(layers: list[_Layer], total: Decimal) -> None:
    """Set the remaining values of ``layers`` to add up to ``total``, in proportion to their remaining
    quantities (the last open layer takes the rounding; with none open, the last layer keeps it)."""
    open_layers = [la for la in layers if la.remaining_qty > 0]
    keeper = open_layers[-1] if open_layers else (layers[-1] if layers else None)
    quantity = sum((la.remaining_qty for la in open_layers), ZERO)
    left = total
    for la in layers:
        if la is keeper or la.remaining_qty < 0:
            continue
        value = money(total * la.remaining_qty / quantity) if la.remaining_qty > 0 else ZERO
        if value != la.remaining_value:
            la.remaining_value = value
            la.changed = True
        left -= value
    if keeper is not None and keeper.remaining_value != left:
        keeper.remaining_value = left
        keeper.changed = True


async def value_moves(env: Any, moves: Sequence[Any]) -> dict[int, Decimal]:
    """Create the layers of the done ``moves`` (rows with id, product_id, quantity, source_usage,
    destination_usage, unit_cost, origin_return_id, reference, storable); returns move id -> unit cost."""
    valued = [m for m in moves if m["storable"] and m["quantity"] > 0 and _crosses(m)]
    if not valued:
        return {}
    product_ids = sorted({m["product_id"] for m in valued})
    # One valuation at a time per product: transaction-level advisory locks on the products' slots,
    # taken in slot order (a row lock on the product would conflict with the foreign-key share locks
    # other operations hold; slots bound the lock table whatever the number of products).
    await env.execute(
        "SELECT pg_advisory_xact_lock($1::int, s::int) FROM unnest($2::bigint[]) AS s ORDER BY s",
        LOCK_SPACE,
        sorted({p % LOCK_SLOTS for p in product_ids}),
    )
    products = {
        r["id"]: dict(r)
        for r in await env.fetch("SELECT id, cost, cost_method FROM product WHERE id = ANY($1::bigint[])", product_ids)
    }
    layers: dict[int, list[_Layer]] = defaultdict(list)
    for r in await env.fetch(
        "SELECT id, product_id, remaining_qty, remaining_value, unit_cost FROM valuation_layer "
        "WHERE product_id = ANY($1::bigint[]) AND (remaining_qty <> 0 OR remaining_value <> 0) ORDER BY id FOR UPDATE",
        product_ids,
    ):
        layers[r["product_id"]].append(_Layer(r["id"], r["remaining_qty"], r["remaining_value"], r["unit_cost"]))
    origin_costs = await _origin_costs(env, [m["origin_return_id"] for m in valued if m["origin_return_id"]])
    new_rows: list[tuple[Any, ...]] = []
    costs: dict[int, Decimal] = {}
    uid = env.uid
    for m in sorted(valued, key=lambda m: m["id"]):
        product = products[m["product_id"]]
        method = product["cost_method"]
        qty = m["quantity"]
        stack = layers[m["product_id"]]
        description = m["reference"] or m["name"]
        if m["destination_usage"] == "internal":  # in
            cost = m["unit_cost"]
            if cost is None:
                cost = origin_costs.get(m["origin_return_id"]) if m["origin_return_id"] else None
            if method == "standard" or cost is None:
                cost = product["cost"] or ZERO
            value = money(qty * cost)
            layer = _Layer(None, qty, value, unit(cost))
            stack.append(layer)
            new_rows.append((m["id"], m["product_id"], qty, unit(cost), value, layer, description))
            costs[m["id"]] = unit(cost)
        else:  # out
            total_qty = sum((la.remaining_qty for la in stack if la.remaining_qty > 0), ZERO)
            total_value = sum((la.remaining_value for la in stack), ZERO)
            take_total = min(qty, total_qty)
            uncovered = qty - take_total
            if method == "fifo":
                value = ZERO
                need = take_total
                for la in stack:
                    if need <= 0:
                        break
                    if la.remaining_qty <= 0:
                        continue
                    take = min(la.remaining_qty, need)
                    part = la.remaining_value if take == la.remaining_qty else money(take * la.unit_cost)
                    la.remaining_qty -= take
                    la.remaining_value -= part
                    la.changed = True
                    value += part
                    need -= take
            else:
                if method == "average":
                    value = total_value if take_total == total_qty else money(take_total * total_value / total_qty)
                else:
                    value = money(take_total * (product["cost"] or ZERO))
                need = take_total
                for la in stack:
                    if need <= 0:
                        break
                    if la.remaining_qty <= 0:
                        continue
                    take = min(la.remaining_qty, need)
                    la.remaining_qty -= take
                    la.changed = True
                    need -= take
                _spread(stack, total_value - value)
            extra = money(uncovered * (product["cost"] or ZERO))
            out_value = value + extra
            cost = unit(out_value / qty) if qty else ZERO
            layer = _Layer(None, -uncovered, -extra, cost)
            new_rows.append((m["id"], m["product_id"], -qty, cost, -out_value, layer, description))
            costs[m["id"]] = cost
        _update_cost(product, method, stack)
    changed = [la for stack in layers.values() for la in stack if la.id is not None and la.changed]
    if changed:
        await env.execute(
            "UPDATE valuation_layer v SET remaining_qty = u.q, remaining_value = u.v FROM "
            "unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS u(id, q, v) WHERE v.id = u.id",
            [la.id for la in changed],
            [la.remaining_qty for la in changed],
            [la.remaining_value for la in changed],
        )
    ids = [
        r["id"]
        for r in await env.fetch(
            "SELECT nextval(pg_get_serial_sequence('valuation_layer', 'id')) AS id FROM generate_series(1, $1)",
            len(new_rows),
        )
    ]
    layers_model = env.get_model("ValuationLayer")
    extra = await layers_model.layer_columns(
        [{"product_id": r[1], "value": r[4], "description": r[6]} for r in new_rows]
    )
    columns = ("id", "move_id", "product_id", "quantity", "unit_cost", "value", "remaining_qty", "remaining_value",
               "description", "create_uid", "write_uid", *extra)  # fmt: skip
    extras = list(zip(*extra.values(), strict=True)) if extra else [()] * len(new_rows)
    await env.copy_records(
        "valuation_layer",
        columns,
        [(i, r[0], r[1], r[2], r[3], r[4], r[5].remaining_qty, r[5].remaining_value, r[6], uid, uid, *more)
         for i, r, more in zip(ids, new_rows, extras, strict=True)],
    )  # fmt: skip
    averaged = [
        p
        for p in products.values()
        if p["cost_method"] in ("average", "fifo") and "new_cost" in p and p["new_cost"] != p["cost"]
    ]
    if averaged:
        await env.execute(
            "UPDATE product p SET cost = v.c FROM unnest($1::bigint[], $2::numeric[]) AS v(id, c) WHERE p.id = v.id",
            [p["id"] for p in averaged],
            [p["new_cost"] for p in averaged],
        )
    env.written.update({"ValuationLayer", "Product"})
    await layers_model.layers_created(ids)
    return costs


def _crosses(move: Any) -> bool:
    """The move enters or leaves the company's stock (exactly one side is internal)."""
    return bool((move["source_usage"] == "internal") != (move["destination_usage"] == "internal"))


def _update_cost(product: Any, method: str, stack: list[_Layer]) -> None:
    """Average: value / quantity of what remains; FIFO: the cost of the oldest remaining unit."""
    open_layers = [la for la in stack if la.remaining_qty > 0]
    if not open_layers or method == "standard":
        return
    if method == "average":
        qty = sum((la.remaining_qty for la in open_layers), ZERO)
        value = sum((la.remaining_value for la in stack), ZERO)
        new = money(value / qty)
    else:
        new = money(open_layers[0].unit_cost)
    product["new_cost"] = new


async def _origin_costs(env: Any, move_ids: list[int]) -> dict[int, Decimal]:
    if not move_ids:
        return {}
    rows = await env.fetch("SELECT id, unit_cost FROM stock_move WHERE id = ANY($1::bigint[])", move_ids)
    return {r["id"]: r["unit_cost"] for r in rows if r["unit_cost"] is not None}
