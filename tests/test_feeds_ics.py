"""RSS feeds of resources and the iCalendar export of the agenda."""
import datetime as dt
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.utils import timezone

from tests.test_public_site import _fresh, shared_site  # noqa: F401 - the module's shared site fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(shared_site, db):  # noqa: F811 - shared_site is the fixture imported above
    """The site, built once for the module; each test reads it afresh and changes it in its own savepoint."""
    return _fresh(shared_site)


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # well-formed XML or this raises
    channel = root.find("channel")
    return channel, channel.findall("item")


def test_feed_of_every_resource_has_absolute_links(client, site):
    channel, items = rss_items(client.get("/flux/ressources.xml"))
    assert channel.findtext("language") == "fr"
    assert channel.findtext("link") == "http://testserver/ressources/"
    titles = [item.findtext("title") for item in items]
    assert titles[0] == "Qualité de la participation"  # newest publication first
    assert set(titles) == {"Wake Up Café", "Le bénévolat, une voie vers l'emploi",
                           "Faire de la démocratie locale une réalité", "Qualité de la participation", "Rencontres DO"}
    for item in items:
        assert item.findtext("link").startswith("http://testserver/ressources/")
        assert item.findtext("guid") == item.findtext("link")
        assert item.findtext("pubDate")
    wake = next(i for i in items if i.findtext("title") == "Wake Up Café")
    assert wake.findtext("description") == "Accompagner les personnes sortant de détention."
    assert wake.findtext("category") == "Projet ou initiative"
    atom_self = channel.find("{http://www.w3.org/2005/Atom}link")
    assert atom_self.get("href") == "http://testserver/flux/ressources.xml"


def test_feed_of_one_thematique(client, site):
    channel, items = rss_items(client.get("/flux/thematiques/retour-a-lemploi.xml"))
    assert channel.findtext("title") == "Territoires en Commun — Retour à l'emploi"
    assert channel.findtext("link") == "http://testserver/thematiques/retour-a-lemploi/"
    assert {i.findtext("title") for i in items} == {"Wake Up Café", "Faire de la démocratie locale une réalité",
                                                    "Qualité de la participation"}


def test_feeds_take_the_same_queries_whatever_the_kinds_of_their_items(client, site):
    """The feed lists five kinds in the shared site; its queries do not depend on how many kinds (a
    query per kind before): one kind more, not one query more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ressources.models import TribunePage

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: queries(url) for url in ("/flux/ressources.xml", "/flux/thematiques/retour-a-lemploi.xml")}
    library = site["projet"].get_parent()
    tribune = library.add_child(instance=TribunePage(title="Une tribune de plus", chapo="Un point de vue."))
    tribune.thematiques.add(site["projet"].specific.thematiques.first())
    tribune.save_revision().publish()
    channel, items = rss_items(client.get("/flux/ressources.xml"))
    assert any(i.findtext("title") == "Une tribune de plus" and i.findtext("category") == "Tribune" for i in items)
    assert {url: queries(url) for url in before} == before
    assert before["/flux/ressources.xml"] <= 6


def test_feed_of_an_unknown_thematique_is_404(client, site):
    assert client.get("/flux/thematiques/inconnue.xml").status_code == 404


def test_feed_does_not_list_unpublished_resources(client, site):
    site["projet"].unpublish()
    _channel, items = rss_items(client.get("/flux/ressources.xml"))
    assert "Wake Up Café" not in {i.findtext("title") for i in items}


def parse_ics(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    # RFC 5545: CRLF everywhere, no line longer than 75 octets.
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert b"\n" not in b"".join(line for line in lines)
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    return icalendar.Calendar.from_ical(body), body


def test_agenda_ics_lists_upcoming_events_only(client, site):
    cal, _body = parse_ics(client.get("/agenda.ics"))
    assert cal["VERSION"] == "2.0" and cal["PRODID"] == "-//ANCT//Territoires en Commun//FR"
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Webinaire : coopérer, avec quels outils ?"]
    event = events[0]
    upcoming = site["upcoming"]
    assert event["UID"] == f"evenement-{upcoming.pk}@testserver"
    assert event.decoded("DTSTART") == upcoming.start.replace(microsecond=0).astimezone(dt.UTC)
    assert event.decoded("DTEND") == upcoming.end.replace(microsecond=0).astimezone(dt.UTC)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["LOCATION"]) == "En ligne"
    assert str(event["URL"]) == "http://testserver/agenda/webinaire-cooperer/"
    description = str(event["DESCRIPTION"])
    assert "Organisé par : ANCT" in description and "S'inscrire : https://example.org/inscription" in description


def test_event_ics_all_day_uses_dates_with_exclusive_end(client, site):
    past = site["past"]
    cal, body = parse_ics(client.get("/agenda/rencontres-participation.ics"))
    (event,) = cal.walk("VEVENT")
    first = timezone.localtime(past.start).date()
    last = timezone.localtime(past.end).date()
    assert b"DTSTART;VALUE=DATE:" + first.strftime("%Y%m%d").encode() in body
    assert event.decoded("DTSTART") == first
    assert event.decoded("DTEND") == last + dt.timedelta(days=1)
    assert str(event["LOCATION"]) == "Lille"


def test_event_ics_escapes_and_folds_long_text(client, site):
    event_page = site["upcoming"]
    event_page.title = "Atelier; coopération, territoires\\ et « participation » " + "très " * 20
    event_page.location = "Salle 1, 20 avenue de Ségur; Paris"
    event_page.chapo = "Première ligne\nDeuxième ligne"
    event_page.save_revision().publish()
    cal, body = parse_ics(client.get("/agenda/webinaire-cooperer.ics"))
    unfolded = body.replace(b"\r\n ", b"")
    assert "SUMMARY:Atelier\\; coopération\\, territoires\\\\ et".encode() in unfolded
    assert "LOCATION:Salle 1\\, 20 avenue de Ségur\\; Paris".encode() in unfolded
    assert "DESCRIPTION:Première ligne\\nDeuxième ligne".encode() in unfolded
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == event_page.title  # round-trips through the escaping
    assert str(event["LOCATION"]) == "Salle 1, 20 avenue de Ségur; Paris"


def test_event_ics_uid_is_stable(client, site):
    first, _ = parse_ics(client.get("/agenda/webinaire-cooperer.ics"))
    second, _ = parse_ics(client.get("/agenda/webinaire-cooperer.ics"))
    assert first.walk("VEVENT")[0]["UID"] == second.walk("VEVENT")[0]["UID"]


def test_unknown_or_unpublished_event_ics_is_404(client, site):
    assert client.get("/agenda/nexiste-pas.ics").status_code == 404
    site["upcoming"].unpublish()
    assert client.get("/agenda/webinaire-cooperer.ics").status_code == 404
    cal, _ = parse_ics(client.get("/agenda.ics"))
    assert cal.walk("VEVENT") == []
