"""Access control in the ORM: model access, record rules and field groups (security.md 3-5).

Every non-elevated environment carries an ``AccessProfile``: the user's effective groups
(direct groups plus everything they imply, transitively), the operations each model grants
them (union of ModelAccess), and the record rules per (model, operation):

    allowed = AND(global rules) AND OR(rules of the user's groups)   (when any group rule applies)
            = AND(global rules)                                      (otherwise)

The profile is loaded once per (tenant, user) with four queries and kept by the env; the
ORM consults it at the few places every path goes through (query compilation, writes),
so no path (filter, related read, count, group_by, update, delete) can bypass it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fullfinity.engine.cache.store import model_namespace
from fullfinity.engine.qlang.q import Q
from fullfinity.exceptions import AccessError, MissingError

if TYPE_CHECKING:
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = ["OPERATIONS", "AccessProfile", "cached_profile", "check_field", "check_model", "check_rule", "load_profile"]

OPERATIONS = ("read", "write", "create", "delete")
SECURITY_MODELS = frozenset({"Group", "User", "ModelAccess", "RecordRule"})


@dataclass(frozen=True)
class AccessProfile:
    """What one user may do in one tenant."""

    uid: int
    group_ids: frozenset[int]
    group_names: frozenset[str]
    rights: dict[str, frozenset[str]] = field(default_factory=dict)
    global_rules: dict[tuple[str, str], tuple[Q, ...]] = field(default_factory=dict)
    group_rules: dict[tuple[str, str], tuple[Q, ...]] = field(default_factory=dict)
    contact_id: int | None = None

    def can(self, model: str, operation: str) -> bool:
        return operation in self.rights.get(model, frozenset())

    def rule(self, model: str, operation: str) -> Q | None:
        """The combined rule for ``model`` and ``operation``; ``None`` when nothing restricts it."""
        globals_ = self.global_rules.get((model, operation), ())
        grouped = self.group_rules.get((model, operation), ())
        parts = list(globals_)
        if grouped:
            parts.append(Q.combine("or", grouped) if len(grouped) > 1 else grouped[0])
        if not parts:
            return None
        return Q.combine("and", parts) if len(parts) > 1 else parts[0]

    def sees(self, f: Field[Any]) -> bool:
        """Whether field-level ``groups`` let this user read/write the field."""
        return not f.groups or bool(self.group_names.intersection(f.groups))

    def to_data(self) -> dict[str, Any]:
        """A plain, cacheable form (rules as Q strings)."""
        return {
            "uid": self.uid,
            "group_ids": sorted(self.group_ids),
            "group_names": sorted(self.group_names),
            "rights": {m: sorted(ops) for m, ops in self.rights.items()},
            "global_rules": [[m, op, [str(q) for q in qs]] for (m, op), qs in self.global_rules.items()],
            "group_rules": [[m, op, [str(q) for q in qs]] for (m, op), qs in self.group_rules.items()],
            "contact_id": self.contact_id,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AccessProfile:
        return cls(
            uid=data["uid"],
            group_ids=frozenset(data["group_ids"]),
            group_names=frozenset(data["group_names"]),
            rights={m: frozenset(ops) for m, ops in data["rights"].items()},
            global_rules={(m, op): tuple(Q.parse(q) for q in qs) for m, op, qs in data["global_rules"]},
            group_rules={(m, op): tuple(Q.parse(q) for q in qs) for m, op, qs in data["group_rules"]},
            contact_id=data["contact_id"],
        )


async def cached_profile(env: Environment, uid: int) -> AccessProfile:
    """The profile from the cache (namespace ``access``), recomputed when a security model was written."""
    if env.cache is None:
        return await load_profile(env, uid)

    async def compute() -> dict[str, Any]:
        return (await load_profile(env, uid)).to_data()

    depends = [model_namespace(name) for name in sorted(SECURITY_MODELS)]
    data = await env.cache.fetch(env.tenant, "access", f"user:{uid}", compute, depends_on=depends)
    # The same data gives the same profile object: no re-parsing of the rules on every request,
    # and compiled plans (fullfinity.engine.query.plans), keyed by the profile's identity, are reused.
    memo = _profiles.get((env.tenant, uid))
    if memo is not None and memo[0] == data:
        return memo[1]
    profile = AccessProfile.from_data(data)
    if len(_profiles) >= _MAX_PROFILES:
        _profiles.clear()
    _profiles[env.tenant, uid] = (data, profile)
    return profile


_MAX_PROFILES = 4096
_profiles: dict[tuple[str, int], tuple[dict[str, Any], AccessProfile]] = {}


async def load_profile(env: Environment, uid: int) -> AccessProfile:
    """Effective groups, rights and rules of ``uid`` (four queries)."""
    missing = SECURITY_MODELS - set(env.registry.models)
    if missing:
        raise AccessError(
            f"Access control needs the core security models, missing from this registry: {sorted(missing)}. "
            f"Run as the system (no user) or install the core module."
        )
    user = env.registry.get("User")
    group = env.registry.get("Group")
    user_rel = user._fields["groups"].relation  # type: ignore[attr-defined]
    implied_rel = group._fields["implied_groups"].relation  # type: ignore[attr-defined]
    rows = await env.fetch(
        f"""
        WITH RECURSIVE effective(id) AS (
            SELECT "{user_rel[2]}" FROM "{user_rel[0]}" WHERE "{user_rel[1]}" = $1
            UNION
            SELECT i."{implied_rel[2]}" FROM "{implied_rel[0]}" i JOIN effective e ON i."{implied_rel[1]}" = e.id
        )
        SELECT e.id, f.identifier FROM effective e
        LEFT JOIN ff_identifier f ON f.model = 'Group' AND f.res_id = e.id
        """,
        uid,
    )
    group_ids = frozenset(r["id"] for r in rows)
    names = frozenset(r["identifier"] for r in rows if r["identifier"])
    contact_id = await env.fetchval(f'SELECT contact_id FROM "{user._table}" WHERE id = $1', uid)
    rights: dict[str, set[str]] = {}
    for r in await env.fetch(
        'SELECT model, read_perm, write_perm, create_perm, delete_perm FROM "model_access" '
        "WHERE group_id = ANY($1::bigint[])",
        sorted(group_ids),
    ):
        granted = rights.setdefault(r["model"], set())
        for op in OPERATIONS:
            if r[f"{op}_perm"]:
                granted.add(op)
    rule_rel = env.registry.get("RecordRule")._fields["groups"].relation  # type: ignore[attr-defined]
    global_rules: dict[tuple[str, str], list[Q]] = {}
    group_rules: dict[tuple[str, str], list[Q]] = {}
    for r in await env.fetch(
        f"""
        SELECT r.model, r.rule, r.read_perm, r.write_perm, r.create_perm, r.delete_perm,
               array_remove(array_agg(g."{rule_rel[2]}"), NULL) AS groups
        FROM "record_rule" r LEFT JOIN "{rule_rel[0]}" g ON g."{rule_rel[1]}" = r.id
        WHERE r.active GROUP BY r.id
        """
    ):
        rule_groups = set(r["groups"])
        if rule_groups and not rule_groups & group_ids:
            continue  # a rule for groups the user does not hold
        q = Q.parse(r["rule"])
        target = group_rules if rule_groups else global_rules
        for op in OPERATIONS:
            if r[f"{op}_perm"]:
                target.setdefault((r["model"], op), []).append(q)
    return AccessProfile(
        uid=uid,
        group_ids=group_ids,
        group_names=names,
        rights={m: frozenset(ops) for m, ops in rights.items()},
        global_rules={k: tuple(v) for k, v in global_rules.items()},
        group_rules={k: tuple(v) for k, v in group_rules.items()},
        contact_id=contact_id,
    )


def _restricted(env: Environment) -> AccessProfile | None:
    return None if env.is_elevated else env.access


def check_model(env: Environment, model: type[Model], operation: str) -> None:
    """Refuse ``operation`` on ``model`` unless a ModelAccess of the user's groups grants it."""
    profile = _restricted(env)
    if profile is None or profile.can(model._name, operation):
        return
    raise AccessError(
        f"You are not allowed to {operation} {model._name} records: no access right of your groups grants "
        f"'{operation}'. Ask an administrator to grant it.",
        details=[{"path": model._name, "message": f"{operation} not granted"}],
    )


def check_field(env: Environment, model: type[Model], f: Field[Any], operation: str) -> None:
    """Refuse reading/writing a field restricted to groups the user does not hold."""
    profile = _restricted(env)
    if profile is None or profile.sees(f):
        return
    raise AccessError(
        f"You are not allowed to {operation} {model._name}.{f.name}: it is restricted to the groups "
        f"{', '.join(f.groups)}.",
        details=[{"path": f.name, "message": f"restricted to {', '.join(f.groups)}"}],
    )


async def check_rule(env: Environment, model: type[Model], ids: list[int], operation: str) -> None:
    """Every record of ``ids`` must satisfy the ``operation`` rule; unreadable ones are MissingError."""
    profile = _restricted(env)
    if profile is None or not ids:
        return
    rule = profile.rule(model._name, operation)
    read_rule = profile.rule(model._name, "read")
    if rule is None and read_rule is None:
        return
    with env.with_context(active_test=False):
        readable = (
            set(ids) if operation == "create" else set(await model.filter(id__in=ids).order_by().distinct_values("id"))
        )
        hidden = sorted(set(ids) - readable)
        if hidden:
            raise MissingError(f"{model._name} record(s) {hidden[:10]} do not exist or are not visible to you.")
        if rule is None:
            return
        with env.sudo():
            allowed = set(await model.filter(rule.resolve(env.bindings()), id__in=ids).order_by().distinct_values("id"))
    refused = sorted(set(ids) - allowed)
    if refused:
        raise AccessError(
            f"You are not allowed to {operation} {model._name} record(s) {refused[:10]}: they are outside the "
            f"record rules of your groups.",
            details=[{"path": model._name, "message": f"{operation} refused by record rules"}],
        )
