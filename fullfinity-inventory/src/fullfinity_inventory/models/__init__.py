"""The inventory module's models. Every model file must be imported here (keep the list alphabetical)."""

from . import (  # noqa: F401 - importing a file registers its models
    adjustment,
    backorder,
    configuration,
    location,
    lot,
    move,
    operation_type,
    product,
    quant,
    reorder,
    transfer,
    valuation,
    warehouse,
)
