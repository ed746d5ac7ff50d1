"""Enterprise edition gating: Ed25519-signed license documents (modules.md 6).

A license document is ``{"payload": {...}, "signature": "<base64>"}``; the signature is
Ed25519 over the canonical JSON of the payload (keys sorted, no spaces, UTF-8) and is checked
against ``FULLFINITY_LICENSE_PUBLIC_KEY`` (base64 of the raw 32-byte key, or PEM). Licenses
come from ``FULLFINITY_LICENSE_FILE`` (server-wide: one document or a JSON list) and from the
tenant database (``fullfinity license add FILE --tenant NAME``).

``check_modules()`` is what install and upgrade call: every ``edition: enterprise`` module must
be covered (tenant and module listed, not expired) by a license with a valid signature, or a
``LicenseError`` says why not, and nothing is installed.
"""

from fullfinity.engine.licensing.documents import (
    License,
    canonical_payload,
    load_public_key,
    parse_documents,
    sign_payload,
    verify_document,
)
from fullfinity.engine.licensing.gate import check_modules, licenses_for, server_licenses
from fullfinity.engine.licensing.store import TENANT_LICENSE_TABLE, add_tenant_license, tenant_documents

__all__ = [
    "TENANT_LICENSE_TABLE",
    "License",
    "add_tenant_license",
    "canonical_payload",
    "check_modules",
    "licenses_for",
    "load_public_key",
    "parse_documents",
    "server_licenses",
    "sign_payload",
    "tenant_documents",
    "verify_document",
]
