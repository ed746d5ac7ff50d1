"""Wiring relations across the models of a registry.

Before classes are composed, ``add_reverse_fields`` creates the reverse side of every
relation that names one (``related_name``): a OneToMany for a ManyToOne, a single-record
reverse for a OneToOne, a ManyToMany for a ManyToMany, and checks explicit OneToMany
declarations against their inverse. After composition, ``resolve_targets`` points every
bound relational field at its composed target class and names ManyToMany join tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields.base import Field
from fullfinity.engine.fields.relational import (
    ManyToMany,
    ManyToOne,
    OneToMany,
    OneToOne,
    OneToOneReverse,
    RelationalField,
)
from fullfinity.engine.records.composition import table_name
from fullfinity.exceptions import ModuleError

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["add_reverse_fields", "resolve_targets"]


def _target_fields(
    fields: dict[str, dict[str, Field[Any]]], model: str, field: RelationalField
) -> dict[str, Field[Any]]:
    target = fields.get(field.related_model)
    if target is None:
        raise ModuleError(
            f"{type(field).__name__} {model}.{field.name} points at model '{field.related_model}', which no installed "
            f"module defines. Install the module that defines it (and list it in the manifest's dependencies)."
        )
    return target


def add_reverse_fields(fields: dict[str, dict[str, Field[Any]]]) -> None:
    """Add reverse fields in place (``fields``: model name -> field name -> unbound field)."""
    for model, model_fields in list(fields.items()):
        for field in list(model_fields.values()):
            if not isinstance(field, RelationalField):
                continue
            field.name = field.name or next(k for k, v in model_fields.items() if v is field)
            target = _target_fields(fields, model, field)
            if isinstance(field, OneToMany):
                inverse = target.get(field.related_name or "")
                if not isinstance(inverse, ManyToOne) or inverse.related_model != model:
                    raise ModuleError(
                        f"OneToMany {model}.{field.name} names related_name='{field.related_name}', but "
                        f"{field.related_model} has no ManyToOne '{field.related_name}' pointing at {model}."
                    )
                continue
            if field.related_name is None or isinstance(field, OneToOneReverse):
                continue
            existing = target.get(field.related_name)
            reverse: Field[Any]
            if isinstance(field, ManyToOne):
                if isinstance(existing, OneToMany) and existing.related_name == field.name:
                    continue  # declared explicitly on the target
                cls = OneToOneReverse if isinstance(field, OneToOne) else OneToMany
                reverse = cls(model, related_name=field.name, description=None)
            elif isinstance(field, ManyToMany):
                if field.reverse_of is not None:
                    continue
                reverse = ManyToMany(model, related_name=field.name, through=field.through)
                reverse.reverse_of = field.name
            else:
                continue
            if existing is not None:
                raise ModuleError(
                    f"{model}.{field.name} creates the reverse field {field.related_model}.{field.related_name}, "
                    f"but {field.related_model} already has a field of that name. Choose another related_name."
                )
            reverse.name = field.related_name
            reverse.slot = "_f_" + field.related_name
            reverse.description = field.related_name.replace("_", " ").capitalize()
            target[field.related_name] = reverse


def resolve_targets(models: dict[str, type[Model]]) -> None:
    """Point bound relational fields at their composed targets; name ManyToMany join tables."""
    for model in models.values():
        for field in model._fields.values():
            if isinstance(field, RelationalField):
                field.target = models[field.related_model]
    for model in models.values():
        for field in model._fields.values():
            if isinstance(field, ManyToMany):
                field.relation = _relation(model, field, models)


def _relation(model: type[Model], field: ManyToMany, models: dict[str, type[Model]]) -> tuple[str, str, str]:
    """(join table, column pointing at this model, column pointing at the target)."""
    target = models[field.related_model]
    if field.through:
        through = models.get(field.through)
        if through is None:
            raise ModuleError(f"ManyToMany {model._name}.{field.name}: through model '{field.through}' is not defined.")
        mine = [f for f in through._fields.values() if isinstance(f, ManyToOne) and f.related_model == model._name]
        theirs = [f for f in through._fields.values() if isinstance(f, ManyToOne) and f.related_model == target._name]
        if model._name == target._name:
            if len(mine) != 2:
                raise ModuleError(f"{field.through} must have exactly two ManyToOne to {model._name}.")
            first, second = mine
            ordered = (first, second) if field.reverse_of is None else (second, first)
            return through._table, str(ordered[0].column), str(ordered[1].column)
        if len(mine) != 1 or len(theirs) != 1:
            raise ModuleError(
                f"ManyToMany {model._name}.{field.name}: through model {field.through} must have exactly one "
                f"ManyToOne to {model._name} and one to {target._name}."
            )
        return through._table, str(mine[0].column), str(theirs[0].column)
    if field.reverse_of is not None:
        owner = target._fields[field.reverse_of]
        assert isinstance(owner, ManyToMany)
        table, this_col, other_col = _relation(target, owner, models)
        return table, other_col, this_col
    return f"{table_name(model._name)}__{field.name}", "source_id", "target_id"
