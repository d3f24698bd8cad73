"""Subscribers of the newsletter: double opt-in, unsubscribe, sync to the mailing tool, CSV in and out.

The local ``Subscriber`` row is written first and is the truth; the mailing tool (Brevo, Mailchimp or
Mailjet, through ``newsletter.providers``) is told afterwards by the ``sync_subscriber`` task, retried
with a back-off (``cms.tasks.schedule_retry``). A tool that is down or refuses loses nothing: the row
stays « à synchroniser » with the last error, and ``manage.py sync_subscribers`` tries again.

Links:

* confirmation: ``TimestampSigner`` over the subscriber's id and address, valid
  ``CONFIRMATION_MAX_AGE`` (7 days);
* unsubscribe: ``Signer`` over the address (no expiry: an old edition's link must keep working), for
  the page link and for the RFC 8058 one-click POST (``List-Unsubscribe-Post``).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import logging
import re

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cms.security import client_ip
from cms.tasks import GiveUp, enqueue, queue_email, schedule_retry

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-12-01"
"""Version of ``CONSENT_TEXT``: change both together (each subscriber keeps the version they accepted)."""

CONSENT_TEXT = (
    "J'accepte de recevoir la lettre d'information de Territoires en Commun. Mon adresse électronique "
    "sert uniquement à cet envoi ; elle est transmise à l'outil d'envoi de la lettre et à personne "
    "d'autre. Je peux me désinscrire à tout moment par le lien présent dans chaque lettre, et demander "
    "l'effacement de mes données à l'équipe du site."
)

CONFIRMATION_MAX_AGE = dt.timedelta(days=7)
CONFIRM_SALT = "newsletter.subscriber.confirm"
UNSUBSCRIBE_SALT = "newsletter.subscriber.unsubscribe"
DEFAULT_RATE_LIMIT = (5, 60 * 60)
RESEND_SECONDS = 10 * 60
"""A new confirmation e-mail for the same address is sent at most once in this delay."""

# Dot-atom local part only: no quoted strings (Django accepts ``"<script>"@example.org``, no mailing
# tool does), no spaces, no angle brackets.
_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")


class SubscriptionError(Exception):
    """Bad input from a file or a command: one French sentence."""


# --- addresses -----------------------------------------------------------------------------------------
def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def check_email(value: str) -> str:
    """The address, normalised, or ValidationError with a French message."""
    email = normalize_email(value)
    message = _("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")
    if not email or len(email) > 254 or any(c in email for c in "\r\n\0"):
        raise ValidationError(message, code="invalid")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(message, code="invalid") from None
    if not _LOCAL_PART_RE.match(email.rsplit("@", 1)[0]):
        raise ValidationError(message, code="invalid")
    return email


def by_email(email: str):
    from .models import Subscriber

    return Subscriber.objects.alias(email_lower=Lower("email")).filter(email_lower=normalize_email(email))


def hash_ip(address: str | None) -> str:
    """HMAC-SHA256 of the IP address with ``SECRET_KEY``: proof that can be compared, never read back."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


# --- signed links ----------------------------------------------------------------------------------------
def confirmation_token(subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"id": subscriber.pk, "e": normalize_email(subscriber.email)})


class LinkError(Exception):
    def __init__(self, expired: bool):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def read_confirmation_token(token: str):
    """The pending subscriber of a confirmation link; LinkError if it expired or was tampered with."""
    from .models import Subscriber

    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError(expired=True) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError(expired=False) from None
    if not isinstance(data, dict):
        raise LinkError(expired=False)
    subscriber = Subscriber.objects.filter(pk=data.get("id")).first()
    if subscriber is None or normalize_email(subscriber.email) != data.get("e"):
        raise LinkError(expired=False)
    return subscriber


def unsubscribe_token(email: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"e": normalize_email(email)})


def read_unsubscribe_token(token: str) -> str:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError(expired=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise LinkError(expired=False)
    return data["e"]


def site_url(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path


def confirmation_url(subscriber) -> str:
    return site_url(reverse("newsletter_confirm", args=[confirmation_token(subscriber)]))


def unsubscribe_url(email: str) -> str:
    return site_url(reverse("newsletter_unsubscribe", args=[unsubscribe_token(email)]))


def unsubscribe_headers(email: str) -> dict:
    """RFC 2369 / RFC 8058 headers of a message sent to ``email`` (one-click unsubscribe)."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(email)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- subscribe, confirm, unsubscribe ------------------------------------------------------------------
def rate_limit() -> tuple[int, int]:
    return getattr(settings, "NEWSLETTER_SUBSCRIBE_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def request_subscription(email: str, *, request=None, source_url: str = ""):
    """Record a subscription request (pending) and e-mail the confirmation link through the queue.

    An address already confirmed stays as it is and gets no e-mail (the visitor sees the same page:
    the form never tells whether an address is subscribed). An address that unsubscribed may ask again.
    """
    from .models import Subscriber

    email = check_email(email)
    now = timezone.now()
    consent = {"consent_at": now, "consent_version": CONSENT_VERSION,
               "consent_ip_hash": hash_ip(client_ip(request) if request is not None else None),
               "source_url": (source_url or "")[:500]}
    for _attempt in range(2):  # a concurrent request for the same address: the second one reads the row
        try:
            with transaction.atomic():
                subscriber = by_email(email).select_for_update().first()
                if subscriber is None:
                    subscriber = Subscriber.objects.create(email=email, status=Subscriber.Status.PENDING,
                                                           created_at=now, **consent)
                elif subscriber.status == Subscriber.Status.CONFIRMED:
                    return subscriber
                else:
                    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                        subscriber.created_at = now
                    subscriber.status = Subscriber.Status.PENDING
                    for field, value in consent.items():
                        setattr(subscriber, field, value)
                    subscriber.save()
                _send_confirmation(subscriber)
                return subscriber
        except IntegrityError:
            continue
    raise SubscriptionError(_("Cette adresse est en cours d'inscription : réessayez dans un instant."))


def _send_confirmation(subscriber) -> None:
    digest = hash_ip(normalize_email(subscriber.email))[:32]
    if not cache.add(f"newsletter:confirmation-sent:{digest}", 1, RESEND_SECONDS):
        return  # one confirmation e-mail per address every RESEND_SECONDS: the form can't bomb a mailbox
    context = {"confirm_url": confirmation_url(subscriber), "days": CONFIRMATION_MAX_AGE.days,
               "site_url": settings.SITE_BASE_URL.rstrip("/")}
    message = EmailMultiAlternatives(
        subject=_("Confirmez votre abonnement à la lettre de Territoires en Commun"),
        body=render_to_string("newsletter/subscribe/email_confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[subscriber.email],
    )
    message.attach_alternative(render_to_string("newsletter/subscribe/email_confirm.html", context), "text/html")
    queue_email(message)


def confirm(subscriber) -> bool:
    """Confirm a pending subscriber and queue the sync. False when it was not pending (nothing done)."""
    from .models import Subscriber

    with transaction.atomic():
        now = timezone.now()
        updated = Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.PENDING).update(
            status=Subscriber.Status.CONFIRMED, confirmed_at=now, unsubscribed_at=None,
            sync_status=Subscriber.SyncStatus.TO_SYNC, sync_error="", sync_attempts=0)
        if updated:
            enqueue(sync_subscriber, subscriber_id=subscriber.pk)
    subscriber.refresh_from_db()
    return bool(updated)


def unsubscribe(email: str) -> bool:
    """Unsubscribe the address (idempotent; an unknown address is not an error). True if it changed."""
    from .models import Subscriber

    with transaction.atomic():
        subscriber = by_email(email).select_for_update().first()
        if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return False
        known_to_tool = subscriber.synced_at is not None or subscriber.sync_attempts > 0
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.sync_status = Subscriber.SyncStatus.TO_SYNC if known_to_tool else Subscriber.SyncStatus.NONE
        subscriber.sync_error = ""
        subscriber.sync_attempts = 0
        subscriber.save()
        if known_to_tool:
            enqueue(sync_subscriber, subscriber_id=subscriber.pk)
    return True


# --- sync to the mailing tool ------------------------------------------------------------------------
def _providers():
    from . import providers

    return providers


def tool_name() -> str | None:
    """``NEWSLETTER_TOOL`` if set, else the first tool whose keys are configured, else None."""
    name = getattr(settings, "NEWSLETTER_TOOL", "") or ""
    if name:
        return name
    tools = list(_providers().configured_tools())
    return tools[0] if tools else None


class SyncFailed(Exception):
    def __init__(self, message: str, transient: bool, retry_after=None):
        self.transient = transient
        self.retry_after = retry_after
        super().__init__(message)


def sync_one(subscriber) -> None:
    """Tell the mailing tool the subscriber's current status; record the result on the row.

    Raises SyncFailed (after recording the error) when the tool could not be told.
    """
    from .models import Subscriber

    status = subscriber.status
    providers = _providers()
    try:
        tool = tool_name()
        if tool is None:
            raise SyncFailed(_("Aucun outil d'envoi n'est configuré (NEWSLETTER_TOOL, BREVO_API_KEY, "
                               "MAILCHIMP_API_KEY ou MAILJET_API_KEY)."), transient=False)
        client = providers.get_client(tool)
        contact_id = ""
        if status == Subscriber.Status.CONFIRMED:
            contact_id = client.upsert_contact(subscriber.email, first_name=subscriber.first_name) or ""
        elif status == Subscriber.Status.UNSUBSCRIBED:
            client.unsubscribe_contact(subscriber.email)
    except providers.ProviderError as error:
        failure = SyncFailed(str(error), transient=bool(getattr(error, "transient", False)),
                             retry_after=getattr(error, "retry_after", None))
    except SyncFailed as error:
        failure = error
    except OSError as error:  # a network failure the client did not wrap
        failure = SyncFailed(_("Outil d'envoi injoignable : %(error)s") % {"error": error}, transient=True)
    else:
        changes = {"sync_status": Subscriber.SyncStatus.SYNCED, "sync_error": "", "synced_at": timezone.now(),
                   "synced_tool": tool, "sync_attempts": subscriber.sync_attempts + 1}
        if contact_id:
            changes["provider_contact_id"] = str(contact_id)[:100]
        # Only if the status did not change meanwhile (an unsubscribe during the call keeps "to_sync").
        Subscriber.objects.filter(pk=subscriber.pk, status=status).update(**changes)
        return
    Subscriber.objects.filter(pk=subscriber.pk).update(
        sync_status=Subscriber.SyncStatus.TO_SYNC, sync_error=str(failure)[:2000],
        sync_attempts=subscriber.sync_attempts + 1)
    raise failure


@task()
def sync_subscriber(*, subscriber_id: int, attempt: int = 1) -> dict:
    """Sync one subscriber (``sync_one``); a temporary failure is retried later (``schedule_retry``)."""
    from .models import Subscriber

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.sync_status != Subscriber.SyncStatus.TO_SYNC:
        return {"skipped": True}
    try:
        sync_one(subscriber)
    except SyncFailed as error:
        describe = f"Synchronisation de l'abonné n° {subscriber_id}"
        if not error.transient:
            logger.error("%s : refusée par l'outil (%s), pas de nouvel essai", describe, error)
            raise GiveUp(f"{describe} : {error}") from error
        return schedule_retry(sync_subscriber, attempt=attempt, kwargs={"subscriber_id": subscriber_id},
                              error=error, describe=describe)
    return {"synced": subscriber_id, "attempt": attempt}


def sync_pending(limit: int | None = None) -> tuple[int, list[str]]:
    """Sync now every subscriber « à synchroniser »: (number synced, French error lines)."""
    from .models import Subscriber

    synced, errors = 0, []
    queryset = Subscriber.objects.filter(sync_status=Subscriber.SyncStatus.TO_SYNC).order_by("pk")
    for subscriber in queryset[:limit] if limit else queryset.iterator():
        try:
            sync_one(subscriber)
        except SyncFailed as error:
            errors.append(f"{subscriber.email} : {error}")
        else:
            synced += 1
    return synced, errors


# --- CSV -----------------------------------------------------------------------------------------------
EXPORT_COLUMNS = ["email", "prenom", "date_consentement", "version_consentement", "date_confirmation", "origine"]


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text  # a spreadsheet must not read a cell as a formula (CSV injection)
    return text


def export_csv() -> str:
    """The confirmed subscribers as CSV (for a tool with no API), oldest first."""
    from .models import Subscriber

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    rows = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("confirmed_at", "pk")
    for s in rows.iterator():
        writer.writerow([_csv_cell(v) for v in (
            s.email, s.first_name, s.consent_at.isoformat() if s.consent_at else "", s.consent_version,
            s.confirmed_at.isoformat() if s.confirmed_at else "", s.get_source_display())])
    return buffer.getvalue()


_EMAIL_HEADERS = {"email", "e-mail", "courriel", "adresse", "adresse electronique", "adresse électronique"}
_DATE_HEADERS = {"date_consentement", "date de consentement", "consentement", "consent_date", "date consentement"}
_NAME_HEADERS = {"prenom", "prénom", "first_name"}
_VERSION_HEADERS = {"version_consentement", "version du consentement", "consent_version"}


def _parse_consent_date(value: str):
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return timezone.make_aware(day)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(value) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class ImportResult:
    def __init__(self):
        self.created = 0
        self.confirmed = 0
        self.unchanged = 0
        self.skipped_unsubscribed = 0

    def summary(self) -> str:
        return (_("%(created)d abonné(s) ajouté(s), %(confirmed)d confirmé(s), %(unchanged)d déjà abonné(s), "
                  "%(skipped)d ignoré(s) car désinscrit(s).")
                % {"created": self.created, "confirmed": self.confirmed, "unchanged": self.unchanged,
                   "skipped": self.skipped_unsubscribed})


class ImportErrors(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportErrors([_("Le fichier n'est pas un CSV en UTF-8 : enregistrez-le en « CSV UTF-8 ».")]) from None


def import_csv(data: bytes | str, max_rows: int = 50_000) -> ImportResult:
    """Import subscribers who consented elsewhere: columns ``email`` and ``date_consentement`` required
    (``prenom``, ``version_consentement`` optional). All or nothing: one bad row and ImportErrors lists
    every bad row in French, nothing is written. An address that unsubscribed is never re-subscribed."""
    from .models import Subscriber

    text = _decode(data)
    if not text.strip():
        raise ImportErrors([_("Le fichier est vide.")])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportErrors([_("Le fichier est vide.")]) from None

    def column(names):
        return next((i for i, h in enumerate(header) if h in names), None)

    email_col, date_col = column(_EMAIL_HEADERS), column(_DATE_HEADERS)
    name_col, version_col = column(_NAME_HEADERS), column(_VERSION_HEADERS)
    missing = []
    if email_col is None:
        missing.append(_("« email »"))
    if date_col is None:
        missing.append(_("« date_consentement »"))
    if missing:
        raise ImportErrors([_("Colonne obligatoire absente : %(columns)s (première ligne du fichier).")
                            % {"columns": ", ".join(missing)}])
    errors, rows, seen = [], [], {}
    try:
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) + len(errors) >= max_rows:
                errors.append(_("Plus de %(max)d lignes : découpez le fichier.") % {"max": max_rows})
                break

            def cell(index, row=row):
                return row[index].strip() if index is not None and index < len(row) else ""

            raw_email = cell(email_col)
            try:
                email = check_email(raw_email)
            except ValidationError:
                errors.append(_("Ligne %(line)d : adresse électronique invalide « %(value)s ».")
                              % {"line": line_no, "value": raw_email[:100]})
                continue
            if email in seen:
                errors.append(_("Ligne %(line)d : l'adresse %(email)s figure déjà ligne %(first)d.")
                              % {"line": line_no, "email": email, "first": seen[email]})
                continue
            seen[email] = line_no
            try:
                consent_at = _parse_consent_date(cell(date_col))
            except ValueError:
                errors.append(_("Ligne %(line)d : date de consentement illisible « %(value)s » "
                                "(attendu AAAA-MM-JJ ou JJ/MM/AAAA).") % {"line": line_no, "value": cell(date_col)[:40]})
                continue
            if consent_at is None:
                errors.append(_("Ligne %(line)d : date de consentement manquante pour %(email)s.")
                              % {"line": line_no, "email": email})
                continue
            if consent_at > timezone.now():
                errors.append(_("Ligne %(line)d : date de consentement dans le futur (%(value)s).")
                              % {"line": line_no, "value": cell(date_col)[:40]})
                continue
            rows.append((email, cell(name_col)[:100], consent_at, (cell(version_col) or "import")[:50]))
    except csv.Error as error:
        errors.append(_("Fichier CSV illisible : %(error)s.") % {"error": error})
    if errors:
        raise ImportErrors(errors)
    if not rows:
        raise ImportErrors([_("Aucune ligne à importer.")])

    result = ImportResult()
    now = timezone.now()
    with transaction.atomic():
        existing = {normalize_email(s.email): s for s in Subscriber.objects.alias(email_lower=Lower("email"))
                    .filter(email_lower__in=[r[0] for r in rows]).select_for_update()}
        new, to_sync = [], []
        for email, first_name, consent_at, version in rows:
            subscriber = existing.get(email)
            fields = {"status": Subscriber.Status.CONFIRMED, "confirmed_at": now, "consent_at": consent_at,
                      "consent_version": version, "sync_status": Subscriber.SyncStatus.TO_SYNC,
                      "sync_error": "", "sync_attempts": 0}
            if subscriber is None:
                new.append(Subscriber(email=email, first_name=first_name, source=Subscriber.Source.IMPORT,
                                      created_at=now, **fields))
            elif subscriber.status == Subscriber.Status.CONFIRMED:
                result.unchanged += 1
            elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                result.skipped_unsubscribed += 1
            else:
                for name, value in fields.items():
                    setattr(subscriber, name, value)
                subscriber.first_name = subscriber.first_name or first_name
                subscriber.save()
                to_sync.append(subscriber.pk)
                result.confirmed += 1
        created = Subscriber.objects.bulk_create(new, batch_size=500)
        result.created = len(created)
        ids = to_sync + [s.pk for s in created if s.pk]
        if not all(s.pk for s in created):  # backends that do not return ids
            ids = list(by_email_list([s.email for s in created]).values_list("pk", flat=True)) + to_sync
        for pk in ids:
            enqueue(sync_subscriber, subscriber_id=pk)
    return result


def by_email_list(emails):
    from .models import Subscriber

    return Subscriber.objects.alias(email_lower=Lower("email")).filter(email_lower__in=emails)
