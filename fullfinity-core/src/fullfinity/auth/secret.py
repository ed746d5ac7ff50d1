"""The JWT signing secret (security.md 9.1).

``FULLFINITY_SECRET_KEY`` when set (at least 32 characters). Otherwise a random key is
generated once into ``<data_dir>/secret_key`` (mode 0600) and read from there afterwards, so
a development install works without configuration and every process of one installation
shares the key. There is no built-in default: a key nobody configured is never predictable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from fullfinity.exceptions import ConfigurationError
from fullfinity.settings import Settings

__all__ = ["MIN_SECRET_LENGTH", "SECRET_FILE", "signing_secret"]

MIN_SECRET_LENGTH = 32
SECRET_FILE = "secret_key"

_loaded: dict[Path, str] = {}


def signing_secret(settings: Settings) -> str:
    """The key that signs and verifies tokens for this installation."""
    if settings.secret_key is not None:
        key = settings.secret_key.strip()
        if len(key) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"FULLFINITY_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters, got {len(key)}. "
                f"Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return key
    path = Path(settings.data_dir) / SECRET_FILE
    stored = _loaded.get(path)
    if stored is None:
        stored = _loaded[path] = _read_or_create(path)
    return stored


def _read_or_create(path: Path) -> str:
    try:
        if not path.exists():
            _create(path)
        key = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read or create the signing secret {path}: {exc}. Set FULLFINITY_SECRET_KEY, or make "
            f"FULLFINITY_DATA_DIR writable."
        ) from None
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"The signing secret in {path} is shorter than {MIN_SECRET_LENGTH} characters. Delete the file to "
            f"generate a new one (every user will have to log in again), or set FULLFINITY_SECRET_KEY."
        )
    return key


def _create(path: Path) -> None:
    """Write a new key beside ``path``, then link it into place: of two processes starting
    together exactly one key wins, and nobody ever reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
