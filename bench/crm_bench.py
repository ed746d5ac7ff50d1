"""The CRM at 100,000 leads (issue 16): the pipeline query, the batch recompute of automatic
probabilities, and the public lead-capture route.

    /path/to/venv/bin/python bench/crm_bench.py [--leads 100000] [--duration 10] [--connections 16]

Starts a throwaway embedded PostgreSQL (or uses FULLFINITY_BENCH_DATABASE_URL), creates a tenant
with the crm module, six stages, three teams, ten salespeople and ``--leads`` leads written in one
SQL statement (60 % open opportunities, 10 % leads, 15 % won, 15 % lost, a third tagged), then:

1. **Pipeline query**, as the Kanban board asks for it: the open and closed opportunities grouped
   by stage with their count and the sum of their expected revenue, through the public queryset
   API (``CrmLead.filter(...).group_by("stage", aggregates=[...])``), elevated and as a
   ``crm_user_all`` salesperson (fresh environment per query, access profile from the cache),
   against the same aggregate in raw asyncpg (one pooled connection, one transaction per query,
   stage names joined as the board shows them). Median of 40, the three interleaved. Target: ratio <= 1.5.
2. **Batch recompute**: ``CrmLead.recompute_probabilities()`` (rebuild the won/lost history, give
   every open lead its probability, one UPDATE), once with every open lead changing and once with
   nothing left to change. Target: under 5 s.
3. **Lead route**: ``POST /crm/lead`` (a JSON form post: validation, throttle counter, one lead
   created in its own transaction) under uvicorn, loaded with wrk, against the bare FastAPI +
   asyncpg endpoint of bench/api_bench.py (``_bare_api.py``: 80 rows of ``bench_ticket``, a table
   the script creates for it). Target: >= 0.5x. Also core's ``POST /api/create/Contact`` (an
   administrator creating a one-field contact): what any write request costs on the platform.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from api_bench import free_port, measured_wrk, start, wrk

BENCH = Path(__file__).resolve().parent
# Grouped first, then the stage names joined, the type as a parameter (what a careful
# hand-written query does).
PIPELINE_SQL = """
SELECT s.id, s.name, g.n, g.expected
FROM (SELECT stage_id, count(*) AS n, sum(expected_revenue) AS expected FROM crm_lead
      WHERE active AND lead_type = $1 GROUP BY stage_id) g
JOIN crm_stage s ON s.id = g.stage_id
ORDER BY s.name
"""
LEAD_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"name": "Bench Visitor", "email": "visitor@bench.example", "company": "Bench", "message": "Hello"}'
wrk.headers["Content-Type"] = "application/json"
"""
# The floor of any write request: core's generic create of a small record (a Contact).
CREATE_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"name": "Bench Contact"}'
wrk.headers["Content-Type"] = "application/json"
"""


async def seed(env: Any, leads: int) -> dict[str, Any]:
    """Stages, teams, salespeople, tags and ``leads`` leads (one INSERT ... SELECT generate_series)."""
    stage = env["CrmStage"]
    await stage.create(name="Technical review", sequence=3)
    await stage.create(name="Negotiation", sequence=4)
    stages = list(await stage.filter().order_by("sequence ASC"))
    open_ids = [s.id for s in stages if not s.is_won]
    won_id = next(s.id for s in stages if s.is_won)
    teams = [t.id for t in await env["CrmTeam"].bulk_create([{"name": f"Team {i}"} for i in range(2)])]
    teams += [(await env["CrmTeam"].filter(name="Sales").get()).id]
    tags = [t.id for t in await env["CrmTag"].bulk_create([{"name": f"tag {i}"} for i in range(5)])]
    users = await env.fetch('SELECT id FROM "user" WHERE email LIKE $1 ORDER BY id', "%@bench.example")
    sellers = [r["id"] for r in users]
    await env.execute(
        """
        INSERT INTO crm_lead (name, lead_type, stage_id, team_id, salesperson_id, probability, automated_probability,
            is_automated_probability, expected_revenue, prorated_revenue, active, won_status, priority, date_deadline,
            date_closed, date_last_stage_update, email, email_normalized, email_domain, company_name, company_key)
        SELECT 'Lead ' || g,
               CASE WHEN g % 20 IN (6, 7) THEN 'lead' ELSE 'opportunity' END,
               CASE WHEN g % 20 IN (0, 1, 2) THEN $1 ELSE ($2::bigint[])[1 + (g / 7) % array_length($2, 1)] END,
               ($3::bigint[])[1 + g % array_length($3, 1)],
               ($4::bigint[])[1 + g % array_length($4, 1)],
               p.prob, p.prob, true, (g % 97) * 100 + 500, round(((g % 97) * 100 + 500) * p.prob / 100, 2),
               g % 20 NOT IN (3, 4, 5),
               CASE WHEN g % 20 IN (0, 1, 2) THEN 'won' WHEN g % 20 IN (3, 4, 5) THEN 'lost' ELSE 'pending' END,
               (g % 4)::text, current_date + (g % 180 - 30),
               CASE WHEN g % 20 IN (0, 1, 2, 3, 4, 5) THEN now() - interval '1 day' * (g % 300) END,
               now(), 'buyer' || g || '@company' || (g % 5000) || '.example', 'buyer' || g || '@company' || (g % 5000)
               || '.example', 'company' || (g % 5000) || '.example', 'Company ' || (g % 5000), 'company ' || (g % 5000)
        FROM generate_series(1, $5) AS g,
             LATERAL (SELECT CASE WHEN g % 20 IN (0, 1, 2) THEN 100.0 WHEN g % 20 IN (3, 4, 5) THEN 0.0
                                  ELSE 25.0 END AS prob) p
        """,
        won_id,
        open_ids,
        teams,
        sellers,
        leads,
    )
    await env.execute(
        "INSERT INTO crm_lead__tags (source_id, target_id) "
        "SELECT id, ($1::bigint[])[1 + id % 5] FROM crm_lead WHERE id % 3 = 0",
        tags,
    )
    await env.execute("ANALYZE crm_lead")
    config = await env["Configuration"].filter().first()
    config.crm_lead_capture_rate = 1_000_000_000  # the load generator is one address
    await config.save()
    # The table of bench/api_bench.py's bare endpoint: 1,000 rows, 80 of them owned by the user.
    await env.execute("CREATE TABLE bench_ticket (id bigint PRIMARY KEY, name text, priority text, hours float8, "
                      "owner_id bigint)")  # fmt: skip
    await env.execute(
        "INSERT INTO bench_ticket SELECT g, 'Ticket ' || g, (ARRAY['low', 'normal', 'urgent'])[1 + g % 3], g / 4.0, "
        "CASE WHEN g % 12 = 0 AND g < 960 THEN $1 ELSE 0 END FROM generate_series(0, 999) g",
        sellers[0],
    )
    return {"sellers": sellers}


async def measure(tenant: str, leads: int) -> dict[str, Any]:
    import asyncpg

    from fullfinity.engine.env import Environment
    from fullfinity.runtime import Runtime
    from fullfinity.scripting import registry_for_tenant, tenant_env
    from fullfinity.settings import get_settings
    from fullfinity.tenancy.service import create_tenant
    from fullfinity.testing.auth import PASSWORD, add_user

    runtime = Runtime(settings=get_settings())
    runtime.start()
    out: dict[str, Any] = {}
    try:
        await runtime.catalog.ensure()
        info = await create_tenant(runtime.db, runtime.catalog, tenant, modules=["crm"])
        uid = await add_user(runtime, tenant, "all@bench.example", PASSWORD, ["crm_user_all"])
        await add_user(runtime, tenant, "admin@bench.example", PASSWORD, ["core_admin"])
        out["password"] = PASSWORD
        for i in range(9):
            await add_user(runtime, tenant, f"seller{i}@bench.example", PASSWORD, ["crm_user"])
        t0 = time.perf_counter()
        async with tenant_env(tenant, runtime=runtime) as env:
            seeded = await seed(env, leads)
        out["seed_s"] = time.perf_counter() - t0
        out["bare_uid"] = seeded["sellers"][0]
        out["dsn"] = runtime.db.dsn(info.server, info.database)

        for label, reset in (("every open lead changes", True), ("nothing to change", False)):
            async with tenant_env(tenant, runtime=runtime) as env:
                if reset:
                    await env.execute("UPDATE crm_lead SET automated_probability = NULL WHERE won_status = 'pending'")
            async with tenant_env(tenant, runtime=runtime) as env:
                t0 = time.perf_counter()
                result = await env["CrmLead"].recompute_probabilities()
                out[f"recompute: {label}"] = (time.perf_counter() - t0, result["updated"])

        registry = await registry_for_tenant(runtime, info)
        dsn = runtime.db.dsn(info.server, info.database)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)

        async def raw() -> list[tuple[Any, ...]]:
            async with pool.acquire() as conn, conn.transaction():
                return [(r["name"], r["n"], r["expected"]) for r in await conn.fetch(PIPELINE_SQL, "opportunity")]

        async def orm(user: int | None) -> list[tuple[Any, ...]]:
            async with runtime.db.connection(info.server, info.database) as conn, conn.transaction():
                env = Environment(tenant=tenant, registry=registry, conn=conn, uid=user, cache=runtime.cache)
                with env.bind():
                    await env.load_access()
                    groups = (
                        await env["CrmLead"]
                        .filter(lead_type="opportunity")
                        .group_by("stage", aggregates=["expected_revenue:sum"])
                    )
            return [(g["stage"]["display_name"], g["__count"], g["expected_revenue:sum"]) for g in groups]

        reference = sorted(await raw())
        assert sorted(await orm(None)) == reference == sorted(await orm(uid)), (reference, await orm(None))
        out["columns"] = len(reference)
        out["rows"] = sum(n for _, n, _ in reference)
        runs = {"raw asyncpg": raw, "queryset, elevated": lambda: orm(None), "queryset, crm_user_all": lambda: orm(uid)}
        samples: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(5):  # warm-up
            for run in runs.values():
                await run()
        for _ in range(40):  # interleaved, so a busy moment of the machine weighs on all three alike
            for label, run in runs.items():
                t0 = time.perf_counter()
                await run()
                samples[label].append((time.perf_counter() - t0) * 1000)
        for label, values in samples.items():
            out[f"pipeline: {label}"] = statistics.median(values)
        await pool.close()
    finally:
        await runtime.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the server under cProfile, write its profile here and measure the lead route only",
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk).")
    tmp = Path(tempfile.mkdtemp(prefix="ffcrmbench-"))
    os.chmod(tmp, 0o755)
    token = uuid.uuid4().hex[:6]
    tenant = f"crmbench-{token}"
    os.environ.pop("FULLFINITY_CACHE_URL", None)
    from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database

    server = None
    external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
    if external:
        base = dsn_for_database(external, "postgres")
    else:
        server = EmbeddedPostgres(tmp / "pg", cleanup="delete")
        (tmp / "pg").mkdir()
        os.chmod(tmp / "pg", 0o755)
        base = server.start()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")]),
        "FULLFINITY_DATABASE_URL": base,
        "FULLFINITY_DATA_DIR": str(tmp / "data"),
        "FULLFINITY_CATALOG_DB": f"ffcrmbench_{token}_catalog",
        "FULLFINITY_DB_PREFIX": f"ffcrmbench_{token}_",
        "FULLFINITY_SECRET_KEY": secrets.token_urlsafe(32),
        "FULLFINITY_LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("FULLFINITY_")})
    processes: list[subprocess.Popen[bytes]] = []
    try:
        figures = asyncio.run(measure(tenant, options.leads))
        env |= {"BENCH_TENANT_DSN": figures["dsn"], "BENCH_UID": str(figures["bare_uid"])}
        ff_port, bare_port = free_port(), free_port()
        tenant_header = {"X-Fullfinity-Tenant": tenant}
        processes.append(
            start(["fullfinity.main:create_app", "--factory"], env, ff_port, "/health", tenant_header, options.profile)
        )
        processes.append(start(["_bare_api:create_bare", "--factory"], env, bare_port, "/rows", {}))
        script = tmp / "lead.lua"
        script.write_text(LEAD_SCRIPT)
        lead_url, bare_url = f"http://127.0.0.1:{ff_port}/crm/lead", f"http://127.0.0.1:{bare_port}/rows"
        import httpx

        probe = httpx.post(lead_url, json={"name": "Probe", "email": "probe@bench.example"}, headers=tenant_header)
        assert probe.json() == {"message": "received"}, probe.text
        login = httpx.post(
            f"http://127.0.0.1:{ff_port}/auth/authenticate",
            json={"email": "admin@bench.example", "password": figures["password"]},
            headers=tenant_header,
        ).json()
        admin = {**tenant_header, "Authorization": f"Bearer {login['access_token']}"}
        create_script = tmp / "create.lua"
        create_script.write_text(CREATE_SCRIPT)
        create_url = f"http://127.0.0.1:{ff_port}/api/create/Contact"
        wrk(lead_url, tenant_header, 2, options.connections, script)  # warm-up
        if options.profile is None:
            wrk(bare_url, {}, 2, options.connections)
            wrk(create_url, admin, 2, options.connections, create_script)
        ff_pid, bare_pid = processes[0].pid, processes[1].pid
        route = measured_wrk(ff_pid, lead_url, tenant_header, options.duration, options.connections, script)
        if options.profile is not None:
            processes[0].send_signal(signal.SIGINT)
            processes[0].wait(timeout=60)
            print(f"lead route under cProfile: {route}\nprofile written to {options.profile}")
            return
        bare = measured_wrk(bare_pid, bare_url, {}, options.duration, options.connections)
        create = measured_wrk(ff_pid, create_url, admin, options.duration, options.connections, create_script)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nCRM with {options.leads:,} leads (seeded in {figures['seed_s']:.1f} s)")
    print(f"\nPipeline query: {figures['columns']} stage columns over {figures['rows']:,} opportunities, median of 40")
    print(f"{'':<28}{'ms':>10}{'ratio':>8}")
    raw_ms = figures["pipeline: raw asyncpg"]
    for label in ("raw asyncpg", "queryset, elevated", "queryset, crm_user_all"):
        ms = figures[f"pipeline: {label}"]
        print(f"{label:<28}{ms:>10.2f}{ms / raw_ms:>8.2f}")
    print("(target: ratio <= 1.5)")
    print("\nBatch recompute of automatic probabilities (CrmLead.recompute_probabilities())")
    for label in ("every open lead changes", "nothing to change"):
        seconds, updated = figures[f"recompute: {label}"]
        print(f"{label:<28}{seconds:>8.2f} s  ({updated:,} leads updated)")
    print("(target: under 5 s)")
    print(f"\nLead route, {options.connections} connections, {options.duration}s each (wrk), 1 worker")
    print(f"{'endpoint':<30}{'req/s':>10}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'CPU ms/req':>12}")
    rows = (("POST /crm/lead", route), ("bare FastAPI + asyncpg", bare), ("POST /api/create/Contact", create))
    for label, result in rows:
        print(f"{label:<30}{result['rps']:>10.0f}{result['p50']:>10.2f}{result['p90']:>10.2f}{result['p99']:>10.2f}"
              f"{result['cpu_ms']:>12.3f}")  # fmt: skip
    print(f"ratio {route['rps'] / bare['rps']:.2f} (target >= 0.5); the generic create, any write's floor: "
          f"{create['rps'] / bare['rps']:.2f}")  # fmt: skip
    print(f"server CPU per request, bare / lead route: {bare['cpu_ms'] / route['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
