"""What a module operation did (or, with ``plan=True``, would do): modules, DDL, data changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DATA_ACTIONS", "ModuleChange", "OperationReport"]

#: What can happen to a data-file record, in report order.
DATA_ACTIONS = ("created", "updated", "deleted", "archived", "kept")


@dataclass(frozen=True)
class ModuleChange:
    """One module the operation installs, upgrades or uninstalls."""

    identifier: str
    action: str  # install | upgrade | uninstall
    from_version: str | None
    to_version: str | None
    reason: str = ""  # requested | dependency | implicit | dependent | version changed


@dataclass
class OperationReport:
    """The outcome of ``install`` / ``upgrade`` / ``uninstall`` on one tenant."""

    tenant: str
    operation: str
    planned: bool = False
    modules: list[ModuleChange] = field(default_factory=list)
    ddl: list[str] = field(default_factory=list)
    #: model -> action -> identifiers (``created``, ``updated``, ``deleted``, ``archived``, ``kept``).
    data: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Statements sent to the database while applying data files (batching keeps this small).
    data_statements: int = 0

    def record(self, model: str, action: str, identifier: str) -> None:
        self.data.setdefault(model, {}).setdefault(action, []).append(identifier)

    def count(self, action: str) -> int:
        return sum(len(actions.get(action, ())) for actions in self.data.values())

    @property
    def changed(self) -> bool:
        return bool(self.modules or self.ddl or any(self.count(a) for a in DATA_ACTIONS))

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable form (``--json``)."""
        return {
            "tenant": self.tenant,
            "operation": self.operation,
            "planned": self.planned,
            "modules": [
                {
                    "identifier": m.identifier,
                    "action": m.action,
                    "from_version": m.from_version,
                    "to_version": m.to_version,
                    "reason": m.reason,
                }
                for m in self.modules
            ],
            "ddl": list(self.ddl),
            "data": {
                model: {a: list(ids) for a, ids in actions.items()} for model, actions in sorted(self.data.items())
            },
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "data_statements": self.data_statements,
        }

    def lines(self) -> list[str]:
        """A human-readable account, one line per item (what the CLI prints)."""
        verb = "would" if self.planned else "did"
        out = [
            f"{self.operation} on tenant '{self.tenant}' ({'plan: nothing was changed' if self.planned else 'done'})"
        ]
        if not self.modules:
            out.append("  no module changes")
        for m in self.modules:
            versions = " -> ".join(v for v in (m.from_version, m.to_version) if v)
            reason = f" [{m.reason}]" if m.reason else ""
            out.append(f"  {m.action} {m.identifier} {versions}{reason}".rstrip())
        if self.ddl:
            out.append(f"  schema ({len(self.ddl)} statements {verb} run):")
            out.extend(f"    {statement}" for statement in self.ddl)
        for model, actions in sorted(self.data.items()):
            for action in DATA_ACTIONS:
                ids = actions.get(action)
                if ids:
                    shown = ", ".join(ids[:8]) + (f", ... ({len(ids)} in all)" if len(ids) > 8 else "")
                    out.append(f"  {model}: {action} {shown}")
        out.extend(f"  warning: {w}" for w in self.warnings)
        return out
