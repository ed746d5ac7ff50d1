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


# -- RateLimit: the fixed-window counter behind the address budget, for other public endpoints ---------


class _Clock:
    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_a_rate_limit_refuses_past_its_limit_per_scope_and_key_until_the_window_passes():
    import pytest

    from fullfinity.auth.throttle import RateLimit
    from fullfinity.engine.cache import LocalCache
    from fullfinity.exceptions import RateLimited

    clock = _Clock()
    limit = RateLimit(LocalCache(), "form", window=60, clock=clock)
    for _ in range(2):
        await limit.hit("acme", "10.0.0.1", 2)
    await limit.hit("acme", "10.0.0.2", 2)  # another address
    await limit.hit("globex", "10.0.0.1", 2)  # another tenant
    clock.now += 15
    with pytest.raises(RateLimited) as refused:
        await limit.hit("acme", "10.0.0.1", 2, what="form posts")

    assert refused.value.retry_after == 45
    assert "Too many form posts from your address (2 per minute" in str(refused.value)
    clock.now += 46
    await limit.hit("acme", "10.0.0.1", 2)


def test_rate_limit_gives_one_limiter_per_cache_and_name():
    from fullfinity.auth.throttle import rate_limit
    from fullfinity.engine.cache import LocalCache

    cache = LocalCache()

    assert rate_limit(cache, "form") is rate_limit(cache, "form")
    assert rate_limit(cache, "form") is not rate_limit(cache, "other")
    assert rate_limit(LocalCache(), "form") is not rate_limit(cache, "form")
