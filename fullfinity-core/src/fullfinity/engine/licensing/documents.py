"""License documents: parsing, canonical payload, Ed25519 signatures."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from fullfinity.exceptions import LicenseError

__all__ = ["License", "canonical_payload", "load_public_key", "parse_documents", "sign_payload", "verify_document"]


@dataclass(frozen=True)
class License:
    """A license whose signature was verified."""

    licensee: str
    tenants: tuple[str, ...] | None  # None: every tenant ("*")
    modules: tuple[str, ...]
    expires: dt.date
    source: str = ""

    def covers_tenant(self, tenant: str) -> bool:
        return self.tenants is None or tenant in self.tenants

    def expired(self, today: dt.date | None = None) -> bool:
        """Valid through the end of ``expires``, UTC."""
        return (today or dt.datetime.now(dt.UTC).date()) > self.expires

    def describe(self) -> str:
        tenants = "*" if self.tenants is None else ", ".join(self.tenants)
        return (
            f"{self.licensee} (tenants: {tenants}; modules: {', '.join(self.modules)}; "
            f"expires {self.expires.isoformat()}; from {self.source or '?'})"
        )


def canonical_payload(payload: dict[str, Any]) -> bytes:
    """The signed bytes: keys sorted, no insignificant whitespace, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_payload(private_key: Ed25519PrivateKey, payload: dict[str, Any]) -> dict[str, Any]:
    """A license document for ``payload`` signed with ``private_key`` (vendors and tests)."""
    signature = private_key.sign(canonical_payload(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode()}


def load_public_key(text: str | None) -> Ed25519PublicKey:
    """``FULLFINITY_LICENSE_PUBLIC_KEY``: base64 of the raw 32-byte key, or a PEM public key."""
    if not text or not text.strip():
        raise LicenseError(
            "No license public key is configured, so enterprise modules cannot be installed. "
            "Set FULLFINITY_LICENSE_PUBLIC_KEY to the vendor's Ed25519 public key (base64 or PEM)."
        )
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError(f"a {type(key).__name__}, not an Ed25519 key")
            return key
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise LicenseError(
            f"FULLFINITY_LICENSE_PUBLIC_KEY is not a usable Ed25519 public key ({exc}). Expected base64 of the raw "
            f"32-byte key or a PEM 'PUBLIC KEY' block."
        ) from None


def parse_documents(text: str, source: str) -> list[dict[str, Any]]:
    """One document or a JSON list of them, from ``source`` (a file name, for messages)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LicenseError(f"License file {source} is not valid JSON: {exc}.") from None
    documents = data if isinstance(data, list) else [data]
    for index, document in enumerate(documents):
        if not isinstance(document, dict) or "payload" not in document or "signature" not in document:
            keys = f" with keys {sorted(document)}" if isinstance(document, dict) else ""
            raise LicenseError(
                f"License {source}[{index}] must be an object with 'payload' and 'signature', "
                f"got {type(document).__name__}{keys}."
            )
    return documents


def verify_document(document: dict[str, Any], key: Ed25519PublicKey, source: str) -> License:
    """Check the signature and shape of one document; ``LicenseError`` says what is wrong."""
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise LicenseError(f"License {source}: 'payload' must be an object.")
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        key.verify(signature, canonical_payload(payload))
    except (InvalidSignature, binascii.Error, ValueError):
        raise LicenseError(
            f"License {source} has an invalid signature: it was not signed by the key in "
            f"FULLFINITY_LICENSE_PUBLIC_KEY, or its payload was modified. Ask the vendor for a new license."
        ) from None
    problems = []
    tenants = payload.get("tenants")
    if tenants != "*" and not (isinstance(tenants, list) and all(isinstance(t, str) for t in tenants)):
        problems.append("'tenants' must be a list of tenant names or \"*\"")
    modules = payload.get("modules")
    if not (isinstance(modules, list) and all(isinstance(m, str) for m in modules)):
        problems.append("'modules' must be a list of module identifiers")
    try:
        expires = dt.date.fromisoformat(str(payload.get("expires")))
    except ValueError:
        problems.append(f"'expires' must be an ISO date (YYYY-MM-DD), got {payload.get('expires')!r}")
        expires = dt.date.min
    if problems:
        raise LicenseError(f"License {source} is malformed: {'; '.join(problems)}.")
    return License(
        licensee=str(payload.get("licensee", "")),
        tenants=None if tenants == "*" else tuple(tenants),  # type: ignore[arg-type]
        modules=tuple(modules),  # type: ignore[arg-type]
        expires=expires,
        source=source,
    )
