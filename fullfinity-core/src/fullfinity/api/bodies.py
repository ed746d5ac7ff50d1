"""Request bodies of the structured endpoints (api.md 4, 5.1), as pydantic models.

Create and update take the field values themselves as the body (plus ``__context``), so
they have no model here; their OpenAPI schemas are generated per model
(``fullfinity.api.openapi``). Unknown keys are refused, so a misspelt ``q_fliter`` is an
error rather than an unfiltered query.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BIGINT_MAX",
    "BulkCreateBody",
    "BulkDeleteBody",
    "BulkUpdateBody",
    "DefaultGetBody",
    "ExecuteBody",
    "FetchBody",
    "OnchangeBody",
    "QueryBody",
    "RecordId",
]

BIGINT_MAX = 2**63 - 1
#: A record id: what an id path parameter or ``ids`` entry must be.
RecordId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
Context = dict[str, Any] | None
QFilter = str | dict[str, Any] | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueryBody(_Body):
    """``POST /api/query/{model}`` (api.md 4.1)."""

    fields: list[str] | None = Field(None, description="Field names or dotted relation paths; default: stored fields.")
    q_filter: QFilter = Field(None, description="A Q string or a Q JSON tree.")
    filters: list[str] | None = Field(
        None, description="Names of Search-view filters to apply (views.md 7.4), ANDed with q_filter."
    )
    search_view: str | None = Field(None, description="Identifier of the Search view; default: the user's.")
    order_by: list[str] | str | None = Field(None, description='"path ASC|DESC" items; default: the model order.')
    limit: int | None = Field(None, ge=0, le=BIGINT_MAX, description="Page size (default 80).")
    offset: int = Field(0, ge=0, le=BIGINT_MAX)
    group_by: list[str] | None = Field(None, description='Group keys, e.g. ["team", "created_date:month"].')
    aggregates: list[str] = Field(default_factory=list, description='"field:func", func in count/sum/avg/min/max.')
    total: Literal["capped", "exact", "none"] = Field(
        "capped", description="How `total` is counted: exactly up to 10000 (capped), always exactly, or not at all."
    )
    context: Context = None


class FetchBody(_Body):
    """``POST /api/fetch/{model}/{id}`` (api.md 4.2)."""

    fields: list[str] | None = None
    related: list[str] = Field(default_factory=list, description="Relation paths to expand, e.g. tasks.assignee.")
    context: Context = None


class BulkCreateBody(_Body):
    """``POST /api/bulk-create/{model}`` (api.md 4.6)."""

    records: list[dict[str, Any]]
    context: Context = None


class BulkUpdateBody(_Body):
    """``PUT /api/bulk-update/{model}`` (api.md 4.6)."""

    ids: list[RecordId]
    values: dict[str, Any]
    updated_dates: dict[str, str] | None = Field(None, description="id -> updated_date as read (409 on mismatch).")
    context: Context = None


class BulkDeleteBody(_Body):
    """``DELETE /api/bulk-delete/{model}`` (api.md 4.6)."""

    ids: list[RecordId]
    context: Context = None


class ExecuteBody(_Body):
    """``POST /api/execute/{model}/{method}`` (api.md 4.7)."""

    ids: list[RecordId] | None = Field(None, description="Records of an instance method; absent for classmethods.")
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, Any] | None = Field(None, description="The draft record of a transient model (wizard).")
    context: Context = None


class DefaultGetBody(_Body):
    """``POST /api/default-get/{model}`` (api.md 4.8)."""

    fields: list[str] | None = None
    context: Context = None


class OnchangeBody(_Body):
    """``POST /api/onchange/{model}`` (api.md 4.9)."""

    id: RecordId | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    changed: list[str] | None = None
    context: Context = None
