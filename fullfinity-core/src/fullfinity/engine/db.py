"""Database servers and connection pools (``fullfinity.engine.database``: ``servers.py``, ``pools.py``)."""

from fullfinity.engine.database.pools import PoolManager, init_connection
from fullfinity.engine.database.servers import DatabaseManager, EmbeddedPostgres, dsn_for_database, quote_ident

__all__ = ["DatabaseManager", "EmbeddedPostgres", "PoolManager", "dsn_for_database", "init_connection", "quote_ident"]
