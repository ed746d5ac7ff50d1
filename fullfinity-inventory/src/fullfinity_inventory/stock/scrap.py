"""Scrap: a done move from a stock location to the scrap location."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_inventory.models.warehouse import virtual_location
from fullfinity_inventory.stock.booking import Booking, book
from fullfinity_inventory.stock.retry import retrying

__all__ = ["scrap"]


async def scrap(env: Any, product: int, quantity: Decimal, location: int | None, lot: int | None) -> int:
    """Scrap ``quantity`` of ``product`` from ``location`` (default: the first warehouse's stock)."""
    if quantity <= 0:
        raise UserError(f"The quantity to scrap must be more than zero, got {quantity:f}.")
    if location is None:
        location = await env.fetchval("SELECT stock_location_id FROM warehouse ORDER BY id LIMIT 1")
        if location is None:
            raise UserError("No warehouse exists: give the location to scrap from.")
    usage = await env.fetchval("SELECT usage FROM location WHERE id = $1", location)
    if usage != "internal":
        raise UserError(f"Location {location} is not a stock location: scrap from an internal location.")
    target = await virtual_location(env, "scrap")

    async def run() -> int:
        return (await book(env, [Booking(product, lot, int(location), target, quantity, "Scrap")]))[0]

    return await retrying(env, run)
