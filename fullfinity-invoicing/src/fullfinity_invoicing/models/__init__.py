"""The invoicing module's models. Every model file must be imported here (keep the list alphabetical)."""

from . import (  # noqa: F401 - importing a file registers its models
    account,
    configuration,
    contact,
    currency,
    entry,
    invoice,
    invoice_line,
    journal,
    payment,
    payment_register,
    payment_term,
    product,
    reconcile,
    report_lines,
    tax,
)
