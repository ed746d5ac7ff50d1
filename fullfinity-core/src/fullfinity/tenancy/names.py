"""Tenant names: what is allowed and how a name maps to a database name."""

from __future__ import annotations

import re

from fullfinity.exceptions import InvalidTenantName

__all__ = ["RESERVED_NAMES", "database_name", "validate_tenant_name"]

TENANT_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
RESERVED_NAMES = frozenset({"www", "api", "static", "admin"})


def validate_tenant_name(name: str) -> str:
    """Return ``name`` if it is a valid tenant name, else raise ``InvalidTenantName``."""
    if not isinstance(name, str) or not TENANT_NAME_RE.match(name):
        raise InvalidTenantName(
            f"Invalid tenant name {name!r}: use 1 to 63 characters, lower-case letters, digits and '-', "
            f"starting with a letter (for example 'acme' or 'acme-staging')."
        )
    if name.endswith("-"):
        raise InvalidTenantName(f"Invalid tenant name {name!r}: it must not end with '-'.")
    if name in RESERVED_NAMES:
        reserved = ", ".join(sorted(RESERVED_NAMES))
        raise InvalidTenantName(f"Invalid tenant name {name!r}: it is reserved ({reserved}). Choose another name.")
    return name


def database_name(prefix: str, tenant: str) -> str:
    """The PostgreSQL database name of a tenant: prefix + name with '-' as '_'."""
    return prefix + tenant.replace("-", "_")
