"""``/api/execute/{model}/{method}``: call an exposed model method (api.md 4.7, orm.md 6.3).

Callable are methods decorated with ``@Model.expose``, ``action_*`` methods referenced by an
``actionButton`` of a view of the model the user sees, and the ``data_method`` of such a view
(``fullfinity.views.methods``; methods of the framework's ``Model`` base class never through
views). Anything else, including every ``_``-prefixed name, is a 404 that does not say whether
the method exists. A method exposed to groups the user lacks is a 403. Calling needs read access
to the model; the method then runs with the user's rights.

Instance methods receive the records of ``ids`` (all must be readable, 404 otherwise);
class methods take no ids; transient models (wizards) get a draft built from ``values``.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import TYPE_CHECKING, Any

from fullfinity.api.bodies import ExecuteBody
from fullfinity.api.decode import parse_context
from fullfinity.api.encode import datetime_text
from fullfinity.api.handlers.draft import build_draft
from fullfinity.api.handlers.records import records_by_id, with_archived
from fullfinity.api.hydrate import default_tree
from fullfinity.engine.access.control import check_model
from fullfinity.engine.models import Model
from fullfinity.exceptions import AccessError, BadRequest, NotFound
from fullfinity.views.methods import view_methods

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["callable_method", "encode_result", "execute", "exposed_method"]


def _attribute(model: type[Model], name: str) -> Any:
    """The class attribute ``name`` as its class defines it (``None`` for ``_``-prefixed names)."""
    if not name.startswith("_"):
        for klass in type.mro(model):
            if name in vars(klass):
                return vars(klass)[name]
    return None


def _not_callable(model: type[Model], name: str) -> NotFound:
    return NotFound(
        f"{model._name} has no method '{name}' callable through the API: only methods decorated with "
        f"@Model.expose, action_* methods of the buttons of a view you can see, and the data_method of such "
        f"a view are."
    )


def exposed_method(model: type[Model], name: str) -> tuple[list[str], bool]:
    """(groups allowed to call it, is a class method) of an ``@Model.expose`` method; ``NotFound`` otherwise."""
    raw = _attribute(model, name)
    func = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
    groups = getattr(func, "_expose_groups", None) if callable(func) else None
    if groups is None:
        raise _not_callable(model, name)
    return list(groups), isinstance(raw, classmethod | staticmethod)


async def callable_method(env: Environment, model: type[Model], name: str) -> tuple[list[str], bool]:
    """(groups allowed to call it, is a class method) of a method the env's user may call.

    An ``@Model.expose`` method keeps its groups; a method exposed by the user's views has none
    (seeing the view is the permission). Anything else is ``NotFound``, whether it exists or not.
    """
    try:
        return exposed_method(model, name)
    except NotFound:
        if name.startswith("_"):
            raise
    raw = _attribute(model, name)
    func = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
    referenced = await view_methods(env, model._name)  # also for unknown names: same work, same answer
    by_view = name in referenced.data_methods or (name.startswith("action_") and name in referenced.buttons)
    if by_view and callable(func) and not hasattr(Model, name):
        return [], isinstance(raw, classmethod | staticmethod)
    raise _not_callable(model, name)


async def execute(env: Environment, model: type[Model], name: str, body: ExecuteBody) -> dict[str, Any]:
    groups, is_class = await callable_method(env, model, name)
    profile = None if env.is_elevated else env.access
    if groups and profile is not None and not profile.group_names.intersection(groups):
        raise AccessError(
            f"You are not allowed to call {model._name}.{name}: it is restricted to the groups {', '.join(groups)}.",
            details=[{"path": name, "message": f"restricted to {', '.join(groups)}"}],
        )
    check_model(env, model, "read")
    with env.with_context(**parse_context(body.context)):
        target: Any
        if model._transient:
            if body.ids is not None:
                raise BadRequest(f"{model._name} is a transient model: send its draft as 'values', not 'ids'.")
            draft = await build_draft(env, model, body.values or {}, record_id=None, prefix="values.")
            target = model if is_class else draft.record
        elif body.values is not None:
            raise BadRequest(f"'values' is for transient models (wizards); {model._name} is stored: send 'ids'.")
        elif is_class:
            if body.ids is not None:
                raise BadRequest(f"{model._name}.{name} is a class method: it takes no 'ids'.")
            target = model
        else:
            if body.ids is None:
                raise BadRequest(f"{model._name}.{name} is an instance method: send 'ids' (a list, possibly empty).")
            target = await records_by_id(model, body.ids, fields=list(default_tree(env, model, x2many=False)))
        bound = getattr(target, name)
        try:
            inspect.signature(bound).bind(*body.args, **body.kwargs)
        except TypeError as exc:
            raise BadRequest(
                f"Bad arguments for {model._name}.{name}{inspect.signature(bound)}: {exc}.",
                details=[{"path": "args", "message": str(exc)}],
            ) from None
        result = bound(*body.args, **body.kwargs)
        if inspect.isawaitable(result):
            result = await result
        return {"result": await encode_result(result)}


async def encode_result(value: Any) -> Any:
    """A method's return value as JSON-ready data: records as ``{"id", "display_name"}`` (sets as lists)."""
    if isinstance(value, Model):
        records = list(value)
        ids = [r.id for r in records if r.id is not None]
        names: dict[int, Any] = {}
        if ids:
            names = {r.id: r.display_name for r in await with_archived(type(value), ids).with_fields("display_name")}
        items = [{"id": r.id, "display_name": names.get(r.id)} for r in records]
        return items[0] if value._recs is None else items
    if isinstance(value, dict):
        return {str(k): await encode_result(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [await encode_result(v) for v in value]
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
