"""Database faults inside one request: lost connections and transaction conflicts.

- a read whose connection is lost is run again once, on a fresh connection: the client sees 200;
- a write whose connection is lost answers 503 with Retry-After (never retried: it may be half-way);
- the broken connection is never handed out again;
- a deadlock rolls the request back and runs it again (FULLFINITY_DB_CONFLICT_RETRIES), and once
  the retries are spent answers 503, never 500.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest_asyncio
from fastapi import APIRouter
from tests.reliability.conftest import running_site

from fullfinity.plugins import hookimpl
from fullfinity.web.request_env import InternalEnv, UserReadEnv

KILL_OWN_BACKEND = "SELECT pg_terminate_backend(pg_backend_pid())"


class FaultRoutes:
    """Routes that break their own connection or deadlock with each other, counting their runs."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()

    @hookimpl
    def fullfinity_register_routers(self) -> APIRouter:
        router = APIRouter(prefix="/faults")

        @router.get("/read")
        async def read(env: UserReadEnv) -> dict[str, int]:
            self.runs["read"] += 1
            if self.runs["read"] % 2 == 1:  # every other run
                await env.conn.fetchval(KILL_OWN_BACKEND)  # the server ends this session mid-request
            return {"pid": await env.conn.fetchval("SELECT pg_backend_pid()")}

        @router.post("/write")
        async def write(env: InternalEnv) -> dict[str, bool]:
            self.runs["write"] += 1
            await env["Contact"].create(name="half-way")
            await env.conn.fetchval(KILL_OWN_BACKEND)
            return {"ok": True}

        @router.post("/swap/{first}/{second}")
        async def swap(first: int, second: int, env: InternalEnv) -> dict[str, bool]:
            self.runs["swap"] += 1
            await env.conn.execute("UPDATE contact SET phone = 'first' WHERE id = $1", first)
            await asyncio.sleep(0.3)  # both requests hold their first row now
            await env.conn.execute("UPDATE contact SET phone = 'second' WHERE id = $1", second)
            return {"ok": True}

        return router


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def faulty(rel_settings):
    routes = FaultRoutes()
    async with running_site(rel_settings, plugins=[routes]) as site:
        site.routes = routes
        yield site


async def test_a_read_whose_connection_is_lost_runs_again_once_on_a_fresh_connection(faulty):
    before = faulty.routes.runs["read"]
    response = await faulty.client.get("/faults/read", headers=faulty.headers)
    assert response.status_code == 200, response.text
    assert faulty.routes.runs["read"] - before == 2
    again = await faulty.client.get("/faults/read", headers=faulty.headers)
    assert again.status_code == 200 and faulty.routes.runs["read"] - before == 4  # fresh connections again


async def test_a_write_whose_connection_is_lost_answers_503_with_retry_after_and_leaves_nothing(faulty):
    before = faulty.routes.runs["write"]
    response = await faulty.client.post("/faults/write", headers=faulty.headers)
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    error = response.json()["error"]
    assert error["type"] == "ServiceUnavailable" and "connection was lost" in error["message"]
    assert faulty.routes.runs["write"] - before == 1
    info = await faulty.runtime.catalog.get(faulty.tenant)
    async with faulty.runtime.db.connection(info.server, info.database) as conn:
        assert await conn.fetchval("SELECT count(*) FROM contact WHERE name = 'half-way'") == 0


async def _two_contacts(site) -> tuple[int, int]:
    ids = []
    for name in ("left", "right"):
        response = await site.client.post("/api/create/Contact", json={"name": name}, headers=site.headers)
        ids.append(response.json()["id"])
    return ids[0], ids[1]


async def test_a_deadlock_runs_the_request_again_and_both_requests_succeed(faulty):
    a, b = await _two_contacts(faulty)
    before = faulty.routes.runs["swap"]
    one, two = await asyncio.gather(
        faulty.client.post(f"/faults/swap/{a}/{b}", headers=faulty.headers),
        faulty.client.post(f"/faults/swap/{b}/{a}", headers=faulty.headers),
    )
    assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
    assert faulty.routes.runs["swap"] - before == 3  # PostgreSQL chose one victim, run a second time


async def test_a_deadlock_with_no_retries_left_answers_503_never_500(rel_settings):
    routes = FaultRoutes()
    async with running_site(rel_settings, plugins=[routes], db_conflict_retries=0) as site:
        a, b = await _two_contacts(site)
        answers = await asyncio.gather(
            site.client.post(f"/faults/swap/{a}/{b}", headers=site.headers),
            site.client.post(f"/faults/swap/{b}/{a}", headers=site.headers),
        )
    assert sorted(r.status_code for r in answers) == [200, 503]
    refused = next(r for r in answers if r.status_code == 503)
    assert refused.json()["error"]["type"] == "ServiceUnavailable" and "deadlock" in refused.json()["error"]["message"]
    assert refused.headers["retry-after"] == "1"


async def test_sixteen_concurrent_updates_with_the_same_updated_date_one_wins_the_others_get_409(faulty):
    created = await faulty.client.post("/api/create/Contact", json={"name": "Contested"}, headers=faulty.headers)
    record = created.json()
    answers = await asyncio.gather(
        *(
            faulty.client.put(
                f"/api/update/Contact/{record['id']}",
                json={"phone": f"+{i}", "updated_date": record["updated_date"]},
                headers=faulty.headers,
            )
            for i in range(16)
        )
    )
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: 1, 409: 15}, dict(statuses)
    winner = next(answer.json() for answer in answers if answer.status_code == 200)
    assert {answer.json()["error"]["type"] for answer in answers if answer.status_code == 409} == {"ConcurrencyError"}
    stored = await faulty.client.post(
        f"/api/fetch/Contact/{record['id']}", json={"fields": ["phone"]}, headers=faulty.headers
    )
    assert stored.json()["phone"] == winner["phone"]
