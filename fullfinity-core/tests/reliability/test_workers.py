"""``fullfinity serve`` as a real process: SIGTERM stops everything it started; a worker killed
with SIGKILL in the middle of writes leaves no partial write and the other one keeps serving."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest_asyncio

from fullfinity.testing.auth import PASSWORD, add_user, on

FULLFINITY_SCRIPT = Path(sys.executable).with_name("fullfinity")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, log: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(FULLFINITY_SCRIPT), "serve", "--port", str(port), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(server: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(log.read_text() or f"no healthy answer in {timeout} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_sigterm_stops_the_server_and_its_embedded_postgres(ff_tmp_root):
    data_dir = ff_tmp_root / f"serve-{uuid.uuid4().hex[:8]}"
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)
    env = {k: v for k, v in os.environ.items() if k != "FULLFINITY_DATABASE_URL"}
    env["FULLFINITY_DATA_DIR"] = str(data_dir)
    port = _free_port()
    log = data_dir.parent / f"{data_dir.name}.log"
    server = _serve(port, log, env)
    try:
        _wait_healthy(server, port, log, timeout=60)
        postmaster = psutil.Process(int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0]))
        assert postmaster.is_running()
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0, log.read_text()
        postmaster.wait(10)  # raises TimeoutExpired if PostgreSQL outlived the server
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()
    finally:
        _stop(server)


@pytest_asyncio.fixture(loop_scope="session")
async def two_workers(ff_runtime, ff_tenant, ff_valkey_url, tmp_path):
    await add_user(ff_runtime, ff_tenant.name, "boss@example.test", PASSWORD, ["core_admin"])
    port = _free_port()
    log = tmp_path / "serve.log"
    # Nothing is in flight when the fixture stops the server: a short graceful-shutdown window is enough.
    env = {**os.environ, "FULLFINITY_CACHE_URL": ff_valkey_url, "FULLFINITY_SHUTDOWN_TIMEOUT": "3"}
    server = _serve(port, log, env, "--workers", "2")
    try:
        await asyncio.to_thread(_wait_healthy, server, port, log)
        yield server, f"http://127.0.0.1:{port}", log
    finally:
        await asyncio.to_thread(_stop, server)


async def test_a_worker_killed_mid_writes_leaves_no_partial_write_and_the_other_keeps_serving(
    two_workers, ff_runtime, ff_tenant
):
    server, url, _log = two_workers
    children = psutil.Process(server.pid).children()
    workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
    assert len(workers) == 2, [p.cmdline() for p in children]
    statuses: Counter[str] = Counter()
    acknowledged: list[str] = []
    stop = asyncio.Event()
    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request: both workers get some
    async with httpx.AsyncClient(base_url=url, timeout=20, limits=limits) as client:
        login = await client.post(
            "/auth/authenticate", json={"email": "boss@example.test", "password": PASSWORD}, headers=on(ff_tenant.name)
        )
        headers = on(ff_tenant.name, login.json()["access_token"])

        async def writer(i: int) -> None:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                batch = f"k{i}-{n}"
                records = [{"name": f"{batch}-{j}", "email": f"{batch}@example.test"} for j in range(5)]
                try:
                    response = await client.post("/api/bulk-create/Contact", json={"records": records}, headers=headers)
                except httpx.TransportError:
                    statuses["connection lost"] += 1  # in flight on the killed worker
                    continue
                statuses[str(response.status_code)] += 1
                if response.status_code == 200:
                    acknowledged.append(batch)

        tasks = [asyncio.create_task(writer(i)) for i in range(8)]
        await asyncio.sleep(1.5)
        killed_at = sum(statuses.values())
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(5)
        # The other worker keeps serving: go on until it answered 40 more requests (2.5 s at most).
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline and sum(statuses.values()) - killed_at < 40:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*tasks)
        after = await client.get("/api/query/Contact?limit=1&fields=name", headers=headers)
    print(f"\nSIGKILL of one of two workers under 8 writers: {dict(statuses)}")
    assert set(statuses) <= {"200", "connection lost"}, dict(statuses)
    assert sum(statuses.values()) - killed_at > 20, "the other worker kept serving"
    assert after.status_code == 200
    async with ff_runtime.db.connection(ff_tenant.server, ff_tenant.database) as conn:
        rows = await conn.fetch("SELECT email, count(*) AS n FROM contact WHERE email LIKE 'k%' GROUP BY email")
    sizes = {row["email"].split("@")[0]: row["n"] for row in rows}
    assert set(sizes.values()) == {5}, "every batch is all or nothing"
    assert all(sizes.get(batch) == 5 for batch in acknowledged)
