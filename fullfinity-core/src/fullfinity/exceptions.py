"""Every error Fullfinity raises on purpose.

Each class also subclasses the built-in exception it behaves like, so callers can
catch either. The REST layer turns any ``FullfinityError`` into the JSON error shape
``{"error": {"type", "message", "details"}}`` with its ``status_code``.

    FullfinityError
    ├── ConfigurationError (ValueError)        bad settings or environment          500
    ├── ModuleError                             module discovery / composition       500
    │   ├── ManifestError (ValueError)          a manifest.yaml that fails its schema
    │   ├── DependencyError (ValueError)        missing dependencies or a cycle
    │   ├── LicenseError (PermissionError)      enterprise module without license    403
    │   └── ScaffoldError (ValueError)          scaffold refused: bad or taken name, files in the way 400
    ├── TenantError                             tenant catalog problems
    │   ├── InvalidTenantName (ValueError)                                           400
    │   ├── TenantExists (ValueError)                                                409
    │   ├── TenantNotFound (LookupError)                                             404
    │   ├── TenantMismatch (ValueError)                                              400
    │   ├── TenantUnavailable (RuntimeError)                                         503
    │   └── UpgradeRequired (RuntimeError)      installed module versions changed    503
    ├── ServiceUnavailable (RuntimeError)      database down, connection budget out 503
    ├── StorageFull (OSError)                   no space left for the filestore      507
    ├── BadRequest (ValueError)                 malformed request, unknown path/field 400
    │   └── QSyntaxError                        invalid Q string or Q JSON tree       400
    ├── NotFound (LookupError)                  unknown model, route, method          404
    ├── UserError (ValueError)                  a business rule refused               400
    ├── ValidationError (ValueError)            values fail validation                422
    ├── AuthenticationError (PermissionError)   no, invalid or expired credentials    401
    ├── RateLimited (RuntimeError)              too many login attempts (Retry-After) 429
    ├── AccessError (PermissionError)           access rights refuse the operation    403
    ├── MissingError (LookupError)              record absent or not visible          404
    ├── ValidationError
    │   └── IntegrityError                      unique / RESTRICT violation           409
    ├── ConcurrencyError (RuntimeError)         stale updated_date, deadlock          409
    └── FieldNotLoadedError (AttributeError)    a field read before being loaded      500

``details`` is a list of ``{"path": "lines.2.quantity", "message": "..."}`` entries so a
client can put each message under its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BadRequest",
    "ConcurrencyError",
    "ConfigurationError",
    "DependencyError",
    "FieldNotLoadedError",
    "FullfinityError",
    "IntegrityError",
    "InvalidTenantName",
    "LicenseError",
    "ManifestError",
    "MissingError",
    "ModuleError",
    "NotFound",
    "QSyntaxError",
    "RateLimited",
    "ScaffoldError",
    "ServiceUnavailable",
    "StorageFull",
    "TenantError",
    "TenantExists",
    "TenantMismatch",
    "TenantNotFound",
    "TenantUnavailable",
    "UpgradeRequired",
    "UserError",
    "ValidationError",
]

Detail = dict[str, str]


def _normalise_details(details: Iterable[Mapping[str, Any]] | None) -> list[Detail]:
    out: list[Detail] = []
    for item in details or ():
        out.append({"path": str(item.get("path", "")), "message": str(item.get("message", ""))})
    return out


class FullfinityError(Exception):
    """Base of every deliberate Fullfinity error.

    ``message`` is the human summary, ``details`` a list of ``{"path", "message"}``
    dicts, ``status_code`` the HTTP status the REST layer answers with, ``type`` the
    class name (the ``error.type`` of the JSON error shape).
    """

    status_code: int = 500

    def __init__(self, message: str = "", *, details: Iterable[Mapping[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[Detail] = _normalise_details(details)

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """The body of the JSON error response."""
        return {"error": {"type": self.type, "message": self.message, "details": self.details}}

    def __str__(self) -> str:
        if not self.details:
            return self.message
        lines = [self.message] + [
            f"  - {d['path']}: {d['message']}" if d["path"] else f"  - {d['message']}" for d in self.details
        ]
        return "\n".join(lines)


class ConfigurationError(FullfinityError, ValueError):
    """A setting or the environment is unusable (bad DSN, multi-worker without a cache URL...)."""


class ModuleError(FullfinityError):
    """Module discovery or composition failed."""


class ManifestError(ModuleError, ValueError):
    """A module's manifest does not match the manifest schema."""


class DependencyError(ModuleError, ValueError):
    """Module dependencies cannot be satisfied: missing modules or a cycle."""


class LicenseError(ModuleError, PermissionError):
    """An enterprise module has no valid license for this tenant."""

    status_code = 403


class ScaffoldError(ModuleError, ValueError):
    """``fullfinity scaffold module`` cannot write the module: an invalid or taken name, an unknown
    dependency, or files already where it would write (without ``--force``)."""

    status_code = 400


class TenantError(FullfinityError):
    """Base of tenant catalog errors."""


class InvalidTenantName(TenantError, ValueError):
    status_code = 400


class TenantExists(TenantError, ValueError):
    status_code = 409


class TenantNotFound(TenantError, LookupError):
    status_code = 404


class TenantMismatch(TenantError, ValueError):
    status_code = 400


class TenantUnavailable(TenantError, RuntimeError):
    status_code = 503


class UpgradeRequired(TenantError, RuntimeError):
    """The tenant's installed module versions differ from the available ones (modules.md 4)."""

    status_code = 503


class ServiceUnavailable(FullfinityError, RuntimeError):
    """The database cannot be reached or the connection budget is exhausted.

    Answered with a ``Retry-After`` header (``retry_after`` seconds, default 1): the condition is
    expected to pass, and a client may send the same request again.
    """

    status_code = 503

    def __init__(
        self, message: str = "", *, retry_after: int = 1, details: Iterable[Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class StorageFull(FullfinityError, OSError):
    """A file could not be written: the filestore's disk (or the quota) is full.

    Answered with 507 Insufficient Storage; the request's transaction was rolled back.
    """

    status_code = 507


class BadRequest(FullfinityError, ValueError):
    """The request is malformed: unknown field or lookup, bad Q string, bad order_by..."""

    status_code = 400


class QSyntaxError(BadRequest):
    """A Q expression is invalid: a Q string the safe parser rejects, a malformed Q JSON
    tree, an unknown lookup or bound name, or a value the lookup cannot take.

    ``line`` and ``column`` (1-based) point into the Q string when the error comes from
    parsing one; they are ``None`` otherwise.
    """

    def __init__(
        self,
        message: str = "",
        *,
        line: int | None = None,
        column: int | None = None,
        details: Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.line = line
        self.column = column


class NotFound(FullfinityError, LookupError):
    """Unknown model, route, view, action or non-exposed method."""

    status_code = 404


class UserError(FullfinityError, ValueError):
    """A business rule refuses the operation (raised by module code)."""

    status_code = 400


class ValidationError(FullfinityError, ValueError):
    """Values fail validation.

    Accepts ``ValidationError("message")``, ``ValidationError("message", details=[...])``
    or a field-keyed mapping ``ValidationError({"deadline": "must be in the future"})``.
    """

    status_code = 422

    def __init__(
        self,
        message: str | Mapping[str, str] = "",
        *,
        details: Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        if isinstance(message, Mapping):
            mapped = [{"path": k, "message": v} for k, v in message.items()]
            details = [*(details or ()), *mapped]
            message = f"{len(mapped)} value{'s are' if len(mapped) != 1 else ' is'} invalid."
        super().__init__(message, details=details)


class AccessError(FullfinityError, PermissionError):
    status_code = 403


class AuthenticationError(FullfinityError, PermissionError):
    """Missing, invalid, expired or revoked credentials (token, API key, email and password)."""

    status_code = 401
    #: Sent with the 401 response (RFC 6750).
    headers = {"WWW-Authenticate": "Bearer"}


class RateLimited(FullfinityError, RuntimeError):
    """Too many attempts: retry after ``retry_after`` seconds (sent as the ``Retry-After`` header)."""

    status_code = 429

    def __init__(
        self, message: str = "", *, retry_after: int, details: Iterable[Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class MissingError(FullfinityError, LookupError):
    status_code = 404


class ConcurrencyError(FullfinityError, RuntimeError):
    status_code = 409


class IntegrityError(ValidationError):
    """A unique constraint is violated or a RESTRICT relation blocks a delete.

    A ``ValidationError`` (so ``except ValidationError`` sees unique violations) answered
    with 409, as the API reference specifies; ``details`` name the field.
    """

    status_code = 409


class FieldNotLoadedError(FullfinityError, AttributeError):
    """A field was read without being loaded: a bug in the calling code."""

    status_code = 500
