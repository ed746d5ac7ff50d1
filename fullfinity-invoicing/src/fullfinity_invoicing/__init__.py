"""The ``invoicing`` module: invoices, bills, credit notes and payments on double-entry accounting.

An invoice is a business document; posting it creates its journal entry, whose items are what the
books hold (business.md 2, the Tryton model). Module authors extending invoicing use:

- :mod:`fullfinity_invoicing.taxes`: the tax engine (line and document amounts, exact decimals);
- the models' exposed methods (``Invoice.action_post`` ...) and the documented override points in
  ``docs/invoicing.md`` (new tax types, accounts, document types).
"""

from fullfinity_invoicing.taxes import compute_document, compute_line

__all__ = ["compute_document", "compute_line"]
