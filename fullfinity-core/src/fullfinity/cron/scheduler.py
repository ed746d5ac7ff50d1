"""The scheduler loop: every ``interval`` seconds, each active tenant's due jobs.

Each tenant gets a task of its own, started at a poll when it has none running: a tenant whose
job is slow keeps its task busy while the other tenants' tasks go on (fair across tenants),
and at most ``concurrency`` jobs run at once in this process. A tenant's task runs its due jobs
one after the other, at most ``MAX_JOBS_PER_PASS`` of them, then ends until the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from fullfinity.cron.jobs import RunOutcome, claim_due_job, missing_tables, reset_stuck_jobs, run_claimed_job
from fullfinity.engine.database.faults import is_connection_lost
from fullfinity.exceptions import FullfinityError
from fullfinity.runtime import Runtime
from fullfinity.tenancy.catalog import TenantInfo

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)

MAX_JOBS_PER_PASS = 100


class Scheduler:
    """Runs the due ``CronJob`` records of every active tenant of ``runtime``'s catalog."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        interval: float | None = None,
        timeout: float | None = None,
        concurrency: int = 4,
    ) -> None:
        self.runtime = runtime
        self.interval = interval if interval is not None else runtime.settings.cron_interval
        self.timeout = timeout if timeout is not None else runtime.settings.cron_timeout
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[list[RunOutcome]]] = {}
        self._stopping = asyncio.Event()

    async def run_once(self) -> list[RunOutcome]:
        """One pass over every active tenant (what ``fullfinity cron --once`` does)."""
        tenants = await self._tenants()
        results = await asyncio.gather(*(self.run_tenant(info) for info in tenants))
        return [outcome for outcomes in results for outcome in outcomes]

    async def run_forever(self) -> None:
        """Poll until ``stop()``; then wait for the jobs running to finish."""
        try:
            while not self._stopping.is_set():
                try:
                    for info in await self._tenants():
                        task = self._tasks.get(info.name)
                        if task is None or task.done():
                            self._tasks[info.name] = asyncio.create_task(
                                self.run_tenant(info), name=f"fullfinity-cron {info.name}"
                            )
                except Exception as exc:  # the catalog may be down: poll again later
                    log.warning("Scheduler: cannot list tenants (%s); retrying in %g s.", exc, self.interval)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval):
                        await self._stopping.wait()
        finally:
            running = [task for task in self._tasks.values() if not task.done()]
            if running:
                await asyncio.wait(running)

    def stop(self) -> None:
        """Ask ``run_forever`` to return once the jobs in progress have finished."""
        self._stopping.set()

    async def run_tenant(self, info: TenantInfo) -> list[RunOutcome]:
        """Run ``info``'s due jobs one after the other; errors are logged, never raised."""
        outcomes: list[RunOutcome] = []
        db = self.runtime.db
        try:
            async with db.connection(info.server, info.database) as conn:
                for name in await reset_stuck_jobs(conn, self.timeout):
                    log.warning("Scheduled job '%s' of tenant %s was stuck in Running; reset.", name, info.name)
            for _ in range(MAX_JOBS_PER_PASS):
                if self._stopping.is_set():
                    break
                async with self._slots:
                    async with db.connection(info.server, info.database) as conn:
                        job = await claim_due_job(conn)
                    if job is None:
                        break
                    outcomes.append(await run_claimed_job(self.runtime, info, job, self.worker))
        except Exception as exc:
            if missing_tables(exc):
                log.debug("Tenant %s has no scheduled jobs table yet (upgrade core).", info.name)
            elif is_connection_lost(exc) or isinstance(exc, FullfinityError):
                log.warning("Scheduler: tenant %s skipped this time: %s", info.name, exc)
            else:
                log.exception("Scheduler: unexpected error for tenant %s", info.name)
        return outcomes

    async def _tenants(self) -> list[TenantInfo]:
        return [info for info in await self.runtime.catalog.all() if info.state == "active"]
