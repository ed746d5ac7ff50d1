"""Glue between inventory and invoicing (business.md 4), installed on its own once both are.

- real-time valuation: every valuation layer the stock ledger creates posts a journal entry in the
  Inventory Valuation journal (``STJ``): stock valuation against stock input (goods in) or stock
  output (goods out), accounts from the product category or the settings; entries balance and
  equal the layer values;
- ``Invoice.action_create_transfer`` on posted invoices and bills with storable goods creates the
  delivery or receipt of what is not in a transfer yet (never twice), and each invoice line shows
  ``qty_delivered`` (done moves, returns deducted).

Shipped in the ``fullfinity-inventory`` distribution: without ``fullfinity-invoicing`` pip-installed,
it is listed as unavailable and nothing of it is imported.
"""
