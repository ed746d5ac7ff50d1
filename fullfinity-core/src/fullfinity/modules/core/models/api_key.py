"""API keys: bearer credentials of integrations, acting as one user (security.md 9.5)."""

from __future__ import annotations

from fullfinity.engine.base import Char, Datetime, ManyToOne, Model


class ApiKey(Model):
    """``ffk_<prefix>_<secret>``: the prefix finds the key, the SHA-256 of the whole key proves it.

    The key itself is shown once, when created; only its hash is stored.
    """

    _verbose_name = "API Key"
    _order = "created_date DESC, id DESC"

    name = Char(max_length=200, required=True)
    user = ManyToOne("User", related_name="api_keys", required=True, on_delete="CASCADE")
    prefix = Char(max_length=16, required=True, unique=True, readonly=True, clone=False)
    key_hash = Char(max_length=64, required=True, readonly=True, clone=False, groups=["core_admin"])
    expires_at = Datetime()
    last_used_at = Datetime(readonly=True, clone=False)
