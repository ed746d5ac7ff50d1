"""The demo tenant's stock: documents in every state, lots and serials, and a ledger that the
recompute check finds consistent with its move history."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity_inventory import problems


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(ff_runtime: Any) -> AsyncIterator[Any]:
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    info = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, f"stkd-{uuid.uuid4().hex[:8]}", modules=["inventory"], demo=True
    )
    try:
        yield info
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def test_the_demo_stock_is_consistent_with_its_moves(ff_runtime, demo):
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        assert await problems(env) == []
        assert await env.fetchval("SELECT count(*) FROM valuation_layer") > 0


async def test_the_demo_has_receipts_and_deliveries_in_every_state(ff_runtime, demo):
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        rows = await env.fetch(
            "SELECT o.code, t.state FROM transfer t JOIN operation_type o ON o.id = t.operation_type_id"
        )
        states = {(r["code"], r["state"]) for r in rows}
        assert {("incoming", "done"), ("incoming", "draft"), ("incoming", "assigned")} <= states
        assert {
            ("outgoing", "done"),
            ("outgoing", "assigned"),
            ("outgoing", "confirmed"),
            ("outgoing", "cancelled"),
        } <= states
        assert await env.fetchval("SELECT EXISTS (SELECT 1 FROM transfer WHERE return_of_id IS NOT NULL)")


async def test_the_demo_has_lots_on_the_desk_and_serials_on_the_laptop_and_reorder_rules(ff_runtime, demo):
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        tracked = {
            r["tracking"]: r["lots"]
            for r in await env.fetch(
                "SELECT p.tracking, count(DISTINCT q.lot_id) AS lots FROM quant q "
                "JOIN product p ON p.id = q.product_id "
                "JOIN location l ON l.id = q.location_id WHERE l.usage = 'internal' AND q.quantity > 0 "
                "AND q.lot_id IS NOT NULL GROUP BY p.tracking"
            )
        }
        assert tracked.get("lot", 0) >= 2 and tracked.get("serial", 0) >= 2
        assert await env.fetchval("SELECT count(*) FROM reorder_rule") >= 2
        assert await env.fetchval("SELECT count(*) FROM inventory_adjustment WHERE state = 'done'") >= 1
