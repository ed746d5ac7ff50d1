"""One tenant's scheduled jobs, claimed and recorded in SQL.

A due job is claimed by one ``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)``
setting it ``Running``: one short transaction, so any number of schedulers (processes,
machines) polling the same tenant never run one due time twice. The job then runs in a
transaction of its own in the system environment; a failure rolls its work back. Finally one
transaction records the ``CronRun`` and schedules the next run from the start time
(``next_run = start + frequency × unit``), whether the run succeeded or not.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass

import asyncpg

from fullfinity.engine.database.pools import Connection
from fullfinity.exceptions import ConfigurationError
from fullfinity.plugins import await_me_maybe
from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo

__all__ = ["ClaimedJob", "RunOutcome", "claim_due_job", "reset_stuck_jobs", "run_claimed_job"]

log = logging.getLogger(__name__)

UNIT_SECONDS = {
    "Seconds": 1,
    "Minutes": 60,
    "Hours": 3600,
    "Days": 86_400,
    "Months": 30 * 86_400,
    "Years": 365 * 86_400,
}
MAX_ERROR = 8000

_CLAIM = """
UPDATE cron_job SET status = 'Running', started_at = clock_timestamp(), updated_date = now()
WHERE id = (
    SELECT id FROM cron_job
    WHERE active AND status = 'Scheduled' AND (next_run IS NULL OR next_run <= clock_timestamp())
    ORDER BY next_run NULLS FIRST, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING id, name, model, method, frequency, frequency_unit, next_run, started_at
"""

_RESET = """
UPDATE cron_job
SET status = 'Scheduled', started_at = NULL, updated_date = now(),
    last_error = 'Reset after running for more than ' || $1::text || ' s (its scheduler probably stopped)'
WHERE status = 'Running' AND started_at < clock_timestamp() - make_interval(secs => $1::float8)
RETURNING name
"""

_FINISH = """
UPDATE cron_job
SET status = 'Scheduled', started_at = NULL, last_run = $2::timestamptz, updated_date = now(),
    next_run = $2::timestamptz + make_interval(secs => $3::float8), last_error = $4
WHERE id = $1
"""

_RECORD = """
INSERT INTO cron_run (job_id, scheduled_for, started_at, finished_at, state, error, worker)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    name: str
    model: str
    method: str
    every: float  # seconds between runs
    due: dt.datetime | None
    started: dt.datetime


@dataclass(frozen=True)
class RunOutcome:
    tenant: str
    job: str
    ok: bool
    error: str | None = None


async def claim_due_job(conn: Connection) -> ClaimedJob | None:
    """Set the most overdue job ``Running`` and return it (None: nothing due, or all taken)."""
    row = await conn.fetchrow(_CLAIM)
    if row is None:
        return None
    every = max(1, int(row["frequency"] or 1)) * UNIT_SECONDS.get(row["frequency_unit"] or "Minutes", 60)
    return ClaimedJob(
        row["id"], row["name"], row["model"], row["method"], float(every), row["next_run"], row["started_at"]
    )


async def reset_stuck_jobs(conn: Connection, timeout: float) -> list[str]:
    """Put back to ``Scheduled`` the jobs ``Running`` for longer than ``timeout`` seconds."""
    return [row["name"] for row in await conn.fetch(_RESET, float(timeout))]


async def run_claimed_job(runtime: Runtime, info: TenantInfo, job: ClaimedJob, worker: str) -> RunOutcome:
    """Run ``job`` in its own transaction (elevated), then record the run and the next due time."""
    from fullfinity.scripting import tenant_env

    error: str | None = None
    try:
        async with tenant_env(info.name, runtime=runtime) as env:
            try:
                model = env[job.model]
            except Exception as exc:
                raise ConfigurationError(
                    f"Scheduled job '{job.name}' names model '{job.model}', which this tenant does not have. "
                    f"Fix the job's model, or install the module that defines it."
                ) from exc
            method = getattr(model, job.method, None)
            if not callable(method):
                raise ConfigurationError(
                    f"Scheduled job '{job.name}': model {job.model} has no method '{job.method}'. "
                    f"Define `async def {job.method}(cls)` on the model, or fix the job's method."
                )
            await await_me_maybe(method())
    except Exception as exc:
        error = "".join(traceback.format_exception(exc))[-MAX_ERROR:]
        log.error("Scheduled job '%s' of tenant %s failed: %s", job.name, info.name, exc, exc_info=exc)
    finished = dt.datetime.now(dt.UTC)
    async with runtime.db.connection(info.server, info.database) as conn, conn.transaction():
        await conn.execute(_FINISH, job.id, job.started, job.every, error)
        await conn.execute(
            _RECORD, job.id, job.due, job.started, finished, "failed" if error else "done", error, worker
        )
    return RunOutcome(info.name, job.name, error is None, error)


def missing_tables(exc: BaseException) -> bool:
    """The tenant's core predates scheduled jobs (``fullfinity module upgrade core`` adds them)."""
    return isinstance(exc, asyncpg.UndefinedTableError)
