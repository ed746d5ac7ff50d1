"""A real uvicorn server on loopback for tests that need a URL (schema fuzzers, HTTP clients).

``ThreadedServer`` runs in a thread of the test process, with its own event loop and ``Runtime``
built from the given settings, so a test's own loop and runtime stay untouched. ``ServerProcess``
runs ``fullfinity serve`` as a child process (configured by ``FULLFINITY_*`` environment
variables): the test and the server then use two cores instead of sharing one interpreter lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from fullfinity.main import create_app
from fullfinity.plugins import build_plugin_manager
from fullfinity.runtime import Runtime

__all__ = ["ServerProcess", "ThreadedServer"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer(threading.Thread):
    """``with ThreadedServer(settings) as base_url:`` serves the app on ``127.0.0.1:<free port>``."""

    def __init__(self, settings: Any, *, start_timeout: float = 30.0) -> None:
        super().__init__(daemon=True)
        self.port = _free_port()
        self.start_timeout = start_timeout
        app = create_app(runtime=Runtime(settings=settings, pm=build_plugin_manager()))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        asyncio.run(self.server.serve())

    def __enter__(self) -> str:
        self.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.is_alive():
                raise RuntimeError(f"the test server on port {self.port} did not start in {self.start_timeout:.0f} s")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.join(timeout=30)


class ServerProcess:
    """``with ServerProcess(env, log) as base_url:`` runs ``fullfinity serve`` on ``127.0.0.1:<free port>``.

    ``env`` adds to (or overrides) the current environment; output goes to ``log``. Waits for
    ``/health`` to answer 200, and stops the server with SIGINT (SIGKILL after ``stop_timeout``).
    """

    def __init__(
        self, env: Mapping[str, str], log: Path, *, start_timeout: float = 40.0, stop_timeout: float = 15.0
    ) -> None:
        self.port = _free_port()
        self.env = {**os.environ, **env}
        self.log = log
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        script = Path(sys.executable).with_name("fullfinity")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(script), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    return base
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(
            f"fullfinity serve did not become healthy in {self.start_timeout:.0f} s:\n{self.log.read_text()}"
        )

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
