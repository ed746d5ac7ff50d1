"""Glue between the CRM and invoicing (business.md 4), installed on its own once both are.

- ``CrmLead.action_new_invoice`` creates a draft customer invoice for the opportunity's contact,
  linked to it through ``Invoice.opportunity``;
- each opportunity shows ``invoiced_amount`` (its posted customer invoices minus posted credit
  notes, in the company currency, not stored) and ``action_view_invoices`` lists them;
- with the setting ``crm_invoicing_won_on_post`` on, posting the first invoice of an open
  opportunity marks it won.

Shipped in the ``fullfinity-crm`` distribution: without ``fullfinity-invoicing`` pip-installed, it
is listed as unavailable (``fullfinity module list``) and nothing of it is imported.
"""
