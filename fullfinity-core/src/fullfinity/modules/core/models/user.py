"""Users: email login, argon2 password hash, groups (security.md section 1)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, ManyToMany, ManyToOne, Model


class User(Model):
    _order = "name ASC"

    name = Char(max_length=200, required=True)
    email = Char(max_length=320, required=True, unique=True, clone=False)
    password_hash = Char(max_length=255, clone=False, groups=["core_admin"], readonly=True)
    active = Boolean(default=True)
    groups = ManyToMany("Group", related_name="users")
    lang = Char(max_length=16, default="en")
    tz = Char(max_length=64, default="UTC")
    contact = ManyToOne("Contact", related_name="users", on_delete="SET NULL")
