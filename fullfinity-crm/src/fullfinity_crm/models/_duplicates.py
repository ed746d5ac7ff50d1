"""Potential duplicates of leads: same e-mail domain (or the same address on a public mail
service), same contact, or same company name.

The keys are stored on each lead (``email_domain``, ``email_normalized``, ``company_key``,
indexed) so one query finds the candidates of a whole page of leads; ``duplicate_count`` then
counts, per lead, the other leads sharing at least one key. The query runs with the reader's
rights: a salesperson is never told about leads they cannot see. Lost leads count too (a
duplicate of a lost opportunity is worth knowing about).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.base import Q

if TYPE_CHECKING:
    from fullfinity.engine.models import Model

__all__ = ["PUBLIC_MAIL_DOMAINS", "company_key", "duplicate_ids", "email_domain", "normalized_email"]

#: Mail services shared by unrelated people: their domain says nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "163.com", "aol.com", "bluewin.ch", "comcast.net", "free.fr", "gmail.com", "gmx.com", "gmx.de", "gmx.net",
        "googlemail.com", "hotmail.co.uk", "hotmail.com", "hotmail.fr", "icloud.com", "laposte.net", "libero.it",
        "live.com", "mac.com", "mail.com", "mail.ru", "me.com", "msn.com", "orange.fr", "outlook.com",
        "proton.me", "protonmail.com", "qq.com", "sfr.fr", "t-online.de", "wanadoo.fr", "web.de", "yahoo.co.uk",
        "yahoo.com", "yahoo.de", "yahoo.fr", "yandex.com", "yandex.ru", "zoho.com",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")


def normalized_email(email: str | None) -> str | None:
    """The address lower-cased and trimmed, or None."""
    text = (email or "").strip().lower()
    return text or None


def email_domain(email: str | None) -> str | None:
    """The domain of a company address (``northwind.example``); None for public mail services."""
    text = normalized_email(email)
    if not text or "@" not in text:
        return None
    domain = text.rsplit("@", 1)[1].strip(". ")
    return domain if domain and domain not in PUBLIC_MAIL_DOMAINS else None


def company_key(name: str | None) -> str | None:
    """A company name compared without case and extra spaces (``"ACME  Corp"`` = ``"acme corp"``)."""
    text = _SPACES.sub(" ", (name or "").strip().lower())
    return text or None


def _keys(lead: Any) -> set[tuple[str, Any]]:
    keys: set[tuple[str, Any]] = set()
    if lead.email_domain:
        keys.add(("domain", lead.email_domain))
    elif lead.email_normalized:
        keys.add(("email", lead.email_normalized))
    if lead.contact is not None and lead.contact.id is not None:
        keys.add(("contact", lead.contact.id))
    if lead.company_key:
        keys.add(("company", lead.company_key))
    return keys


async def duplicate_ids(leads: Sequence[Model]) -> list[list[int]]:
    """For each lead, the ids of the other leads (archived ones included) that the current user
    can read and that share a key with it; one query for the whole set."""
    keys = [_keys(lead) for lead in leads]
    wanted: dict[str, set[Any]] = {"domain": set(), "email": set(), "contact": set(), "company": set()}
    for lead_keys in keys:
        for kind, value in lead_keys:
            wanted[kind].add(value)
    if not any(wanted.values()):
        return [[] for _ in leads]
    model = type(leads[0])
    clauses = []
    if wanted["domain"]:
        clauses.append(Q(email_domain__in=sorted(wanted["domain"])))
    if wanted["email"]:
        clauses.append(Q(email_normalized__in=sorted(wanted["email"])))
    if wanted["contact"]:
        clauses.append(Q(contact__in=sorted(wanted["contact"])))
    if wanted["company"]:
        clauses.append(Q(company_key__in=sorted(wanted["company"])))
    query = clauses[0]
    for clause in clauses[1:]:
        query = query | clause
    env = leads[0].env
    with env.with_context(active_test=False):
        candidates = await model.with_fields("email_domain", "email_normalized", "contact", "company_key").filter(query)
    by_key: dict[tuple[str, Any], set[int]] = {}
    for candidate in candidates:
        for key in _keys(candidate):
            by_key.setdefault(key, set()).add(candidate.id)
    out: list[list[int]] = []
    for lead, lead_keys in zip(leads, keys, strict=True):
        found: set[int] = set()
        for key in lead_keys:
            found |= by_key.get(key, set())
        found.discard(lead.id)
        out.append(sorted(found))
    return out
