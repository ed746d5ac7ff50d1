"""Login sessions: one record per refresh-token family (security.md 9.2)."""

from __future__ import annotations

import datetime as dt

from fullfinity.engine.base import Boolean, Char, Datetime, ManyToOne, Model, Q, Selection


class AuthSession(Model):
    """One login: every refresh token it hands out belongs to its ``family``.

    ``refresh_jti`` is the id of the only refresh token still valid; presenting an older one
    revokes the session (reuse detection). A revoked session's access tokens stop working too.
    """

    _verbose_name = "Login Session"
    _order = "created_date DESC, id DESC"
    _rec_name = "family"

    user = ManyToOne("User", related_name="auth_sessions", required=True, on_delete="CASCADE")
    family = Char(max_length=64, required=True, unique=True, readonly=True, clone=False)
    refresh_jti = Char(max_length=64, required=True, readonly=True, clone=False, groups=["core_admin"])
    expires_at = Datetime(description="Refresh tokens of this session expire at")
    last_used_at = Datetime(readonly=True)
    revoked = Boolean(readonly=True)
    revoked_reason = Selection(
        choices=[
            ("logout", "Logged out"),
            ("reuse", "Refresh token reused"),
            ("password", "Password changed"),
            ("disabled", "User disabled"),
            ("admin", "Revoked by an administrator"),
        ],
        readonly=True,
    )
    ip = Char(max_length=64, description="Client address")
    user_agent = Char(max_length=400)

    async def cron_purge_sessions(cls) -> int:
        """Scheduled job ``core_cron_purge_sessions``: delete sessions that expired or were revoked
        more than a day ago (the day keeps a reused refresh token recognisable); the count deleted."""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        stale = cls.filter(Q(expires_at__lt=cutoff) | (Q(revoked=True) & Q(updated_date__lt=cutoff)))
        return await stale.delete()
