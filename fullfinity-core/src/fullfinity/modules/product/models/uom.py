"""Units of measure and their categories, with exact conversion (business.md 1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Boolean, Char, ManyToOne, Model, Numeric, Selection, UserError, ValidationError
from fullfinity.modules.product.units import convert_quantity

UOM_TYPES = [
    ("reference", "Reference unit of its category"),
    ("bigger", "Bigger than the reference"),
    ("smaller", "Smaller than the reference"),
]


class UomCategory(Model):
    _verbose_name = "Unit Category"
    _order = "name ASC"

    name = Char(max_length=80, required=True, unique=True)


class Uom(Model):
    _verbose_name = "Unit of Measure"
    _order = "category ASC, ratio ASC, id ASC"

    name = Char(max_length=80, required=True)
    category = ManyToOne("UomCategory", related_name="uoms", required=True, on_delete="RESTRICT")
    uom_type = Selection(choices=UOM_TYPES, required=True, default="reference")
    ratio = Numeric(
        digits=(20, 10),
        required=True,
        default=Decimal(1),
        description="Ratio",
        hint="How many reference units of the category one of this unit is (a dozen: 12; a gram in kg: 0.001).",
    )
    rounding = Numeric(
        digits=(20, 10),
        required=True,
        default=Decimal("0.01"),
        hint="Quantities in this unit are rounded half-up to a multiple of this step (1 for whole units).",
    )
    active = Boolean(default=True)

    _unique_together = [("category", "name")]
    _sql_constraints = [
        ("ratio_positive", "ratio > 0", "A unit's ratio must be greater than zero."),
        ("rounding_positive", "rounding > 0", "A unit's rounding must be greater than zero."),
    ]

    @Model.constrain("uom_type", "ratio")
    async def _check_ratio_matches_type(self) -> None:
        ratio = self.ratio
        if ratio is None:
            return
        if self.uom_type == "reference" and ratio != 1:
            raise ValidationError({"ratio": f"a reference unit has ratio 1, got {ratio}"})
        if self.uom_type == "bigger" and ratio <= 1:
            raise ValidationError({"ratio": f"a unit bigger than the reference has a ratio above 1, got {ratio}"})
        if self.uom_type == "smaller" and ratio >= 1:
            raise ValidationError({"ratio": f"a unit smaller than the reference has a ratio below 1, got {ratio}"})

    @Model.expose
    async def convert(self, quantity: Any, to_uom: Any, *, round: bool = True) -> Decimal:
        """``quantity`` of this unit expressed in ``to_uom`` (a record or an id), exactly, rounded
        half-up to ``to_uom``'s rounding unless ``round=False``. Units of different categories are a
        ``UserError`` naming both."""
        source = self.ensure_one()
        target_id = to_uom if isinstance(to_uom, int) else to_uom.id
        units = {
            u.id: u
            for u in await type(self)
            .with_fields("name", "category", "ratio", "rounding")
            .filter(id__in=[source.id, target_id])
        }
        if source.id not in units or target_id not in units:
            missing = [i for i in (source.id, target_id) if i not in units]
            raise UserError(f"Unit(s) of measure {missing} do not exist or are not visible to you.")
        here, there = units[source.id], units[target_id]
        if here.category.id != there.category.id:
            raise UserError(
                f"Cannot convert {here.name} into {there.name}: they measure different things (different unit "
                f"categories). Convert only between units of one category."
            )
        try:
            value = Decimal(quantity) if not isinstance(quantity, float) else Decimal(repr(quantity))
        except (ArithmeticError, TypeError, ValueError):
            raise UserError(f"The quantity to convert must be a number, got {quantity!r}.") from None
        return convert_quantity(value, here.ratio, there.ratio, there.rounding if round else None)
