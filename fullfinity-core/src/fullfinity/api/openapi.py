"""The OpenAPI document of each tenant, at ``/openapi.json`` and ``/docs`` (api.md 6).

The document is the application's own (core endpoints, including the generic
``/api/.../{model}`` routes), plus the routes of the tenant's module controllers, plus for
every installed model a record schema (``HelpdeskTicket``), a write schema
(``HelpdeskTicketWrite``) and concrete operations (``/api/query/HelpdeskTicket``...) tagged
with the model name. It is built once per module set (the composed registry, which changes
when modules are installed, upgraded or removed) and kept per application.

Both routes are public (no authentication) unless ``FULLFINITY_API_DOCS=false``; fields
restricted to groups are left out of the schemas.
"""

from __future__ import annotations

import copy
import weakref
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse, Response

from fullfinity.api.bodies import (
    BulkDeleteBody,
    DefaultGetBody,
    ExecuteBody,
    FetchBody,
    OnchangeBody,
    QueryBody,
)
from fullfinity.api.handlers.execute import exposed_method
from fullfinity.api.limits import request_settings
from fullfinity.api.openapi_schemas import SHARED_SCHEMAS, record_schema, ref, write_schema
from fullfinity.exceptions import NotFound

if TYPE_CHECKING:
    from pydantic import BaseModel

    from fullfinity.engine.models import Model
    from fullfinity.engine.records.registry import Registry

__all__ = ["docs_router", "tenant_openapi"]

Schema = dict[str, Any]
_ERRORS = {
    "400": "Bad request: malformed body, unknown field or path, bad Q filter",
    "401": "Missing or invalid credentials",
    "403": "Access rights refuse the operation",
    "404": "Unknown model, record or method",
    "409": "Concurrent modification or integrity conflict",
    "422": "Invalid values",
}
_BODIES: tuple[type[BaseModel], ...] = (QueryBody, FetchBody, BulkDeleteBody, ExecuteBody, DefaultGetBody, OnchangeBody)


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


_IF_MATCH: Schema = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": 'The record\'s updated_date as read ("2026-05-04T09:31:02.771904Z", quotes optional), '
    'or * for "must exist": a different stored value is a 409 and nothing is written.',
}


def _operation(
    op: str,
    model: str,
    summary: str,
    body: Schema | None,
    response: Schema,
    path_id: bool = False,
    if_match: bool = False,
) -> Schema:
    operation: Schema = {
        "tags": [model],
        "summary": summary,
        "operationId": f"{op}_{model}",
        "security": [{"bearerAuth": []}],
        "responses": {"200": {"description": "Success", **_json(response)}}
        | {code: {"description": text, **_json(ref("Error"))} for code, text in _ERRORS.items()},
    }
    if path_id:
        operation["parameters"] = [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
        ]
    if if_match:
        operation.setdefault("parameters", []).append(_IF_MATCH)
    if body is not None:
        operation["requestBody"] = {"required": False, **_json(body)}
    return operation


def _model_paths(model: type[Model]) -> dict[str, Schema]:
    name = model._name
    record, write = ref(name), ref(f"{name}Write")
    paths: dict[str, Schema] = {
        f"/api/default-get/{name}": {
            "post": _operation("default_get", name, "Default values", ref("DefaultGetBody"), {"type": "object"})
        },
        f"/api/onchange/{name}": {
            "post": _operation("onchange", name, "Recompute a draft", ref("OnchangeBody"), {"type": "object"})
        },
        f"/api/meta/{name}": {"get": _operation("meta", name, "Field metadata", None, {"type": "object"})},
    }
    for method in _exposed(model):
        paths[f"/api/execute/{name}/{method}"] = {
            "post": _operation(f"execute_{method}", name, f"Call {method}", ref("ExecuteBody"), {"type": "object"})
        }
    if model._transient:
        return paths
    page = {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": record},
            "total": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "total_capped": {"type": "boolean"},
        },
    }
    id_list = {"type": "array", "items": {"type": "integer", "minimum": 1}}
    bulk_create = {
        "type": "object",
        "properties": {"records": {"type": "array", "items": write}, "context": {"type": "object"}},
        "required": ["records"],
        "additionalProperties": False,
    }
    bulk_update = {
        "type": "object",
        "properties": {
            "ids": id_list,
            "values": write,
            "updated_dates": {"type": "object", "additionalProperties": {"type": "string"}},
            "context": {"type": "object"},
        },
        "required": ["ids", "values"],
        "additionalProperties": False,
    }
    created = {"type": "object", "properties": {"data": {"type": "array", "items": ref("RelatedRecord")}}}
    paths |= {
        f"/api/query/{name}": {"post": _operation("query", name, "Search and read", ref("QueryBody"), page)},
        f"/api/fetch/{name}/{{id}}": {
            "post": _operation("fetch", name, "Read one record", ref("FetchBody"), record, path_id=True)
        },
        f"/api/create/{name}": {"post": _operation("create", name, "Create a record", write, record)},
        f"/api/update/{name}/{{id}}": {
            "put": _operation(
                "update", name, "Update a record", ref(f"{name}Update"), record, path_id=True, if_match=True
            )
        },
        f"/api/delete/{name}/{{id}}": {
            "delete": _operation("delete", name, "Delete a record", None, ref("Deleted"), path_id=True, if_match=True)
        },
        f"/api/bulk-create/{name}": {"post": _operation("bulk_create", name, "Create records", bulk_create, created)},
        f"/api/bulk-update/{name}": {
            "put": _operation("bulk_update", name, "Update records", bulk_update, {"type": "object"})
        },
        f"/api/bulk-delete/{name}": {
            "delete": _operation("bulk_delete", name, "Delete records", ref("BulkDeleteBody"), ref("Deleted"))
        },
    }
    return paths


def _exposed(model: type[Model]) -> list[str]:
    names = []
    for attr in sorted(dir(model)):
        if attr.startswith("_"):
            continue
        try:
            exposed_method(model, attr)
        except NotFound:
            continue
        names.append(attr)
    return names


def _module_paths(registry: Registry) -> dict[str, Schema]:
    """The operations of the module controllers installed in the tenant."""
    from fullfinity.web.controllers import compose_router

    router = compose_router(list(registry.modules))
    if not router.routes:
        return {}
    return dict(get_openapi(title="modules", version="1", routes=router.routes).get("paths", {}))


def tenant_openapi(app: FastAPI, registry: Registry) -> Schema:
    """The document for a tenant whose models are ``registry`` (see module docstring)."""
    doc = copy.deepcopy(app.openapi())
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    for body in _BODIES:
        schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[body.__name__] = schema
    schemas.update(copy.deepcopy(SHARED_SCHEMAS))
    paths = doc.setdefault("paths", {})
    paths.update(_module_paths(registry))
    for model in registry:
        schemas[model._name] = record_schema(model)
        write = write_schema(model)
        schemas[f"{model._name}Write"] = write
        update = copy.deepcopy(write)
        update["properties"]["updated_date"] = {
            "type": "string",
            "format": "date-time",
            "description": "The updated_date read with the record: a different stored value is a 409.",
        }
        schemas[f"{model._name}Update"] = update
        paths.update(_model_paths(model))
    doc["tags"] = [{"name": m._name, "description": m._verbose_name or m._name} for m in registry]
    return doc


_CACHE_ATTR = "fullfinity_openapi"


def _cached(app: FastAPI, registry: Registry) -> bytes:
    from fullfinity.api.encode import dumps

    cache: weakref.WeakKeyDictionary[Registry, bytes] | None = getattr(app.state, _CACHE_ATTR, None)
    if cache is None:
        cache = weakref.WeakKeyDictionary()
        setattr(app.state, _CACHE_ATTR, cache)
    body = cache.get(registry)
    if body is None:
        body = cache[registry] = dumps(tenant_openapi(app, registry))
    return body


def docs_router() -> APIRouter:
    """``GET /openapi.json`` and ``GET /docs`` (Swagger UI), per tenant."""
    from fullfinity.web.request_env import tenant_registry

    router = APIRouter(include_in_schema=False)

    def _enabled(request: Request) -> None:
        if not request_settings(request).api_docs:
            raise NotFound("The API documentation is disabled on this server (FULLFINITY_API_DOCS=false).")

    @router.get("/openapi.json")
    async def openapi_json(request: Request) -> Response:
        _enabled(request)
        registry = await tenant_registry(request)
        return Response(_cached(request.app, registry), media_type="application/json")

    @router.get("/docs")
    async def swagger(request: Request) -> HTMLResponse:
        _enabled(request)
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Fullfinity API")

    return router
