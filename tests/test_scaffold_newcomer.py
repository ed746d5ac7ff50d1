"""A newcomer's first module, end to end, exactly as the scaffold's README tells them.

``fullfinity scaffold module`` into a temporary folder, ``pip install -e`` into this environment,
``module list`` shows it, ``module install`` puts it in a tenant, a real ``fullfinity serve``
answers its route, its model and its menus over HTTP, its own generated tests pass, then it is
uninstalled from the tenant and from the environment. Every step is a subprocess of the installed
scripts, on the session's PostgreSQL (the ``FULLFINITY_*`` variables ``ff_settings`` exports).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest

BIN = Path(sys.executable).parent
PASSWORD = "newcomer-password-1"
PREFIX = "kit"  # the scaffolded modules of this test are kit<hex>, distributions fullfinity-kit<hex>


def pip_uninstall(*distributions: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "-y", "-q", *distributions],
        capture_output=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def no_leftover_from_an_interrupted_run():
    """A run killed before its ``pip uninstall`` leaves an editable install pointing at a deleted
    folder, which would break module discovery for everything in this environment: remove it."""
    ours = re.compile(rf"fullfinity-{PREFIX}[0-9a-f]{{8}}")
    leftovers = [d.metadata["Name"] for d in metadata.distributions() if ours.fullmatch(d.metadata["Name"] or "")]
    if leftovers:
        pip_uninstall(*leftovers)


def run(*command: str, cwd: Path | None = None, stdin: str | None = None, timeout: float = 180) -> str:
    """Run ``command`` (a script of this environment); its stdout, or a failure showing both streams."""
    done = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(command)}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def modules(*tenant: str) -> dict[str, dict[str, Any]]:
    document = json.loads(run("fullfinity", "module", "list", *(("--tenant", tenant[0]) if tenant else ()), "--json"))
    return {m["identifier"]: m for m in document["modules"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(log: Path) -> Iterator[str]:
    """``fullfinity serve`` on a free port until the block ends (its output in ``log``); yields its URL."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "fullfinity"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"fullfinity serve exited {server.returncode}:\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail("fullfinity serve did not answer /health within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def menu_names(nodes: list[dict[str, Any]]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        names.add(node["name"])
        names |= menu_names(node.get("children") or [])
    return names


def test_a_scaffolded_module_installs_serves_passes_its_tests_and_uninstalls(tmp_path, ff_settings, ff_pg_dsn):
    name = PREFIX + uuid.uuid4().hex[:8]
    title = name.capitalize()
    item = f"{title}Item"
    distribution = f"fullfinity-{name}"
    tenant = f"newcomer-{uuid.uuid4().hex[:6]}"
    root = tmp_path / distribution

    printed = run("fullfinity", "scaffold", "module", name, cwd=tmp_path)
    assert f"fullfinity module install {name} --tenant demo" in printed
    try:
        run("python", "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
            "-q", "-e", str(root))  # fmt: skip

        listed = modules()[name]
        assert (listed["version"], listed["distribution"], listed["available"]) == ("0.1.0", distribution, True)

        run("fullfinity", "tenant", "create", tenant)
        try:
            run("fullfinity", "module", "install", name, "--tenant", tenant)
            assert modules(tenant)[name]["state"] == "installed"
            run("fullfinity", "user", "create", "ann@newcomer.test", "--tenant", tenant, "--groups", f"{name}_user",
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip

            with (
                serving(tmp_path / "serve.log") as base,
                httpx.Client(base_url=base, headers={"X-Fullfinity-Tenant": tenant}) as http,
            ):
                login = http.post("/auth/authenticate", json={"email": "ann@newcomer.test", "password": PASSWORD})
                assert login.status_code == 200, login.text
                http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
                created = http.post(f"/api/create/{item}", json={"name": "First", "hours": "1.5", "hourly_rate": "40"})
                assert created.status_code == 200, created.text
                seen = http.post(f"/api/query/{item}", json={"fields": ["name", "amount"], "order_by": ["id ASC"]})
                summary = http.get(f"/{name}/summary")
                menus = http.get("/api/menus")

            assert seen.status_code == 200, seen.text
            rows = json.loads(seen.text, parse_float=Decimal)["data"]
            assert [r["name"] for r in rows][-1] == "First"
            assert Decimal(str(rows[-1]["amount"])) == Decimal("60.00")
            assert summary.status_code == 200, summary.text
            assert summary.json() == {"open": 2, "done": 0, "open_amount": "60.00"}  # with the install hook's item
            assert menus.status_code == 200, menus.text
            assert {title, "Items"} <= menu_names(menus.json()["data"])

            tests = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                cwd=root,
                env={**os.environ, "FULLFINITY_TEST_DATABASE_URL": ff_pg_dsn},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert tests.returncode == 0, tests.stdout + tests.stderr
            assert " passed" in tests.stdout and "failed" not in tests.stdout

            run("fullfinity", "module", "uninstall", name, "--tenant", tenant)
            assert modules(tenant)[name]["state"] == "uninstalled"
        finally:
            run("fullfinity", "tenant", "drop", tenant, "--yes")
    finally:
        pip_uninstall(distribution)
    assert name not in modules()
