"""Model access rights and record rules (security.md sections 3 and 4)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, ManyToMany, ManyToOne, Model, Text, ValidationError


class ModelAccess(Model):
    _verbose_name = "Model Access"
    _order = "model ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, index=True)
    group = ManyToOne("Group", related_name="model_access", required=True, on_delete="CASCADE")
    read_perm = Boolean()
    create_perm = Boolean()
    write_perm = Boolean()
    delete_perm = Boolean()


class RecordRule(Model):
    _verbose_name = "Record Rule"
    _order = "model ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, index=True)
    groups = ManyToMany("Group", related_name="record_rules")
    rule = Text(required=True, default="Q()")
    read_perm = Boolean(default=True)
    write_perm = Boolean(default=True)
    create_perm = Boolean(default=True)
    delete_perm = Boolean(default=True)
    active = Boolean(default=True)

    @Model.constrain("rule")
    async def _check_rule(self) -> None:
        from fullfinity.engine.Q import Q
        from fullfinity.exceptions import QSyntaxError

        try:
            Q.parse(self.rule)
        except QSyntaxError as exc:
            raise ValidationError({"rule": f"is not a valid Q string: {exc.message}"}) from None
