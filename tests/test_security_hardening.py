"""Issue 14: no client picks its own address, feeds escape what editors type, security headers."""
import datetime as dt
import os
import runpy
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import icalendar
import pytest
from django.core.cache import cache
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = '<img src=x onerror=alert(1)> & "guillemets" \'apostrophe\' &amp; <b>gras</b>'


@pytest.fixture(autouse=True)
def _clear_counters():
    cache.clear()  # rate-limit counters and axes' failures live in the cache
    yield
    cache.clear()


# --- the client's address ----------------------------------------------------------------------------

def contact(client, n, **extra):
    return client.post("/contact/", {"name": f"Essai {n}", "collectivite": "Ville", "job_title": "Élue",
                                     "email": "elue@ville.fr", "message": "Bonjour"}, **extra)


def test_by_default_no_proxy_is_trusted(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0 and settings.TRUSTED_PROXIES == []
    assert settings.AXES_CLIENT_IP_CALLABLE == "cms.security.client_ip"


def test_a_forged_header_does_not_escape_the_contact_rate_limit(client, db, settings):
    settings.CONTRIBUTIONS_RATE_LIMIT = (3, 600)
    codes = [contact(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", REMOTE_ADDR="203.0.113.9").status_code
             for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]


def test_a_forged_header_does_not_escape_the_admin_login_lockout(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 5
    codes = [client.post("/admin/login/", {"username": "redaction", "password": "mauvais"},
                         HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", REMOTE_ADDR="203.0.113.9").status_code
             for n in range(7)]
    assert codes[:4] == [200] * 4 and codes[5:] == [429, 429]
    # Even the right password is refused now, from that address, whatever the header says.
    response = client.post("/admin/login/", {"username": "redaction", "password": "motdepasse-redaction"},
                           HTTP_X_FORWARDED_FOR="192.0.2.1", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429


def test_behind_a_configured_proxy_the_client_address_is_read(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.CONTRIBUTIONS_RATE_LIMIT = (2, 600)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Two visitors behind the same load balancer have their own budgets…
    assert contact(client, 1, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 302
    assert contact(client, 2, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 302
    assert contact(client, 3, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 302
    # …and what a visitor writes to the left of its own address changes nothing.
    assert contact(client, 4, HTTP_X_FORWARDED_FOR="192.0.2.77, 198.51.100.1", **proxy).status_code == 429


def test_behind_a_configured_proxy_the_admin_lockout_hits_the_client(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        client.post("/admin/login/", {"username": "redaction", "password": "mauvais"},
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.1", REMOTE_ADDR="10.0.0.2")
    locked = client.post("/admin/login/", {"username": "redaction", "password": "motdepasse-redaction"},
                         HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.2")
    assert locked.status_code == 429
    other = client.post("/admin/login/", {"username": "redaction", "password": "motdepasse-redaction"},
                        HTTP_X_FORWARDED_FOR="198.51.100.2", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302  # another visitor behind the same proxy is not locked out


@pytest.mark.parametrize("proxies, count, remote, forwarded, expected", [
    ([], 0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),                      # no proxy: the peer
    (["10.0.0.0/8"], 0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),          # peer is not a proxy
    (["10.0.0.0/8"], 0, "10.0.0.2", "192.0.2.1, 198.51.100.1", "198.51.100.1"),  # one proxy
    (["10.0.0.0/8", "172.16.0.0/12"], 0, "10.0.0.2", "192.0.2.1, 198.51.100.1, 172.16.0.5", "198.51.100.1"),
    (["10.0.0.0/8"], 0, "10.0.0.2", "garbage, 198.51.100.1", "198.51.100.1"),
    (["10.0.0.0/8"], 0, "10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),     # unreadable: the last proxy
    (["10.0.0.0/8"], 0, "10.0.0.2", "", "10.0.0.2"),
    (["2001:db8::/32"], 0, "2001:db8::1", "2001:db8::2, 2a01:e0a::7", "2a01:e0a::7"),
    ([], 1, "10.0.0.2", "192.0.2.1, 198.51.100.1", "198.51.100.1"),             # count, set explicitly
    ([], 2, "10.0.0.2", "192.0.2.1, 198.51.100.1", "192.0.2.1"),
    ([], 3, "10.0.0.2", "198.51.100.1", "10.0.0.2"),                            # fewer entries than proxies
])
def test_client_ip_rules(rf, settings, proxies, count, remote, forwarded, expected):
    from cms.security import client_ip

    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = proxies, count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_production_refuses_a_bad_trusted_proxy(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.production", "SECRET_KEY": "k" * 60,
           "ALLOWED_HOSTS": "example.org", "DATABASE_URL": "postgres://u@localhost/db",
           "WAGTAILADMIN_BASE_URL": "https://example.org", "EMAIL_HOST": "smtp.example.org",
           "TRUSTED_PROXIES": "10.0.0.0/8,pas-une-adresse"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "TRUSTED_PROXIES : « pas-une-adresse » n'est ni une adresse IP ni un réseau" in done.stderr


def test_gunicorn_binds_to_loopback_and_sends_no_server_banner(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "0.0.0.0:9000"  # the deployer's choice

    from types import SimpleNamespace

    from gunicorn.http.wsgi import Response

    request = SimpleNamespace(version=(1, 1), method="GET", should_close=lambda: False)
    response = Response(request, None, SimpleNamespace())
    response.status, response.status_code, response.response_length = "200 OK", 200, 0
    lines = response.default_headers()
    assert lines[0].startswith("HTTP/1.1 200")
    assert not [line for line in lines if line.lower().startswith("server:")]


# --- headers -------------------------------------------------------------------------------------------

def test_permissions_policy_and_strict_public_csp(client, home, editor):
    for response in (client.get("/"), client.get("/api/v2/pages/"), client.get("/recherche/?q=x%00")):
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    csp = client.get("/")["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    client.force_login(editor)
    assert "camera=()" in client.get("/admin/")["Permissions-Policy"]


# --- feeds and iCalendar: what editors type stays text ----------------------------------------------------

@pytest.fixture
def hostile_content(make_thematique, make_projet, make_evenement):
    thematique = make_thematique(f"Thème {PAYLOAD}", chapo=f"Chapô {PAYLOAD}\x0b")
    projet = make_projet(f"Projet {PAYLOAD}\x01", thematiques=[thematique], chapo=f"Résumé {PAYLOAD}",
                         publication_date=dt.date(2021, 12, 1))
    sans_chapo = make_projet("Sans chapô", chapo="", search_description=f"Description {PAYLOAD}",
                             publication_date=dt.date(2021, 11, 1))
    event = make_evenement(f"Événement {PAYLOAD}\r\nATTENDEE:mailto:pirate@example.org",
                           chapo=f"Chapô {PAYLOAD}\r\nATTENDEE:mailto:pirate@example.org",
                           location=f"Lieu {PAYLOAD}\nX-INJECTE:1", organizer=f"Orga {PAYLOAD}",
                           start=timezone.now() + dt.timedelta(days=3))
    return {"thematique": thematique, "projet": projet, "sans_chapo": sans_chapo, "event": event}


def _escaped_once(text):
    return escape(text, quote=False)


def test_feed_descriptions_are_plain_text_escaped_exactly_once(client, hostile_content):
    thematique = hostile_content["thematique"]
    for url in ("/flux/ressources.xml", f"/flux/thematiques/{thematique.slug}.xml"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<img" not in body and "<b>" not in body  # no live markup anywhere in the XML
        channel = ET.fromstring(response.content).find("channel")  # well-formed, control characters dropped
        items = {item.findtext("title"): item for item in channel.findall("item")}
        projet = items[f"Projet {PAYLOAD}"]  # a title is plain text: read back as typed (XML-escaped once)
        # A description is HTML for feed readers: the text comes back escaped once, never markup,
        # never twice (« &amp;amp; » would show as « &amp; »).
        assert projet.findtext("description") == _escaped_once(f"Résumé {PAYLOAD}")
        if url.startswith("/flux/ressources"):
            assert items["Sans chapô"].findtext("description") == _escaped_once(f"Description {PAYLOAD}")
        else:
            assert channel.findtext("title") == f"Territoires en Commun — Thème {PAYLOAD}"
            assert channel.findtext("description") == _escaped_once(f"Chapô {PAYLOAD}")


def test_ical_export_keeps_what_editors_typed_as_text(client, hostile_content):
    event = hostile_content["event"]
    for url in ("/agenda.ics", f"/agenda/{event.slug}.ics"):
        response = client.get(url)
        assert response.status_code == 200
        raw = response.content.decode()
        assert "\r\nATTENDEE" not in raw and "\r\nX-INJECTE" not in raw  # no property injected by a line break
        [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert "ATTENDEE" not in vevent and "X-INJECTE" not in vevent
        assert str(vevent["SUMMARY"]).startswith(f"Événement {PAYLOAD}")
        assert str(vevent["LOCATION"]) == f"Lieu {PAYLOAD}\nX-INJECTE:1"
        assert f"Organisé par : Orga {PAYLOAD}" in str(vevent["DESCRIPTION"])
