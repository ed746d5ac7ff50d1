"""Replenishment: draft receipts for the reorder rules whose forecast is below their minimum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from fullfinity_inventory.stock.quantities import quantities

__all__ = ["order_quantity", "replenish"]


def order_quantity(forecast: Decimal, min_qty: Decimal, max_qty: Decimal, multiple: Decimal) -> Decimal:
    """How much to order: 0 unless ``forecast < min_qty``; then ``max_qty - forecast`` rounded up to ``multiple``."""
    if forecast >= min_qty:
        return Decimal(0)
    need = max_qty - forecast
    if multiple and multiple > 0:
        need = (need / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
    return need


async def replenish(env: Any, rule_ids: Sequence[int] | None = None) -> list[int]:
    """Draft receipts (one per warehouse and vendor) for these rules (all active ones when ``None``)."""
    rules = await env.fetch(
        "SELECT r.id, r.product_id, r.warehouse_id, coalesce(r.location_id, w.stock_location_id) AS location_id, "
        "r.min_qty, r.max_qty, r.multiple, r.partner_id, w.receipt_type_id FROM reorder_rule r "
        "JOIN warehouse w ON w.id = r.warehouse_id "
        "WHERE r.active AND ($1::bigint[] IS NULL OR r.id = ANY($1::bigint[])) ORDER BY r.id",
        list(rule_ids) if rule_ids is not None else None,
    )
    orders: dict[tuple[int, int | None], list[tuple[Any, Decimal]]] = defaultdict(list)
    for rule in rules:
        found = await quantities(env, [rule["product_id"]], {"location": rule["location_id"]})
        on_hand, _, incoming, outgoing = found[rule["product_id"]]
        quantity = order_quantity(on_hand + incoming - outgoing, rule["min_qty"], rule["max_qty"], rule["multiple"])
        if quantity > 0:
            orders[(rule["warehouse_id"], rule["partner_id"])].append((rule, quantity))
    created = []
    transfers = env.get_model("Transfer")
    for (_, partner), items in sorted(orders.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        first = items[0][0]
        transfer = await transfers.create(
            operation_type=first["receipt_type_id"], partner=partner, destination=first["location_id"],
            origin="Replenishment",
            moves=[["N", {"product": rule["product_id"], "demand": qty, "destination": rule["location_id"]}]
                   for rule, qty in items],
        )  # fmt: skip
        created.append(transfer.id)
    return created
