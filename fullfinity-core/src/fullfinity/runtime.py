"""The per-process runtime: settings, databases, catalog and plugins in one object."""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

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
    pm: pluggy.PluginManager = field(default_factory=get_plugin_manager)

    def __post_init__(self) -> None:
        self.db = DatabaseManager(self.settings)
        self.catalog = Catalog(self.db)

    def start(self) -> None:
        self.db.start()

    async def close(self) -> None:
        await self.db.close()
