"""Companies and contacts: minimal, enough for users and record rules (multi-company comes later)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, ManyToOne, Model


class Company(Model):
    _verbose_name = "Company"

    name = Char(max_length=200, required=True)
    currency = ManyToOne("Currency", on_delete="SET NULL")
    country = ManyToOne("Country", on_delete="SET NULL")


class Contact(Model):
    _order = "name ASC"

    name = Char(max_length=200, required=True)
    email = Char(max_length=320)
    phone = Char(max_length=64)
    company = ManyToOne("Company", related_name="contacts", on_delete="SET NULL")
    country = ManyToOne("Country", related_name="contacts", on_delete="SET NULL")
    parent = ManyToOne("Contact", related_name="children", on_delete="SET NULL")
    is_company = Boolean()
    active = Boolean(default=True)
