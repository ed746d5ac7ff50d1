"""Fullfinity CRM (module ``crm``): sales teams, stages, leads and opportunities.

The module's models are in ``models/``, the public lead-capture route in ``routes/``, and its
data files (security, stages, views, demo) in the folders named after them. What a user can do
is described in docs/crm.md; the contract is business.md section 5.
"""
