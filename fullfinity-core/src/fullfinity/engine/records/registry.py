"""Registries: the composed model classes of one set of installed modules.

``Registry.for_modules(["core", "crm"])`` imports each module's ``models`` package (in
install order) and composes every model defined by those modules with the extensions
those modules contribute. Registries are cached per module set, so tenants with the same
installed modules (and versions) share one. ``Registry.from_models(...)`` composes an
explicit list of classes (tests and scripts).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.records.definitions import ClassEntry, all_entries
from fullfinity.exceptions import ModuleError, NotFound

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["Registry", "get_model"]

_cache: dict[tuple[tuple[str, str], ...], Registry] = {}


class Registry:
    """Model name -> composed class, for one module set."""

    def __init__(self, models: dict[str, type[Model]], modules: Sequence[str] = ()) -> None:
        from fullfinity.engine.records.computed import ComputeInfo

        self.models = models
        self.modules = tuple(modules)
        #: identifier -> version the registry was built for (``for_modules``; empty otherwise).
        self.versions: dict[str, str] = {}
        self._by_table = {cls._table: cls for cls in models.values()}
        #: Computed-field dependencies and triggers (``fullfinity.engine.records.computed``).
        self.compute_info = ComputeInfo()

    # -- lookup -------------------------------------------------------------------------
    def get(self, name: str) -> type[Model]:
        try:
            return self.models[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.models), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise NotFound(
                f"Unknown model '{name}': it is not defined by any module installed in this tenant.{hint}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def __iter__(self) -> Iterator[type[Model]]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)

    def model_for_table(self, table: str) -> type[Model] | None:
        return self._by_table.get(table)

    # -- building -------------------------------------------------------------------------
    @classmethod
    def from_entries(cls, entries: Iterable[ClassEntry], module_order: Sequence[str] = ()) -> Registry:
        """Compose definitions with their extensions; extensions ordered by module, then import order."""
        from fullfinity.engine.records.composition import compose, merge_fields
        from fullfinity.engine.records.relations import add_reverse_fields, resolve_targets

        rank = {m: i for i, m in enumerate(module_order)}
        definitions: dict[str, ClassEntry] = {}
        extensions: dict[str, list[ClassEntry]] = {}
        # Definitions in module order, then import order: the composed classes (their reverse fields
        # above all) come out the same for a module set whatever this process imported before.
        for entry in sorted(entries, key=lambda e: (rank.get(e.owner, len(rank)), e.order)):
            if entry.inherit is None:
                other = definitions.get(entry.name)
                if other is not None and other.cls is not entry.cls:
                    raise ModuleError(
                        f"Model '{entry.name}' is defined twice: in module '{other.owner}' ({other.cls.__module__}) "
                        f"and in module '{entry.owner}' ({entry.cls.__module__}). Model names are unique; use "
                        f"__inherit__ = '{entry.name}' to extend it."
                    )
                definitions[entry.name] = entry
            else:
                extensions.setdefault(entry.name, []).append(entry)
        ordered_exts: dict[str, list[ClassEntry]] = {}
        fields: dict[str, dict[str, Any]] = {}
        for name, definition in definitions.items():
            ordered_exts[name] = sorted(extensions.pop(name, []), key=lambda e: (rank.get(e.owner, len(rank)), e.order))
            fields[name] = merge_fields(name, definition, ordered_exts[name])
        if extensions:
            missing = ", ".join(f"{n} (extended in {', '.join(e.owner for e in es)})" for n, es in extensions.items())
            raise ModuleError(f"Extensions of models that are not defined by any installed module: {missing}.")
        add_reverse_fields(fields)
        models: dict[str, type[Model]] = {
            name: compose(name, definition, ordered_exts[name], fields[name])
            for name, definition in definitions.items()
        }
        resolve_targets(models)
        registry = cls(dict(sorted(models.items())), module_order)
        from fullfinity.engine.records.computed import analyse

        registry.compute_info = analyse(registry)
        return registry

    @classmethod
    def from_models(cls, *classes: type[Any]) -> Registry:
        """A registry of exactly these definition/extension classes (in the given order)."""
        wanted = set(classes)
        entries = [e for e in all_entries() if e.cls in wanted]
        found = {e.cls for e in entries}
        stray = [c for c in classes if c not in found]
        if stray:
            raise TypeError(f"Not Model subclasses (or not registered): {stray}")
        order = {c: i for i, c in enumerate(classes)}
        entries.sort(key=lambda e: order[e.cls])
        return cls.from_entries(entries)

    @classmethod
    def for_modules(cls, modules: Sequence[tuple[str, str]]) -> Registry:
        """The shared registry of a module set: ``[(identifier, version), ...]`` in install order."""
        key = tuple(modules)
        registry = _cache.get(key)
        if registry is None:
            order = [ident for ident, _ in modules]
            _import_models(order)
            owned = set(order)
            registry = cls.from_entries([e for e in all_entries() if e.owner in owned], order)
            registry.versions = dict(modules)
            _cache[key] = registry
        return registry


def _import_models(module_ids: Sequence[str]) -> None:
    from fullfinity.engine.module_registry import discover_modules

    available = discover_modules()
    for ident in module_ids:
        info = available.get(ident)
        if info is None:
            raise ModuleError(f"Module '{ident}' is installed in the tenant but its distribution is not available.")
        name = f"{info.package}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def get_model(name: str) -> type[Model]:
    """The composed class of model ``name`` in the current environment's tenant."""
    from fullfinity.engine.context import current_env

    return current_env().get_model(name)
