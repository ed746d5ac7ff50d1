"""Receive, reserve, deliver, backorder, return, cancel: the workflow through the models' actions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError, ValidationError
from fullfinity_inventory.exceptions import NotEnoughStock, WrongState


async def test_a_new_warehouse_gets_its_locations_and_operation_types(env):
    wh = await env["Warehouse"].create(name="Second", code="WH2")
    await wh.fetch_related("stock_location", "receipt_type", "delivery_type", "internal_type")
    assert wh.stock_location.complete_name == "WH2/Stock"
    assert [wh.receipt_type.prefix, wh.delivery_type.prefix, wh.internal_type.prefix] == [
        "WH2/IN/",
        "WH2/OUT/",
        "WH2/INT/",
    ]


async def test_a_location_cannot_be_moved_inside_its_own_sublocation(env):
    shelf = await env["Location"].create(name="Shelf", usage="internal")
    bin_ = await env["Location"].create(name="Bin", usage="internal", parent=shelf.id)

    shelf.parent = bin_.id
    with pytest.raises(ValidationError) as caught:
        await shelf.save()

    assert caught.value.details[0]["path"] == "parent"
    assert "inside itself" in caught.value.details[0]["message"]


async def test_a_receipt_puts_the_goods_in_stock_and_numbers_the_transfer(stock):
    product = await stock.product()
    receipt = await stock.receive(product, "12.5")
    assert receipt.state == "done" and receipt.number.startswith("WH/IN/")
    assert await stock.on_hand(product) == Decimal("12.5")


async def test_reservation_takes_what_is_there_and_validation_delivers_it(stock):
    product = await stock.product()
    await stock.receive(product, 5)
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(3)}])
    await delivery.action_assign()
    assert delivery.state == "assigned"
    (move,) = await stock.moves(delivery)
    assert (move.reserved, move.state) == (Decimal(3), "assigned")
    await delivery.action_validate()
    assert delivery.state == "done"
    assert await stock.on_hand(product) == Decimal(2)


async def test_partial_availability_with_a_backorder_keeps_the_rest_waiting(stock, env):
    product = await stock.product()
    await stock.receive(product, 4)
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(10)}])
    await delivery.action_assign()
    (move,) = await stock.moves(delivery)
    assert (move.state, move.reserved) == ("partially_available", Decimal(4))
    answer = await delivery.action_validate()
    assert answer["action"]["model"] == "BackorderWizard"  # the caller is asked
    await delivery.action_validate(backorder=True)
    backorder = await env["Transfer"].filter(backorder_of=delivery.id).get()
    (rest,) = await stock.moves(backorder)
    assert (rest.demand, rest.state, backorder.state) == (Decimal(6), "confirmed", "confirmed")
    assert await stock.on_hand(product) == Decimal(0)


async def test_validating_without_a_backorder_drops_the_rest(stock, env):
    product = await stock.product()
    await stock.receive(product, 4)
    delivery = await stock.deliver(product, 10, backorder=False)
    assert delivery.state == "done"
    assert not await env["Transfer"].filter(backorder_of=delivery.id).exists()


async def test_a_delivery_without_stock_is_refused_and_nothing_moves(stock):
    product = await stock.product()
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(1)}])
    with pytest.raises(UserError, match="nothing to validate"):
        await delivery.action_validate()
    (move,) = await stock.moves(delivery)
    move.quantity = Decimal(1)
    await move.save()
    with pytest.raises(NotEnoughStock, match="Not enough"):
        await delivery.action_validate()
    assert await stock.on_hand(product) == Decimal(0)


async def test_a_location_that_allows_negative_stock_can_go_below_zero(stock, env):
    product = await stock.product()
    wh = await stock.warehouse()
    wh.stock_location.allow_negative = True
    await wh.stock_location.save()
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(2), "quantity": Decimal(2)}])
    await delivery.action_validate()
    assert await stock.on_hand(product) == Decimal(-2)


async def test_a_return_brings_back_what_was_delivered_once(stock):
    product = await stock.product()
    await stock.receive(product, 5)
    delivery = await stock.deliver(product, 5)
    answer = await delivery.action_return()
    back = stock.env["Transfer"].browse(answer["res_id"])
    await back.action_validate()
    assert await stock.on_hand(product) == Decimal(5)
    with pytest.raises(UserError, match="returned already"):
        await delivery.action_return()


async def test_cancel_releases_the_reservation_and_done_transfers_refuse_it(stock):
    product = await stock.product()
    receipt = await stock.receive(product, 3)
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(3)}])
    await delivery.action_assign()
    await delivery.action_cancel()
    assert delivery.state == "cancelled"
    with pytest.raises(WrongState, match="is done"):
        await receipt.action_cancel()


async def test_unreserve_gives_the_stock_back(stock, env):
    product = await stock.product()
    await stock.receive(product, 3)
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(3)}])
    await delivery.action_assign()
    await delivery.action_unreserve()
    quant = await env["Quant"].filter(product=product.id, location__usage="internal").get()
    assert quant.reserved == Decimal(0) and delivery.state == "confirmed"


async def test_a_done_move_cannot_be_changed_even_by_sql(stock, env):
    product = await stock.product()
    receipt = await stock.receive(product, 3)
    with pytest.raises(ValidationError) as caught:
        async with env.transaction():
            await env.execute("UPDATE stock_move SET quantity = 5 WHERE transfer_id = $1", receipt.id)
    assert "is done: it cannot be changed" in str(caught.value.__cause__)


async def test_a_move_from_a_location_to_itself_is_refused(stock):
    product = await stock.product()
    internal = await stock.transfer("int", [{"product": product.id, "demand": Decimal(1)}])
    with pytest.raises(UserError, match="same location"):
        await internal.action_confirm()


async def test_transfers_created_in_bulk_get_consecutive_numbers_and_their_moves(stock, env):
    product = await stock.product()
    wh = await stock.warehouse()
    rows = [{"operation_type": wh.receipt_type.id, "moves": [["N", {"product": product.id, "demand": Decimal(1)}]]}] * 3
    created = await env["Transfer"].bulk_create(rows)
    numbers = [int(t.number.rsplit("/", 1)[1]) for t in created]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert [t.destination.id for t in created] == [wh.stock_location.id] * 3  # the type's default
    assert await env["StockMove"].filter(transfer__in=created.ids).count() == 3
