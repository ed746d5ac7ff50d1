"""Reading a password on the command line: never from an argument (security.md 9.7)."""

from __future__ import annotations

import secrets
import sys

import typer

from fullfinity.auth.passwords import check_password_policy
from fullfinity.cli._common import fail
from fullfinity.exceptions import ValidationError

__all__ = ["read_password"]


def read_password(from_stdin: bool, min_length: int) -> tuple[str, bool]:
    """(password, generated): one line of stdin with ``--password-stdin``, else a prompt without
    echo on a terminal, else (no terminal, nothing given) a random password to print once."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            fail("--password-stdin was given but stdin holds no password: pipe one line, e.g. `echo ... |`.")
        generated = False
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        generated = False
    else:
        password, generated = secrets.token_urlsafe(15), True
    try:
        check_password_policy(password, min_length)
    except ValidationError as exc:
        fail(exc)
    return password, generated
