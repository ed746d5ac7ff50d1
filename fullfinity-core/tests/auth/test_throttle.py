"""Login throttling: per account after repeated failures, per client address per minute."""

from __future__ import annotations

from fullfinity.testing.auth import PASSWORD, Probe, on


async def attempt(client, tenant: str, email: str, password: str = "wrong password"):
    return await client.post("/auth/authenticate", json={"email": email, "password": password}, headers=on(tenant))


async def test_an_account_locks_after_the_allowed_failures_with_429_and_retry_after(make_client, world, fresh_user):
    client = await make_client(plugins=[Probe()], login_max_failures=3, login_lock_seconds=600)
    email = await fresh_user()
    statuses = [(await attempt(client, world.tenant, email)).status_code for _ in range(3)]

    locked = await attempt(client, world.tenant, email, PASSWORD)

    assert statuses == [401, 401, 401]
    assert locked.status_code == 429 and locked.json()["error"]["type"] == "RateLimited"
    assert 590 <= int(locked.headers["retry-after"]) <= 600


async def test_a_locked_account_does_not_lock_other_accounts(make_client, world, fresh_user):
    client = await make_client(plugins=[Probe()], login_max_failures=2)
    email = await fresh_user()
    for _ in range(2):
        await attempt(client, world.tenant, email)

    assert (await attempt(client, world.tenant, "ann@example.test", PASSWORD)).status_code == 200


async def test_unknown_emails_lock_like_real_ones_so_a_lock_reveals_nothing(make_client, world):
    client = await make_client(plugins=[Probe()], login_max_failures=2)
    for _ in range(2):
        await attempt(client, world.tenant, "ghost@example.test")

    assert (await attempt(client, world.tenant, "ghost@example.test")).status_code == 429


async def test_a_successful_login_clears_the_failure_count(make_client, world, fresh_user):
    client = await make_client(plugins=[Probe()], login_max_failures=3)
    email = await fresh_user()
    for _ in range(2):
        await attempt(client, world.tenant, email)
    assert (await attempt(client, world.tenant, email, PASSWORD)).status_code == 200

    statuses = [(await attempt(client, world.tenant, email)).status_code for _ in range(2)]

    assert statuses == [401, 401]


async def test_attempts_from_one_address_are_limited_per_minute_across_accounts(make_client, world):
    client = await make_client(plugins=[Probe()], login_ip_rate=3)
    emails = ["a@example.test", "b@example.test", "c@example.test", "ann@example.test"]
    statuses = [(await attempt(client, world.tenant, e, PASSWORD)).status_code for e in emails]

    assert statuses == [401, 401, 401, 429]
    refresh = await client.post("/auth/refresh", json={"refresh_token": "x"}, headers=on(world.tenant))
    assert refresh.status_code == 429 and 1 <= int(refresh.headers["retry-after"]) <= 60
