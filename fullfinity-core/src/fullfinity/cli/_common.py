"""Helpers shared by the CLI commands: console, error display, running async work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

from fullfinity.exceptions import FullfinityError

T = TypeVar("T")

# soft_wrap: a message is one line however long (the terminal wraps it); in a pipe it is never
# broken at 80 columns. Tables go through cli/_output.py.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(exc: FullfinityError | str, code: int = 1) -> NoReturn:
    """Print an error (with its details) in red and exit with ``code``."""
    if isinstance(exc, FullfinityError):
        err_console.print(f"[bold red]Error:[/] {exc.message}", highlight=False)
        for detail in exc.details:
            where = f"{detail['path']}: " if detail["path"] else ""
            err_console.print(f"  - {where}{detail['message']}", highlight=False)
    else:
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False)
    raise SystemExit(code)


def run_with_runtime(work: Callable[..., Awaitable[T]]) -> T:
    """Start a Runtime (embedded PostgreSQL if configured), run ``work(runtime)``, clean up."""
    from fullfinity.runtime import Runtime

    runtime = Runtime()
    try:
        runtime.start()

        async def runner() -> T:
            try:
                return await work(runtime)
            finally:
                await runtime.close()

        return asyncio.run(runner())
    except FullfinityError as exc:
        fail(exc)
    finally:
        runtime.db.stop_embedded()


@contextlib.contextmanager
def progress_status(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner whose text each step updates; steps are also printed as they finish."""
    with console.status(message) as status:
        last: list[str] = []

        def step(text: str) -> None:
            if last:
                console.print(f"[green]✓[/] {last[-1]}")
            last.append(text)
            status.update(text)

        yield step
        if last:
            console.print(f"[green]✓[/] {last[-1]}")


def confirm_or_abort(question: str, yes: bool) -> None:
    if yes:
        return
    if not typer.confirm(question, default=False):
        err_console.print("Aborted; nothing was changed.")
        raise typer.Exit(1)
