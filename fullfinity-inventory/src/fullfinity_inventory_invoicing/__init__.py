"""Glue between inventory and invoicing (business.md 4)."""
