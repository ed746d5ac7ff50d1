"""The workflow of a lead: won, lost, restore, convert, merge, duplicates (business.md 5).

Each step checks the state it starts from and refuses others with a ``UserError`` naming the
record and its state, before anything is written (a refused call changes nothing). Steps run
with the caller's rights: record rules decide which leads they may touch. Mixed into
``CrmLead`` (``lead.py``).
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import MissingError, Model, UserError, ValidationError
from fullfinity.engine.fields import ManyToMany, ManyToOne
from fullfinity.engine.fields.html import as_html

from . import _duplicates, _state

__all__ = ["CONTACT_MODES", "MERGE_MAX", "LeadActions"]

CONTACT_MODES = ("create", "link", "none")
MERGE_MAX = 5
_STATE_LABELS = {"won": "won", "lost": "lost", "pending": "open"}
_FILL = ("contact_name", "company_name", "email", "phone", "source", "contact", "team", "salesperson",
         "currency", "expected_revenue", "date_deadline")  # fmt: skip


def _label(lead: Any) -> str:
    return f"'{lead.name}' (id {lead.id})"


async def _load(records: Any, *extra: str) -> list[Any]:
    """The records, archived ones included, with the fields the steps read (as the caller), locked
    first: a concurrent step on the same lead waits, then sees the state this one leaves (two
    salespeople clicking Won and Lost at once: one succeeds, the other is told the lead is won)."""
    model = type(records)
    await records.env.execute(
        f'SELECT 1 FROM "{model._table}" WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', records.ids
    )
    with records.env.with_context(active_test=False):
        found = await model.with_fields(
            "name", "lead_type", "won_status", "active", "stage", "team", "salesperson", *extra
        ).filter(id__in=records.ids)
    by_id = {r.id: r for r in found}
    missing = [i for i in records.ids if i not in by_id]
    if missing:
        raise MissingError(f"CrmLead record(s) {missing} do not exist or are not visible to you.")
    return [by_id[i] for i in records.ids]


class LeadActions:
    """The ``action_*`` methods of ``CrmLead``."""

    @Model.expose
    async def action_set_won(self: Any) -> dict[str, Any]:
        """Move the leads to their team's won stage: probability 100, closing date now."""
        leads = await _load(self)
        stages = await _state.load_stages(self.env)
        for lead in leads:
            if lead.won_status != "pending":
                raise UserError(f"Lead {_label(lead)} is {_STATE_LABELS[lead.won_status]}; only open leads can be won.")
            if _state.won_stage(stages, _state.record_id(lead.team)) is None:
                raise UserError(
                    f"Lead {_label(lead)} cannot be won: its team's pipeline has no won stage. Add a stage with "
                    f"'Won stage' set (CRM > Configuration > Stages)."
                )
        for lead in leads:
            lead.stage = _state.won_stage(stages, _state.record_id(lead.team))
            await lead.save()
        return {"type": "reload"}

    @Model.expose
    async def action_set_lost(self: Any, lost_reason: int | None = None) -> dict[str, Any]:
        """Mark the leads lost (archived, probability 0), with an optional ``CrmLostReason`` id."""
        if lost_reason is not None:
            if isinstance(lost_reason, bool) or not isinstance(lost_reason, int):
                raise ValidationError({"lost_reason": f"must be the id of a lost reason, got {lost_reason!r}"})
            reason_model = self.env.get_model("CrmLostReason")
            with self.env.with_context(active_test=False):
                if not await reason_model.filter(id=lost_reason).exists():
                    raise ValidationError({"lost_reason": f"no lost reason with id {lost_reason}"})
        leads = await _load(self)
        for lead in leads:
            if lead.won_status != "pending":
                raise UserError(
                    f"Lead {_label(lead)} is {_STATE_LABELS[lead.won_status]}; only open leads can be marked lost"
                    + (" (restore it first)." if lead.won_status == "won" else ".")
                )
        for lead in leads:
            lead.active = False
            lead.lost_reason = lost_reason
            await lead.save()
        return {"type": "reload"}

    @Model.expose
    async def action_restore(self: Any) -> dict[str, Any]:
        """Reopen lost leads (unarchived) and won ones (back to the last open stage of their
        pipeline); their probability becomes automatic again."""
        leads = await _load(self)
        stages = await _state.load_stages(self.env)
        for lead in leads:
            if lead.won_status == "pending":
                raise UserError(f"Lead {_label(lead)} is open; only won or lost leads can be restored.")
        for lead in leads:
            if lead.won_status == "lost":
                lead.active = True
            else:
                team = _state.record_id(lead.team)
                open_stages = [s for s in stages.values() if not s.is_won and s.team in (None, team)]
                if not open_stages:
                    raise UserError(f"Lead {_label(lead)} cannot be reopened: its pipeline has no open stage.")
                lead.stage = open_stages[-1].id
            await lead.save()
        return {"type": "reload"}

    @Model.expose
    async def action_reset_probability(self: Any) -> dict[str, Any]:
        """Give open leads their automatic probability back (after one was set by hand)."""
        for lead in await _load(self):
            if lead.won_status == "pending":
                lead.is_automated_probability = True
                await lead.save()
        return {"type": "reload"}

    @Model.expose
    async def action_convert(self: Any, contact_mode: str = "create", contact: int | None = None) -> dict[str, Any]:
        """Turn leads into opportunities. ``contact_mode``: ``create`` a contact from the lead's
        names, e-mail and phone; ``link`` the existing ``contact`` (an id); ``none``."""
        if contact_mode not in CONTACT_MODES:
            raise ValidationError({"contact_mode": f"must be one of {', '.join(CONTACT_MODES)}, got {contact_mode!r}"})
        env = self.env
        contacts = env.get_model("Contact")
        if contact_mode == "link":
            if contact is None or isinstance(contact, bool) or not isinstance(contact, int):
                raise ValidationError({"contact": "the id of an existing contact is required with contact_mode 'link'"})
            if not await contacts.filter(id=contact).exists():
                raise ValidationError({"contact": f"no contact with id {contact}"})
        elif contact is not None:
            raise ValidationError({"contact": f"only with contact_mode 'link' (got contact_mode {contact_mode!r})"})
        leads = await _load(self, "contact_name", "company_name", "email", "phone", "contact")
        for lead in leads:
            if lead.won_status != "pending":
                state = _STATE_LABELS[lead.won_status]
                raise UserError(f"Lead {_label(lead)} is {state}; restore it before converting it.")
            if lead.lead_type == "opportunity":
                raise UserError(f"Lead {_label(lead)} is already an opportunity.")
            if contact_mode == "create" and not (lead.contact_name or lead.company_name or lead.email):
                problem = (
                    f"lead {_label(lead)} has no contact name, company name or e-mail to create a contact from; "
                    f"fill one in, or use 'link' or 'none'"
                )
                raise ValidationError({"contact_mode": problem})
        for lead in leads:
            if contact_mode == "create":
                lead.contact = await _create_contact(contacts, lead)
            elif contact_mode == "link":
                lead.contact = contact
            lead.lead_type = "opportunity"
            if lead.salesperson is None and not env.is_elevated:
                lead.salesperson = env.uid
            await lead.save()
        if len(leads) == 1:
            return {"type": "action", "model": "CrmLead", "view_types": ["Form"], "res_id": leads[0].id}
        return {"type": "reload"}

    @Model.expose
    async def action_merge(self: Any) -> dict[str, Any]:
        """Merge 2 to 5 leads into the most advanced one (highest stage, then probability, then the
        oldest): text joined, blanks filled from the others, tags united, references moved to it,
        the others deleted."""
        if not 2 <= len(self.ids) <= MERGE_MAX:
            raise UserError(f"Select 2 to {MERGE_MAX} leads to merge; {len(self.ids)} selected.")
        stored = [n for n, f in type(self)._fields.items() if getattr(f, "column", None) and not f.automatic]
        leads = await _load(self, *stored)
        stages = await _state.load_stages(self.env)
        await self.env.get_model("CrmLead")._make_set(leads).fetch_related("tags")

        def rank(lead: Any) -> tuple[int, float, int]:
            stage = stages.get(_state.record_id(lead.stage) or 0)
            return (stage.sequence if stage else -1, float(lead.probability or 0), -lead.id)

        ordered = sorted(leads, key=rank, reverse=True)
        head, tails = ordered[0], ordered[1:]
        for name in _FILL:
            if getattr(head, name) in (None, ""):
                for tail in tails:
                    if getattr(tail, name) not in (None, ""):
                        setattr(head, name, getattr(tail, name))
                        break
        notes = [lead.description for lead in ordered if lead.description]
        if len(notes) > 1:
            head.description = "".join(as_html(note) for note in notes)
        head.priority = max((lead.priority or "0") for lead in ordered)
        if any(lead.lead_type == "opportunity" for lead in ordered):
            head.lead_type = "opportunity"
        union = sorted({tag for lead in ordered for tag in lead.tags.ids})
        if union != sorted(head.tags.ids):
            head.tags = union
        tail_ids = [t.id for t in tails]
        await _move_references(self.env, tail_ids, head.id)
        await self.env.get_model("CrmLead")._make_set(tails).delete()
        await head.save()
        return {"type": "action", "model": "CrmLead", "view_types": ["Form"], "res_id": head.id}

    @Model.expose
    async def action_view_duplicates(self: Any) -> dict[str, Any]:
        """Open the lead with its potential duplicates (the ones the caller may read)."""
        lead = self.ensure_one()
        with self.env.with_context(active_test=False):
            loaded = (
                await type(lead)
                .with_fields("email_domain", "email_normalized", "contact", "company_key")
                .filter(id=lead.id)
            )
        ids = (await _duplicates.duplicate_ids(list(loaded)))[0] if loaded else []
        return {
            "type": "action",
            "name": "Duplicates",
            "model": "CrmLead",
            "view_types": ["List", "Form"],
            "q_filter": f"Q(id__in={sorted([lead.id, *ids])})",
            "context": {"active_test": False},
        }


async def _create_contact(contacts: Any, lead: Any) -> int:
    """A contact from the lead's names (a company with the person under it when both are known)."""
    company = None
    if lead.company_name:
        company = await contacts.create(
            name=lead.company_name,
            is_company=True,
            email=None if lead.contact_name else lead.email,
            phone=None if lead.contact_name else lead.phone,
        )
        if not lead.contact_name:
            return int(company.id)
    person = await contacts.create(
        name=lead.contact_name or lead.email, email=lead.email, phone=lead.phone, parent=company.id if company else None
    )
    return int(person.id)


async def _move_references(env: Any, tail_ids: list[int], head_id: int) -> None:
    """Point every record of any installed model that refers to a merged-away lead at the head."""
    with env.sudo(), env.with_context(active_test=False):
        for model in env.registry:
            for name, field in model._fields.items():
                if getattr(field, "related_model", None) != "CrmLead" or model._transient:
                    continue
                if isinstance(field, ManyToOne) and field.column:
                    await model.filter(**{f"{name}__in": tail_ids}).update(**{name: head_id})
                elif isinstance(field, ManyToMany) and getattr(field, "reverse_of", None) is None:
                    for record in await model.with_fields(name).filter(**{f"{name}__in": tail_ids}):
                        setattr(record, name, [*(["U", t] for t in tail_ids), ["L", head_id]])
                        await record.save()
