"""Leads and opportunities (business.md 5): the records a sales team works.

Every write goes through ``save`` (bulk updates and ``bulk_create`` too), which applies the
state rules of ``_state.py`` (won: probability 100 and a closing date; lost = archived:
probability 0; open: below 100, no closing date), keeps the won/lost history of
``CrmLeadScoringFrequency`` in step, and gives open leads whose stage, team or tags changed
their automatic probability (``_scoring.py``). The workflow steps are the ``action_*`` methods
of ``_actions.py``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from fullfinity.engine.base import (
    Boolean,
    Char,
    Date,
    Datetime,
    Float,
    Integer,
    ManyToMany,
    ManyToOne,
    Model,
    Monetary,
    Selection,
    Text,
    ValidationError,
)
from fullfinity.engine.context import env_ctx

from . import _duplicates, _scoring, _state
from ._actions import LeadActions
from ._settings import crm_settings, default_currency, default_team

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

LEAD_TYPES = [("lead", "Lead"), ("opportunity", "Opportunity")]
PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very high")]
WON_STATUS = [("pending", "Open"), ("won", "Won"), ("lost", "Lost")]
_CENT = Decimal("0.01")
#: Fields ``save`` gives a value itself when a new lead is created without one.
_RULE_DEFAULTS = ("lead_type", "team", "stage", "salesperson", "currency", "active", "is_automated_probability")


def _percentage(value: float | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise ValidationError(f"must be between 0 and 100, got {value:g}")


async def _default_lead_type(record: Any) -> str:
    settings = await crm_settings()
    return "lead" if settings.use_leads else "opportunity"


async def _default_team(record: Any) -> int | None:
    return await default_team()


async def _default_stage(record: Any) -> int | None:
    team = _state.record_id(getattr(record, "team", None)) if record is not None else None
    return _state.first_stage(await _state.load_stages(env_ctx.get()), team)


def _default_salesperson(record: Any) -> int | None:
    env = env_ctx.get()
    return None if env.is_elevated else env.uid


async def _default_currency(record: Any) -> int | None:
    return await default_currency()


class CrmLead(LeadActions, Model):
    _verbose_name = "Lead/Opportunity"
    _order = "priority DESC, id DESC"
    _search_fields = ["name", "contact_name", "company_name", "email"]

    name = Char(max_length=250, required=True, description="Opportunity")
    lead_type = Selection(choices=LEAD_TYPES, required=True, default=_default_lead_type, index=True, description="Type")
    contact = ManyToOne("Contact", related_name="crm_leads", on_delete="SET NULL", description="Customer")
    contact_name = Char(max_length=200, description="Contact name")
    company_name = Char(max_length=200, description="Company name")
    email = Char(max_length=320)
    phone = Char(max_length=64)
    team = ManyToOne("CrmTeam", related_name="leads", on_delete="SET NULL", index=True, description="Sales team",
                     default=_default_team)  # fmt: skip
    salesperson = ManyToOne("User", on_delete="SET NULL", index=True, default=_default_salesperson)
    stage = ManyToOne("CrmStage", related_name="leads", on_delete="RESTRICT", index=True, default=_default_stage)
    probability = Float(digits=(5, 2), validators=[_percentage], description="Probability (%)",
                        hint="Set by hand, it stays until 'Automatic probability' is switched on again.")  # fmt: skip
    automated_probability = Float(digits=(5, 2), readonly=True, description="Automatic probability (%)",
                                  hint="Learnt from won and lost leads of the same stage, team and tags.")  # fmt: skip
    is_automated_probability = Boolean(default=True, description="Automatic probability")
    expected_revenue = Monetary(description="Expected revenue")
    prorated_revenue = Monetary(calculate="_compute_prorated_revenue", store=True, readonly=True,
                                description="Prorated revenue", hint="Expected revenue x probability")  # fmt: skip
    currency = ManyToOne("Currency", on_delete="SET NULL", default=_default_currency)
    date_deadline = Date(index=True, description="Expected closing")
    date_open = Datetime(readonly=True, description="Assigned on")
    date_closed = Datetime(readonly=True, description="Closed on")
    date_conversion = Datetime(readonly=True, description="Converted on")
    date_last_stage_update = Datetime(readonly=True, description="Last stage update")
    priority = Selection(choices=PRIORITIES, default="0")
    tags = ManyToMany("CrmTag", related_name="leads")
    lost_reason = ManyToOne("CrmLostReason", on_delete="SET NULL", description="Lost reason")
    active = Boolean(default=True)
    won_status = Selection(choices=WON_STATUS, readonly=True, index=True, default="pending", description="Status")
    description = Text(html=True, description="Notes")
    source = Char(max_length=120, hint="Where the lead came from (website form, fair, referral...)")
    email_domain = Char(max_length=255, calculate="_compute_keys", store=True, readonly=True, index=True)
    email_normalized = Char(max_length=320, calculate="_compute_keys", store=True, readonly=True, index=True)
    company_key = Char(max_length=200, calculate="_compute_keys", store=True, readonly=True, index=True)
    duplicate_count = Integer(calculate="_compute_duplicate_count", store=False, description="Duplicates")

    # -- computed fields ---------------------------------------------------------------------
    @Model.calculate("expected_revenue", "probability")
    async def _compute_prorated_revenue(self) -> None:
        expected = Decimal(self.expected_revenue or 0)
        probability = Decimal(repr(float(self.probability or 0)))
        self.prorated_revenue = (expected * probability / 100).quantize(_CENT, rounding=ROUND_HALF_UP)

    @Model.calculate("email", "company_name")
    async def _compute_keys(self) -> None:
        self.email_domain = _duplicates.email_domain(self.email)
        self.email_normalized = _duplicates.normalized_email(self.email)
        self.company_key = _duplicates.company_key(self.company_name)

    @Model.calculate("email_domain", "email_normalized", "contact", "company_key", batch=True)
    async def _compute_duplicate_count(self) -> None:
        for lead, found in zip(self, await _duplicates.duplicate_ids(list(self)), strict=True):
            lead.duplicate_count = len(found)

    # -- writing ----------------------------------------------------------------------------------
    async def save(self, *, check_concurrency: bool = False) -> None:
        """Insert or update, applying the state rules (see the module docstring)."""
        if self._recs is not None:
            for rec in self:
                await rec.save(check_concurrency=check_concurrency)
            return
        given = set(self._changes or {})
        new = self.id is None
        if not new and not given & _state.STATE_FIELDS:
            await super().save(check_concurrency=check_concurrency)
            return
        env = self.env
        stages = await _state.load_stages(env)
        before: _state.Snapshot | None = None
        if new:
            await self._fill_rule_defaults(env, given, stages)
        else:
            before = (await _state.snapshots(env, [self.id])).get(self.id)
            if before is None:  # deleted meanwhile: the write reports it
                await super().save(check_concurrency=check_concurrency)
                return
        outcome = _state.settle(self, before, stages, given)
        tags = self._tags_after(given, before)
        rescore = not outcome.closed and (
            new or outcome.reopened or bool(given & {"stage", "team", "tags", "is_automated_probability"})
        )
        history_changes = outcome.closed or (before is not None and before.closed)
        if tags is not None:  # everything known before the write: one UPDATE (or INSERT)
            if history_changes:
                await self._record_history(env, before, outcome, tags)
            if rescore:
                await self._score(env, outcome, tags)
            await super().save(check_concurrency=check_concurrency)
            return
        await super().save(check_concurrency=check_concurrency)  # tags given as commands: read them back
        tags = (await _state.snapshots(env, [self.id]))[self.id].tags
        if history_changes:
            await self._record_history(env, before, outcome, tags)
        if rescore:
            await self._score(env, outcome, tags)
            await super().save()

    async def delete(self) -> None:
        """Delete, taking closed leads out of the won/lost history."""
        env = self.env
        ids = [rec.id for rec in self if rec.id is not None]
        found = await _state.snapshots(env, ids)
        await super().delete()
        removed = [c for snap in found.values() for c in snap.contribution()]
        await _scoring.apply_delta(env, removed, [])

    async def _fill_rule_defaults(self, env: Environment, given: set[str], stages: dict[int, _state.Stage]) -> None:
        """A new lead gets its rule fields now (context ``default_<field>`` first, then the field
        defaults), so the rules see the values that will be written."""
        context = env.context
        for name in _RULE_DEFAULTS:
            if name in given:
                continue
            if f"default_{name}" in context:
                setattr(self, name, context[f"default_{name}"])
                continue
            if name == "stage":
                value: Any = _state.first_stage(stages, _state.record_id(self.team))
            elif name == "salesperson":
                value = _default_salesperson(self)
            else:
                default = type(self)._fields[name].default
                value = default(self) if callable(default) else default
                if hasattr(value, "__await__"):
                    value = await value
            setattr(self, name, value)

    def _tags_after(self, given: set[str], before: _state.Snapshot | None) -> tuple[int, ...] | None:
        """The lead's tag ids once written, when known without reading them back."""
        if "tags" not in given:
            return before.tags if before is not None else ()
        value = getattr(self, type(self)._fields["tags"].slot, None)  # the value as assigned
        if value is None:
            return ()
        if isinstance(value, Model):
            return tuple(value.ids)
        if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return tuple(value)
        return None  # command lists: read back after the write

    @staticmethod
    async def _record_history(
        env: Environment, before: _state.Snapshot | None, outcome: _state.Outcome, tags: tuple[int, ...]
    ) -> None:
        """Replace what the lead contributed to the won/lost history by what it contributes now."""
        added = _scoring.contribution(outcome.won, outcome.stage, outcome.team, tags) if outcome.closed else []
        await _scoring.apply_delta(env, before.contribution() if before else [], added)

    async def _score(self, env: Environment, outcome: _state.Outcome, tags: tuple[int, ...]) -> None:
        history = await _scoring.load_history(env)
        value = history.probability(outcome.stage, outcome.team, tags)
        self.automated_probability = value
        if outcome.automated:
            self.probability = value

    # -- batch recompute --------------------------------------------------------------------------
    @Model.expose(groups=["crm_manager"])
    async def recompute_probabilities(cls) -> dict[str, Any]:
        """Rebuild the won/lost history and recompute every open lead's automatic probability
        (and its probability, unless set by hand). Returns ``{"updated": <leads changed>}``."""
        env = env_ctx.get()
        with env.sudo():
            updated = await _scoring.recompute_all(env)
        return {"updated": updated}
