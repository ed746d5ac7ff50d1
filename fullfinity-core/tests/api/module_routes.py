"""A public controller of the throw-away module the API tests install: conftest.py copies this file, as
is, into the module's ``routes`` package. ``POST /apit/probe`` runs one ORM operation on ApiTicket as
the caller (the guest user without a token) and returns what it saw, so tests can check every path."""

from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, Field

from fullfinity.engine.context import env_ctx
from fullfinity.engine.controller import Controller, route
from fullfinity.engine.Q import Q


class ProbeBody(BaseModel):
    op: Literal["query", "count", "group", "related", "joined", "update", "delete", "execute"]
    q: str = "Q()"
    order: str | None = None
    id: int = Field(1, ge=1, le=2**31 - 1)


class ApiProbe(Controller):
    _name = __name__.split(".")[0] + "_probe"

    @route("/apit/probe", methods=["POST"], auth="public")
    async def probe(self, request: Request, body: ProbeBody) -> dict[str, Any]:
        ticket = env_ctx.get()["ApiTicket"]
        qs = ticket.filter(Q.parse(body.q))
        if body.order:
            qs = qs.order_by(body.order)
        op = body.op
        if op == "query":
            return {"names": [r.name for r in await qs]}
        if op == "count":
            return {"count": await qs.count()}
        if op == "group":
            groups = await qs.group_by("team")
            return {"groups": [[g["team"], g["__count"]] for g in groups]}
        if op == "joined":  # the to-one path read through a LEFT JOIN in the same statement
            found = await ticket.filter(id=body.id).with_fields("name", "team__name", "team__display_name")
            return {"team": found.team.id, "team_name": getattr(found.team, "_f_name", None)}
        record = await ticket.get(body.id)
        if op == "related":
            await record.fetch_related("team")
            # A hidden ManyToOne target stays a stub: its id, no loaded values.
            return {"team": record.team.id, "team_name": getattr(record.team, "_f_name", None)}
        if op == "update":
            record.notes = "probed"
            await record.save()
        elif op == "delete":
            await record.delete()
        elif op == "execute":
            await record.action_escalate()
        return {"done": op}
