"""Valuation figures on worked examples (business.md 3, invariant 7): FIFO, AVCO, standard."""

from __future__ import annotations

from decimal import Decimal

from fullfinity_inventory.stock.replenishment import order_quantity


async def layers(env, product):
    return [
        (ly.quantity, ly.unit_cost, ly.value, ly.remaining_qty, ly.remaining_value)
        for ly in await env["ValuationLayer"].filter(product=product.id).order_by("id")
    ]


async def test_fifo_consumes_the_oldest_layers_first_at_their_own_cost(stock, env):
    product = await stock.product(cost_method="fifo")
    await stock.receive(product, 10, unit_cost=Decimal("10.00"))
    await stock.receive(product, 10, unit_cost=Decimal("12.50"))
    await stock.deliver(product, 15)
    assert await layers(env, product) == [
        (Decimal(10), Decimal(10), Decimal("100.00"), Decimal(0), Decimal(0)),
        (Decimal(10), Decimal("12.5"), Decimal("125.00"), Decimal(5), Decimal("62.50")),
        (Decimal(-15), Decimal("10.833333"), Decimal("-162.50"), Decimal(0), Decimal(0)),
    ]
    await product.refresh()
    assert product.cost == Decimal("12.50")  # the next unit out costs 12.50


async def test_average_cost_is_value_over_quantity_and_thirds_lose_no_cent(stock, env):
    product = await stock.product(cost_method="average")
    await stock.receive(product, 1, unit_cost=Decimal("10.00"))
    await stock.receive(product, 2, unit_cost=Decimal("10.00"))
    await stock.receive(product, 3, unit_cost=Decimal("11.00"))  # 6 units, 63.00: 10.50 each
    await product.refresh()
    assert product.cost == Decimal("10.50")
    for _ in range(3):
        await stock.deliver(product, 1)  # 10.50 each
    values = [ly[2] for ly in await layers(env, product)]
    assert values[3:] == [Decimal("-10.50")] * 3
    await stock.deliver(product, 3)  # everything left: exactly the rest
    assert sum(ly[2] for ly in await layers(env, product)) == 0
    assert sum(ly[4] for ly in await layers(env, product)) == 0


async def test_standard_cost_values_in_and_out_at_the_products_cost(stock, env):
    product = await stock.product(cost="7.25", cost_method="standard")
    await stock.receive(product, 4, unit_cost=Decimal("9.99"))
    await stock.deliver(product, 1)
    assert [ly[2] for ly in await layers(env, product)] == [Decimal("29.00"), Decimal("-7.25")]


async def test_a_returned_delivery_comes_back_at_the_cost_it_left(stock, env):
    product = await stock.product(cost_method="fifo")
    await stock.receive(product, 2, unit_cost=Decimal("5.00"))
    delivery = await stock.deliver(product, 2)
    back = env["Transfer"].browse((await delivery.action_return())["res_id"])
    await back.action_validate()
    assert [ly[2] for ly in await layers(env, product)] == [Decimal("10.00"), Decimal("-10.00"), Decimal("10.00")]


def test_replenishment_brings_the_forecast_to_the_maximum_in_multiples():
    assert order_quantity(Decimal(3), Decimal(5), Decimal(20), Decimal(5)) == Decimal(20)  # 17 -> 20
    assert order_quantity(Decimal(5), Decimal(5), Decimal(20), Decimal(5)) == Decimal(0)
    assert order_quantity(Decimal(-2), Decimal(0), Decimal(10), Decimal(1)) == Decimal(12)


async def test_a_reorder_rule_makes_a_draft_receipt_when_the_forecast_is_low(stock, env):
    product = await stock.product()
    await stock.receive(product, 2)
    wh = await stock.warehouse()
    rule = await env["ReorderRule"].create(
        product=product.id, warehouse=wh.id, min_qty=Decimal(5), max_qty=Decimal(12), multiple=Decimal(4)
    )
    answer = await rule.action_replenish()
    (receipt,) = await env["Transfer"].filter(answer["q_filter"])
    (move,) = await stock.moves(receipt)
    assert (receipt.state, move.demand) == ("draft", Decimal(12))  # 10 needed, rounded up to 12
    await receipt.action_confirm()
    assert (await rule.action_replenish())["q_filter"] == "Q(id__in=[])"  # forecast 14 now
