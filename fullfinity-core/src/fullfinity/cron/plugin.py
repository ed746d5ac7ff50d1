"""``fullfinity cron`` and the scheduler inside the server (``FULLFINITY_CRON=true``)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated, Any

import typer
from fastapi import FastAPI

from fullfinity.cli._common import console, run_with_runtime
from fullfinity.cron.scheduler import Scheduler
from fullfinity.plugins import hookimpl
from fullfinity.runtime import Runtime

_APP_KEY = "fullfinity_cron"


def cron(
    once: Annotated[bool, typer.Option("--once", help="One pass over every tenant's due jobs, then exit.")] = False,
    interval: Annotated[
        float | None, typer.Option(help="Seconds between polls (FULLFINITY_CRON_INTERVAL).", min=0.05)
    ] = None,
) -> None:
    """Run scheduled jobs (CronJob records) of every active tenant; SIGTERM/SIGINT stop it gracefully."""

    async def work(runtime: Runtime) -> None:
        await runtime.catalog.ensure()
        scheduler = Scheduler(runtime, interval=interval)
        if once:
            outcomes = await scheduler.run_once()
            for outcome in outcomes:
                mark = "[green]done[/green]" if outcome.ok else "[red]failed[/red]"
                console.print(f"{outcome.tenant}: {outcome.job} {mark}")
            console.print(f"{len(outcomes)} job(s) run.")
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, scheduler.stop)
        console.print(f"Scheduler polling every {scheduler.interval:g} s; stop with Ctrl+C or SIGTERM.")
        await scheduler.run_forever()

    run_with_runtime(work)


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("cron")(cron)


@hookimpl
def fullfinity_app_startup(app: FastAPI) -> None:
    runtime: Runtime = app.state.fullfinity
    if runtime.settings.cron:
        scheduler = Scheduler(runtime)
        task = asyncio.get_running_loop().create_task(scheduler.run_forever(), name="fullfinity-cron")
        setattr(app.state, _APP_KEY, (scheduler, task))


@hookimpl
async def fullfinity_app_shutdown(app: FastAPI) -> None:
    found: Any = getattr(app.state, _APP_KEY, None)
    if found is not None:
        scheduler, task = found
        scheduler.stop()
        await asyncio.wait({task}, timeout=app.state.fullfinity.settings.shutdown_timeout)
