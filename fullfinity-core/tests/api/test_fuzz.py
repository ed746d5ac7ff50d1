"""Schema-driven fuzzing: requests generated from the tenant's /openapi.json never get a 500.

The application runs in a real uvicorn server on loopback (its own thread, event loop and
runtime) with this module's own tenant; schemathesis generates cases for every operation
of the document (the generic ``{model}`` routes and the concrete per-model ones) and sends
them as an authenticated internal user. Bounded by example count and a time budget.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fullfinity.testing.server import ThreadedServer

MAX_EXAMPLES = 250
TIME_BUDGET = 20.0


def _fuzz(base: str, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", headers=headers)
    # /auth/* is left out: a generated logout would end the session the other cases run with.
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if not op.path.startswith("/auth/")]
    strategy = st.one_of(*[op.as_strategy() for op in operations])
    failures: list[str] = []
    started = time.monotonic()

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        if time.monotonic() - started > TIME_BUDGET:
            return
        response = case.call(base_url=base, headers=headers, timeout=10)
        if response.status_code >= 500 and response.status_code != 503:  # 503: the test module's sleep method
            failures.append(f"{case.method} {case.formatted_path} {case.body!r:.300} -> {response.text[:300]}")

    run()
    return failures


async def test_generated_requests_never_get_a_server_error(api, runtime):
    with ThreadedServer(runtime.settings) as base:
        failures = await asyncio.to_thread(_fuzz, base, api.headers("ann"))
    assert not failures, "\n".join(failures[:10])
