"""Deciding whether enterprise modules may be installed or upgraded in a tenant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fullfinity.engine.licensing.documents import License, load_public_key, parse_documents, verify_document
from fullfinity.engine.module_registry import ModuleInfo
from fullfinity.exceptions import LicenseError
from fullfinity.settings import Settings

__all__ = ["check_modules", "licenses_for", "server_licenses"]


def server_licenses(settings: Settings) -> list[dict[str, Any]]:
    """The documents of ``FULLFINITY_LICENSE_FILE`` (none when unset)."""
    path: Path | None = settings.license_file
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LicenseError(
            f"FULLFINITY_LICENSE_FILE names {path}, which cannot be read ({exc.strerror}). "
            f"Fix the path or unset the variable."
        ) from None
    return parse_documents(text, str(path))


def licenses_for(
    settings: Settings, tenant_documents: Sequence[dict[str, Any]]
) -> tuple[list[License], list[LicenseError]]:
    """Verified licenses (server-wide, then the tenant's) and the errors of those that failed."""
    key = load_public_key(settings.license_public_key)
    documents = [(d, f"{settings.license_file}[{i}]") for i, d in enumerate(server_licenses(settings))]
    documents += [(d, f"tenant license #{i + 1}") for i, d in enumerate(tenant_documents)]
    valid: list[License] = []
    errors: list[LicenseError] = []
    for document, source in documents:
        try:
            valid.append(verify_document(document, key, source))
        except LicenseError as exc:
            errors.append(exc)
    return valid, errors


def check_modules(
    settings: Settings,
    tenant: str,
    modules: Iterable[str],
    available: Mapping[str, ModuleInfo],
    tenant_documents: Sequence[dict[str, Any]],
    *,
    today: dt.date | None = None,
) -> None:
    """Raise ``LicenseError`` unless every enterprise module in ``modules`` is licensed for ``tenant``."""
    enterprise = [m for m in modules if m in available and available[m].manifest.edition == "enterprise"]
    if not enterprise:
        return
    licenses, errors = licenses_for(settings, tenant_documents)
    problems: list[dict[str, str]] = []
    for module in enterprise:
        covering = [lic for lic in licenses if module in lic.modules and lic.covers_tenant(tenant)]
        current = [lic for lic in covering if not lic.expired(today)]
        if current:
            continue
        if covering:
            latest = max(lic.expires for lic in covering)
            problems.append({"path": module, "message": f"the license expired on {latest.isoformat()}"})
        elif any(module in lic.modules for lic in licenses):
            problems.append({"path": module, "message": f"no license covers the tenant '{tenant}'"})
        elif licenses:
            problems.append({"path": module, "message": "no license lists this module"})
        else:
            problems.append({"path": module, "message": "no valid license is installed"})
    if problems:
        reasons = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        extra = " Rejected licenses: " + " ".join(e.message for e in errors) if errors else ""
        raise LicenseError(
            f"Enterprise module(s) cannot be installed or upgraded in tenant '{tenant}': {reasons}.{extra} "
            f"Add a license with `fullfinity license add FILE --tenant {tenant}` or FULLFINITY_LICENSE_FILE.",
            details=problems,
        )
