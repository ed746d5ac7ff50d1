"""Random sequences of receipts, deliveries, reservations, returns, adjustments and scraps keep every invariant
(the ledger recomputed from the move history agrees with the stored stock after each sequence)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fullfinity.engine.base import UserError
from fullfinity_inventory import problems
from fullfinity_inventory.exceptions import StockError

STEP = st.tuples(
    st.sampled_from(["receive", "deliver", "reserve", "return", "adjust", "scrap"]),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=1, max_value=9),
    st.sampled_from(["0.00", "3.10", "7.77"]),
)


class _Rollback(Exception):
    pass


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(STEP, min_size=1, max_size=12))
async def test_random_stock_operations_keep_every_invariant(ff_runtime, tenant, steps):
    from fullfinity.scripting import tenant_env

    try:
        async with tenant_env(tenant.name, runtime=ff_runtime) as env:
            wh = await env["Warehouse"].filter(code="WH").get()
            await wh.fetch_related("stock_location")
            products = [
                await env["Product"].create(name=f"P{i}", storable=True, cost="2.00", cost_method=method)
                for i, method in enumerate(("fifo", "average", "standard"))
            ]
            done = []
            for kind, index, quantity, cost in steps:
                product = products[index]
                qty = Decimal(quantity)
                try:
                    if kind in ("receive", "deliver"):
                        op = wh.receipt_type.id if kind == "receive" else wh.delivery_type.id
                        move = {"product": product.id, "demand": qty}
                        if kind == "receive":
                            move["unit_cost"] = Decimal(cost)
                        transfer = await env["Transfer"].create(operation_type=op, moves=[["N", move]])
                        await transfer.action_validate(backorder=False)
                        done.append(transfer)
                    elif kind == "reserve":  # a delivery left open with what it could reserve
                        transfer = await env["Transfer"].create(
                            operation_type=wh.delivery_type.id, moves=[["N", {"product": product.id, "demand": qty}]]
                        )
                        await transfer.action_assign()
                    elif kind == "return" and done:
                        answer = await done[index % len(done)].action_return()
                        await env["Transfer"].browse(answer["res_id"]).action_validate(backorder=False)
                    elif kind == "adjust":
                        adjustment = await env["InventoryAdjustment"].create(
                            location=wh.stock_location.id, lines=[["N", {"product": product.id, "counted": qty}]]
                        )
                        await adjustment.action_apply()
                    elif kind == "scrap":
                        await product.action_scrap(qty)
                except (StockError, UserError):
                    pass  # refused (not enough stock, all returned...): nothing may have changed
                assert await problems(env) == []
            raise _Rollback
    except _Rollback:
        pass
