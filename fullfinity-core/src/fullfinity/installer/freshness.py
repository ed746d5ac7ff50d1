"""Does a tenant need an upgrade? Its installed module versions against the available ones (modules.md 4).

Requests call ``pending_upgrades(registry)`` on every tenant access, so the answer is cached per
module set (the registry's ``versions``) and recomputed only when the available modules change
(``discover_modules.cache_clear()``): no query, no version parsing per request.
"""

from __future__ import annotations

from collections.abc import Mapping

from fullfinity.engine.module_registry import ModuleInfo, discover_modules
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import UpgradeRequired

__all__ = ["Pending", "pending_upgrades", "upgrade_required"]

#: (identifier, installed version, available version) of each module needing an upgrade.
Pending = tuple[tuple[str, str, str], ...]

_available: Mapping[str, ModuleInfo] | None = None
_answers: dict[tuple[tuple[str, str], ...], Pending] = {}


def pending_upgrades(registry: Registry) -> Pending:
    """The modules of ``registry`` whose installed version differs from the available one (empty: none)."""
    global _available
    available = discover_modules()
    if available is not _available:
        _answers.clear()
        _available = available
    key = tuple(sorted(registry.versions.items()))
    answer = _answers.get(key)
    if answer is None:
        answer = tuple(
            (ident, version, available[ident].version)
            for ident, version in key
            if ident in available and available[ident].version != version
        )
        _answers[key] = answer
    return answer


def upgrade_required(tenant: str, pending: Pending) -> UpgradeRequired:
    """The 503 a tenant needing an upgrade answers with, naming each module and what to run."""
    changes = ", ".join(f"{ident} {old} -> {new}" for ident, old, new in pending)
    return UpgradeRequired(
        f"Tenant '{tenant}' needs an upgrade before it can be served: {changes}. Run "
        f"`fullfinity -u all --tenant {tenant}` (or set FULLFINITY_AUTO_UPGRADE=true to upgrade on first access).",
        details=[{"path": ident, "message": f"installed {old}, available {new}"} for ident, old, new in pending],
    )
