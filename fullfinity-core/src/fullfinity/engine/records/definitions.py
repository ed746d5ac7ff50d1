"""The index of model classes as imported: definitions and extensions, by owning module.

Importing a model file registers each ``Model`` subclass here (the metaclass calls
``record_class``) under the module whose import package contains it. Registries are
built from this index for a given set of installed modules; the classes themselves are
never mutated.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["ClassEntry", "all_entries", "owner_of", "record_class"]

_counter = itertools.count()


@dataclass(frozen=True)
class ClassEntry:
    """One imported model class: a definition (``inherit`` is None) or an extension."""

    cls: type[Model]
    name: str
    owner: str
    inherit: str | None
    order: int


_entries: list[ClassEntry] = []


def owner_of(python_module: str) -> str:
    """The module identifier owning a Python module (by import package), else the Python module name.

    Classes defined outside any Fullfinity module (tests, scripts) are owned by their
    Python module name; registries built with ``Registry.from_models`` use them directly.
    """
    from fullfinity.engine.module_registry import discover_modules

    best = ""
    owner = python_module
    for info in discover_modules().values():
        pkg = info.package
        if (python_module == pkg or python_module.startswith(pkg + ".")) and len(pkg) > len(best):
            best, owner = pkg, info.identifier
    return owner


def record_class(cls: type[Model], name: str, inherit: str | None) -> None:
    _entries.append(ClassEntry(cls, name, owner_of(cls.__module__), inherit, next(_counter)))


def all_entries() -> list[ClassEntry]:
    return list(_entries)
