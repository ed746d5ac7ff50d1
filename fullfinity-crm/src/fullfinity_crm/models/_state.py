"""The rules every write of a lead obeys (business.md 5, invariants), applied by ``CrmLead.save``.

A lead is **won** when it is active in a won stage, **lost** when archived, **open** otherwise:

- won: probability 100, ``date_closed`` set, no lost reason;
- lost: probability 0, ``date_closed`` set;
- open: probability below 100 and ``date_closed`` empty; the probability follows
  ``automated_probability`` while ``is_automated_probability`` holds. Writing a probability by
  hand clears that flag (the value then stays until ``is_automated_probability`` is set again);
  reopening a closed lead (restore, unarchive, leaving the won stage) goes back to automatic.

Dates: ``date_last_stage_update`` on every stage change, ``date_open`` when a salesperson is
assigned, ``date_conversion`` when the lead becomes an opportunity, ``date_closed`` on closing.

``Snapshot`` is the stored state of a lead before a write, read in one query for a set of
leads; the closed ones' contributions to the won/lost history are taken from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.base import ValidationError

from ._scoring import Contribution, contribution

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = [
    "STATE_FIELDS",
    "Outcome",
    "Snapshot",
    "Stage",
    "first_stage",
    "load_stages",
    "record_id",
    "settle",
    "snapshots",
    "won_stage",
]

#: Fields whose change may move a lead between states or change its place in the history.
STATE_FIELDS = frozenset(
    {"stage", "active", "probability", "is_automated_probability", "lead_type", "salesperson", "team", "tags"}
)


@dataclass(frozen=True)
class Stage:
    id: int
    sequence: int
    is_won: bool
    team: int | None


@dataclass(frozen=True)
class Snapshot:
    """A lead as stored before the write."""

    id: int
    active: bool
    stage: int | None
    won: bool
    team: int | None
    tags: tuple[int, ...]
    salesperson: int | None
    lead_type: str | None
    probability: float | None
    is_automated_probability: bool
    date_closed: dt.datetime | None
    date_conversion: dt.datetime | None

    @property
    def closed(self) -> bool:
        return self.won or not self.active

    def contribution(self) -> list[Contribution]:
        return contribution(self.won, self.stage, self.team, self.tags) if self.closed else []


@dataclass(frozen=True)
class Outcome:
    """What a write leads to: the lead's state and features once written."""

    won: bool
    active: bool
    stage: int | None
    team: int | None
    automated: bool
    reopened: bool

    @property
    def closed(self) -> bool:
        return self.won or not self.active


async def load_stages(env: Environment) -> dict[int, Stage]:
    """Every stage (a small table), in pipeline order, from the tenant's cache until one is written."""
    from ._settings import once_per_transaction, shared

    async def read() -> list[list[Any]]:
        model = env.get_model("CrmStage")
        with env.sudo():
            rows = await model.with_fields("sequence", "is_won", "team").order_by("sequence ASC", "id ASC")
        return [[r.id, r.sequence or 0, bool(r.is_won), r.team.id if r.team else None] for r in rows]

    async def build() -> dict[int, Stage]:
        rows = await shared(env, "stage_rows", ("CrmStage",), read)
        return {row[0]: Stage(*row) for row in rows}

    return await once_per_transaction(env, "stages", ("CrmStage",), build)


def first_stage(stages: dict[int, Stage], team: int | None) -> int | None:
    """The first open stage of ``team``'s pipeline (its own stages and the shared ones)."""
    for stage in stages.values():  # in pipeline order
        if not stage.is_won and stage.team in (None, team):
            return stage.id
    return None


def won_stage(stages: dict[int, Stage], team: int | None) -> int | None:
    """The first won stage of ``team``'s pipeline."""
    for stage in stages.values():
        if stage.is_won and stage.team in (None, team):
            return stage.id
    return None


async def snapshots(env: Environment, ids: Sequence[int]) -> dict[int, Snapshot]:
    """The stored state of these leads, locked until the transaction ends (one query, elevated:
    the write itself checks the rights). The lock makes a concurrent write of the same lead wait
    and then read the state this one leaves, so both never count the same change in the history."""
    if not ids:
        return {}
    lead = env.get_model("CrmLead")
    relation = getattr(lead._fields["tags"], "relation", None) or ("crm_lead__tags", "source_id", "target_id")
    rows = await env.fetch(
        f"""
        SELECT l.id, l.active, l.stage_id, (l.active AND coalesce(s.is_won, false)) AS won, l.team_id, l.salesperson_id,
               l.lead_type, l.probability::float8 AS probability, l.is_automated_probability, l.date_closed,
               l.date_conversion,
               ARRAY(SELECT r."{relation[2]}" FROM "{relation[0]}" r WHERE r."{relation[1]}" = l.id ORDER BY 1) AS tags
        FROM "{lead._table}" l LEFT JOIN "{env.get_model("CrmStage")._table}" s ON s.id = l.stage_id
        WHERE l.id = ANY($1::bigint[])
        ORDER BY l.id
        FOR UPDATE OF l
        """,
        list(ids),
    )
    return {
        r["id"]: Snapshot(
            id=r["id"],
            active=r["active"],
            stage=r["stage_id"],
            won=r["won"],
            team=r["team_id"],
            tags=tuple(r["tags"]),
            salesperson=r["salesperson_id"],
            lead_type=r["lead_type"],
            probability=r["probability"],
            is_automated_probability=r["is_automated_probability"],
            date_closed=r["date_closed"],
            date_conversion=r["date_conversion"],
        )
        for r in rows
    }


def record_id(value: Any) -> int | None:
    """The id of a ManyToOne value (a record, a stub or an id)."""
    if value is None:
        return None
    if hasattr(value, "id"):
        return None if value.id is None else int(value.id)
    return int(value)


def settle(lead: Any, before: Snapshot | None, stages: dict[int, Stage], given: set[str]) -> Outcome:
    """Apply the rules to ``lead`` before it is written; ``before`` is None for a new lead (whose
    rule fields are all assigned, defaults included); ``given`` names the fields the caller
    assigned. Raises ``ValidationError`` naming the field when an explicit value contradicts
    the state (a won lead's probability, an open lead's closing date)."""
    now = dt.datetime.now(dt.UTC)
    assigned = set(lead._changes or {})

    def value(name: str) -> Any:
        if before is None or name in assigned:
            raw = getattr(lead, name)
            return record_id(raw) if name in ("stage", "team", "salesperson") else raw
        return getattr(before, name)

    stage_id = value("stage")
    team_id = value("team")
    stage = stages.get(stage_id) if stage_id is not None else None
    active = bool(value("active"))
    won = active and bool(stage and stage.is_won)
    # Closed before: won or lost as stored, or still carrying a closing date (its stage stopped
    # being a won stage): such a lead reopens.
    was_closed = bool(before and (before.closed or before.date_closed is not None))
    problems: dict[str, str] = {}

    if before is None or ("stage" in assigned and before.stage != stage_id):
        lead.date_last_stage_update = now
    salesperson = value("salesperson")
    if salesperson is not None and (before is None or before.salesperson != salesperson):
        lead.date_open = now  # assigned (or reassigned) to someone
    converting = before is None or ("lead_type" in assigned and before.date_conversion is None)
    if value("lead_type") == "opportunity" and converting:
        lead.date_conversion = now

    typed = "probability" in given and lead.probability is not None  # set by hand
    # ... and in [0, 100] (outside it, the field's own validator reports it)
    explicit = typed and 0 <= float(lead.probability) <= 100
    automated = bool(value("is_automated_probability"))
    if won or not active:
        target = 100.0 if won else 0.0
        if typed and float(lead.probability) != target:
            state = "won" if won else "lost"
            problems["probability"] = f"a {state} lead's probability is {target:g}; restore the lead to change it"
        lead.probability = target
        if won:
            lead.lost_reason = None
        if not ("date_closed" in given and lead.date_closed is not None):
            lead.date_closed = before.date_closed if (was_closed and before and before.date_closed) else now
    else:
        if "date_closed" in given and lead.date_closed is not None:
            problems["date_closed"] = "an open lead has no closing date; mark it won or lost instead"
        if before is None or was_closed or "date_closed" in assigned:
            lead.date_closed = None
        if was_closed:
            lead.lost_reason = None
        if explicit and float(lead.probability) == 100:
            problems["probability"] = "must be below 100 for an open lead: mark it won instead"
        reset = "is_automated_probability" in given and lead.is_automated_probability
        if was_closed or reset:
            automated = True
        elif typed:
            automated = False
        if before is None or automated != before.is_automated_probability:
            lead.is_automated_probability = automated
    lead.won_status = "won" if won else ("lost" if not active else "pending")
    if problems:
        raise ValidationError(problems)
    return Outcome(won=won, active=active, stage=stage_id, team=team_id, automated=automated, reopened=was_closed)
