"""The database: PostgreSQL servers and pools, errors, schema sync, the filestore.

- ``servers.py``: ``EmbeddedPostgres``, ``DatabaseManager`` (server aliases, DSNs, connections)
- ``pools.py``: ``PoolManager``, per-database pools under one connection budget
- ``errors.py``: ``map_db_error``, database errors mapped to Fullfinity errors in one place
- ``faults.py``: lost connections and transaction conflicts recognised (503, retries)
- ``schema.py``: additive schema sync of composed models (plan, dry run, apply)
- ``filestore.py``: File field contents on disk, content-addressed

Public path of servers and pools: ``fullfinity.engine.db``. May import ``fields`` (schema sync
reads field declarations); records and environments only for type hints.
"""
