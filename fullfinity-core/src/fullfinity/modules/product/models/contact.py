"""Address and tax fields on ``Contact`` (business.md 1: every business module needs them)."""

from __future__ import annotations

from fullfinity.engine.base import Char, Model


class Contact(Model):
    __inherit__ = "Contact"

    street = Char(max_length=200)
    street2 = Char(max_length=200)
    zip = Char(max_length=24)
    city = Char(max_length=120)
    state_name = Char(max_length=120, description="State / region")
    vat = Char(max_length=32, description="Tax ID", hint="VAT number or other tax identification")
    website = Char(max_length=300)
