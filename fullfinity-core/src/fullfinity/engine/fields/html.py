"""Sanitising HTML written to a ``Text(html=True)`` field (views.md 14.2, the RichText widget).

One allowlist, applied by ``nh3`` (the Rust ``ammonia`` sanitiser) on every create and write: the
tags a rich-text editor produces survive, everything else (scripts, event handlers, styles,
``javascript:`` links, unknown tags) is removed, so a value read back is safe to show as HTML.
"""

from __future__ import annotations

import html
import re

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "LINK_SCHEMES", "as_html", "sanitize_html", "text_to_html"]

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


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def text_to_html(text: str) -> str:
    """Plain ``text`` as the HTML a rich-text editor would hold: escaped, one ``<p>`` per block
    separated by a blank line, ``<br>`` for the other line breaks; ``""`` for blank text.

    For values that arrive as plain text (a website form's message, a mail body) and are stored in
    a ``Text(html=True)`` field: without it ``a < b`` would be read as markup and the line breaks
    would be lost when the value is shown as HTML.
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalised:
        return ""
    blocks = (block.strip("\n") for block in _PARAGRAPH_BREAK.split(normalised))
    return "".join(f"<p>{html.escape(block, quote=False).replace(chr(10), '<br>')}</p>" for block in blocks if block)


def as_html(value: str) -> str:
    """``value`` unchanged when it already holds markup, else :func:`text_to_html` of it (for
    joining notes of which some were written before the field held HTML, or by a data file)."""
    return value if _TAG.search(value) else text_to_html(value)
