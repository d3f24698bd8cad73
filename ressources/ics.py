"""iCalendar (RFC 5545) export of the agenda: one event, or the upcoming events.

``/agenda.ics`` (the next upcoming events, to subscribe to) and ``/agenda/<slug>.ics`` (one event, to add
to a calendar). Serialisation is done by the ``icalendar`` library: CRLF line endings, lines folded
at 75 octets, TEXT values escaped (``,`` ``;`` ``\\`` and newlines). Timed events are written in UTC
(``DTSTART:20220118T093000Z``), all-day events as ``VALUE=DATE`` with the exclusive end date RFC 5545
asks for. The UID is stable (the page id and the site's host), so re-importing updates the event.
"""
import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from .models import EvenementPage

PRODID = "-//ANCT//Territoires en Commun//FR"


def _uid_domain() -> str:
    return urlsplit(settings.SITE_BASE_URL).hostname or "territoires-en-commun.fr"


def event_uid(event: EvenementPage) -> str:
    return f"evenement-{event.pk}@{_uid_domain()}"


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _description(event: EvenementPage, url: str) -> str:
    lines = []
    if event.chapo:
        lines.append(event.chapo)
    if event.organizer:
        lines.append(_("Organisé par : %(organizer)s") % {"organizer": event.organizer})
    if event.registration_url:
        lines.append(f"{event.link_label or _('En savoir plus')} : {event.registration_url}")
    if url:
        lines.append(_("Sur Territoires en Commun : %(url)s") % {"url": url})
    return "\n".join(lines)


def build_event(event: EvenementPage, request=None, stamp=None) -> Event:
    """The VEVENT of one événement."""
    url = event.get_full_url(request) or ""
    vevent = Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", stamp or timezone.now().astimezone(dt.UTC))
    if event.all_day:
        first_day = _local_date(event.start)
        last_day = _local_date(event.end or event.start)
        vevent.add("dtstart", first_day)
        vevent.add("dtend", max(last_day, first_day) + dt.timedelta(days=1))  # DTEND is exclusive
    else:
        start = event.start.astimezone(dt.UTC)
        end = (event.end or event.start + dt.timedelta(hours=1)).astimezone(dt.UTC)
        vevent.add("dtstart", start)
        vevent.add("dtend", max(end, start))
    vevent.add("summary", event.title)
    description = _description(event, url)
    if description:
        vevent.add("description", description)
    location = event.location or (_("En ligne") if event.online else "")
    if location:
        vevent.add("location", location)
    if url:
        vevent.add("url", url)
    if event.last_published_at:
        vevent.add("last-modified", event.last_published_at.astimezone(dt.UTC))
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    return vevent


def build_calendar(events, request=None, name=None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for event in events:
        cal.add_component(build_event(event, request, stamp=stamp))
    return cal


def _response(cal: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


#: ``/agenda.ics`` holds the upcoming events of the next year, at most this many, soonest first: at
#: Territoires Conseils' size (≈ 200 upcoming events) the whole list cost 0.5 ms an event, mostly
#: icalendar's line folding. A calendar that subscribes gets the nearest ones, and the later ones as
#: their date comes closer (each refresh of the feed).
AGENDA_ICS_MAX_EVENTS = 50
AGENDA_ICS_HORIZON = dt.timedelta(days=366)


def agenda_events(now=None):
    """The events of ``/agenda.ics``: not yet ended, starting within a year, the first 50 by start."""
    now = now or timezone.now()
    return list(EvenementPage.objects.upcoming(now).filter(start__lt=now + AGENDA_ICS_HORIZON)
                [:AGENDA_ICS_MAX_EVENTS])


@require_GET
def agenda_ics(request):
    """The upcoming events (not yet ended, see :func:`agenda_events`), soonest first.

    The body is kept in the fragments' cache for the site version, the host and the day (as a
    page's fragments: a publish drops it; the list changes with the day)."""
    from cms.cache import cached_value, request_vary

    def body():
        return build_calendar(agenda_events(), request, name=_("Agenda — Territoires en Commun")).to_ical()

    host = request_vary(request)
    content = body() if host is None else cached_value(
        "agenda-ics", (host, timezone.localdate().isoformat()), body)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    return response


@require_GET
def evenement_ics(request, slug):
    """One event, past or upcoming, as long as it is published."""
    event = EvenementPage.objects.live().public().filter(slug=slug).order_by("-start").first()
    if event is None:
        raise Http404(_("Événement introuvable"))
    return _response(build_calendar([event], request), f"{event.slug}.ics")
