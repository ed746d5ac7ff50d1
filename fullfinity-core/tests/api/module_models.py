"""The models of the throw-away module the API tests install: conftest.py copies this file, as is,
into the module's ``models`` package (it is never imported from here)."""

from fullfinity.engine.base import (
    JSON,
    Binary,
    Boolean,
    Char,
    Date,
    Datetime,
    File,
    Float,
    Integer,
    ManyToMany,
    ManyToOne,
    Model,
    Monetary,
    OneToMany,
    Selection,
    Text,
    UserError,
)
from fullfinity.engine.context import current_env


class ApiTeam(Model):
    _order = "name ASC"
    name = Char(max_length=80, required=True)
    code = Char(max_length=8, unique=True)


class ApiTag(Model):
    name = Char(max_length=40, required=True)


class ApiTicket(Model):
    _verbose_name = "Ticket"
    _order = "id ASC"
    name = Char(max_length=200, required=True)
    priority = Selection(choices=[("low", "Low"), ("normal", "Normal"), ("urgent", "Urgent")], default="normal")
    team = ManyToOne("ApiTeam", related_name="tickets", on_delete="RESTRICT")
    assignee = ManyToOne("User", related_name="api_tickets")
    deadline = Date()
    opened_at = Datetime()
    amount = Monetary()
    hours = Float()
    notes = Text()
    payload = JSON()
    blob = Binary()
    scan = File()
    contract = File(groups=["apit_manager"])
    active = Boolean(default=True)
    tags = ManyToMany("ApiTag", related_name="tickets")
    secret_note = Char(max_length=80, groups=["apit_manager"])
    is_urgent = Boolean(calculate="compute_is_urgent", store=False)
    team_code = Char(calculate="compute_team_code", store=False)

    @Model.calculate("team")
    async def compute_team_code(self):
        self.team_code = self.team.code if self.team is not None else None

    @Model.calculate("priority")
    async def compute_is_urgent(self):
        self.is_urgent = self.priority == "urgent"

    @Model.expose
    async def action_escalate(self, reason: str = ""):
        for ticket in self:
            ticket.priority = "urgent"
            await ticket.save()
        return {"type": "reload", "count": len(self), "reason": reason}

    @Model.expose(groups=["apit_manager"])
    async def action_archive(self):
        for ticket in self:
            ticket.active = False
            await ticket.save()
        return self

    @Model.expose
    async def count_urgent(cls):
        return await cls.filter(priority="urgent").count()

    @Model.expose
    async def refuse(cls):
        raise UserError("Tickets cannot be refused on Sundays.")

    @Model.expose
    async def sleep(cls, seconds: float = 1.0):
        env = current_env()
        await env.execute("SET LOCAL statement_timeout = 200")
        await env.execute("SELECT pg_sleep($1)", seconds)

    async def action_hidden(self):
        return "not exposed"

    # Not exposed: callable only while a button of a view the caller sees references them (test_execute_views.py).
    async def action_reopen(self):
        for ticket in self:
            ticket.priority = "normal"
            await ticket.save()
        return {"type": "reload", "count": len(self)}

    async def action_review(self):
        return {"type": "notify", "title": "Reviewed", "message": f"{len(self)} ticket(s)"}

    async def action_audit(self):
        return {"type": "notify", "title": "Audited", "message": f"{len(self)} ticket(s)"}

    async def helper_total(cls):
        return await cls.filter().count()

    async def ui_board(cls, params: dict):  # a data_method (views.md 8)
        tickets = await cls.filter(priority=params.get("priority", "urgent")).order_by("id ASC")
        return {"data": [{"id": t.id, "name": t.name} for t in tickets], "total": len(tickets)}


class ApiTask(Model):
    _order = "id ASC"
    name = Char(max_length=80, required=True)
    ticket = ManyToOne("ApiTicket", related_name="tasks", required=True, on_delete="CASCADE")
    assignee = ManyToOne("User", related_name="api_tasks")
    weight = Float()


class ApiPicking(Model):
    name = Char(max_length=40, required=True)
    moves = OneToMany("ApiMove", related_name="picking")
    total_weight = Float(calculate="compute_total_weight", store=True)
    heavy = Boolean(calculate="compute_heavy", store=False)

    @Model.calculate("moves", "moves__weight", "moves__qty")
    async def compute_total_weight(self):
        await self.fetch_related("moves")
        self.total_weight = sum((m.weight or 0.0) * (m.qty or 0) for m in self.moves)

    @Model.calculate("total_weight")
    async def compute_heavy(self):
        self.heavy = (self.total_weight or 0) > 1000


class ApiMove(Model):
    _order = "id ASC"
    picking = ManyToOne("ApiPicking", related_name="moves", required=True, on_delete="CASCADE")
    weight = Float()
    qty = Integer(default=1)
    subtotal_weight = Float(calculate="compute_subtotal", store=False)

    label = Char(max_length=40)

    @Model.calculate("weight", "qty")
    async def compute_subtotal(self):
        self.subtotal_weight = (self.weight or 0.0) * (self.qty or 0)

    @Model.onchange("weight")
    async def _onchange_weight(self):
        self.label = "heavy" if (self.weight or 0) > 100 else "light"
        if (self.weight or 0) > 1000:
            self.qty = 1


class ApiWizard(Model):
    _transient = True
    reason = Char(max_length=80, required=True)
    count = Integer(default=3)
    doubled = Integer(calculate="compute_doubled", store=False)

    @Model.calculate("count")
    async def compute_doubled(self):
        self.doubled = (self.count or 0) * 2

    @Model.expose
    async def action_apply(self):
        context = self._ctx
        return {
            "type": "close",
            "reload": True,
            "reason": self.reason,
            "count": self.count,
            "active_ids": context.get("active_ids"),
        }
