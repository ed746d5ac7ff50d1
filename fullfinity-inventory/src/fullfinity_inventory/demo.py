"""Demo stock (demo tenants only), made with the operations a user calls, dates relative to today.

Storable demo products (the desk by lots, a laptop by serial numbers, FIFO and average costs), done
receipts and deliveries, a ready receipt and delivery, a waiting delivery (not enough stock), a draft
receipt, a cancelled delivery, a return, an applied adjustment, a scrap and reorder rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["create_demo"]


async def _ref(env: Any, identifier: str) -> int | None:
    value = await env.fetchval("SELECT res_id FROM ff_identifier WHERE identifier = $1", identifier)
    return int(value) if value is not None else None


async def create_demo(env: Any) -> None:
    lot_a = await _ref(env, "inventory_demo_lot_desk_a")
    if lot_a is None or await env.fetchval("SELECT EXISTS (SELECT 1 FROM transfer)"):
        return
    lot_b = await _ref(env, "inventory_demo_lot_desk_b")
    desk = await _ref(env, "product_demo_desk")
    chair = await _ref(env, "product_demo_chair")
    paper = await _ref(env, "product_demo_paper")
    products = env["Product"]
    await products.filter(id=desk).update(storable=True, tracking="lot", cost_method="fifo")
    await products.filter(id=chair).update(storable=True, cost_method="average")
    if paper is not None:
        await products.filter(id=paper).update(storable=True)
    laptop = await products.create(
        name="Laptop 14\"", code="IT-0014", product_type="goods", storable=True, tracking="serial",
        cost_method="fifo", cost="820.00", sale_price="1199.00",
    )  # fmt: skip
    warehouse = await env["Warehouse"].filter(code="WH").first()
    if warehouse is None:
        return
    vendor = await env["Contact"].create(name="Nordic Furniture AB", is_company=True, city="Malmö")
    customer = await _ref(env, "core_demo_contact_northwind")
    transfers = env["Transfer"]
    now = dt.datetime.now(dt.UTC)

    async def transfer(kind: str, moves: list[dict[str, Any]], days: int, partner: int | None) -> Any:
        op = warehouse.receipt_type.id if kind == "in" else warehouse.delivery_type.id
        return await transfers.create(
            operation_type=op, partner=partner, scheduled_date=now + dt.timedelta(days=days),
            moves=[["N", m] for m in moves],
        )  # fmt: skip

    first_moves: list[dict[str, Any]] = [
        {"product": desk, "demand": Decimal(12), "unit_cost": Decimal("300.00"),
         "lines": [["N", {"lot": lot_a, "quantity": Decimal(8)}], ["N", {"lot": lot_b, "quantity": Decimal(4)}]]},
        {"product": chair, "demand": Decimal(30), "unit_cost": Decimal("150.00")},
        {"product": laptop.id, "demand": Decimal(3),
         "lines": [["N", {"lot_name": f"SN-LAP-{n:04d}", "quantity": Decimal(1)}] for n in (1, 2, 3)]},
    ]  # fmt: skip
    if paper is not None:
        first_moves.append({"product": paper, "demand": Decimal(40)})
    received = await transfer("in", first_moves, -20, vendor.id)
    await received.action_confirm()
    await received.action_validate()
    second = await transfer("in", [{"product": chair, "demand": Decimal(10), "unit_cost": Decimal("160.00")}], -10,
                            vendor.id)  # fmt: skip
    await second.action_validate()
    delivered = await transfer(
        "out", [{"product": desk, "demand": Decimal(3)}, {"product": chair, "demand": Decimal(6)}], -5, customer
    )
    await delivered.action_assign()
    await delivered.action_validate()
    returned = transfers.browse((await delivered.action_return())["res_id"])
    await returned.action_validate(backorder=False)
    ready = await transfer(
        "out", [{"product": chair, "demand": Decimal(4)}, {"product": laptop.id, "demand": Decimal(1)}], 2, customer
    )
    await ready.action_assign()
    monitor = await products.create(
        name='Monitor 27"', code="IT-0027", product_type="goods", storable=True, cost="210.00", sale_price="329.00"
    )
    partial = await transfer("out", [{"product": desk, "demand": Decimal(50)}], 4, customer)
    await partial.action_assign()  # 9 of 50 available: ready, partially
    waiting = await transfer("out", [{"product": monitor.id, "demand": Decimal(5)}], 3, customer)
    await waiting.action_assign()  # none in stock: waiting
    await (await transfer("in", [{"product": monitor.id, "demand": Decimal(10)}], 6, vendor.id)).action_confirm()
    await (await transfer("in", [{"product": desk, "demand": Decimal(20), "unit_cost": Decimal("305.00")}], 7,
                          vendor.id)).action_confirm()  # fmt: skip
    await transfer("in", [{"product": chair, "demand": Decimal(15)}], 9, vendor.id)
    cancelled = await transfer("out", [{"product": chair, "demand": Decimal(2)}], 1, customer)
    await cancelled.action_cancel()
    adjustment = await env["InventoryAdjustment"].create(
        name="Yearly count: chairs", location=warehouse.stock_location.id,
        lines=[["N", {"product": chair, "counted": Decimal(31)}]],
    )  # fmt: skip
    await adjustment.action_apply()
    await products.browse(chair).action_scrap(Decimal(1))
    await env["ReorderRule"].create(product=chair, warehouse=warehouse.id, min_qty=Decimal(20), max_qty=Decimal(40),
                                    multiple=Decimal(5), partner=vendor.id)  # fmt: skip
    await env["ReorderRule"].create(product=desk, warehouse=warehouse.id, min_qty=Decimal(5), max_qty=Decimal(15))
