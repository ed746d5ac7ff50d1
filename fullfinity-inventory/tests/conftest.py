"""Fixtures: a tenant holding inventory (no demo data) per test file, an environment on it whose
work is rolled back after each test, and builders of stock documents (``Stock``).

After every test using ``stock``, the ledger is recomputed from the move history and compared
(``fullfinity_inventory.problems``): a test that leaves the stock inconsistent fails.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio

from fullfinity.testing.tenants import module_tenant, rolled_back_env


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tenant(ff_runtime: Any) -> AsyncIterator[Any]:
    async with module_tenant(ff_runtime, ["inventory"], prefix="stk") as info:
        yield info


@pytest_asyncio.fixture(loop_scope="session")
async def env(ff_runtime: Any, tenant: Any) -> AsyncIterator[Any]:
    """An elevated environment on the tenant, in a transaction rolled back after the test."""
    async with rolled_back_env(ff_runtime, tenant.name) as bound:
        yield bound


class Stock:
    """Builders over one environment: products, receipts, deliveries, and the ledger check."""

    def __init__(self, env: Any) -> None:
        self.env = env

    async def warehouse(self) -> Any:
        wh = await self.env["Warehouse"].filter(code="WH").get()
        await wh.fetch_related("stock_location", "receipt_type", "delivery_type", "internal_type")
        return wh

    async def location(self, usage: str) -> int:
        from fullfinity_inventory.models.warehouse import virtual_location

        return await virtual_location(self.env, usage)

    async def product(self, cost: str = "10.00", **values: Any) -> Any:
        values.setdefault("storable", True)
        return await self.env["Product"].create(name=f"Product {uuid.uuid4().hex[:6]}", cost=cost, **values)

    async def transfer(self, kind: str, moves: list[dict[str, Any]], **values: Any) -> Any:
        wh = await self.warehouse()
        op = {"in": wh.receipt_type, "out": wh.delivery_type, "int": wh.internal_type}[kind]
        return await self.env["Transfer"].create(operation_type=op.id, moves=[["N", m] for m in moves], **values)

    async def receive(self, product: Any, quantity: Any, **move: Any) -> Any:
        receipt = await self.transfer("in", [{"product": product.id, "demand": Decimal(str(quantity)), **move}])
        await receipt.action_validate()
        return receipt

    async def receive_lots(self, product: Any, lots: dict[str, int]) -> dict[str, int]:
        """One receipt per lot (in this order, so the first is the oldest); returns name -> lot id."""
        for name, quantity in lots.items():
            move = {
                "product": product.id,
                "demand": Decimal(quantity),
                "lines": [["N", {"lot_name": name, "quantity": Decimal(quantity)}]],
            }
            receipt = await self.transfer("in", [move])
            await receipt.action_validate()
        return {lot.name: lot.id for lot in await self.env["Lot"].filter(product=product.id, name__in=list(lots))}

    async def deliver(self, product: Any, quantity: Any, **kwargs: Any) -> Any:
        delivery = await self.transfer("out", [{"product": product.id, "demand": Decimal(str(quantity))}])
        await delivery.action_validate(**kwargs)
        return delivery

    async def on_hand(self, product: Any, location: int | None = None) -> Decimal:
        with self.env.with_context(location=location):
            rec = await self.env["Product"].with_fields("qty_on_hand").filter(id=product.id).get()
        return Decimal(rec.qty_on_hand)

    async def moves(self, transfer: Any) -> list[Any]:
        return list(await self.env["StockMove"].filter(transfer=transfer.id).order_by("id"))

    async def problems(self) -> list[str]:
        from fullfinity_inventory import problems

        return await problems(self.env)


@pytest_asyncio.fixture(loop_scope="session")
async def stock(env: Any) -> AsyncIterator[Stock]:
    builder = Stock(env)
    yield builder
    assert await builder.problems() == []
