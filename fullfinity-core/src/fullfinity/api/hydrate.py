"""The selective query behind a response: exactly the columns and relations it shows.

A requested ``FieldTree`` becomes the ``with_fields`` paths of one queryset (orm.md 14):
the main SELECT lists only the root's columns, and each relation level is one more
query for the whole page, whatever the number of records (orm.md 15). ManyToOne values
need the target's ``display_name``: loaded in that level's query, unless the user may not
read the target model at all (then the id alone is shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.api.decode import FieldTree, add_path, normalise_path
from fullfinity.engine.fields.relational import X2ManyField
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model

__all__ = ["default_tree", "expand_related", "hydration_paths"]


def _profile_allows(env: Environment, model: type[Model], operation: str = "read") -> bool:
    profile = None if env.is_elevated else env.access
    return profile is None or profile.can(model._name, operation)


def default_tree(env: Environment, model: type[Model], *, x2many: bool) -> FieldTree:
    """Every stored field the user may read (and x-to-many id lists when ``x2many``)."""
    profile = None if env.is_elevated else env.access
    tree: FieldTree = {}
    for field in model._fields.values():
        if profile is not None and not profile.sees(field):
            continue
        if field.column is not None or (x2many and isinstance(field, X2ManyField)):
            tree[field.name] = None
    return tree


def expand_related(env: Environment, model: type[Model], tree: FieldTree, related: list[Any]) -> None:
    """Expand each ``related`` path in ``tree``: a relation not detailed by dotted ``fields`` gets
    the target's default fields (api.md 4.2), recursively along the path."""
    for index, path in enumerate(related):
        where = f"related.{index}"
        if not isinstance(path, str) or not path.strip():
            raise BadRequest(
                f"related[{index}] must be a relation path such as 'tasks.assignee', got {path!r:.80}.",
                details=[{"path": where, "message": "expected a relation path"}],
            )
        current_model, node = model, tree
        for segment in normalise_path(path.strip()).split("__"):
            field: Any = current_model._fields.get(segment)
            if field is None or not field.relational:
                what = "no field" if field is None else "a non-relational field"
                raise BadRequest(
                    f"related[{index}] {path!r}: {current_model._name} has {what} '{segment}'; related lists "
                    f"relation paths to expand.",
                    details=[{"path": where, "message": f"'{segment}' is not a relation of {current_model._name}"}],
                )
            target = field.target_model
            sub = node.get(segment)
            if sub is None:
                sub = node[segment] = default_tree(env, target, x2many=False)
            current_model, node = target, sub


def hydration_paths(env: Environment, model: type[Model], tree: FieldTree, *, top: bool = True) -> list[str]:
    """The ``with_fields`` paths loading ``tree`` (plus ``display_name`` and, at the top, ``updated_date``)."""
    paths: FieldTree = {"display_name": None}
    if top:
        paths["updated_date"] = None
    _collect(env, model, tree, [], paths)
    out: list[str] = []
    _flatten(paths, [], out)
    return out


def _collect(env: Environment, model: type[Model], tree: FieldTree, prefix: list[str], paths: FieldTree) -> None:
    for name, sub in tree.items():
        field: Any = model._fields[name]
        here = [*prefix, name]
        if not field.relational:
            add_path(paths, here)
            continue
        target = field.target_model
        if isinstance(field, X2ManyField):
            add_path(paths, [*here, "id"])
        elif sub is not None or _profile_allows(env, target):
            add_path(paths, [*here, "display_name"])
        else:
            add_path(paths, here)  # the id alone: the user may not read the target model
        if sub is not None:
            add_path(paths, [*here, "display_name"])
            _collect(env, target, sub, here, paths)


def _flatten(tree: FieldTree, prefix: list[str], out: list[str]) -> None:
    for name, sub in tree.items():
        here = [*prefix, name]
        out.append("__".join(here))  # a relation itself is listed too: its parent level then selects its column
        if sub is not None:
            _flatten(sub, here, out)
