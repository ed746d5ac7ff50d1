"""Request environments as FastAPI dependencies (security.md 8): the reference's import path.

The code lives in the web layer, ``fullfinity.web.request_env``; this module re-exports it.
"""

from fullfinity.web.request_env import (
    AUTH_LEVELS,
    AuthLevel,
    InternalEnv,
    PublicEnv,
    RequestAuth,
    UserEnv,
    UserReadEnv,
    allows_public,
    no_auth,
    reads_as_user,
    request_env,
    requires_internal,
    requires_user,
    services,
    tenant_registry,
)

__all__ = [
    "AUTH_LEVELS",
    "AuthLevel",
    "InternalEnv",
    "PublicEnv",
    "RequestAuth",
    "UserEnv",
    "UserReadEnv",
    "allows_public",
    "no_auth",
    "reads_as_user",
    "request_env",
    "requires_internal",
    "requires_user",
    "services",
    "tenant_registry",
]
