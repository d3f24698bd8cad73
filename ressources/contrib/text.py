"""Plain-text handling of everything the public types.

Submitted values are stored as typed (minus control characters) and never trusted as HTML:
templates escape them, and the only HTML we build from them (the rich-text body of an accepted
event) is made here from escaped text.
"""
import re

from django.utils.html import escape

# Every C0/C1 control character except tab and newline, plus the Unicode line/paragraph separators.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES_RE = re.compile(r"\s+")
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")


def clean_line(value) -> str:
    """One line of plain text: no control characters, no line breaks, single spaces (safe in an email header)."""
    value = _CONTROL_RE.sub(" ", str(value or "").replace("\r", " ").replace("\n", " "))
    return _SPACES_RE.sub(" ", value).strip()


def clean_text(value) -> str:
    """Multi-line plain text: normalised line breaks, no control characters, at most one blank line in a row."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL_RE.sub("", value)
    lines = [line.rstrip() for line in value.split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in clean_text(text).split("\n\n") if p.strip()]


def paragraph_html(paragraph: str) -> str:
    """Rich-text HTML for one paragraph of plain text: escaped, line breaks kept as <br/>."""
    return "<p>" + "<br/>".join(escape(line) for line in paragraph.split("\n")) + "</p>"


def summary(text: str, limit: int = 300) -> str:
    """A one-paragraph plain-text summary, cut on a word boundary."""
    flat = clean_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
