"""Schema-driven fuzzing of a tenant with every module installed: no generated request gets a 500.

One tenant holds core, product, crm, invoicing, inventory and their glue modules (with demo data,
so generated ids often name real records). ``fullfinity serve`` runs it as a child process on
127.0.0.1; from its ``/openapi.json`` schemathesis generates a fixed number of cases for EACH
operation (the generic ``{model}`` routes and the concrete per-model ones), then runs its stateful
phase: sequences of calls chained through the links it infers from the schema (a created record's
id fed to fetch, update, delete). Every request is sent as the tenant's administrator, who can
reach every model. Bounded by example counts, step counts and a time budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest_asyncio
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import PASSWORD, add_user, login, on
from fullfinity.testing.server import ServerProcess
from fullfinity.testing.tenants import rolled_back_env

MODULES = ["crm", "invoicing", "inventory"]  # core and product come along, and so do the glue modules
EXTRA_EXAMPLES_PER_OPERATION = 2  # pass 3, after one case of each operation and the stateful phase
STATEFUL_EXAMPLES = 20
STATEFUL_STEPS = 8
TIME_BUDGET = 60.0  # seconds: pass 1 must finish within it; pass 3 stops there


def _server_error(response: Any) -> bool:
    return response.status_code >= 500 and response.status_code != 503


def _describe(case: Any, response: Any) -> str:
    body = case.body if type(case.body).__name__ != "NotSet" else None
    return (
        f"{case.method} {case.formatted_path} query={case.query!r:.200} body={body!r:.300} "
        f"-> {response.status_code} {response.text[:200]}"
    )


def _fuzz(base: str, headers: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", headers=headers)
    # /auth/* is left out: a generated logout or password change would end the session of the other cases.
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if not op.path.startswith("/auth/")]
    failures: list[str] = []
    counts = {
        "operations": len(operations),
        "fuzzed": 0,
        "requests": 0,
        "stateful_requests": 0,
        "fuzzed_again": 0,
    }
    started = time.monotonic()

    def check(case: Any, response: Any, prefix: str = "") -> None:
        if not _server_error(response):
            return
        failures.append(prefix + _describe(case, response))

    def fuzz_operation(operation: Any, examples: int, seed: int | None) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=seed is None,
            phases=[Phase.explicit, Phase.generate] if seed is None else [Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(base_url=base, headers=headers, timeout=15)
            counts["requests"] += 1
            check(case, response)

        if seed is not None:
            run = hypothesis.seed(seed)(run)
        with contextlib.suppress(Unsatisfiable):  # no valid case could be drawn for this operation's schema
            run()

    # Pass 1: every operation, its schema's examples and one generated case (must fit in the budget).
    for operation in operations:
        if time.monotonic() - started > TIME_BUDGET:
            break
        fuzz_operation(operation, 1, None)
        counts["fuzzed"] += 1

    # Pass 2: call sequences chained through the links schemathesis infers (bounded in examples and steps).
    if time.monotonic() - started < TIME_BUDGET:
        machine = schema.as_state_machine()

        class Stateful(machine):  # type: ignore[misc, valid-type]
            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"base_url": base, "headers": headers, "timeout": 15}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                counts["stateful_requests"] += 1
                check(case, response, "stateful: ")

        Stateful.run(
            settings=settings(
                max_examples=STATEFUL_EXAMPLES,
                stateful_step_count=STATEFUL_STEPS,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    # Pass 3, while the budget lasts: more generated cases of each operation, from another seed.
    for operation in operations:
        if time.monotonic() - started > TIME_BUDGET:
            break
        fuzz_operation(operation, EXTRA_EXAMPLES_PER_OPERATION, 1)
        counts["fuzzed_again"] += 1
    counts["seconds"] = round(time.monotonic() - started)
    return failures, counts


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def full_tenant(ff_runtime: Any) -> AsyncIterator[str]:
    name = "fuzz-" + uuid.uuid4().hex[:8]
    await create_tenant(ff_runtime.db, ff_runtime.catalog, name, modules=MODULES, demo=True)
    await add_user(ff_runtime, name, "boss@example.test", PASSWORD, ["core_admin"])
    try:
        yield name
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)


async def test_every_operation_of_a_tenant_with_every_module_never_answers_500(ff_runtime, full_tenant, tmp_path: Path):
    env = {"FULLFINITY_LOGIN_IP_RATE": "10000", "FULLFINITY_API_MAX_BODY_SIZE": "1000000"}
    with ServerProcess(env, tmp_path / "server.log") as base:
        async with httpx.AsyncClient(base_url=base) as client:
            token = (await login(client, full_tenant, "boss@example.test"))["access_token"]
        failures, counts = await asyncio.to_thread(_fuzz, base, on(full_tenant, token))
    print(counts)
    assert counts["fuzzed"] == counts["operations"], f"the time budget ran out before every operation: {counts}"
    assert counts["stateful_requests"] > 0, f"the stateful phase sent nothing: {counts}"
    assert not failures, f"{len(failures)} server error(s) in {counts}:\n" + "\n".join(failures[:15])


async def test_deleting_a_contact_that_a_transient_model_can_point_to_works(ff_runtime, full_tenant):
    async with rolled_back_env(ff_runtime, full_tenant) as env:
        contact = await env["Contact"].create(name="Deleted " + uuid.uuid4().hex[:6])
        await contact.delete()
        assert not await env["Contact"].filter(id=contact.id).exists()
