"""Plain text stored in a ``Text(html=True)`` field: ``text_to_html`` keeps what was typed as
characters and its line breaks as paragraphs and ``<br>``; ``as_html`` leaves markup alone."""

from __future__ import annotations

import pytest

from fullfinity.engine.fields.html import as_html, sanitize_html, text_to_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me", "<p>Call me</p>"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
        ("line one\nline two", "<p>line one<br>line two</p>"),
        ("first\r\n\r\nsecond\rthird", "<p>first</p><p>second<br>third</p>"),
        ("  \n first \n \n\n second\n\n", "<p>first </p><p> second</p>"),
        ('<script>alert("x")</script>', '<p>&lt;script&gt;alert("x")&lt;/script&gt;</p>'),
        ("", ""),
        (" \n\t\n ", ""),
    ],
)
def test_text_becomes_escaped_paragraphs(text, expected):
    assert text_to_html(text) == expected


def test_the_converted_text_survives_the_sanitiser_unchanged():
    """What the form stores is what the sanitiser of every write lets through: no character lost."""
    html = text_to_html("Price for <b>5</b> & more\n\nThanks")
    assert sanitize_html(html) == html


def test_as_html_keeps_markup_and_converts_plain_text():
    assert as_html("<p>Already <em>rich</em></p>") == "<p>Already <em>rich</em></p>"
    assert as_html("Plain 3 < 4\nnext") == "<p>Plain 3 &lt; 4<br>next</p>"
