"""The workflow over HTTP: an inventory user receives, reserves, delivers, returns and adjusts; the
access rules hold (users cannot configure warehouses or write quants; others cannot move stock)."""

from __future__ import annotations

import uuid

import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD, add_user, login, on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(ff_runtime, tenant):
    token = uuid.uuid4().hex[:6]
    emails = {kind: f"{kind}-{token}@example.test" for kind in ("user", "manager", "outsider")}
    await add_user(ff_runtime, tenant.name, emails["user"], PASSWORD, ["inventory_user"])
    await add_user(ff_runtime, tenant.name, emails["manager"], PASSWORD, ["inventory_manager"])
    await add_user(ff_runtime, tenant.name, emails["outsider"], PASSWORD, ["core_internal"])
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        wh = await env["Warehouse"].filter(code="WH").get()
        product = await env["Product"].create(name=f"Crate {token}", storable=True, cost="4.00")
        ids = {
            "product": product.id,
            "receipt_type": wh.receipt_type.id,
            "delivery_type": wh.delivery_type.id,
            "stock": wh.stock_location.id,
        }
    return {"emails": emails, **ids}


async def _headers(client, tenant, email):
    return on(tenant.name, (await login(client, tenant.name, email))["access_token"])


async def _execute(client, h, model, method, ids, **kwargs):
    return await client.post(f"/api/execute/{model}/{method}", json={"ids": ids, "kwargs": kwargs}, headers=h)


async def _transfer(client, h, world, kind, quantity):
    body = {
        "operation_type": world["receipt_type" if kind == "in" else "delivery_type"],
        "moves": [["N", {"product": world["product"], "demand": str(quantity)}]],
    }
    created = await client.post("/api/create/Transfer", json=body, headers=h)
    assert created.status_code == 200, created.text
    return created.json()["id"]


async def _on_hand(client, h, world):
    read = await client.post(f"/api/fetch/Product/{world['product']}", json={"fields": ["qty_on_hand"]}, headers=h)
    assert read.status_code == 200, read.text
    return read.json()["qty_on_hand"]


async def test_an_inventory_user_receives_reserves_delivers_returns_and_adjusts_over_the_api(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["emails"]["user"])
    receipt = await _transfer(ff_client, h, world, "in", 10)
    answer = await _execute(ff_client, h, "Transfer", "action_validate", [receipt])
    assert answer.status_code == 200, answer.text
    assert float(await _on_hand(ff_client, h, world)) == 10

    delivery = await _transfer(ff_client, h, world, "out", 4)
    assert (await _execute(ff_client, h, "Transfer", "action_assign", [delivery])).status_code == 200
    read = (await ff_client.post(f"/api/fetch/Transfer/{delivery}", json={"fields": ["state"]}, headers=h)).json()
    assert read["state"] == "assigned"
    assert (await _execute(ff_client, h, "Transfer", "action_validate", [delivery])).status_code == 200
    assert float(await _on_hand(ff_client, h, world)) == 6

    returned = await _execute(ff_client, h, "Transfer", "action_return", [delivery])
    assert returned.status_code == 200, returned.text
    back = returned.json()["result"]["res_id"]
    assert (await _execute(ff_client, h, "Transfer", "action_validate", [back])).status_code == 200
    assert float(await _on_hand(ff_client, h, world)) == 10

    adjustment = await ff_client.post(
        "/api/create/InventoryAdjustment",
        json={"location": world["stock"], "lines": [["N", {"product": world["product"], "counted": "8"}]]},
        headers=h,
    )
    assert adjustment.status_code == 200, adjustment.text
    applied = await _execute(ff_client, h, "InventoryAdjustment", "action_apply", [adjustment.json()["id"]])
    assert applied.status_code == 200, applied.text
    assert float(await _on_hand(ff_client, h, world)) == 8


async def test_a_short_validation_over_the_api_answers_with_the_backorder_wizard(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["emails"]["user"])
    delivery = await _transfer(ff_client, h, world, "out", 1000)
    answer = await _execute(ff_client, h, "Transfer", "action_validate", [delivery])
    assert answer.status_code == 200, answer.text
    assert "BackorderWizard" in answer.text


async def test_delivering_more_than_the_stock_is_a_4xx_naming_the_product_and_nothing_moves(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["emails"]["user"])
    before = await _on_hand(ff_client, h, world)
    delivery = await _transfer(ff_client, h, world, "out", 5000)
    moves = (await ff_client.post(f"/api/fetch/Transfer/{delivery}", json={"fields": ["moves"]}, headers=h)).json()
    move = moves["moves"][0]
    move_id = move["id"] if isinstance(move, dict) else move
    assert (
        await ff_client.put(f"/api/update/StockMove/{move_id}", json={"quantity": "5000"}, headers=h)
    ).status_code == 200
    answer = await _execute(ff_client, h, "Transfer", "action_validate", [delivery], backorder=False)
    assert 400 <= answer.status_code < 500, answer.text
    assert "Not enough" in answer.text
    assert await _on_hand(ff_client, h, world) == before


async def test_users_cannot_configure_warehouses_or_write_quants_managers_can(ff_client, tenant, world):
    user = await _headers(ff_client, tenant, world["emails"]["user"])
    manager = await _headers(ff_client, tenant, world["emails"]["manager"])
    body = {"name": "Annex", "code": f"A{uuid.uuid4().hex[:4]}"}
    assert (await ff_client.post("/api/create/Warehouse", json=body, headers=user)).status_code == 403
    assert (await ff_client.post("/api/create/Warehouse", json=body, headers=manager)).status_code == 200
    quants = await ff_client.post("/api/query/Quant", json={"fields": ["quantity"], "limit": 1}, headers=user)
    assert quants.status_code == 200 and quants.json()["data"], quants.text
    quant = quants.json()["data"][0]["id"]
    answer = await ff_client.put(f"/api/update/Quant/{quant}", json={"quantity": "99"}, headers=manager)
    assert 400 <= answer.status_code < 500, answer.text


async def test_a_user_without_inventory_rights_cannot_move_stock(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["emails"]["outsider"])
    answer = await ff_client.post(
        "/api/create/Transfer",
        json={"operation_type": world["receipt_type"], "moves": [["N", {"product": world["product"], "demand": "1"}]]},
        headers=h,
    )
    assert answer.status_code == 403, answer.text
