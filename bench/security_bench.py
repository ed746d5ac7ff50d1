"""Record rules cost: a filtered page of 10,000 records as a user under two rules vs elevated.

    python bench/security_bench.py

The user holds one group with a group rule (own records or team records) and there is one
global rule (archived teams hidden); the query is `name__icontains` + order + limit 80, the
shape of a list view. Prints the median of each and their ratio (target: <= 1.2).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator

from _server import bench_database

from fullfinity.engine.base import Boolean, Char, ManyToOne, Model
from fullfinity.engine.cache import create_cache
from fullfinity.engine.env import Environment
from fullfinity.engine.records.identifiers import ensure_table
from fullfinity.modules.core.models.access import ModelAccess, RecordRule
from fullfinity.modules.core.models.contact import Company, Contact
from fullfinity.modules.core.models.currency import Country, Currency
from fullfinity.modules.core.models.group import Group
from fullfinity.modules.core.models.user import User
from fullfinity.testing.orm import connect, env_on, registry_on

N, QUERIES = 10_000, 200


class BsTeam(Model):
    name = Char(required=True)
    active = Boolean(default=True)


class BsLead(Model):
    name = Char(required=True)
    owner = ManyToOne("User")
    team = ManyToOne("BsTeam")


async def main() -> None:
    async with bench_database() as dsn:
        registry = await registry_on(
            dsn, Group, User, ModelAccess, RecordRule, Company, Contact, Currency, Country, BsTeam, BsLead
        )
        setup = await connect(dsn)
        await ensure_table(setup)
        await setup.close()
        async with env_on(dsn, registry, commit=True):
            sales = await Group.create(name="Sales")
            users = await User.bulk_create(
                [{"name": f"u{i}", "email": f"u{i}@x.test", "groups": None} for i in range(20)]
            )
            for user in users:
                user.groups = [sales.id]
                await user.save()
            teams = await BsTeam.bulk_create([{"name": f"team{i}"} for i in range(50)])
            await BsLead.bulk_create(
                [
                    {"name": f"lead {i} ab{i % 97}", "owner": users.ids[i % 20], "team": teams.ids[i % 50]}
                    for i in range(N)
                ]
            )
            await ModelAccess.create(name="leads", model="BsLead", group=sales, read_perm=True)
            await ModelAccess.create(name="teams", model="BsTeam", group=sales, read_perm=True)
            await RecordRule.create(
                name="own or team 0-9",
                model="BsLead",
                groups=[sales.id],
                rule="Q(owner__id__eq=uid) | Q(team__name__startswith='team1')",
            )
            await RecordRule.create(name="active teams only", model="BsLead", rule="Q(team__active=True)")
        conn = await connect(dsn)
        uid = users.ids[0]

        cache = create_cache(None)  # the in-process cache a single worker uses

        @contextlib.asynccontextmanager
        async def unit(user: int | None) -> AsyncIterator[Environment]:
            """As a request: a fresh environment; the user's access profile comes from the cache."""
            env = Environment(tenant="bench", registry=registry, conn=conn, uid=user, cache=cache)
            with env.bind():
                await env.load_access()
                yield env

        async def page(user: int | None) -> int:
            total = 0
            for _ in range(QUERIES):
                async with unit(user):
                    rows = await BsLead.filter(name__icontains="ab1").order_by("name")[:80]
                    total += len(rows)
            return total

        results = {}
        for label, user in (("elevated", None), ("user, 2 rules", uid)) * 2:
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                count = await page(user)
                samples.append((time.perf_counter() - start) * 1000 / QUERIES)
            results[label] = (statistics.median(samples), count)
        await conn.close()
    elevated, user_ms = results["elevated"][0], results["user, 2 rules"][0]
    print("| run | ms per query (median) | rows per page |")
    print("|---|---:|---:|")
    for label, (ms, count) in results.items():
        print(f"| {label} | {ms:.3f} | {count // QUERIES} |")
    print(f"\nratio user / elevated: {user_ms / elevated:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
