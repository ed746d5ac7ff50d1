"""The invariants of business.md 3, each with a test that fails without it: concurrent reservations,
negative stock, serial numbers, adjustments, scrap, conservation; every test ends with the recompute
check (the ``stock`` fixture) or runs it itself."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from fullfinity.scripting import tenant_env
from fullfinity_inventory import problems
from fullfinity_inventory.exceptions import NotEnoughStock, SerialNumberError


async def test_twenty_concurrent_one_unit_reservations_against_ten_units_reserve_exactly_ten(ff_runtime, tenant):
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        wh = await env["Warehouse"].filter(code="WH").get()
        product = await env["Product"].create(name=f"Race {uuid.uuid4().hex[:6]}", storable=True, cost="1.00")
        receipt = await env["Transfer"].create(
            operation_type=wh.receipt_type.id, moves=[["N", {"product": product.id, "demand": Decimal(10)}]]
        )
        await receipt.action_validate()
        deliveries = [
            (await env["Transfer"].create(
                operation_type=wh.delivery_type.id, moves=[["N", {"product": product.id, "demand": Decimal(1)}]]
            )).id
            for _ in range(20)
        ]  # fmt: skip
    started = asyncio.Event()

    async def reserve(transfer_id: int) -> str:
        async with tenant_env(tenant.name, runtime=ff_runtime) as env:
            transfer = env["Transfer"].browse(transfer_id)
            await started.wait()
            await transfer.action_assign()
            return str(await env.fetchval("SELECT state FROM transfer WHERE id = $1", transfer_id))

    tasks = [asyncio.create_task(reserve(t)) for t in deliveries]
    await asyncio.sleep(0.1)
    started.set()
    states = await asyncio.gather(*tasks)  # no error surfaces
    assert sorted(states) == ["assigned"] * 10 + ["confirmed"] * 10
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        quant = await env["Quant"].filter(product=product.id, location__usage="internal").get()
        assert (quant.quantity, quant.reserved) == (Decimal(10), Decimal(10))
        assert await problems(env) == []


async def test_concurrent_validations_of_the_same_product_never_lose_an_update(ff_runtime, tenant):
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        wh = await env["Warehouse"].filter(code="WH").get()
        products = [
            (await env["Product"].create(name=f"Many {i} {uuid.uuid4().hex[:4]}", storable=True)).id for i in range(3)
        ]
        receipts = [
            (await env["Transfer"].create(
                operation_type=wh.receipt_type.id,
                moves=[["N", {"product": p, "demand": Decimal(1)}] for p in (products if i % 2 else products[::-1])],
            )).id
            for i in range(10)
        ]  # fmt: skip

    async def validate(transfer_id: int) -> None:
        async with tenant_env(tenant.name, runtime=ff_runtime) as env:
            await env["Transfer"].browse(transfer_id).action_validate()

    await asyncio.gather(*(validate(t) for t in receipts))
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        for p in products:
            quant = await env["Quant"].filter(product=p, location__usage="internal").get()
            assert quant.quantity == Decimal(10)
        assert await problems(env) == []


async def test_quants_are_unique_per_product_location_and_lot(stock, env):
    product = await stock.product()
    await stock.receive(product, 1)
    await stock.receive(product, 2)
    quants = await env["Quant"].filter(product=product.id, location__usage="internal")
    assert [q.quantity for q in quants] == [Decimal(3)]
    wh = await stock.warehouse()
    with pytest.raises(Exception):  # noqa: B017 - the unique index refuses a second quant
        async with env.transaction():
            await env.execute(
                "INSERT INTO quant (product_id, location_id, quantity, reserved) VALUES ($1, $2, 1, 0)",
                product.id,
                wh.stock_location.id,
            )


async def test_summed_over_all_locations_each_product_is_zero(stock, env):
    product = await stock.product()
    await stock.receive(product, 7)
    await stock.deliver(product, 3)
    total = await env.fetchval("SELECT sum(quantity) FROM quant WHERE product_id = $1", product.id)
    assert total == 0
    assert await stock.on_hand(product, await stock.location("customer")) == Decimal(0)  # not internal


async def test_a_serial_number_holds_one_unit(stock, env):
    laptop = await stock.product(tracking="serial")
    receipt = await stock.transfer(
        "in",
        [
            {
                "product": laptop.id,
                "demand": Decimal(2),
                "lines": [
                    ["N", {"lot_name": "SN-1", "quantity": Decimal(1)}],
                    ["N", {"lot_name": "SN-2", "quantity": Decimal(1)}],
                ],
            }
        ],
    )
    await receipt.action_validate()
    assert sorted(lot.name for lot in await env["Lot"].filter(product=laptop.id)) == ["SN-1", "SN-2"]
    again = await stock.transfer("in", [{"product": laptop.id, "demand": Decimal(1), "lines": [
        ["N", {"lot_name": "SN-1", "quantity": Decimal(1)}]]}])  # fmt: skip
    with pytest.raises(SerialNumberError, match="SN-1"):
        await again.action_validate()
    two = await stock.transfer("in", [{"product": laptop.id, "demand": Decimal(2), "lines": [
        ["N", {"lot_name": "SN-3", "quantity": Decimal(2)}]]}])  # fmt: skip
    with pytest.raises(SerialNumberError, match="one unit"):
        await two.action_validate()


async def test_a_tracked_product_needs_its_lots_to_be_received(stock):
    bolts = await stock.product(tracking="lot")
    receipt = await stock.transfer("in", [{"product": bolts.id, "demand": Decimal(5)}])
    with pytest.raises(Exception, match="tracked by lots"):
        await receipt.action_validate()


async def test_lots_are_reserved_and_delivered_oldest_first(stock, env):
    bolts = await stock.product(tracking="lot")
    await stock.receive_lots(bolts, {"L1": 3, "L2": 4})
    delivery = await stock.deliver(bolts, 5)
    (move,) = await stock.moves(delivery)
    lines = await env["StockMoveLine"].with_fields("lot__name", "quantity").filter(move=move.id).order_by("id")
    assert [(ln.lot.name, ln.quantity) for ln in lines] == [("L1", Decimal(3)), ("L2", Decimal(2))]


async def test_an_adjustment_sets_the_quantity_to_the_counted_one(stock, env):
    product = await stock.product()
    await stock.receive(product, 10)
    wh = await stock.warehouse()
    for counted in (Decimal(7), Decimal("12.5")):
        adjustment = await env["InventoryAdjustment"].create(
            location=wh.stock_location.id, lines=[["N", {"product": product.id, "counted": counted}]]
        )
        await adjustment.action_apply()
        assert await stock.on_hand(product) == counted
        (line,) = await env["InventoryAdjustmentLine"].filter(adjustment=adjustment.id)
        assert line.counted - line.theoretical == line.difference


async def test_a_count_below_the_reserved_quantity_takes_it_back_from_the_transfers_scheduled_last(stock, env):
    from datetime import UTC, datetime, timedelta

    product = await stock.product()
    await stock.receive(product, 10)
    now = datetime.now(UTC)
    early = await stock.transfer("out", [{"product": product.id, "demand": Decimal(6)}], scheduled_date=now)
    late = await stock.transfer(
        "out", [{"product": product.id, "demand": Decimal(4)}], scheduled_date=now + timedelta(days=3)
    )
    await early.action_assign()
    await late.action_assign()
    wh = await stock.warehouse()
    adjustment = await env["InventoryAdjustment"].create(
        location=wh.stock_location.id, lines=[["N", {"product": product.id, "counted": Decimal(7)}]]
    )
    await adjustment.action_apply()  # refused before: the quant would hold 7 with 10 reserved

    assert await stock.on_hand(product) == Decimal(7)
    quant = await env["Quant"].filter(product=product.id, location=wh.stock_location.id).get()
    assert (quant.quantity, quant.reserved) == (Decimal(7), Decimal(7))
    (kept,) = await stock.moves(early)
    (short,) = await stock.moves(late)
    assert (kept.reserved, kept.state) == (Decimal(6), "assigned")
    assert (short.reserved, short.quantity, short.state) == (Decimal(1), Decimal(1), "partially_available")
    lines = await env["StockMoveLine"].filter(move=short.id)
    assert [(ln.reserved, ln.quantity) for ln in lines] == [(Decimal(1), Decimal(1))]
    assert [t.state for t in await env["Transfer"].filter(id__in=[early.id, late.id]).order_by("id")] == [
        "assigned",
        "assigned",
    ]  # a transfer with a partially available move can be validated for what it holds (a backorder)

    zero = await env["InventoryAdjustment"].create(
        location=wh.stock_location.id, lines=[["N", {"product": product.id, "counted": Decimal(0)}]]
    )
    await zero.action_apply()
    for moved in (kept, short):
        move = await env["StockMove"].filter(id=moved.id).get()
        assert (move.reserved, move.state) == (Decimal(0), "confirmed")
        assert await env["StockMoveLine"].filter(move=move.id).count() == 0
    states = [t.state for t in await env["Transfer"].filter(id__in=[early.id, late.id])]
    assert states == ["confirmed", "confirmed"]
    # the ledger check of the `stock` fixture then recomputes every quant from the moves


async def test_a_move_a_count_left_short_reserves_again_from_another_lot(stock, env):
    bolts = await stock.product(tracking="lot")
    lots = await stock.receive_lots(bolts, {"L1": 6, "L2": 4})
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(6)}])
    await delivery.action_assign()  # oldest first: all six from L1
    wh = await stock.warehouse()
    adjustment = await env["InventoryAdjustment"].create(
        location=wh.stock_location.id, lines=[["N", {"product": bolts.id, "lot": lots["L1"], "counted": Decimal(2)}]]
    )
    await adjustment.action_apply()

    (move,) = await stock.moves(delivery)
    assert (move.reserved, move.state) == (Decimal(6), "assigned")
    lines = await env["StockMoveLine"].with_fields("lot__name", "reserved").filter(move=move.id).order_by("id")
    assert sorted((ln.lot.name, ln.reserved) for ln in lines) == [("L1", Decimal(2)), ("L2", Decimal(4))]


async def test_load_quantities_fills_the_count_with_what_the_location_holds(stock, env):
    product = await stock.product()
    await stock.receive(product, 4)
    wh = await stock.warehouse()
    adjustment = await env["InventoryAdjustment"].create(location=wh.stock_location.id)
    await adjustment.action_load_quantities()
    lines = await env["InventoryAdjustmentLine"].filter(adjustment=adjustment.id, product=product.id)
    assert [(ln.theoretical, ln.counted) for ln in lines] == [(Decimal(4), Decimal(4))]


async def test_scrap_moves_stock_to_the_scrap_location_and_refuses_more_than_there_is(stock, env):
    product = await stock.product()
    await stock.receive(product, 3)
    await product.action_scrap("1")
    assert await stock.on_hand(product) == Decimal(2)
    assert await stock.on_hand(product, await stock.location("scrap")) == Decimal(0)  # virtual: not on hand
    scrapped = await env.fetchval(
        "SELECT quantity FROM quant WHERE product_id = $1 AND location_id = $2",
        product.id,
        await stock.location("scrap"),
    )
    assert scrapped == Decimal(1)
    with pytest.raises(NotEnoughStock):
        await product.action_scrap("5")


async def test_quantities_of_a_whole_set_are_one_query(stock, env):
    products = [await stock.product() for _ in range(5)]
    for i, p in enumerate(products):
        await stock.receive(p, i + 1)
    delivery = await stock.transfer("out", [{"product": products[0].id, "demand": Decimal(1)}])
    await delivery.action_confirm()
    with env.count_queries() as counter:
        rows = await env["Product"].with_fields("qty_on_hand", "qty_forecast").filter(id__in=[p.id for p in products])
    assert counter.total <= 3
    assert sorted(r.qty_on_hand for r in rows) == [Decimal(i) for i in range(1, 6)]
    assert min(r.qty_forecast for r in rows) == Decimal(0)


async def test_a_reservation_never_takes_units_reserved_by_another_transfer(stock, env):
    product = await stock.product()
    await stock.receive(product, 2)
    first = await stock.transfer("out", [{"product": product.id, "demand": Decimal(2)}])
    await first.action_assign()
    second = await stock.transfer("out", [{"product": product.id, "demand": Decimal(2)}])
    await second.action_assign()
    assert second.state == "confirmed"
    (move,) = await stock.moves(second)
    move.quantity = Decimal(2)
    await move.save()
    with pytest.raises(NotEnoughStock, match="reserved for other transfers"):
        await second.action_validate()
