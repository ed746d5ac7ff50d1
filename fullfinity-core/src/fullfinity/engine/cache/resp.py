"""A lean pipelined connection for the one Valkey read every request makes.

``ValkeyCache.generations`` reads the security namespaces' counters before a remembered caller
is reused (``fullfinity.auth.callers``): one ``MGET`` per batch of concurrent requests. Through
redis-py's asyncio client that read costs ~0.2 ms of CPU (pool checkout, command packing,
response callbacks); this connection sends the command as bytes on a socket of its own and
hands each reply, parsed by hiredis, to the oldest waiter (replies come back in order).

Same server, same command, same answer: only the client code is thinner. Anything it does not
speak (TLS) makes ``for_client`` return ``None`` and the cache keeps using redis-py. Failures
are ``ConnectionError`` / ``TimeoutError`` (``OSError`` family), which the cache treats as an
outage like any other.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from typing import Any

import hiredis

__all__ = ["RespConnection", "encode"]


def encode(*parts: bytes) -> bytes:
    """One command in RESP: ``*<n>`` then ``$<len>`` and each part."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.reader = hiredis.Reader()
        self.waiters: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            waiter = self.waiters.popleft()
            if waiter.done():  # its caller timed out or was cancelled: the reply is dropped
                continue
            if isinstance(reply, hiredis.ReplyError):
                waiter.set_exception(ConnectionError(f"Valkey refused the command: {reply}"))
            else:
                waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionError("Valkey closed the connection")
        self.transport = None
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionError(f"Valkey connection lost: {self.lost}"))


class RespConnection:
    """One socket to Valkey, opened on first use and again after a failure; commands pipelined."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int = 6379,
        path: str | None = None,
        username: str | None = None,
        password: str | None = None,
        db: int = 0,
        timeout: float = 0.2,
    ) -> None:
        if (host is None) == (path is None):
            raise ValueError("RespConnection needs a host and port or a unix socket path, not both")
        self.host, self.port, self.path = host, port, path
        self.timeout = timeout
        handshake = []
        if password is not None:
            auth = (username.encode(), password.encode()) if username else (password.encode(),)
            handshake.append(encode(b"AUTH", *auth))
        if db:
            handshake.append(encode(b"SELECT", str(db).encode()))
        self._handshake = handshake
        self._protocol: _Protocol | None = None
        self._opening: asyncio.Task[_Protocol] | None = None

    @classmethod
    def for_client(cls, client: Any, timeout: float) -> RespConnection | None:
        """The same server and credentials as a redis-py client, or ``None`` for what this does not speak."""
        pool = client.connection_pool
        kind = pool.connection_class.__name__
        kwargs = pool.connection_kwargs
        common = {
            "username": kwargs.get("username"),
            "password": kwargs.get("password"),
            "db": int(kwargs.get("db") or 0),
            "timeout": timeout,
        }
        if kind == "Connection":
            return cls(host=kwargs.get("host", "localhost"), port=int(kwargs.get("port", 6379)), **common)
        if kind == "UnixDomainSocketConnection":
            return cls(path=kwargs["path"], **common)
        return None  # TLS and anything else: redis-py's client stays in charge

    async def call(self, command: bytes) -> Any:
        """Send one encoded command and return its reply (within the timeout)."""
        protocol = self._protocol
        if protocol is None or protocol.transport is None:
            protocol = await self._open()
        transport = protocol.transport
        if transport is None:  # lost between its opening and this call
            raise ConnectionError(f"Valkey connection lost: {protocol.lost}")
        waiter = asyncio.get_running_loop().create_future()
        protocol.waiters.append(waiter)
        transport.write(command)
        async with asyncio.timeout(self.timeout):
            return await waiter

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        reply = await self.call(encode(b"MGET", *(key.encode() for key in keys)))
        return list(reply)

    async def _open(self) -> _Protocol:
        if self._opening is None or self._opening.done():
            self._opening = asyncio.get_running_loop().create_task(self._connect())
        return await asyncio.shield(self._opening)

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        this = asyncio.current_task()
        async with asyncio.timeout(self.timeout):  # as redis-py's socket_connect_timeout
            if self.path is not None:
                _, protocol = await loop.create_unix_connection(_Protocol, self.path)
            else:
                assert self.host is not None
                _, protocol = await loop.create_connection(_Protocol, self.host, self.port)
            try:
                assert protocol.transport is not None
                waiters = []
                for command in self._handshake:
                    waiter = loop.create_future()
                    protocol.waiters.append(waiter)
                    waiters.append(waiter)
                    protocol.transport.write(command)
                for waiter in waiters:
                    await waiter
                if self._opening is not this:
                    raise ConnectionError("the connection was closed while it was being opened")
            except BaseException:
                if protocol.transport is not None:
                    protocol.transport.close()
                raise
        self._protocol = protocol
        return protocol

    def close(self) -> None:
        """Drop the socket; the next call opens a new one."""
        self._opening = None  # a connection on its way sees it and closes itself (``_connect``)
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()
