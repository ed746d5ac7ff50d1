"""The product module's models. Every model file must be imported here (keep the list alphabetical)."""

from . import (  # noqa: F401 - importing a file registers its models
    category,
    contact,
    product,
    uom,
)
