"""Users: email login, argon2 password hash, groups (security.md section 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.base import Boolean, Char, ManyToMany, ManyToOne, Model, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

#: The direct exclusive groups of the given users sharing a category with another one of them.
EXCLUSIVE_CLASHES = """
    SELECT g.category, array_agg(g.name ORDER BY g.name) AS names
    FROM "user__groups" ug JOIN "group" g ON g.id = ug.target_id
    WHERE ug.source_id = ANY($1::bigint[]) AND g.exclusive
    GROUP BY ug.source_id, g.category HAVING count(*) > 1
"""


async def exclusive_problems(env: Environment, user_ids: list[int]) -> list[str]:
    """One message per (user, category) holding two or more exclusive groups of that category."""
    rows = await env.fetch(EXCLUSIVE_CLASHES, user_ids)
    return [
        f"one group of the exclusive category '{r['category'] or ''}' at most, got {', '.join(r['names'])}"
        for r in rows
    ]


class User(Model):
    _order = "name ASC"

    name = Char(max_length=200, required=True)
    email = Char(max_length=320, required=True, unique=True, clone=False)
    password_hash = Char(max_length=255, clone=False, groups=["core_admin"], readonly=True)
    active = Boolean(default=True)
    groups = ManyToMany("Group", related_name="users")
    lang = Char(max_length=16, default="en")
    tz = Char(max_length=64, default="UTC")
    contact = ManyToOne("Contact", related_name="users", on_delete="SET NULL")

    @Model.expose(groups=["core_admin"])
    async def action_open_change_password(self) -> dict[str, Any]:
        """Open the Change password wizard on this user (a dialog: the action's ``target`` is ``new``)."""
        user = self.ensure_one()
        return {
            "type": "action",
            "action": "core_change_password_action",
            "context": {"active_model": "User", "active_ids": [user.id], "active_id": user.id},
        }

    @Model.constrain("groups")
    async def _check_exclusive_groups(self) -> None:
        """security.md 2: direct memberships hold at most one group of each exclusive category
        (implied groups do not count, so "Manager implies User" works with both exclusive)."""
        problems = await exclusive_problems(self.env, [self.id])
        if problems:
            raise ValidationError({"groups": "; ".join(problems)})
