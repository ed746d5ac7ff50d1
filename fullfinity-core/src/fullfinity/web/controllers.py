"""Controllers: a module's own HTTP endpoints, composed per tenant (modules.md 10).

    class TicketPortal(Controller):
        _name = "helpdesk_portal"

        @route("/portal/tickets/{ticket_id}", methods=["GET"], auth="user")
        async def ticket_status(self, request: Request, ticket_id: int) -> dict[str, Any]: ...

Importing a controller file files each ``Controller`` subclass under the module owning it
(``routes/__init__.py`` imports every controller file). For each set of installed modules the
controllers are composed like models: a class with ``__inherit__ = "<_name>"`` extends another,
its methods override by name and reach the previous implementation with ``super()``; an
override without ``@route`` keeps the route of the method it overrides. The routes of the
composed controllers form one router per module set, which ``ModuleRoutes`` (the last route of
the application) consults for the request's tenant: elsewhere the paths answer 404.

Handlers run inside the request transaction with ``env_ctx`` bound, after the ``auth`` check
(``fullfinity.web.request_env``). Two routes with the same path and method in one module set
are a composition error.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from fullfinity.engine.records.definitions import owner_of
from fullfinity.exceptions import ModuleError
from fullfinity.web.request_env import (
    AUTH_LEVELS,
    allows_public,
    no_auth,
    requires_internal,
    requires_user,
    tenant_registry,
)

__all__ = ["Controller", "ModuleRoutes", "RouteSpec", "compose_router", "route"]

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
ROUTE_ATTR = "__fullfinity_route__"
_DEPENDENCIES = {"internal": requires_internal, "user": requires_user, "public": allows_public, "none": no_auth}
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RouteSpec:
    """What ``@route`` records on a handler."""

    path: str
    methods: tuple[str, ...]
    auth: str
    response_class: type[Any] | None
    options: dict[str, Any] = field(default_factory=dict)


def route(
    path: str,
    methods: Sequence[str] | None = None,
    auth: str = "internal",
    response_class: type[Any] | None = None,
    **kwargs: Any,
) -> Callable[[F], F]:
    """Declare a controller method as the handler of ``methods`` (default GET) on ``path``.

    ``auth`` is ``"internal"`` (default), ``"user"``, ``"public"`` or ``"none"``; other keyword
    arguments go to FastAPI's route registration (``status_code``, ``summary``, ``tags``...).
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"@route path must be a string starting with '/', got {path!r}")
    if auth not in AUTH_LEVELS:
        raise ValueError(f"@route auth must be one of {', '.join(map(repr, AUTH_LEVELS))}, got {auth!r}")
    if isinstance(methods, str):
        raise TypeError(f"@route methods must be a list such as ['GET'], got the string {methods!r}")
    verbs = tuple(m.upper() for m in (methods or ["GET"]))
    unknown = [m for m in verbs if m not in _METHODS]
    if unknown or not verbs:
        raise ValueError(f"@route methods must be HTTP methods among {sorted(_METHODS)}, got {list(methods or [])}")
    spec = RouteSpec(path, verbs, auth, response_class, dict(kwargs))

    def mark(fn: F) -> F:
        if not _is_async(fn):
            raise TypeError(f"@route handler {fn.__qualname__} must be an 'async def' method.")
        setattr(fn, ROUTE_ATTR, spec)
        return fn

    return mark


def _is_async(fn: object) -> bool:
    return inspect.iscoroutinefunction(fn)


@dataclass(frozen=True)
class _Entry:
    cls: type[Controller]
    name: str
    owner: str
    inherit: str | None
    order: int


_entries: list[_Entry] = []
_counter = itertools.count()


class ControllerMeta(type):
    """Files every controller class (definition or extension) under its owning module."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> ControllerMeta:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        if namespace.get("_composed") or not any(isinstance(b, ControllerMeta) for b in bases):
            return cls  # the base class, or a class composed for a module set
        inherit = namespace.get("__inherit__")
        own_name = namespace.get("_name")
        where = f"{namespace.get('__module__')}.{namespace.get('__qualname__', name)}"
        if inherit is None and not own_name:
            raise ModuleError(
                f"Controller {where} needs _name = '<name>' (or __inherit__ = '<name>' to extend another controller)."
            )
        if inherit is not None and own_name and own_name != inherit:
            raise ModuleError(
                f"Controller {where} sets both _name = {own_name!r} and __inherit__ = {inherit!r}; an extension "
                f"keeps the name of the controller it extends: drop _name."
            )
        controller: Any = cls
        _entries.append(
            _Entry(controller, str(inherit or own_name), owner_of(controller.__module__), inherit, next(_counter))
        )
        return cls


class Controller(metaclass=ControllerMeta):
    """Base class of module controllers: set ``_name`` and decorate handlers with ``@route``."""

    _name: str = ""


def _import_routes(modules: Sequence[str]) -> dict[str, str]:
    """Import each module's ``routes`` package; identifier -> import package of the modules found."""
    from fullfinity.engine.module_registry import discover_modules

    available = discover_modules()
    packages: dict[str, str] = {}
    for ident in modules:
        info = available.get(ident)
        if info is None:
            continue
        packages[ident] = info.package
        name = f"{info.package}.routes"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return packages


def _compose_classes(modules: Sequence[str], packages: dict[str, str]) -> dict[str, type[Controller]]:
    rank = {m: i for i, m in enumerate(modules)}

    def current(e: _Entry) -> bool:
        # Only classes of the module's package as installed now (tests reuse identifiers).
        pkg = packages.get(e.owner)
        return pkg is not None and (e.cls.__module__ == pkg or e.cls.__module__.startswith(pkg + "."))

    entries = [e for e in _entries if current(e)]
    definitions: dict[str, _Entry] = {}
    for e in entries:
        if e.inherit is None:
            other = definitions.get(e.name)
            if other is not None and other.cls is not e.cls:
                raise ModuleError(
                    f"Controller '{e.name}' is defined twice: in module '{other.owner}' ({other.cls.__module__}) and "
                    f"in module '{e.owner}' ({e.cls.__module__}). Use __inherit__ = '{e.name}' to extend it."
                )
            definitions[e.name] = e
    composed: dict[str, type[Controller]] = {}
    for name, definition in definitions.items():
        extensions = sorted(
            (e for e in entries if e.inherit == name), key=lambda e: (rank.get(e.owner, len(rank)), e.order)
        )
        bases = (*(e.cls for e in reversed(extensions)), definition.cls)
        namespace = {"_composed": True, "__module__": definition.cls.__module__, "__qualname__": name}
        composed[name] = cast("type[Controller]", ControllerMeta(definition.cls.__name__, bases, namespace))
    orphans = sorted({f"{e.name} (extended in {e.owner})" for e in entries if e.inherit and e.inherit not in composed})
    if orphans:
        raise ModuleError(f"Extensions of controllers that no installed module defines: {', '.join(orphans)}.")
    return composed


def _route_spec(cls: type, attr: str) -> RouteSpec | None:
    """The ``@route`` of the most derived definition of ``attr`` that has one."""
    for klass in cls.__mro__:
        fn = klass.__dict__.get(attr)
        spec = getattr(fn, ROUTE_ATTR, None)
        if isinstance(spec, RouteSpec):
            return spec
    return None


def _endpoint(method: Callable[..., Awaitable[Any]], where: str) -> Callable[..., Awaitable[Any]]:
    """A plain function FastAPI can introspect: the bound handler's signature, ``request`` typed."""
    try:
        signature = inspect.signature(method, eval_str=True)
    except NameError as exc:
        raise ModuleError(f"Route handler {where}: an annotation cannot be resolved ({exc}).") from None
    params = list(signature.parameters.values())
    if not params:
        raise ModuleError(f"Route handler {where} must take `request` after `self`.")
    if params[0].annotation is inspect.Parameter.empty:
        params[0] = params[0].replace(annotation=Request)

    async def endpoint(**kwargs: Any) -> Any:
        return await method(**kwargs)

    endpoint.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    endpoint.__name__ = method.__name__
    endpoint.__doc__ = method.__doc__
    return endpoint


async def _no_module_route(scope: Scope, receive: Receive, send: Send) -> None:
    """No module route matched: 405 when a core route has the path, else 404."""
    for other in scope["app"].router.routes:
        if not isinstance(other, ModuleRoutes) and other.matches(scope)[0] == Match.PARTIAL:
            raise HTTPException(405)
    raise HTTPException(404)


_routers: dict[tuple[tuple[str, str], ...], APIRouter] = {}


def compose_router(modules: Sequence[str]) -> APIRouter:
    """The router of the module routes of one module set (cached per set and module packages)."""
    from fullfinity.engine.module_registry import discover_modules

    available = discover_modules()
    key = tuple((m, available[m].package) for m in modules if m in available)
    router = _routers.get(key)
    if router is not None:
        return router
    packages = _import_routes(modules)
    router = APIRouter(redirect_slashes=False, default=_no_module_route)
    seen: dict[tuple[str, str], str] = {}
    for name, cls in _compose_classes(modules, packages).items():
        instance = cls()
        attrs = sorted({a for klass in cls.__mro__ for a, v in vars(klass).items() if hasattr(v, ROUTE_ATTR)})
        for attr in attrs:
            spec = _route_spec(cls, attr)
            assert spec is not None
            where = f"{name}.{attr}"
            for verb in spec.methods:
                other = seen.setdefault((spec.path, verb), where)
                if other != where:
                    raise ModuleError(
                        f"Two routes answer {verb} {spec.path} in one tenant: {other} and {where}. Give one of them "
                        f"another path, or extend the controller (__inherit__) and override the method instead."
                    )
            extra: dict[str, Any] = dict(spec.options)
            if spec.response_class is not None:
                extra["response_class"] = spec.response_class
            router.add_api_route(
                spec.path,
                _endpoint(getattr(instance, attr), where),
                methods=list(spec.methods),
                dependencies=[Depends(_DEPENDENCIES[spec.auth], scope="function")],
                **extra,
            )
    _routers[key] = router
    return router


class ModuleRoutes(BaseRoute):
    """The last route of the application: the module routes of the request's tenant."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and "tenant" in (scope.get("state") or {}):
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        registry = await tenant_registry(Request(scope, receive))
        await compose_router(registry.modules)(scope, receive, send)
