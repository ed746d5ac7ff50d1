"""The glue module's models. Every model file must be imported here (keep the list alphabetical)."""

from . import accounts, invoice, valuation  # noqa: F401 - importing a file registers its models
