"""Which modules an operation touches, in which order (modules.md 4 and 5).

Pure functions of the installed modules (identifier -> version) and the available ones:

- install: the requested modules, their missing dependencies, then every implicit module whose
  dependencies are all installed, repeatedly; in dependency order.
- upgrade: the named modules, ``all`` installed ones, or (no names) those whose installed version
  differs from the available one.
- uninstall: the named modules and every installed module depending on them, transitively;
  dependents first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from fullfinity.engine.module_registry import ModuleInfo, resolve_order
from fullfinity.exceptions import DependencyError, ModuleError
from fullfinity.installer.report import ModuleChange

__all__ = ["plan_install", "plan_uninstall", "plan_upgrade", "target_order"]

log = logging.getLogger(__name__)


def _unknown(names: Sequence[str], available: Mapping[str, ModuleInfo]) -> None:
    missing = sorted(n for n in names if n not in available)
    if missing:
        known = ", ".join(sorted(available))
        raise DependencyError(
            f"Unknown module(s) {', '.join(repr(m) for m in missing)}: no installed distribution provides them. "
            f"Available modules: {known}. Install the distribution first (pip install fullfinity-<module>).",
            details=[{"path": m, "message": "not available"} for m in missing],
        )


def target_order(modules: Sequence[str], available: Mapping[str, ModuleInfo]) -> list[str]:
    """``modules`` (and their dependencies) in install order."""
    return resolve_order(modules, available)


def plan_install(
    requested: Sequence[str], installed: Mapping[str, str], available: Mapping[str, ModuleInfo]
) -> list[ModuleChange]:
    """Modules to install, in order, each with why (requested, dependency, implicit)."""
    _unknown(requested, available)
    wanted = set(installed) | set(requested)
    order = resolve_order(sorted(wanted), available)
    while True:
        eligible = [
            ident
            for ident, info in available.items()
            if info.manifest.implicit and ident not in order and all(d in order for d in info.dependencies)
        ]
        if not eligible:
            break
        order = resolve_order([*order, *eligible], available)
    changes: list[ModuleChange] = []
    for ident in order:
        if ident in installed:
            continue
        info = available[ident]
        if ident in requested:
            reason = "requested"
        elif info.manifest.implicit and ident not in _closure(requested, available):
            reason = "implicit"
        else:
            reason = "dependency"
        changes.append(ModuleChange(ident, "install", None, info.version, reason))
    return changes


def _closure(names: Sequence[str], available: Mapping[str, ModuleInfo]) -> set[str]:
    try:
        return set(resolve_order(names, available))
    except DependencyError:
        return set(names)


def plan_upgrade(
    requested: Sequence[str] | None, installed: Mapping[str, str], available: Mapping[str, ModuleInfo]
) -> list[ModuleChange]:
    """Modules to upgrade: ``requested`` (``["all"]`` for every one), or those whose version changed."""
    missing_dist = sorted(m for m in installed if m not in available)
    if missing_dist:
        raise ModuleError(
            f"Installed module(s) {', '.join(missing_dist)} have no available distribution: the tenant cannot be "
            f"upgraded. Reinstall the distribution(s) of the same modules, or uninstall them first."
        )
    if requested and list(requested) != ["all"]:
        _unknown(requested, available)
        not_installed = sorted(m for m in requested if m not in installed)
        if not_installed:
            raise ModuleError(
                f"Module(s) {', '.join(not_installed)} are not installed in this tenant, so they cannot be upgraded. "
                f"Install them with `fullfinity module install`."
            )
    order = resolve_order(sorted(installed), available)
    changes: list[ModuleChange] = []
    for ident in order:
        old, new = installed[ident], available[ident].version
        if requested == ["all"] or (requested and ident in requested):
            changes.append(ModuleChange(ident, "upgrade", old, new, "requested"))
        elif old != new:
            changes.append(ModuleChange(ident, "upgrade", old, new, "version changed"))
        if old != new and _is_lower(new, old):
            log.warning("Module %s goes from %s down to %s: downgrades are not guaranteed to be safe.", ident, old, new)
    return changes


def _is_lower(new: str, old: str) -> bool:
    def key(version: str) -> tuple[int, ...]:
        parts = []
        for part in version.split("."):
            digits = "".join(c for c in part if c.isdigit())
            parts.append(int(digits) if digits else 0)
        return tuple(parts)

    return key(new) < key(old)


def plan_uninstall(
    requested: Sequence[str], installed: Mapping[str, str], available: Mapping[str, ModuleInfo]
) -> list[ModuleChange]:
    """Modules to uninstall: the requested ones and their installed dependents, dependents first.

    Dependents carry the reason ``dependent``; the caller decides whether to refuse them.
    """
    if "core" in requested:
        raise ModuleError("The core module cannot be uninstalled: every tenant needs it. Drop the tenant instead.")
    not_installed = sorted(m for m in requested if m not in installed)
    if not_installed:
        raise ModuleError(
            f"Module(s) {', '.join(not_installed)} are not installed in this tenant; nothing to uninstall. "
            f"`fullfinity module list --tenant NAME` shows what is installed."
        )
    removing = set(requested)
    changed = True
    while changed:
        changed = False
        for ident in installed:
            info = available.get(ident)
            if ident not in removing and info is not None and removing.intersection(info.dependencies):
                removing.add(ident)
                changed = True
    order = resolve_order(sorted(m for m in installed if m in available), available)
    ordered = [m for m in reversed(order) if m in removing]
    ordered += sorted(removing - set(ordered))
    return [
        ModuleChange(m, "uninstall", installed[m], None, "requested" if m in requested else "dependent")
        for m in ordered
    ]
