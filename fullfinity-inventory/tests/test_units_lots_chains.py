"""Moves in another unit (converted exactly), a lot asked on a move, and moves waiting for another one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError
from fullfinity_inventory.exceptions import WrongState


async def _uom(env, name: str) -> int:
    return int(await env.fetchval("SELECT id FROM uom WHERE name = $1", name))


# -- units of measure -------------------------------------------------------------------------------
async def test_a_receipt_in_dozens_of_a_product_counted_in_units_puts_twelve_units_per_dozen(stock, env):
    product = await stock.product(cost="1.00")
    dozen = await _uom(env, "Dozens")
    receipt = await stock.receive(product, "2.5", uom=dozen, unit_cost=Decimal("12.00"))
    (move,) = await stock.moves(receipt)
    assert (move.demand, move.quantity, move.uom.id) == (Decimal(30), Decimal(30), product.uom.id)
    assert (move.asked_demand, move.asked_uom.id) == (Decimal("2.5"), dozen)
    assert move.unit_cost == Decimal("1.000000")  # 12.00 a dozen is 1.00 a unit
    assert await stock.on_hand(product) == Decimal(30)
    (layer,) = await env["ValuationLayer"].filter(move=move.id)
    assert (layer.quantity, layer.value) == (Decimal(30), Decimal("30.00"))


async def test_a_delivery_in_dozens_reserves_and_takes_the_units(stock, env):
    product = await stock.product()
    await stock.receive(product, 30)
    dozen = await _uom(env, "Dozens")
    delivery = await stock.transfer("out", [{"product": product.id, "demand": Decimal(2), "uom": dozen}])
    await delivery.action_assign()
    (move,) = await stock.moves(delivery)
    assert (move.state, move.demand, move.reserved) == ("assigned", Decimal(24), Decimal(24))
    await delivery.action_validate()
    assert await stock.on_hand(product) == Decimal(6)


async def test_a_quantity_that_does_not_convert_exactly_is_refused_and_nothing_changes(stock, env):
    dozen = await _uom(env, "Dozens")
    product = await stock.product(uom=dozen)  # counted in dozens
    units = await _uom(env, "Units")
    receipt = await stock.transfer("in", [{"product": product.id, "demand": Decimal(5), "uom": units}])
    with pytest.raises(UserError, match=r"5 Units is 0\.41666.* Dozens.*4 decimals"):
        await receipt.action_validate()
    await receipt.refresh()
    assert receipt.state == "draft" and await stock.on_hand(product) == 0
    # six units are half a dozen, exactly
    ok = await stock.receive(product, 6, uom=await _uom(env, "Units"))
    (move,) = await stock.moves(ok)
    assert move.demand == Decimal("0.5") and await stock.on_hand(product) == Decimal("0.5")


async def test_a_unit_of_another_category_is_refused_naming_both_units(stock, env):
    product = await stock.product()
    receipt = await stock.transfer("in", [{"product": product.id, "demand": Decimal(1), "uom": await _uom(env, "kg")}])
    with pytest.raises(UserError, match="unit kg cannot be converted into the product's unit Units"):
        await receipt.action_confirm()


# -- lots asked on a move -------------------------------------------------------------------------
async def _bolts_in_two_lots(stock, env):
    bolts = await stock.product(tracking="lot")
    return bolts, await stock.receive_lots(bolts, {"L1": 3, "L2": 4})


async def test_a_delivery_asking_for_a_lot_reserves_only_that_lot(stock, env):
    bolts, lots = await _bolts_in_two_lots(stock, env)
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(2), "lot": lots["L2"]}])
    await delivery.action_validate()
    (move,) = await stock.moves(delivery)
    lines = await env["StockMoveLine"].with_fields("lot__name", "quantity").filter(move=move.id)
    assert [(ln.lot.name, ln.quantity) for ln in lines] == [("L2", Decimal(2))]  # not the older L1


async def _held(env, lots) -> dict[str, Decimal]:
    rows = await env.fetch(
        "SELECT l.name, sum(q.quantity) AS held FROM quant q JOIN lot l ON l.id = q.lot_id JOIN location loc "
        "ON loc.id = q.location_id WHERE loc.usage = 'internal' AND q.lot_id = ANY($1::bigint[]) GROUP BY l.name",
        list(lots.values()),
    )
    return {r["name"]: r["held"] for r in rows}


async def test_lots_picked_on_the_lines_before_reservation_are_the_ones_reserved_and_moved(stock, env):
    bolts, lots = await _bolts_in_two_lots(stock, env)  # L1: 3 (older), L2: 4
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(5), "lines": [
        ["N", {"lot": lots["L2"], "quantity": Decimal(4)}]]}])  # fmt: skip
    await delivery.action_assign()
    (move,) = await stock.moves(delivery)
    assert (move.state, move.reserved) == ("assigned", Decimal(5))
    lines = await env["StockMoveLine"].with_fields("lot__name", "quantity", "reserved").filter(move=move.id)
    assert sorted((ln.lot.name, ln.quantity, ln.reserved) for ln in lines) == [
        ("L1", Decimal(1), Decimal(1)),  # the rest of the demand, oldest lot
        ("L2", Decimal(4), Decimal(4)),  # the user's line, served from its lot
    ]
    await delivery.action_validate()
    assert await _held(env, lots) == {"L1": Decimal(2), "L2": Decimal(0)}


async def test_a_picked_lot_short_of_its_line_reserves_what_it_holds_and_no_other_lot_for_that_line(stock, env):
    bolts, lots = await _bolts_in_two_lots(stock, env)
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(4), "lines": [
        ["N", {"lot": lots["L1"], "quantity": Decimal(4)}]]}])  # fmt: skip
    await delivery.action_assign()
    (move,) = await stock.moves(delivery)
    assert (move.state, move.reserved) == ("partially_available", Decimal(3))  # L1 holds 3; L2 is not taken


async def test_a_lot_short_of_the_demand_is_partial_and_never_taken_from_another_lot(stock, env):
    bolts, lots = await _bolts_in_two_lots(stock, env)
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(5), "lot": lots["L1"]}])
    await delivery.action_assign()
    (move,) = await stock.moves(delivery)
    assert (move.state, move.reserved) == ("partially_available", Decimal(3))  # L2's 4 units are not taken


async def test_a_missing_lot_leaves_the_move_waiting_and_validation_names_the_lot(stock, env):
    bolts, _lots = await _bolts_in_two_lots(stock, env)
    empty = await env["Lot"].create(product=bolts.id, name="L-EMPTY")
    delivery = await stock.transfer("out", [{"product": bolts.id, "demand": Decimal(1), "lot": empty.id}])
    await delivery.action_assign()
    assert delivery.state == "confirmed"
    with pytest.raises(UserError, match=r"lot L-EMPTY of .* is not available"):
        await delivery.action_validate()


async def test_a_lot_of_another_product_is_refused(stock, env):
    _bolts, lots = await _bolts_in_two_lots(stock, env)
    other = await stock.product()
    delivery = await stock.transfer("out", [{"product": other.id, "demand": Decimal(1), "lot": lots["L1"]}])
    with pytest.raises(UserError, match="lot L1 is a lot of another product"):
        await delivery.action_confirm()


async def test_a_receipt_with_a_lot_on_the_move_receives_that_lot(stock, env):
    bolts = await stock.product(tracking="lot")
    lot = await env["Lot"].create(product=bolts.id, name="L-IN")
    await stock.receive(bolts, 4, lot=lot.id)
    stock_location = (await stock.warehouse()).stock_location.id
    quant = await env["Quant"].filter(product=bolts.id, lot=lot.id, location=stock_location).get()
    assert quant.quantity == Decimal(4)


# -- waiting another operation --------------------------------------------------------------------
async def _two_steps(stock, env, product, quantity):
    """Pick (WH/Stock -> Output) then ship (Output -> Customers), the shipment waiting for the pick."""
    wh = await stock.warehouse()
    output = await env["Location"].create(name="Output", parent=wh.view_location.id, usage="internal")
    pick = await stock.transfer("int", [{"product": product.id, "demand": Decimal(quantity)}],
                                destination=output.id)  # fmt: skip
    (pick_move,) = await stock.moves(pick)
    ship = await stock.transfer(
        "out", [{"product": product.id, "demand": Decimal(quantity), "move_orig": pick_move.id}], source=output.id
    )
    return pick, ship, output


async def test_a_move_waiting_for_another_waits_until_it_is_done_then_is_reserved(stock, env):
    product = await stock.product()
    await stock.receive(product, 5)
    pick, ship, output = await _two_steps(stock, env, product, 3)
    await ship.action_assign()
    (ship_move,) = await stock.moves(ship)
    assert (ship.state, ship_move.state, ship_move.reserved) == ("waiting", "waiting", Decimal(0))
    with pytest.raises(WrongState, match="waits for another operation"):
        await ship.action_validate()
    await pick.action_validate()
    await ship.refresh()
    (ship_move,) = await stock.moves(ship)
    assert (ship.state, ship_move.state, ship_move.reserved) == ("assigned", "assigned", Decimal(3))
    await ship.action_validate()
    assert await stock.on_hand(product) == Decimal(2)
    assert await stock.on_hand(product, output.id) == Decimal(0)


async def test_cancelling_the_operation_waited_for_frees_the_waiting_move(stock, env):
    product = await stock.product()
    pick, ship, _ = await _two_steps(stock, env, product, 1)
    await ship.action_confirm()
    assert ship.state == "waiting"
    await pick.action_cancel()
    await ship.refresh()
    assert ship.state == "confirmed"  # it waits for stock now, not for the pick
