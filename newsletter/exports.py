"""Exports of an edition for a mailing tool (html, txt, zip, eml), test sends, and their permissions."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cms.tasks import queue_email

from .checks import check_edition, has_errors
from .profiles import FORMATS, PROFILES
from .rendering import render_email

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "zip": "application/zip",
    "eml": "message/rfc822",
}


class ExportError(Exception):
    """Bad input (unknown tool or format): one French sentence."""


class ExportBlocked(Exception):
    """The checks found errors and the export was not forced."""

    def __init__(self, checks, compatibility=None):
        self.checks = checks
        self.compatibility = compatibility  # the per-client table (newsletter.compatibility.Report)
        super().__init__("; ".join(str(c) for c in checks if c.is_error))


@dataclass
class ExportResult:
    filename: str
    content: bytes
    content_type: str
    checks: list = field(default_factory=list)
    record: object = None
    compatibility: object = None  # the per-client table (newsletter.compatibility.Report)


def can_export(user, edition) -> bool:
    """Only users who may publish the edition may export it or send it as a test."""
    if user is None or not user.is_authenticated:
        return False
    return edition.permissions_for_user(user).can_publish()


def validate(tool: str, fmt: str):
    if tool not in PROFILES:
        raise ExportError(_("Outil inconnu « %(tool)s » : choisissez parmi %(choices)s.")
                          % {"tool": tool, "choices": ", ".join(PROFILES)})
    if fmt not in FORMATS:
        raise ExportError(_("Format inconnu « %(format)s » : choisissez parmi %(choices)s.")
                          % {"format": fmt, "choices": ", ".join(FORMATS)})


def current_version(edition):
    """The edition as last saved (the latest revision, draft or not)."""
    latest = edition.get_latest_revision_as_object() if edition.latest_revision_id else edition
    return latest


def sender(edition) -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((edition.sender_name or name, address))


def subject_of(edition) -> str:
    return edition.subject or edition.title


def build_eml(edition, rendered, headers: dict | None = None) -> bytes:
    message = EmailMessage()
    message["Subject"] = subject_of(edition)
    message["From"] = sender(edition)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.DEFAULT_FROM_EMAIL)[1].split("@")[-1] or None)
    message["X-Unsent"] = "1"  # mail clients open it as a draft ready to send
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message.as_bytes()


def build_zip(edition, tool, rendered, sha256) -> bytes:
    meta = {
        "subject": subject_of(edition),
        "preheader": edition.preheader,
        "number": edition.number,
        "date": edition.date.isoformat() if edition.date else None,
        "tool": tool,
        "sha256": sha256,
        "links": rendered.links,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", rendered.html)
        archive.writestr("index.txt", rendered.text)
        archive.writestr("edition.json", json.dumps(meta, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def _share_card_images(sections) -> None:
    """The cards' pictures as one instance per image with all its renditions, in two queries: the web cards'
    ``srcset_image`` then finds its renditions without a query per card (and an image shared by several cards
    is looked up once)."""
    from dataclasses import replace

    from wagtail.images import get_image_model

    ids = {card.image.pk for section in sections for card in section.cards if card.image is not None}
    if not ids:
        return
    images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions().in_bulk()
    for section in sections:
        section.cards = [replace(card, image=images.get(card.image.pk, card.image)) if card.image is not None else card
                         for card in section.cards]


def render_web_fragment(edition, sections, request=None) -> str:
    _share_card_images(sections)
    return render_to_string("newsletter/includes/web_edition.html",
                            {"page": edition, "self": edition, "sections": sections}, request=request)


def export_edition(edition, tool: str, fmt: str, user=None, force: bool = False, request=None) -> ExportResult:
    """Render, check, record (frozen) and return the file of an export.

    Raises ExportError on an unknown tool or format and ExportBlocked when the checks found an
    error and ``force`` is not set; nothing is recorded then.
    """
    from .models import NewsletterExport

    validate(tool, fmt)
    version = current_version(edition)
    rendered = render_email(version, tool, request=request)
    checks = check_edition(version, rendered)
    if has_errors(checks) and not force:
        raise ExportBlocked(checks, rendered.compatibility)
    sha256 = hashlib.sha256(rendered.html.encode("utf-8")).hexdigest()
    if fmt == "html":
        content = rendered.html.encode("utf-8")
    elif fmt == "txt":
        content = rendered.text.encode("utf-8")
    elif fmt == "zip":
        content = build_zip(version, tool, rendered, sha256)
    else:
        content = build_eml(version, rendered, generic_list_headers(version) if tool == "generic" else None)
    with transaction.atomic():
        record = NewsletterExport.objects.create(
            edition=edition, edition_title=version.title, revision_id=edition.latest_revision_id, tool=tool,
            format=fmt, user=user if (user is not None and user.is_authenticated) else None,
            subject=subject_of(version), html=rendered.html, text=rendered.text,
            web_html=render_web_fragment(version, rendered.sections, request), sha256=sha256,
            vote_counts=version.vote_counts(), checks=[c.as_dict() for c in checks],
            forced=bool(force and has_errors(checks)), payload=content,
        )
    return ExportResult(filename=f"{edition.slug}-{tool}.{fmt}", content=content,
                        content_type=CONTENT_TYPES[fmt], checks=checks, record=record,
                        compatibility=rendered.compatibility)


def record_content(record) -> ExportResult:
    """The file of a recorded export, byte for byte as it was produced."""
    slug = record.edition.slug if record.edition_id else "edition"
    return ExportResult(filename=f"{slug}-{record.tool}-{record.pk}.{record.format}", content=bytes(record.payload),
                        content_type=CONTENT_TYPES[record.format])


def generic_list_headers(edition) -> dict:
    """``List-Unsubscribe`` of the generic .eml: a draft for no one in particular, so the list-level
    page (how to unsubscribe), and no ``List-Unsubscribe-Post``: RFC 8058 one-click needs a link that
    identifies the recipient, which test sends have (``send_test``)."""
    from .rendering import site_links

    return {"List-Unsubscribe": f"<{site_links(edition)['unsubscribe']}>"}


def send_test(edition, recipients, user=None, tool: str = "generic", request=None) -> int:
    """Send the edition to the given addresses through the task queue, tags replaced by working links.

    One message per address, with its own unsubscribe link (in the footer and in the RFC 8058
    ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers). Returns the number of recipients."""
    from .rendering import site_links
    from .subscriptions import unsubscribe_headers, unsubscribe_url

    validate(tool, "html")
    version = current_version(edition)
    rendered = render_email(version, tool, request=request, working_links=True)
    list_link = site_links(version)["unsubscribe"]
    count = 0
    for address in recipients:
        own_link = unsubscribe_url(address)
        message = EmailMultiAlternatives(
            subject=_("[Test] %(subject)s") % {"subject": subject_of(version)},
            body=rendered.text.replace(list_link, own_link), from_email=sender(version), to=[address],
            headers=unsubscribe_headers(address),
        )
        message.attach_alternative(rendered.html.replace(list_link, own_link), "text/html")
        queue_email(message)
        count += len(message.recipients())
    return count
