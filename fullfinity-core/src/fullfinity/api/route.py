"""The route class of the ``/api`` router: the request environment around each handler.

``api_route_class(auth, read_only_paths)`` returns a ``LimitedRoute`` subclass whose
handler runs inside ``request_env(request, auth)``: the caller is authenticated first,
before FastAPI validates the path and the body (a guest gets 401 even for a malformed
body), then the handler runs with the environment bound in ``env_ctx``
(``current_env()``), and the transaction commits before the response is sent.

Routes whose path is in ``read_only_paths`` (query, fetch, meta, file) run on a read-only
connection without ``BEGIN``/``COMMIT`` (``fullfinity.web.request_env.request_env``).
Doing this in the route class rather than in a FastAPI dependency keeps FastAPI's
dependency machinery off the hottest paths.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine
from typing import Any

from fastapi import Request
from starlette.responses import Response

from fullfinity.api.limits import LimitedRoute
from fullfinity.web.request_env import AuthLevel, request_env

__all__ = ["api_route_class"]


class _ApiRoute(LimitedRoute):
    auth: AuthLevel = "user"
    read_only_paths: frozenset[str] = frozenset()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        auth, read_only = self.auth, self.path in self.read_only_paths

        async def in_environment(request: Request) -> Response:
            async with request_env(request, auth, read_only=read_only):
                return await handler(request)

        return in_environment


def api_route_class(auth: AuthLevel, read_only_paths: Collection[str]) -> type[LimitedRoute]:
    """The route class of a router whose handlers run as ``auth`` (see the module docstring)."""
    attributes = {"auth": auth, "read_only_paths": frozenset(read_only_paths)}
    return type("ApiRoute", (_ApiRoute,), attributes)
