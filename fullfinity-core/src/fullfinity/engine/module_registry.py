"""Module discovery, manifests and load order.

A module is a pip distribution exposing an entry point in the group
``fullfinity.modules``: the entry-point name is the module identifier, the value its
import package, which holds a ``manifest.yaml`` (``manifest.json`` as a fallback).
The module's version is its distribution's version.

``discover_modules()`` finds and validates every available module once per process;
an implicit (glue) module whose dependencies are not all available is left out of it and
listed by ``unavailable_modules()`` instead (business.md 4: never an error);
``resolve_order()`` gives the install order (topological, ties broken by identifier)
and reports every missing dependency or the full cycle in one error.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fullfinity.exceptions import DependencyError, ManifestError

__all__ = [
    "ENTRY_POINT_GROUP",
    "Manifest",
    "ModuleInfo",
    "UnavailableModule",
    "discover_modules",
    "load_manifest",
    "resolve_order",
    "unavailable_modules",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "fullfinity.modules"
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")
IGNORED_KEYS = {"color", "version", "author", "website", "license"}


class Manifest(BaseModel):
    """The schema of ``manifest.yaml`` (modules.md section 3)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(min_length=1)
    identifier: str
    dependencies: list[str]
    description: str = ""
    category: str | None = None
    icon: str = ""
    implicit: bool = False
    static_paths: list[str] | None = None
    edition: Literal["community", "enterprise"] = "community"
    image: str | None = None
    integration_category: str | None = None
    cron_sync_method: str | None = None

    @field_validator("identifier")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER_RE.match(value):
            raise ValueError(
                f"must be snake_case (lower-case letters, digits and '_', starting with a letter), got {value!r}"
            )
        return value

    @field_validator("dependencies")
    @classmethod
    def _dependencies(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not isinstance(d, str) or not IDENTIFIER_RE.match(d)]
        if bad:
            raise ValueError(f"must list module identifiers, got invalid entries {bad}")
        if len(set(value)) != len(value):
            raise ValueError(f"lists a module twice: {value}")
        return value


@dataclass(frozen=True)
class ModuleInfo:
    """An available module: its manifest plus where it comes from."""

    identifier: str
    package: str
    distribution: str
    version: str
    path: Path
    manifest: Manifest
    manifest_file: Path
    warnings: tuple[str, ...] = field(default=())

    @property
    def dependencies(self) -> list[str]:
        """Declared dependencies plus the implicit ``core`` (core itself has none)."""
        deps = list(self.manifest.dependencies)
        if self.identifier != "core" and "core" not in deps:
            deps.insert(0, "core")
        return deps

    @property
    def name(self) -> str:
        return self.manifest.name


@dataclass(frozen=True)
class UnavailableModule:
    """An implicit module found on the system whose dependencies are not all available."""

    info: ModuleInfo
    missing: tuple[str, ...]

    @property
    def reason(self) -> str:
        """``needs invoicing (not pip-installed)``: what is missing, for listings and errors."""
        return f"needs {', '.join(self.missing)} (not pip-installed)"


_unavailable: dict[str, UnavailableModule] = {}


def load_manifest(path: Path) -> tuple[Manifest, tuple[str, ...]]:
    """Read and validate one manifest file; return it with its warnings.

    Raises ``ManifestError`` naming the file and listing every problem (key + rule).
    """
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ManifestError(f"Cannot read manifest {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ManifestError(
            f"Manifest {path} must be a mapping of keys (name, identifier, dependencies, ...), "
            f"got {type(raw).__name__}."
        )
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        details = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(manifest)"
            message = "is required" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
            details.append({"path": key, "message": message})
        problems = "; ".join(f"key '{d['path']}' {d['message']}" for d in details)
        raise ManifestError(f"Invalid manifest {path}: {problems}.", details=details) from None
    warnings = []
    for key in sorted(set(raw) - set(Manifest.model_fields)):
        if key == "version":
            warnings.append(f"{path}: key 'version' is ignored; the version is the distribution's version.")
        elif key not in IGNORED_KEYS:
            warnings.append(f"{path}: unknown key '{key}' is ignored.")
    return manifest, tuple(warnings)


def _manifest_path(package_dir: Path) -> Path | None:
    for name in ("manifest.yaml", "manifest.yml", "manifest.json"):
        candidate = package_dir / name
        if candidate.is_file():
            return candidate
    return None


def _module_from_entry_point(ep: metadata.EntryPoint) -> ModuleInfo:
    package = ep.value.split(":")[0].strip()
    dist = ep.dist
    dist_name = dist.metadata["Name"] if dist is not None else "?"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ManifestError(
            f"Module '{ep.name}' (distribution {dist_name}) points its entry point at '{package}', "
            f"which is not an importable package. The entry-point value must be the import package "
            f"holding manifest.yaml."
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    manifest_file = _manifest_path(package_dir)
    if manifest_file is None:
        raise ManifestError(
            f"Module '{ep.name}' (package {package}, distribution {dist_name}) has no manifest.yaml "
            f"in {package_dir}. Add one with at least name, identifier and dependencies, and "
            f"include it as package data."
        )
    manifest, warnings = load_manifest(manifest_file)
    if manifest.identifier != ep.name:
        raise ManifestError(
            f"Manifest {manifest_file}: key 'identifier' is '{manifest.identifier}' but the entry point "
            f"of distribution {dist_name} names the module '{ep.name}'. They must be equal."
        )
    version = dist.version if dist is not None else "0"
    return ModuleInfo(
        identifier=ep.name,
        package=package,
        distribution=dist_name,
        version=version,
        path=package_dir,
        manifest=manifest,
        manifest_file=manifest_file,
        warnings=warnings,
    )


def _entry_points() -> Iterable[metadata.EntryPoint]:
    importlib.invalidate_caches()
    return metadata.entry_points(group=ENTRY_POINT_GROUP)


@lru_cache(maxsize=1)
def discover_modules() -> dict[str, ModuleInfo]:
    """Every available module, by identifier (sorted). Cached for the process.

    Call ``discover_modules.cache_clear()`` after installing a distribution at run time.
    """
    found: dict[str, ModuleInfo] = {}
    seen: dict[str, set[str]] = {}
    for ep in _entry_points():
        dist_name = ep.dist.metadata["Name"] if ep.dist is not None else "?"
        seen.setdefault(ep.name, set()).add(dist_name)
        if len(seen[ep.name]) > 1:
            names = " and ".join(sorted(seen[ep.name]))
            raise ManifestError(
                f"Module identifier '{ep.name}' is claimed by two distributions: {names}. Uninstall one of them."
            )
        if ep.name in found:  # the same distribution seen twice on sys.path
            continue
        info = _module_from_entry_point(ep)
        for warning in info.warnings:
            log.warning(warning)
        found[ep.name] = info
    _unavailable.clear()
    _unavailable.update(_set_aside_unavailable(found))
    if "core" not in found:
        raise ManifestError(
            "The core module is not available: fullfinity-core's entry point 'core' is missing. "
            "Reinstall fullfinity-core (pip install fullfinity-core)."
        )
    return dict(sorted(found.items()))


def _set_aside_unavailable(found: dict[str, ModuleInfo]) -> dict[str, UnavailableModule]:
    """Take out of ``found`` every implicit module with a dependency that is not available
    (repeatedly: glue on top of unavailable glue is unavailable too); return them."""
    aside: dict[str, UnavailableModule] = {}
    changed = True
    while changed:
        changed = False
        for ident, info in list(found.items()):
            missing = tuple(d for d in info.dependencies if d not in found)
            if info.manifest.implicit and missing:
                aside[ident] = UnavailableModule(found.pop(ident), missing)
                changed = True
    return dict(sorted(aside.items()))


def unavailable_modules() -> dict[str, UnavailableModule]:
    """Implicit modules set aside by ``discover_modules()`` because a dependency is missing."""
    discover_modules()
    return dict(_unavailable)


def _find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One closed path (``[a, b, c, a]``) per group of modules that depend on each other.

    Groups are the strongly connected components of ``graph`` (Tarjan); within each, a
    breadth-first search from its smallest identifier gives the shortest cycle back to
    it. Linear in the graph size, so a large acyclic graph costs nothing.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in graph:
                continue
            if dep not in index:
                connect(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    cycles: list[list[str]] = []
    for component in components:
        start = min(component)
        if len(component) == 1 and start not in graph[start]:
            continue  # a module alone, not depending on itself
        parents: dict[str, str] = {}
        queue = [start]
        while queue:
            node = queue.pop(0)
            if start in graph[node]:
                path = [start]
                while node != start:
                    path.insert(1, node)
                    node = parents[node]
                cycles.append([*path, start])
                break
            for dep in sorted(graph[node]):
                if dep in component and dep not in parents and dep != start:
                    parents[dep] = node
                    queue.append(dep)
    return sorted(cycles)


def resolve_order(
    wanted: Iterable[str] | None = None,
    available: Mapping[str, ModuleInfo] | None = None,
) -> list[str]:
    """Install order of ``wanted`` (default: every available module) and their dependencies.

    Topological: each module after its dependencies, ties broken by identifier. Raises
    ``DependencyError`` naming every missing module (and who needs it) and every cycle.
    """
    modules = available if available is not None else discover_modules()
    pending = sorted(set(wanted) if wanted is not None else set(modules))
    graph: dict[str, list[str]] = {}
    missing: dict[str, set[str]] = {}
    while pending:
        ident = pending.pop()
        if ident in graph:
            continue
        info = modules.get(ident)
        if info is None:
            missing.setdefault(ident, set())
            continue
        graph[ident] = info.dependencies
        for dep in info.dependencies:
            if dep not in modules:
                missing.setdefault(dep, set()).add(ident)
            elif dep not in graph:
                pending.append(dep)
    problems: list[str] = []
    details: list[dict[str, str]] = []
    for ident in sorted(missing):
        needed_by = sorted(missing[ident])
        who = f" (needed by {', '.join(needed_by)})" if needed_by else " (requested)"
        if ident in _unavailable:
            who += f", unavailable: it {_unavailable[ident].reason}"
        problems.append(f"missing module '{ident}'{who}")
        details.append({"path": ident, "message": f"not available{who}"})
    for cycle in _find_cycles(graph):
        text = " -> ".join(cycle)
        problems.append(f"dependency cycle {text}")
        details.append({"path": cycle[0], "message": f"cycle {text}"})
    if problems:
        raise DependencyError(
            "Module dependencies cannot be resolved: " + "; ".join(problems) + ". "
            "Install the missing distributions (pip install fullfinity-<module>) or fix the manifests.",
            details=details,
        )
    # Kahn's algorithm with a sorted ready list: deterministic order.
    remaining = {m: set(deps) for m, deps in graph.items()}
    order: list[str] = []
    ready = sorted(m for m, deps in remaining.items() if not deps)
    while ready:
        current = ready.pop(0)
        order.append(current)
        for m, deps in remaining.items():
            if current in deps:
                deps.discard(current)
                if not deps and m not in order and m not in ready:
                    ready.append(m)
        ready.sort()
    return order


def manifest_summary(info: ModuleInfo) -> dict[str, Any]:
    """A plain dict describing a module (CLI and API listings)."""
    return {
        "identifier": info.identifier,
        "name": info.name,
        "version": info.version,
        "distribution": info.distribution,
        "dependencies": info.dependencies,
        "edition": info.manifest.edition,
        "implicit": info.manifest.implicit,
        "description": info.manifest.description,
    }
