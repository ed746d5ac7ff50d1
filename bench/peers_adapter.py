"""Fullfinity adapter for the peer benchmark harness (../shared/bench/peers).

Run from the harness folder, with fullfinity-core installed in the harness venv:

    VENV/bin/python run_all.py --adapter-file /path/to/repo/bench/peers_adapter.py \
        --peers raw_asyncpg,sqlalchemy_core,tortoise_orm,piccolo_orm --no-http

The adapter uses only the public ORM API (models, querysets, bulk_create, save, update,
group_by). It syncs its own schema (Fullfinity tables carry the automatic columns
created_date, updated_date, create_uid, write_uid), so a "full" read loads 4 more
columns than the canonical table of the other peers. Every unit of work of W4 checks a
connection out of Fullfinity's pool manager and builds a fresh environment, as a request
handler does. Reads of "all partners" run with ``active_test=False`` (the ``active``
convention would otherwise hide archived partners).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from adapters.base import BaseAdapter, pkg_versions
from common import W4_LIMIT, W4_QUERIES, W5_N, W6_N, ck_columns, ck_full, gen_countries

from fullfinity.engine.database.schema import sync_schema
from fullfinity.engine.db import PoolManager
from fullfinity.engine.env import Environment
from fullfinity.engine.records.registry import Registry

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the harness loads this file by its path
from partner_models import FULL, Country, Partner


class Adapter(BaseAdapter):
    label = "Fullfinity ORM"
    notes = (
        "Public ORM API; one pooled connection per unit of work (Fullfinity PoolManager), a fresh "
        "Environment each; W1 = bulk_create (ids reserved, then COPY); W2 = with_fields(name, email); "
        "W3 = full records (12 columns incl. automatic ones); W4 = filter(active=True, "
        "name__icontains='ab').order_by('name')[:80]; W6 = save() per record; W6b = queryset.update(); "
        "W5 = with_fields(<the 7 canonical fields>, 'country__name') (one statement, a LEFT JOIN); "
        "W7 = group_by(country, credit_limit:sum) (+1 query for the countries' display names)."
    )
    uses_common_schema = False
    table = "partner"
    reset_sql = "TRUNCATE partner RESTART IDENTITY"

    async def setup(self, conn):
        self.dsn = conn.uri
        self.registry = Registry.from_models(Country, Partner)
        self.pools = PoolManager(budget=4, pool_size=2)
        async with self.unit() as env:
            await env.execute("DROP TABLE IF EXISTS partner, country")
            await sync_schema(env, self.registry)
            await Country.bulk_create(gen_countries())

    @contextlib.asynccontextmanager
    async def unit(self, *, transaction: bool = True) -> AsyncIterator[Environment]:
        """One unit of work: pooled connection, environment, optional transaction."""
        async with self.pools.connection("default", "bench", self.dsn) as conn:
            env = Environment(tenant="bench", registry=self.registry, conn=conn, context={"active_test": False})
            with env.bind():
                if transaction:
                    async with conn.transaction():
                        yield env
                else:
                    yield env

    def versions(self):
        return pkg_versions("fullfinity-core", "asyncpg")

    async def w1_insert(self, rows):
        # The harness names the foreign key column "country_id"; the Fullfinity field is "country".
        values = [{**row, "country": row["country_id"]} for row in rows]
        for value in values:
            del value["country_id"]
        async with self.unit():
            created = await Partner.bulk_create(values)
        return len(created)

    async def w2_read_columns(self):
        async with self.unit(transaction=False):
            partners = await Partner.with_fields("name", "email").order_by()
        return sum(ck_columns(p.name, p.email) for p in partners)

    async def w3_read_full(self):
        async with self.unit(transaction=False):
            partners = await Partner.filter().order_by()
        return sum(ck_full(p.name, p.email, p.phone, p.active, p.credit_limit, p.notes, p.country) for p in partners)

    async def w3_read_full_dicts(self):
        async with self.unit(transaction=False):
            rows = await Partner.filter().order_by().values(*FULL)
        return sum(
            ck_full(r["name"], r["email"], r["phone"], r["active"], r["credit_limit"], r["notes"], r["country"])
            for r in rows
        )

    async def w4_filter(self):
        total = 0
        for _ in range(W4_QUERIES):
            async with self.unit(transaction=False):
                partners = await Partner.filter(active=True, name__icontains="ab").order_by("name")[:W4_LIMIT]
            total += sum(
                ck_full(p.name, p.email, p.phone, p.active, p.credit_limit, p.notes, p.country) for p in partners
            )
        return total

    async def w5_related(self):
        async with self.unit(transaction=False):
            partners = await Partner.with_fields(*FULL, "country__name").order_by("id")[:W5_N]
        return sum(len(p.country.name) for p in partners)

    async def w6_update_each(self):
        n = 0
        async with self.unit():
            partners = await Partner.with_fields("credit_limit").order_by("id")[:W6_N]
            for partner in partners:
                partner.credit_limit = partner.credit_limit + 1.0
                await partner.save()
                n += 1
        return n

    async def w6b_update_bulk(self):
        async with self.unit():
            await Partner.filter(id__lte=self.cutoff).update(credit_limit=500.0)
        return W6_N

    async def w7_aggregate(self):
        async with self.unit(transaction=False):
            groups = await Partner.filter().group_by("country", aggregates=["credit_limit:sum"])
        return (len(groups), sum(g["__count"] for g in groups), round(sum(g["credit_limit:sum"] for g in groups)))

    async def teardown(self):
        await self.pools.close_all()
