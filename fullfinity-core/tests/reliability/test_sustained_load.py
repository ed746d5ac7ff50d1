"""Sustained load: 16 clients over two tenants whose contacts are under a record rule.

Zero errors, every read shows only the caller's own records, and the latencies are printed
(p50/p99, recorded in docs/benchmarks.md). The suite runs 5 s; the soak variant runs longer:
``FULLFINITY_SOAK_SECONDS=60 pytest tests/reliability/test_sustained_load.py -s``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections import Counter

from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant
from fullfinity.testing.auth import PASSWORD, add_user, login, on

SECONDS = float(os.environ.get("FULLFINITY_SOAK_SECONDS", "5"))


async def _tenant_with_rule(site, name: str | None) -> str:
    rt = site.runtime
    if name is None:
        name = f"soak-{uuid.uuid4().hex[:8]}"
        await create_tenant(rt.db, rt.catalog, name)
    async with tenant_env(name, runtime=rt) as env:
        admin = (await env["Group"].filter(name="Administrator").values("id"))[0]["id"]
        await env["RecordRule"].create(
            name="contacts: own ones", model="Contact", groups=[admin], rule="Q(create_uid__eq=uid)"
        )
    return name


async def test_sixteen_clients_over_two_tenants_with_record_rules_see_no_error(site):
    tenants = [await _tenant_with_rule(site, site.tenant), await _tenant_with_rule(site, None)]
    tokens: dict[tuple[str, int], tuple[int, str]] = {}
    for tenant in tenants:
        for who in range(2):
            email = f"soak{who}@example.test"
            uid = await add_user(site.runtime, tenant, email, PASSWORD, ["core_admin"])
            tokens[tenant, who] = (uid, (await login(site.client, tenant, email))["access_token"])
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    leaks: list[str] = []
    deadline = time.monotonic() + SECONDS

    async def client(i: int) -> None:
        tenant = tenants[i % 2]
        uid, token = tokens[tenant, (i // 2) % 2]
        headers = on(tenant, token)
        n = 0
        while time.monotonic() < deadline and n < 100_000:
            n += 1
            started = time.perf_counter()
            if n % 4 == 0:
                response = await site.client.post("/api/create/Contact", json={"name": f"c{i}-{n}"}, headers=headers)
            else:
                response = await site.client.get(
                    "/api/query/Contact?limit=20&fields=name,create_uid&order_by=id%20DESC", headers=headers
                )
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] += 1
            if response.status_code == 200 and n % 4:
                owners = {r["create_uid"] for r in response.json()["data"]}
                if owners - {uid}:
                    leaks.append(f"{tenant} uid {uid} saw records of {owners - {uid}}")

    await asyncio.gather(*(client(i) for i in range(16)))
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"\nsustained load, 16 clients, 2 tenants, record rules, {SECONDS:g} s: {len(latencies)} requests "
        f"({len(latencies) / SECONDS:.0f}/s), p50 {p50:.1f} ms, p99 {p99:.1f} ms, statuses {dict(statuses)}"
    )
    assert set(statuses) == {200}, dict(statuses)
    assert leaks == []
