"""DatabaseManager: server aliases, DSNs and the catalog connection."""

from __future__ import annotations

import pytest

from fullfinity.engine.database.servers import _redact
from fullfinity.engine.db import DatabaseManager, dsn_for_database, quote_ident
from fullfinity.exceptions import ConfigurationError
from fullfinity.settings import Settings


def manager(**values) -> DatabaseManager:
    return DatabaseManager(Settings(database_url="postgresql://app:pw@db.example:5432/postgres", **values))


def test_the_database_url_is_the_default_server():
    assert manager().server_dsn("default") == "postgresql://app:pw@db.example:5432/postgres"


def test_extra_servers_are_known_by_their_alias():
    db = manager(database_servers={"eu": "postgresql://eu.example/postgres"})

    assert db.dsn("eu", "ff_acme") == "postgresql://eu.example/ff_acme"


def test_an_unknown_alias_lists_the_known_ones():
    db = manager(database_servers={"eu": "postgresql://eu.example/postgres"})

    with pytest.raises(ConfigurationError, match=r"Unknown database server alias 'us'\. Known aliases: default, eu"):
        db.server_dsn("us")


def test_a_server_url_that_is_not_postgresql_is_rejected_at_start():
    db = manager(database_servers={"eu": "mysql://eu.example/db"})

    with pytest.raises(ConfigurationError, match="must start with postgresql://, got mysql://"):
        db.start()


def test_the_database_of_a_dsn_is_replaced_keeping_the_query():
    dsn = "postgresql://u@/postgres?host=/run/pg"

    assert dsn_for_database(dsn, "ff_acme") == "postgresql://u@/ff_acme?host=/run/pg"


def test_passwords_are_redacted_from_dsns_in_messages():
    assert _redact("postgresql://app:s3cret@db/postgres") == "postgresql://app:***@db/postgres"


def test_identifiers_are_quoted_with_embedded_quotes_doubled():
    assert quote_ident('we"ird') == '"we""ird"'


async def test_the_catalog_connection_reaches_the_catalog_database(ff_runtime):
    async with ff_runtime.db.catalog_connection() as conn:
        assert await conn.fetchval("SELECT current_database()") == ff_runtime.settings.catalog_db
