"""User groups: who a user is (security.md section 2)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, ManyToMany, Model, ValidationError


class Group(Model):
    _verbose_name = "User Group"
    _order = "category ASC, name ASC"

    name = Char(max_length=120, required=True)
    category = Char(max_length=120)
    exclusive = Boolean()
    implied_groups = ManyToMany("Group", related_name="implied_by")

    @Model.constrain("implied_groups")
    async def _check_no_cycle(self) -> None:
        env = self.env
        cycle = await env.fetchval(
            """
            WITH RECURSIVE reach(id) AS (
                SELECT target_id FROM group__implied_groups WHERE source_id = $1
                UNION SELECT g.target_id FROM group__implied_groups g JOIN reach r ON g.source_id = r.id
            ) SELECT EXISTS (SELECT 1 FROM reach WHERE id = $1)
            """,
            self.id,
        )
        if cycle:
            raise ValidationError({"implied_groups": "group implications must not form a cycle"})

    @Model.constrain("users", "exclusive", "category")
    async def _check_exclusive_members(self) -> None:
        """Members added from the group's side obey the same rule as User.groups."""
        from fullfinity.modules.core.models.user import exclusive_problems

        if not self.exclusive:
            return
        ids = [r["source_id"] for r in await self.env.fetch(
            'SELECT source_id FROM "user__groups" WHERE target_id = $1', self.id
        )]  # fmt: skip
        problems = await exclusive_problems(self.env, ids) if ids else []
        if problems:
            raise ValidationError({"users": "; ".join(problems)})
