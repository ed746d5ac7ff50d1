"""The "Lots & serial numbers" setting: off, tracking is ignored by the stock operations and the
screens hide lots for everybody; on again, tracked products ask their lots as before."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import pytest_asyncio

from fullfinity.engine.base import UserError
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD, add_user, login, on


async def _set_lots(env, value: bool) -> None:
    config = await env["Configuration"].filter().first()
    config.inventory_lots = value
    await config.save()


async def _lots_implied_by_users(env) -> bool:
    return bool(
        await env.fetchval(
            "SELECT EXISTS (SELECT 1 FROM group__implied_groups g "
            "JOIN ff_identifier s ON s.model = 'Group' AND s.res_id = g.source_id AND s.identifier = 'inventory_user' "
            "JOIN ff_identifier t ON t.model = 'Group' AND t.res_id = g.target_id AND t.identifier = 'inventory_lots')"
        )
    )


# -- the stock operations -----------------------------------------------------------------------------
async def test_on_install_the_setting_is_on_and_inventory_users_get_the_lots_group(env):
    config = await env["Configuration"].filter().first()
    assert config.inventory_lots is True
    assert await _lots_implied_by_users(env)


async def test_with_the_setting_on_a_lot_tracked_receipt_asks_for_its_lot(stock):
    bolts = await stock.product(tracking="lot")
    receipt = await stock.transfer("in", [{"product": bolts.id, "demand": Decimal(3)}])
    with pytest.raises(UserError, match="tracked by lots"):
        await receipt.action_validate()


async def test_with_the_setting_off_tracked_products_move_without_lots_or_serials(stock, env):
    await _set_lots(env, False)
    assert not await _lots_implied_by_users(env)
    bolts = await stock.product(tracking="lot")
    phones = await stock.product(tracking="serial")
    await stock.receive(bolts, 3)
    await stock.receive(phones, 5)  # five units on one line, no serial numbers
    assert (await stock.on_hand(bolts), await stock.on_hand(phones)) == (Decimal(3), Decimal(5))
    delivery = await stock.transfer("out", [{"product": phones.id, "demand": Decimal(2)}])
    await delivery.action_validate()
    assert await stock.on_hand(phones) == Decimal(3)
    assert await env.fetchval("SELECT count(*) FROM quant WHERE lot_id IS NOT NULL") == 0


async def test_turning_the_setting_on_again_makes_tracking_apply_to_what_moves_next(stock, env):
    await _set_lots(env, False)
    phones = await stock.product(tracking="serial")
    await stock.receive(phones, 2)
    await _set_lots(env, True)
    assert await _lots_implied_by_users(env)
    receipt = await stock.transfer("in", [{"product": phones.id, "demand": Decimal(2)}])
    with pytest.raises(UserError, match="tracked by serial numbers"):
        await receipt.action_validate()
    assert await stock.on_hand(phones) == Decimal(2)  # the stock received meanwhile stays as it is


# -- the screens, over HTTP -----------------------------------------------------------------------------
@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def user_email(ff_runtime, tenant):
    email = f"lots-{uuid.uuid4().hex[:6]}@example.test"
    await add_user(ff_runtime, tenant.name, email, PASSWORD, ["inventory_user"])
    return email


async def _screens(client, h) -> tuple[str, str, set[str]]:
    transfer = await client.get("/api/views/Transfer", params={"type": "Form"}, headers=h)
    product = await client.get("/api/views/Product", params={"type": "Form"}, headers=h)
    menus = await client.get("/api/menus", headers=h)
    assert transfer.status_code == product.status_code == menus.status_code == 200, (transfer.text, menus.text)

    def identifiers(items):
        for item in items:
            yield item["identifier"]
            yield from identifiers(item.get("children") or [])

    return transfer.text, product.text, set(identifiers(menus.json()["data"]))


async def test_with_the_setting_off_an_inventory_user_sees_no_lot_field_tracking_or_lots_menu(
    ff_client, ff_runtime, tenant, user_email
):
    h = on(tenant.name, (await login(ff_client, tenant.name, user_email))["access_token"])  # one session throughout
    transfer, product, menus = await _screens(ff_client, h)
    assert '"lot"' in transfer and '"tracking"' in product and "inventory_lots_menu" in menus
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        await _set_lots(env, False)
    try:
        transfer, product, menus = await _screens(ff_client, h)
        assert '"lot"' not in transfer and '"tracking"' not in product and "inventory_lots_menu" not in menus
        assert '"demand"' in transfer and '"storable"' in product and "inventory_transfers_menu" in menus
    finally:
        async with tenant_env(tenant.name, runtime=ff_runtime) as env:
            await _set_lots(env, True)
    transfer, product, menus = await _screens(ff_client, h)
    assert '"lot"' in transfer and '"tracking"' in product and "inventory_lots_menu" in menus
