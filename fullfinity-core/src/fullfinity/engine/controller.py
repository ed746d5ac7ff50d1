"""Controllers and ``@route``: a module's own HTTP endpoints (modules.md 10): the reference's import path.

The code lives in the web layer, ``fullfinity.web.controllers``; this module re-exports it.
"""

from fullfinity.web.controllers import Controller, ModuleRoutes, RouteSpec, compose_router, route

__all__ = ["Controller", "ModuleRoutes", "RouteSpec", "compose_router", "route"]
