"""The per-process runtime: settings, databases, catalog, cache and plugins in one object."""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from fullfinity.engine.cache import Cache, LocalCache, create_cache
from fullfinity.engine.cache.notify import PgBroadcast
from fullfinity.engine.cache.pg_counters import PgCounters
from fullfinity.engine.db import DatabaseManager
from fullfinity.plugins import get_plugin_manager
from fullfinity.settings import Settings, get_settings
from fullfinity.tenancy.catalog import Catalog

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """What a process needs to serve tenants. ``start()`` before use, ``close()`` after."""

    settings: Settings = field(default_factory=get_settings)
    db: DatabaseManager = field(init=False)
    catalog: Catalog = field(init=False)
    #: The cache (``LocalCache`` without ``FULLFINITY_CACHE_URL``, else ``ValkeyCache``).
    cache: Cache = field(init=False)
    pm: pluggy.PluginManager = field(default_factory=get_plugin_manager)

    def __post_init__(self) -> None:
        self.db = DatabaseManager(self.settings)
        self.catalog = Catalog(self.db)
        self.cache = create_cache(self.settings.cache_url)
        if isinstance(self.cache, LocalCache):  # other processes learn of this one's writes through PostgreSQL
            self.cache.attach(PgBroadcast(self.db))
        # Rate limits and login throttling count in the catalog database, shared by every worker,
        # without Valkey (and while it is down).
        self.cache.attach_counters(PgCounters(self.db))

    def start(self) -> None:
        self.db.start()
        self.cache.start()

    async def close(self) -> None:
        await self.cache.close()
        await self.db.close()
