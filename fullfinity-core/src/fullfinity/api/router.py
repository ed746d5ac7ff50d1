"""The routes of the generic REST API (api.md 2, 4, 5.1).

``build_router(auth)`` returns the ``/api`` router. Its route class
(``fullfinity.api.route``) opens the request's environment around every handler: the
caller is authenticated for the ``auth`` level (``"user"``: internal and portal users)
before the path and body are validated, and the environment is bound in ``env_ctx``.
Writing endpoints run in one transaction, committed before the response is sent;
the endpoints of ``READ_ONLY_PATHS`` run on a read-only connection without
``BEGIN``/``COMMIT``. Handlers take the environment with ``current_env()``.
Responses are serialised with orjson by ``fullfinity.api.encode``; errors take the one
JSON shape of ``fullfinity.web.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import ValidationError as PydanticValidationError
from starlette.responses import Response

from fullfinity.api.bodies import (
    BIGINT_MAX,
    BulkCreateBody,
    BulkDeleteBody,
    BulkUpdateBody,
    DefaultGetBody,
    ExecuteBody,
    FetchBody,
    OnchangeBody,
    QueryBody,
)
from fullfinity.api.conditional import record_response
from fullfinity.api.encode import json_response
from fullfinity.api.handlers import bulk, draft, execute, files, meta, query, records
from fullfinity.api.limits import request_settings
from fullfinity.api.route import api_route_class
from fullfinity.engine.context import current_env
from fullfinity.engine.env import Environment
from fullfinity.exceptions import BadRequest, ValidationError
from fullfinity.web.request_env import AuthLevel

__all__ = ["build_router"]

ModelName = Annotated[str, Path(description="The model name, e.g. HelpdeskTicket.", max_length=200)]
RecordIdPath = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="The record id.")]
WriteBody = Annotated[dict[str, Any], Body(description='Field values, plus optional "__context" (and "updated_date").')]

_OK: dict[int | str, dict[str, Any]] = {200: {"description": "Success (JSON)."}}


#: Endpoints that only read: they run on a read-only connection, without BEGIN/COMMIT.
READ_ONLY_PATHS = (
    "/api/query/{model}",
    "/api/fetch/{model}/{id}",
    "/api/meta/{model}",
    "/api/file/{model}/{id}/{field}",
)


def _model(env: Environment, model: str) -> Any:
    return env.get_model(model)


def _env(model: str) -> tuple[Environment, Any]:
    """The request's environment (opened by the route class, ``fullfinity.api.route``) and the model."""
    env = current_env()
    return env, env.get_model(model)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _query_body(data: dict[str, Any], what: str = "query parameter(s) are") -> QueryBody:
    """``data`` validated as a ``QueryBody``; a ``ValidationError`` with one detail per problem."""
    try:
        return QueryBody.model_validate(data)
    except PydanticValidationError as exc:
        details = [{"path": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
        raise ValidationError(f"{len(details)} {what} invalid.", details=details) from None


def _json_param(name: str, value: str | None) -> Any:
    if value is None or not value.strip().startswith(("{", "[")):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(
            f"{name} is not valid JSON: {exc}", details=[{"path": name, "message": "invalid JSON"}]
        ) from None


_GET_QUERY_NAMES = (
    "fields",
    "q_filter",
    "filters",
    "search_view",
    "order_by",
    "limit",
    "offset",
    "group_by",
    "aggregates",
    "total",
    "context",
)
_GET_QUERY_PARAMETERS: list[dict[str, Any]] = [
    {"name": "fields", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated field paths."},
    {"name": "q_filter", "in": "query", "schema": {"type": "string"}, "description": "A Q string or Q JSON tree."},
    {"name": "filters", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated filter names."},
    {"name": "search_view", "in": "query", "schema": {"type": "string"}, "description": "Search view identifier."},
    {"name": "order_by", "in": "query", "schema": {"type": "string"}, "description": 'Comma-separated "path DESC".'},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "group_by", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated group keys."},
    {"name": "aggregates", "in": "query", "schema": {"type": "string"}, "description": 'Comma-separated "f:func".'},
    {"name": "total", "in": "query", "schema": {"type": "string", "enum": ["capped", "exact", "none"]}},
    {"name": "context", "in": "query", "schema": {"type": "string"}, "description": "A JSON object of context."},
]


_MODEL_PARAMETER: dict[str, Any] = {
    "name": "model",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The model name, e.g. HelpdeskTicket.",
}


def _path_model(request: Request) -> str:
    model = str(request.path_params["model"])
    if len(model) > 200:
        raise BadRequest(
            f"The model name is {len(model)} characters long; model names have at most 200.",
            details=[{"path": "model", "message": "at most 200 characters"}],
        )
    return model


def _get_query_body(params: Mapping[str, str]) -> QueryBody:
    """The ``QueryBody`` of ``GET /api/query`` query-string parameters (comma-separated lists)."""
    unknown = sorted(set(params) - set(_GET_QUERY_NAMES))
    if unknown:
        raise BadRequest(
            f"Unknown query parameter(s) {unknown}; known: {', '.join(_GET_QUERY_NAMES)}.",
            details=[{"path": name, "message": "unknown parameter"} for name in unknown],
        )
    ctx = _json_param("context", params.get("context"))
    if ctx is not None and not isinstance(ctx, dict):
        raise BadRequest("context must be a JSON object.", details=[{"path": "context", "message": "not an object"}])
    values = {
        "fields": _split(params.get("fields")),
        "q_filter": _json_param("q_filter", params.get("q_filter")),
        "filters": _split(params.get("filters")),
        "search_view": params.get("search_view"),
        "order_by": _split(params.get("order_by")),
        "limit": params.get("limit"),
        "offset": params.get("offset"),
        "group_by": _split(params.get("group_by")),
        "aggregates": _split(params.get("aggregates")),
        "total": params.get("total"),
        "context": ctx,
    }
    return _query_body({k: v for k, v in values.items() if v is not None})


_QUERY_BODY: dict[str, Any] = {
    "required": False,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryBody"}}},
}


def _post_query_body(raw: bytes) -> QueryBody:
    """The ``QueryBody`` of a ``POST /api/query`` body (none: every default)."""
    if not raw.strip():
        return QueryBody()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationError(
            f"The body must be a JSON object of query options, got {type(data).__name__}.",
            details=[{"path": "body", "message": "expected an object"}],
        )
    return _query_body(data, "body value(s) are")


def build_router(auth: AuthLevel = "user") -> APIRouter:
    """The ``/api`` router; every call is authenticated for the ``auth`` level."""
    router = APIRouter(prefix="/api", route_class=api_route_class(auth, READ_ONLY_PATHS))

    @router.post(
        "/query/{model}",
        tags=["data"],
        summary="Search and read records or groups",
        responses=_OK,
        openapi_extra={"requestBody": _QUERY_BODY},
    )
    async def query_post(request: Request) -> Response:
        # The body is read raw: the same bytes from the same caller skip parsing (run_remembered_query).
        env = current_env()
        cls = _model(env, _path_model(request))
        raw = await request.body()
        source = ("POST", raw)
        settings = request_settings(request)
        return json_response(
            await query.run_remembered_query(env, cls, source, lambda: _post_query_body(raw), settings)
        )

    @router.get(
        "/query/{model}",
        tags=["data"],
        summary="Search and read with query-string parameters",
        responses=_OK,
        openapi_extra={"parameters": [_MODEL_PARAMETER, *_GET_QUERY_PARAMETERS]},
    )
    async def query_get(request: Request) -> Response:
        # Only ``request`` as a parameter: no FastAPI parameter solving on the hottest read path.
        env = current_env()
        cls = _model(env, _path_model(request))
        source = ("GET", request.scope["query_string"])
        settings = request_settings(request)
        parse = lambda: _get_query_body(request.query_params)  # noqa: E731
        return json_response(await query.run_remembered_query(env, cls, source, parse, settings))

    @router.post("/fetch/{model}/{id}", tags=["data"], summary="Read one record with related data", responses=_OK)
    async def fetch(request: Request, model: ModelName, id: RecordIdPath, body: FetchBody | None = None) -> Response:
        env, cls = _env(model)
        return record_response(await records.fetch_one(env, cls, id, body or FetchBody()))

    @router.post("/create/{model}", tags=["data"], summary="Create one record", responses=_OK)
    async def create(request: Request, model: ModelName, body: WriteBody) -> Response:
        env, cls = _env(model)
        return json_response(await records.create_one(env, cls, body))

    @router.put("/update/{model}/{id}", tags=["data"], summary="Update one record", responses=_OK)
    async def update(request: Request, model: ModelName, id: RecordIdPath, body: WriteBody) -> Response:
        env, cls = _env(model)
        if_match = request.headers.get("if-match")
        return record_response(await records.update_one(env, cls, id, body, if_match=if_match))

    @router.delete("/delete/{model}/{id}", tags=["data"], summary="Delete one record", responses=_OK)
    async def delete(request: Request, model: ModelName, id: RecordIdPath) -> Response:
        env, cls = _env(model)
        return json_response(await records.delete_one(env, cls, id, if_match=request.headers.get("if-match")))

    @router.post("/bulk-create/{model}", tags=["data"], summary="Create many records, atomically", responses=_OK)
    async def bulk_create(request: Request, model: ModelName, body: BulkCreateBody) -> Response:
        env, cls = _env(model)
        return json_response(await bulk.bulk_create(env, cls, body))

    @router.put("/bulk-update/{model}", tags=["data"], summary="Update many records, atomically", responses=_OK)
    async def bulk_update(request: Request, model: ModelName, body: BulkUpdateBody) -> Response:
        env, cls = _env(model)
        return json_response(await bulk.bulk_update(env, cls, body))

    @router.delete("/bulk-delete/{model}", tags=["data"], summary="Delete many records, atomically", responses=_OK)
    async def bulk_delete(request: Request, model: ModelName, body: BulkDeleteBody) -> Response:
        env, cls = _env(model)
        return json_response(await bulk.bulk_delete(env, cls, body))

    @router.post("/execute/{model}/{method}", tags=["data"], summary="Call an exposed model method", responses=_OK)
    async def execute_method(
        request: Request,
        model: ModelName,
        method: Annotated[str, Path(max_length=200)],
        body: ExecuteBody | None = None,
    ) -> Response:
        env, cls = _env(model)
        return json_response(await execute.execute(env, cls, method, body or ExecuteBody()))

    @router.post("/default-get/{model}", tags=["data"], summary="Default values of a new record", responses=_OK)
    async def default_get(request: Request, model: ModelName, body: DefaultGetBody | None = None) -> Response:
        env, cls = _env(model)
        return json_response(await draft.default_get(env, cls, body or DefaultGetBody()))

    @router.post("/onchange/{model}", tags=["data"], summary="Recompute the computed fields of a draft", responses=_OK)
    async def onchange(request: Request, model: ModelName, body: OnchangeBody | None = None) -> Response:
        env, cls = _env(model)
        return json_response(await draft.onchange(env, cls, body or OnchangeBody()))

    @router.get("/meta/{model}", tags=["metadata"], summary="Field metadata and your rights", responses=_OK)
    async def model_meta(request: Request, model: ModelName) -> Response:
        env, cls = _env(model)
        return json_response(meta.model_meta(env, cls))

    @router.get(
        "/file/{model}/{id}/{field}",
        tags=["data"],
        summary="Download the content of a File or Binary field",
        responses={200: {"description": "The file, with its mimetype."}, 304: {"description": "Not modified."}},
    )
    async def file_content(
        request: Request,
        model: ModelName,
        id: RecordIdPath,
        field: Annotated[str, Path(max_length=200, description="A File or Binary field.")],
        download: Annotated[bool, Query(description="true/1: Content-Disposition attachment.")] = False,
    ) -> Response:
        env, cls = _env(model)
        if_none_match = request.headers.get("if-none-match")
        return await files.download(env, cls, id, field, attachment=download, if_none_match=if_none_match)

    # HEAD: the same headers (size, type, ETag) without the content.
    router.add_api_route("/file/{model}/{id}/{field}", file_content, methods=["HEAD"], include_in_schema=False)
    return router
