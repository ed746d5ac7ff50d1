"""User administration shared by the command line and the endpoints: find, create, set a
password, disable; user types and the guest user (security.md 1, 9.4, 9.7)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any, Literal

from fullfinity.auth.passwords import check_password_policy, hash_password
from fullfinity.auth.sessions import revoke_user_sessions
from fullfinity.engine.cache import model_namespace
from fullfinity.engine.env import Environment
from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS
from fullfinity.engine.records.identifiers import resolve_many
from fullfinity.exceptions import IntegrityError, MissingError, ValidationError
from fullfinity.settings import Settings

__all__ = [
    "GUEST_IDENTIFIER",
    "USER_TYPE_GROUPS",
    "UserType",
    "create_user",
    "disable_user",
    "find_user",
    "group_identifiers",
    "guest_uid",
    "list_users",
    "normalise_email",
    "resolve_groups",
    "set_password",
    "user_type",
]

UserType = Literal["internal", "portal", "public"]
#: The group that gives each user type (security.md 1); checked in this order.
USER_TYPE_GROUPS: dict[UserType, str] = {"internal": "core_internal", "portal": "core_portal", "public": "core_public"}
#: Identifier of the built-in guest user, who stands for anonymous visitors on public routes.
GUEST_IDENTIFIER = "core_user_public"
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def user_type(group_names: Collection[str]) -> UserType | None:
    """The user type given by the (effective) groups; ``None`` for a user of no type."""
    for kind, group in USER_TYPE_GROUPS.items():
        if group in group_names:
            return kind
    return None


def normalise_email(email: str) -> str:
    """The login form of an email address (trimmed, lower case); ``ValidationError`` if it is not one."""
    value = email.strip().lower()
    if not _EMAIL_RE.match(value) or len(value) > 320:
        raise ValidationError({"email": f"must be an email address such as ann@example.com, got {email!r}"})
    return value


async def guest_uid(env: Environment) -> int | None:
    """The id of the guest user, ``None`` when the tenant has none.

    Every public request asks; the answer is kept in the cache under ``model:User`` (a module
    operation, which could bind the identifier anew, invalidates everything of the tenant), so
    public routes cost no query for it.
    """
    lookup = await env.cache.lookup(env.tenant, model_namespace("User"), "guest_uid") if env.cache else None
    if lookup is not None and lookup.hit:
        return int(lookup.value)
    found = await env.fetchval(
        f"SELECT res_id FROM {IDENTIFIERS} WHERE identifier = $1 AND model = 'User'", GUEST_IDENTIFIER
    )
    if found is None:
        return None
    if lookup is not None:
        await lookup.store(int(found), ttl=3600)
    return int(found)


async def find_user(env: Environment, email: str) -> dict[str, Any]:
    """``{"id", "email", "name", "active", "password_hash"}`` of the user with this login (any case)."""
    table = env["User"]._table
    row = await env.fetchrow(
        f'SELECT id, email, name, active, password_hash FROM "{table}" WHERE lower(email) = lower($1) ORDER BY id '
        f"LIMIT 1",
        email.strip(),
    )
    if row is None:
        raise MissingError(f"No user has the email {email.strip()!r} in tenant '{env.tenant}'.")
    return dict(row)


async def group_identifiers(env: Environment) -> dict[str, int]:
    """identifier -> id of every group that has an identifier."""
    rows = await env.fetch(f"SELECT identifier, res_id FROM {IDENTIFIERS} WHERE model = 'Group' ORDER BY identifier")
    return {r["identifier"]: int(r["res_id"]) for r in rows}


async def resolve_groups(env: Environment, identifiers: Sequence[str]) -> list[int]:
    """Group ids of ``identifiers``; one ``ValidationError`` naming every unknown one."""
    found = await resolve_many(env, identifiers)
    unknown = [i for i in identifiers if i not in found or found[i][0] != "Group"]
    if unknown:
        known = ", ".join(await group_identifiers(env)) or "none"
        raise ValidationError(
            f"Unknown group identifier(s): {', '.join(unknown)}. Groups of this tenant: {known}.",
            details=[{"path": "groups", "message": f"unknown group {i!r}"} for i in unknown],
        )
    return [found[i][1] for i in identifiers]


async def create_user(
    env: Environment, email: str, *, name: str | None, password: str, groups: Sequence[str], settings: Settings
) -> Any:
    """Create a user with an argon2id password hash and the given group identifiers."""
    login = normalise_email(email)
    check_password_policy(password, settings.password_min_length)
    group_ids = await resolve_groups(env, groups)
    table = env["User"]._table
    if await env.fetchval(f'SELECT 1 FROM "{table}" WHERE lower(email) = $1', login):
        raise IntegrityError({"email": f"a user with the email {login!r} already exists"})
    with env.sudo():
        return await env["User"].create(
            name=(name or login.split("@")[0]).strip(),
            email=login,
            password_hash=await hash_password(password),
            groups=group_ids,
            active=True,
        )


async def set_password(env: Environment, uid: int, password: str, *, settings: Settings) -> int:
    """Set a new password and revoke every session of the user; returns how many were revoked."""
    check_password_policy(password, settings.password_min_length)
    hashed = await hash_password(password)
    with env.sudo(), env.with_context(active_test=False):
        await env["User"].filter(id=uid).update(password_hash=hashed)
    return await revoke_user_sessions(env, uid, "password")


async def disable_user(env: Environment, uid: int) -> int:
    """Deactivate a user and revoke their sessions (their API keys stop working with them)."""
    with env.sudo(), env.with_context(active_test=False):
        await env["User"].filter(id=uid).update(active=False)
    return await revoke_user_sessions(env, uid, "disabled")


async def list_users(env: Environment) -> list[dict[str, Any]]:
    """Every user (active or not) with their direct group identifiers and their user type."""
    user = env["User"]
    rel = user._fields["groups"].relation  # type: ignore[attr-defined]
    implied = env["Group"]._fields["implied_groups"].relation  # type: ignore[attr-defined]
    rows = await env.fetch(
        f"""
        WITH RECURSIVE effective(uid, gid, direct) AS (
            SELECT r."{rel[1]}", r."{rel[2]}", true FROM "{rel[0]}" r
            UNION
            SELECT e.uid, i."{implied[2]}", false FROM "{implied[0]}" i JOIN effective e ON i."{implied[1]}" = e.gid
        )
        SELECT u.id, u.email, u.name, u.active,
               array_remove(array_agg(DISTINCT f.identifier) FILTER (WHERE e.direct), NULL) AS groups,
               array_remove(array_agg(DISTINCT f.identifier), NULL) AS effective
        FROM "{user._table}" u
        LEFT JOIN effective e ON e.uid = u.id
        LEFT JOIN {IDENTIFIERS} f ON f.model = 'Group' AND f.res_id = e.gid
        GROUP BY u.id ORDER BY u.email
        """
    )
    return [
        {
            "id": r["id"],
            "email": r["email"],
            "name": r["name"],
            "active": r["active"],
            "groups": sorted(r["groups"] or []),  # NULL when no row passes the FILTER
            "type": user_type(r["effective"] or []),
        }
        for r in rows
    ]
