"""The "Change password" wizard (later.md 1): a transient model opened in a dialog.

A user changes their own password (they type the current one), an administrator (``core_admin``)
anybody's. The new password follows ``FULLFINITY_PASSWORD_MIN_LENGTH``; every other session of
the user is signed out (the caller's own session stays when they change their own password).
Opened by the ``core_change_password_action`` window action (``target: new``), from the user
menu or the "Change password" button of a user's form (``User.action_open_change_password``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fullfinity.engine.base import AccessError, Char, Integer, Model, ValidationError


class ChangePassword(Model):
    _verbose_name = "Change Password"
    _transient = True

    # The user by id and email, not a relation: a user who may not read users still sees whose
    # password changes (the default-get reads the email elevated).
    user_id = Integer(required=True, description="User id")
    user_email = Char(max_length=320, readonly=True, description="User")
    current_password = Char(max_length=255, description="Current password", hint="Yours, to confirm it is you.")
    new_password = Char(max_length=255, description="New password")
    confirm_password = Char(max_length=255, description="Confirm the new password")

    @classmethod
    async def _default_get(cls, context: Mapping[str, Any]) -> dict[str, Any]:
        """The user of ``active_ids`` when opened on users, else the caller."""
        from fullfinity.engine.base import env_ctx

        env = env_ctx.get()
        values = await super()._default_get(context)
        ids = list(context.get("active_ids") or []) if context.get("active_model") == "User" else []
        uid = int(ids[0]) if ids else env.uid
        with env.sudo(), env.with_context(active_test=False):
            user = await env["User"].with_fields("email").filter(id=uid).first()
        values["user_id"] = uid
        values["user_email"] = user.email if user is not None else None
        return values

    @Model.expose
    async def action_change_password(self) -> dict[str, Any]:
        """Check and set the new password, sign out the user's other sessions; returns a notification."""
        from fullfinity.auth.passwords import check_password_policy, hash_password, verify_password
        from fullfinity.settings import get_settings

        wizard = self.ensure_one()
        env = self.env
        uid = wizard.user_id
        if uid is None:
            raise ValidationError({"user_id": "is required: whose password changes?"})
        own = uid == env.uid
        if not own and not env.is_elevated and "core_admin" not in (env.access.group_names if env.access else ()):
            raise AccessError(
                "Only administrators (group core_admin) change another user's password; change your own from "
                "the user menu."
            )
        problems: dict[str, str] = {}
        with env.sudo(), env.with_context(active_test=False):
            stored = await env["User"].with_fields("password_hash").filter(id=uid).first()
        if stored is None:
            raise ValidationError({"user_id": f"no user with id {uid}"})
        typed = wizard.current_password or ""
        if own and not (typed and stored.password_hash and await verify_password(stored.password_hash, typed)):
            problems["current_password"] = "is not your current password"
        new = wizard.new_password or ""
        if not new:
            problems["new_password"] = "is required"
        else:
            try:
                check_password_policy(new, get_settings().password_min_length)
            except ValidationError as error:
                problems["new_password"] = "; ".join(str(d.get("message")) for d in error.details) or str(error)
            if new != (wizard.confirm_password or ""):
                problems["confirm_password"] = "does not match the new password"
        if problems:
            raise ValidationError(problems)
        hashed = await hash_password(new)
        with env.sudo(), env.with_context(active_test=False):
            await env["User"].filter(id=uid).update(password_hash=hashed)
            sessions = env["AuthSession"].filter(user=uid, revoked=False)
            if own and env.session_family:
                sessions = sessions.exclude(family=env.session_family)
            revoked = await sessions.update(revoked=True, revoked_reason="password")
        return {
            "type": "notify",
            "title": "Password changed",
            "message": f"{revoked} other session(s) signed out." if revoked else "No other session was open.",
            "color": "green",
        }

    action_change_password._confirm = {  # type: ignore[attr-defined]
        "title": "Change password",
        "message": "Change the password? Every other session of this user is signed out.",
        "confirm_label": "Change password",
        "confirm_variant": "warning",
    }
