"""Sanitising HTML written to a ``Text(html=True)`` field (views.md 14.2, the RichText widget).

One allowlist, applied by ``nh3`` (the Rust ``ammonia`` sanitiser) on every create and write: the
tags a rich-text editor produces survive, everything else (scripts, event handlers, styles,
``javascript:`` links, unknown tags) is removed, so a value read back is safe to show as HTML.
"""

from __future__ import annotations

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "LINK_SCHEMES", "sanitize_html"]

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "u", "s", "ul", "ol", "li", "a", "h1", "h2", "h3", "blockquote", "code", "pre"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitize_html(value: str) -> str:
    """``value`` with only the allowlisted tags and attributes; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
