"""Operation types: what a transfer is (receipt, delivery, internal), its defaults and its numbers.

Another module adds an operation type by creating one (a data file or code) with its ``code`` among
``incoming``/``outgoing``/``internal`` and its default locations; transfers of the type get numbers
``<prefix><5 digits>`` taken from ``next_number`` under the type's row lock.
"""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Integer, ManyToOne, Model, Selection

CODES = [("incoming", "Receipt"), ("outgoing", "Delivery"), ("internal", "Internal transfer")]


class OperationType(Model):
    _verbose_name = "Operation Type"
    _order = "warehouse ASC, sequence ASC, id ASC"

    name = Char(max_length=120, required=True)
    code = Selection(choices=CODES, required=True, default="internal", description="Type of operation")
    warehouse = ManyToOne("Warehouse", on_delete="CASCADE", index=True)
    prefix = Char(max_length=32, required=True, hint="Numbers read <prefix>00001, e.g. WH/IN/00001")
    next_number = Integer(default=1, readonly=True)
    default_source = ManyToOne("Location", on_delete="SET NULL", description="Default source location")
    default_destination = ManyToOne("Location", on_delete="SET NULL", description="Default destination location")
    return_type = ManyToOne("OperationType", on_delete="SET NULL", hint="The type of the returns of these transfers")
    sequence = Integer(default=10)
    active = Boolean(default=True)
    count_ready = Integer(calculate="_compute_counts", store=False, description="Ready")
    count_waiting = Integer(calculate="_compute_counts", store=False, description="Waiting")
    count_late = Integer(calculate="_compute_counts", store=False, description="Late")

    @Model.calculate("code", batch=True)
    async def _compute_counts(self) -> None:
        """Open transfers of each type: ready (reserved), waiting, late (scheduled in the past); one query."""
        ids = [rec.id for rec in self if rec.id is not None]
        rows = (
            await self.env.fetch(
                "SELECT operation_type_id AS id, count(*) FILTER (WHERE state = 'assigned') AS ready, "
                "count(*) FILTER (WHERE state IN ('confirmed', 'waiting')) AS waiting, "
                "count(*) FILTER (WHERE state IN ('confirmed', 'waiting', 'assigned') "
                "AND scheduled_date < now()) AS late "
                "FROM transfer WHERE operation_type_id = ANY($1::bigint[]) GROUP BY 1",
                ids,
            )
            if ids
            else []
        )
        counts = {r["id"]: r for r in rows}
        for rec in self:
            row = counts.get(rec.id)
            rec.count_ready = row["ready"] if row else 0
            rec.count_waiting = row["waiting"] if row else 0
            rec.count_late = row["late"] if row else 0

    async def update_return_type(self, return_type: int) -> None:
        self.return_type = return_type
        await self.save()
