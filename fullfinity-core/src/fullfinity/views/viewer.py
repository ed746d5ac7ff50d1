"""Who a view is resolved for: the user's effective groups and what they may read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fullfinity.engine.access.control import AccessProfile
    from fullfinity.engine.env import Environment

__all__ = ["Viewer"]


@dataclass(frozen=True)
class Viewer:
    """The user a view, action or menu tree is resolved for; ``profile=None`` is the system (sees all)."""

    profile: AccessProfile | None

    @classmethod
    def of(cls, env: Environment) -> Viewer:
        return cls(None if env.is_elevated or env.access is None else env.access)

    @property
    def group_names(self) -> frozenset[str]:
        return self.profile.group_names if self.profile is not None else frozenset()

    def in_groups(self, groups: Iterable[str]) -> bool:
        """No groups means everyone; otherwise the user must hold one of them."""
        wanted = tuple(groups)
        return not wanted or self.profile is None or not self.profile.group_names.isdisjoint(wanted)

    def sees(self, field: Any) -> bool:
        return self.profile is None or self.profile.sees(field)

    def can(self, model: str, operation: str = "read") -> bool:
        return self.profile is None or self.profile.can(model, operation)

    @property
    def cache_key(self) -> str:
        """Equal for users whose effective groups are equal (what resolution depends on)."""
        if self.profile is None:
            return "system"
        ids = ",".join(map(str, sorted(self.profile.group_ids)))
        return hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()[:16]
