"""Cache invalidations shared between processes through PostgreSQL NOTIFY (no Valkey).

Two ``PgBroadcast`` objects stand for two processes: each has its own origin, so what one
publishes the other receives, and nobody receives its own messages back.
"""

from __future__ import annotations

import asyncio

from fullfinity.engine.cache.notify import PgBroadcast


async def _listening(broadcast: PgBroadcast, received: list[dict]) -> None:
    broadcast.listen(received.append, lambda: received.append({"lost": True}))
    await asyncio.wait_for(broadcast.listening.wait(), timeout=10)


async def _until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "the notifications did not arrive in time"
        await asyncio.sleep(0.02)


async def test_a_bump_published_by_one_process_reaches_the_other_and_not_itself(ff_runtime):
    writer, reader = PgBroadcast(ff_runtime.db), PgBroadcast(ff_runtime.db)
    mine: list[dict] = []
    theirs: list[dict] = []
    try:
        await _listening(writer, mine)
        await _listening(reader, theirs)

        await writer.publish({"tenant": "acme", "namespaces": ["model:Contact"]})

        await _until(lambda: len(theirs) == 1)
        assert theirs[0]["tenant"] == "acme" and theirs[0]["namespaces"] == ["model:Contact"]
        await asyncio.sleep(0.2)
        assert mine == []  # its own message came back and was ignored
    finally:
        await writer.close()
        await reader.close()


async def test_concurrent_publishers_share_round_trips_and_every_distinct_bump_arrives(ff_runtime):
    writer, reader = PgBroadcast(ff_runtime.db), PgBroadcast(ff_runtime.db)
    theirs: list[dict] = []
    statements = 0
    real_connection = ff_runtime.db.catalog_connection

    def counting_connection(*args, **kwargs):
        nonlocal statements
        statements += 1
        return real_connection(*args, **kwargs)

    writer.db = type("CountingDb", (), {"catalog_connection": staticmethod(counting_connection)})()
    try:
        await _listening(reader, theirs)

        await asyncio.gather(
            *(writer.publish({"tenant": "acme", "namespaces": [f"model:M{n}"]}) for n in range(40)),
            *(writer.publish({"tenant": "acme", "namespaces": ["model:Same"]}) for _ in range(10)),
        )

        await _until(lambda: len(theirs) >= 41)
        await asyncio.sleep(0.2)
        names = sorted(m["namespaces"][0] for m in theirs)
        assert names == sorted([f"model:M{n}" for n in range(40)] + ["model:Same"])  # identical bumps sent once
        assert statements <= 2  # the first message alone, then everything published while it was in flight
    finally:
        await writer.close()
        await reader.close()


async def test_publish_returns_only_once_its_message_was_sent(ff_runtime):
    writer, reader = PgBroadcast(ff_runtime.db), PgBroadcast(ff_runtime.db)
    theirs: list[dict] = []
    try:
        await _listening(reader, theirs)

        await writer.publish({"tenant": "acme", "namespaces": ["model:First"]})
        await writer.publish({"tenant": "acme", "namespaces": ["model:Second"]})

        await _until(lambda: len(theirs) == 2)  # sent before publish returned: nothing left pending
        assert writer._sender is None and not writer._pending
    finally:
        await writer.close()
        await reader.close()


async def test_an_unreachable_catalog_is_logged_and_the_publisher_is_not_blocked(ff_runtime, caplog):
    class Down:
        def catalog_connection(self):
            raise OSError("connection refused")

    writer = PgBroadcast(ff_runtime.db)
    writer.db = Down()  # type: ignore[assignment]

    await asyncio.wait_for(writer.publish({"tenant": "acme", "namespaces": ["model:X"]}), timeout=5)

    assert "Could not publish 1 cache invalidation" in caplog.text
    await writer.close()
