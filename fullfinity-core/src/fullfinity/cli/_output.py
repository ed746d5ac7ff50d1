"""What list and show commands print: a table for people, whole rows or one JSON document for scripts.

- On a terminal: a rich table, fitted to the window.
- When standard output is not a terminal (a pipe, a file, CI): tab-separated rows, the column
  names first, every cell whole (tabs and newlines inside a cell become spaces), so ``grep``,
  ``cut -f`` and ``awk -F'\\t'`` read them; nothing is cut at 80 columns.
- With ``--json``: one JSON document (``JsonOption``), the same keys whatever the terminal; every
  document is described in docs/operations.md ("Scripts and the command line").
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Annotated, Any

import typer
from rich.table import Table

from fullfinity.cli._common import console, err_console

__all__ = ["JsonOption", "print_json", "print_table", "stdout_is_terminal"]

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document with stable keys (for scripts) instead of a table.")
]


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def print_json(document: dict[str, Any]) -> None:
    """``document`` as indented JSON on stdout (datetimes in ISO 8601, decimals as strings)."""
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False, default=_plain))


def _cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def print_table(columns: Sequence[str], rows: Iterable[Sequence[str]], *, empty: str | None = None) -> None:
    """A table on a terminal; tab-separated whole rows (column names first) otherwise.

    ``empty`` is said when there is no row: on the terminal in place of the table, on stderr
    after the lone header line otherwise (so a script reads zero rows).
    """
    rows = list(rows)
    if stdout_is_terminal():
        if not rows and empty:
            console.print(empty, highlight=False)
            return
        table = Table(*columns)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    out = sys.stdout
    for row in [columns, *rows]:
        out.write("\t".join(_cell(str(cell)) for cell in row) + "\n")
    out.flush()
    if not rows and empty:
        err_console.print(empty, highlight=False)
