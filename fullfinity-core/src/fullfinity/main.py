"""The application entry point: ``create_app()`` builds the FastAPI application.

``uvicorn fullfinity.main:create_app --factory`` (what ``fullfinity serve`` runs) calls it
once per worker process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI

from fullfinity import __version__
from fullfinity.exceptions import ServiceUnavailable
from fullfinity.plugins import await_me_maybe
from fullfinity.runtime import Runtime
from fullfinity.settings import Settings, get_settings
from fullfinity.web.client import WebClientMiddleware
from fullfinity.web.controllers import ModuleRoutes
from fullfinity.web.errors import install_error_handlers
from fullfinity.web.retry import RetryMiddleware
from fullfinity.web.tenancy import TenantMiddleware, TenantResolver

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the application. Routers come from the ``fullfinity_register_routers`` hook."""
    runtime = runtime or Runtime(settings=settings or get_settings())
    logging.basicConfig(level=runtime.settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            await runtime.catalog.ensure()
        except ServiceUnavailable as exc:
            # Serve anyway: /health answers 503 and requests 503 until the database is back.
            log.error("The tenant catalog is unreachable at start-up: %s", exc)
        await runtime.cache.listen()  # other processes' cache invalidations (command line, scripts)
        for result in runtime.pm.hook.fullfinity_app_startup(app=app):
            await await_me_maybe(result)
        # Everything loaded so far (modules, the FastAPI app) lives as long as the process: move it
        # out of the garbage collector's generations, so collections only scan request garbage.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            for result in runtime.pm.hook.fullfinity_app_shutdown(app=app):
                await await_me_maybe(result)
            await runtime.close()

    app = FastAPI(
        title="Fullfinity",
        version=__version__,
        lifespan=lifespan,
        # /openapi.json and /docs are per tenant: served by fullfinity.api (FULLFINITY_API_DOCS).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.fullfinity = runtime
    install_error_handlers(app)
    for result in runtime.pm.hook.fullfinity_register_routers():
        routers = result if isinstance(result, list) else [result]
        for router in routers:
            if not isinstance(router, APIRouter):
                raise TypeError(
                    f"fullfinity_register_routers must return APIRouter objects, got {type(router).__name__}"
                )
            app.include_router(router)
    # Last: the @route controllers of the request's tenant's modules (composed per module set).
    app.router.routes.append(ModuleRoutes())
    app.state.tenant_resolver = resolver = TenantResolver(runtime.settings, runtime.catalog)
    app.add_middleware(TenantMiddleware, resolver=resolver)
    # Around tenant resolution: a request failing on a lost connection or a deadlock runs again.
    app.add_middleware(RetryMiddleware, conflict_retries=runtime.settings.db_conflict_retries)
    # Outermost: the web client's files and page loads need no tenant (fullfinity.web.client).
    app.add_middleware(WebClientMiddleware)
    return app
