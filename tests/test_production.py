"""Production settings and headers: what the operations team relies on to deploy the site."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings import environment

ROOT = Path(__file__).resolve().parent.parent
# Set by tests/conftest.py for Playwright; a deployment never has it (check --deploy refuses it).
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}
PROD_ENV = {
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-test-suite-only-0123456789",
    "ALLOWED_HOSTS": "territoires-en-commun.fr,www.territoires-en-commun.fr",
    "DATABASE_URL": "postgres://tec:motdepasse@db.internal:5432/tec",
    "WAGTAILADMIN_BASE_URL": "https://territoires-en-commun.fr",
    "EMAIL_HOST": "smtp.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
}


def run_manage(args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items()
           if k not in PROD_ENV and k not in drop and k not in TEST_ONLY_VARIABLES}
    env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.production", **env_overrides})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def prod_setting_values(env_overrides, names):
    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: repr(getattr(settings, n, None)) for n in {names!r}}}))")
    env = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.production", **env_overrides})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_required_variables():
    done = run_manage(["check"], {}, drop=PROD_ENV.keys())
    assert done.returncode != 0
    last_line = done.stderr.strip().splitlines()[-1]
    assert "variables d'environnement manquantes" in last_line
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "WAGTAILADMIN_BASE_URL", "EMAIL_HOST"):
        assert name in last_line


def test_production_refuses_a_short_secret_key_and_sqlite():
    short = run_manage(["check"], {**PROD_ENV, "SECRET_KEY": "court"})
    assert short.returncode != 0 and "SECRET_KEY est trop courte" in short.stderr
    sqlite = run_manage(["check"], {**PROD_ENV, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr.strip().splitlines()[-1]


def test_check_deploy_reports_nothing_with_a_full_environment():
    done = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_settings_come_from_the_environment():
    values = prod_setting_values({**PROD_ENV, "AWS_STORAGE_BUCKET_NAME": "tec-media",
                                  "AWS_S3_CUSTOM_DOMAIN": "media.territoires-en-commun.fr",
                                  "FRONTEND_CACHE": "cloudflare", "CLOUDFLARE_BEARER_TOKEN": "jeton",
                                  "CLOUDFLARE_ZONEID": "zone"},
                                 ["ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                  "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "STORAGES", "CACHES",
                                  "SESSION_ENGINE", "MEDIA_URL", "WAGTAILFRONTENDCACHE", "EMAIL_HOST",
                                  "CONTENT_SECURITY_POLICY", "PAGE_CACHE_CDN_SECONDS", "DEBUG"])
    assert values["ALLOWED_HOSTS"] == repr(["territoires-en-commun.fr", "www.territoires-en-commun.fr"])
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SECURE_HSTS_SECONDS"] == "31536000" and values["SECURE_SSL_REDIRECT"] == "True"
    assert values["DEBUG"] == "False"
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in values["STORAGES"]
    assert "storages.backends.s3.S3Storage" in values["STORAGES"] and "tec-media" in values["STORAGES"]
    assert values["MEDIA_URL"] == repr("https://media.territoires-en-commun.fr/media/")
    assert "django_redis.cache.RedisCache" in values["CACHES"]
    assert "cached_db" in values["SESSION_ENGINE"]
    assert "CloudflareBackend" in values["WAGTAILFRONTENDCACHE"]
    assert values["PAGE_CACHE_CDN_SECONDS"] == "300"
    assert values["EMAIL_HOST"] == repr("smtp.example.org")
    assert "https://media.territoires-en-commun.fr" in values["CONTENT_SECURITY_POLICY"]
    assert "upgrade-insecure-requests" in values["CONTENT_SECURITY_POLICY"]


def test_environment_helpers_explain_bad_values_in_french():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL doit commencer par redis://"):
        environment.caches_from_env({"REDIS_URL": "http://cache:6379"})
    with pytest.raises(ImproperlyConfigured, match="FRONTEND_CACHE=cloudflare demande aussi : CLOUDFLARE_ZONEID"):
        environment.frontend_cache_from_env({"FRONTEND_CACHE": "cloudflare", "CLOUDFLARE_BEARER_TOKEN": "x"})
    with pytest.raises(ImproperlyConfigured, match="FRONTEND_CACHE doit valoir"):
        environment.frontend_cache_from_env({"FRONTEND_CACHE": "akamai"})
    with pytest.raises(ImproperlyConfigured, match="s'excluent"):
        environment.email_from_env({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT doit être un nombre entier"):
        environment.email_from_env({"EMAIL_PORT": "vingt-cinq"})
    assert environment.caches_from_env({})["default"]["BACKEND"].endswith("LocMemCache")
    storage, origin = environment.media_storage_from_env({})
    assert storage["BACKEND"].endswith("FileSystemStorage") and origin is None
    storage, origin = environment.media_storage_from_env({"AWS_STORAGE_BUCKET_NAME": "b",
                                                          "AWS_S3_ENDPOINT_URL": "https://s3.gra.io.cloud.ovh.net"})
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.gra.io.cloud.ovh.net"
    assert origin == "https://s3.gra.io.cloud.ovh.net"


def test_collectstatic_produces_hashed_compressed_files(tmp_path, settings, client, editor, make_thematique,
                                                       ressource_index):
    """whitenoise's manifest storage must accept every stylesheet of Wagtail, the DSFR and ours, and every
    file a page links must be among those collected (a missing one is a 500 on every page in production)."""
    done = run_manage(["collectstatic", "--noinput", "-v", "0"], {**PROD_ENV, "STATIC_ROOT": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    dsfr_css = [k for k in manifest if k.endswith("dsfr.min.css")]
    assert dsfr_css, "the DSFR stylesheet must be collected"
    hashed = manifest[dsfr_css[0]]
    assert hashed != dsfr_css[0] and (tmp_path / hashed).exists()
    assert (tmp_path / (hashed + ".gz")).exists()
    # The sheet pages link (cms/dsfr_css.py) is collected too, with a brotli copy (the Brotli package).
    site_sheet = manifest["css/dsfr-site.min.css"]
    assert (tmp_path / (site_sheet + ".br")).exists() and (tmp_path / (site_sheet + ".gz")).exists()

    # The pages, rendered as production renders them: hashed names from this manifest, DEBUG off.
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    thematique = make_thematique()
    linked = set()
    for url, user in [("/", None), (thematique.url, None), (ressource_index.url, None), ("/admin/login/", None),
                      ("/admin/", editor), (f"/admin/pages/{thematique.pk}/edit/", editor)]:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        linked |= set(re.findall(r'(?:src|href)="/static/([^"?#]+)', response.content.decode()))
    assert "dsfr/dist/dsfr/dsfr.module.min.js" in {name for name, hashed in manifest.items() if hashed in linked}
    missing = sorted(name for name in linked if not (tmp_path / name).is_file())
    assert not missing, f"linked by a page, not collected: {missing}"


def test_gunicorn_configuration_is_valid():
    env = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.production", **PROD_ENV})
    done = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c", "gunicorn.conf.py",
                           "cms.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


# --- headers on the running site --------------------------------------------------------------------

def test_public_pages_get_a_strict_content_security_policy(client, home):
    response = client.get(home.url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_admin_gets_the_wagtail_compatible_policy(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_remembered_policies_stay_those_of_their_area_and_a_view_decorator_still_wins(client, editor, home, rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from cms.security import SiteCSPMiddleware

    public = [client.get(home.url)["Content-Security-Policy"] for _ in range(2)]
    client.force_login(editor)
    admin = [client.get("/admin/")["Content-Security-Policy"] for _ in range(2)]
    client.logout()
    public.append(client.get(home.url)["Content-Security-Policy"])
    assert public[0] == public[1] == public[2] and "unsafe" not in public[0]
    assert admin[0] == admin[1] and "'unsafe-inline'" in admin[0]

    @csp_update({"img-src": ["https://tuiles.example.org"]})
    def carte(request):
        return HttpResponse("carte")

    response = SiteCSPMiddleware(carte)(rf.get("/carte/"))
    assert "https://tuiles.example.org" in response["Content-Security-Policy"]
    assert client.get(home.url)["Content-Security-Policy"] == public[0]


def test_health_check(client, db):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


# --- in a real browser: no CSP violation on the public site nor in the admin -------------------------

def _collect_csp_violations(pg):
    messages = []
    pg.on("console", lambda msg: messages.append(msg.text))
    return messages


def _csp_errors(messages):
    return [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the root page and groups for later tests
def test_no_csp_violation_in_chromium_on_public_pages_and_admin_edit(page, live_server, editor, make_thematique,
                                                                     make_projet, ressource_index, agenda_index):
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    messages = _collect_csp_violations(page)
    for url in ("/", thematique.url, ressource_index.url, projet.url, agenda_index.url, "/recherche/?q=emploi"):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert _csp_errors(messages) == []
    # The DSFR's JavaScript ran under the policy (it marks the document once started).
    assert page.evaluate("() => document.documentElement.hasAttribute('data-fr-js')")

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "redaction")
    page.fill("#id_password", "motdepasse-redaction")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server.url}/admin/pages/{projet.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_title").input_value() == "Wake Up Café"
    # The admin's JavaScript works: the editor's tabs respond.
    page.get_by_role("tab", name="Promotion").click()
    page.wait_for_selector("#id_slug", state="visible")
    assert _csp_errors(messages) == [], _csp_errors(messages)


# --- search: PostgreSQL full text with French stemming; the same queries work on SQLite ----------------

def _search_titles(client, query):
    from bs4 import BeautifulSoup

    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


def test_search_finds_exact_words_on_every_database(client, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi", chapo="Accompagner les chômeurs de longue durée")
    make_projet("Wake Up Café", thematiques=[thematique], chapo="Insertion professionnelle des sortants de prison")
    assert "Retour à l'emploi" in _search_titles(client, "emploi")
    assert "Wake Up Café" in _search_titles(client, "insertion")
    assert "Wake Up Café" not in _search_titles(client, "emploi")


def test_search_uses_french_stemming_on_every_database(client, make_thematique, make_projet, ressource_index):
    """PostgreSQL's « french » configuration and, on SQLite, the same Snowball algorithm in Python."""
    from wagtail.models import Page

    thematique = make_thematique("Retour à l'emploi", chapo="Accompagner les chômeurs de longue durée")
    make_projet("Wake Up Café", thematiques=[thematique], chapo="Insertion professionnelle des sortants de prison")
    make_projet("Atelier vélo", chapo="Des emplois aidés dans un garage solidaire")
    # Singular ↔ plural, masculine ↔ feminine, noun ↔ verb of the same stem.
    assert "Retour à l'emploi" in _search_titles(client, "chômeur")
    assert "Retour à l'emploi" in _search_titles(client, "accompagnement")
    assert "Wake Up Café" in _search_titles(client, "professionnel")
    assert "Wake Up Café" in _search_titles(client, "sortant prisons")
    assert "Atelier vélo" not in _search_titles(client, "prisons")
    assert [p.title for p in Page.objects.live().search("chômeur")] == ["Retour à l'emploi"]
    # French stop words are ignored, as PostgreSQL's configuration ignores them (SQLite indexes them).
    assert "Retour à l'emploi" in _search_titles(client, "les chômeurs pour une longue durée")
    assert "Aucun résultat pour « pour une »" in _search_titles(client, "pour une")
    # Snowball keeps a final « s » after « i » (mois, fois): the site's search asks for both numbers.
    found = _search_titles(client, "emplois")
    assert "Retour à l'emploi" in found and "Atelier vélo" in found
    found = _search_titles(client, "emploi solidaire")
    assert "Atelier vélo" in found and "Retour à l'emploi" not in found
    # The library's own search box works the same way.
    library = client.get("/ressources/", {"q": "emploi"}).content.decode()
    assert "Atelier vélo" in library


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_csp_violation_on_any_page_of_the_demo_site(page, live_server, demo, editor, moderator_user):
    """Every live page of the demo, the library filtered and the search, then the admin edit views of
    an edition (StreamField sections), an event (date pickers) and the vote page, under the policies."""
    from urllib.parse import urlsplit

    from wagtail.models import Page, Site

    from newsletter.models import NewsletterPage
    from ressources.models import EvenementPage

    address = urlsplit(live_server.url)
    for site in Site.objects.all():
        site.hostname, site.port = address.hostname, address.port
        site.save()
    messages = _collect_csp_violations(page)
    pages = list(Page.objects.live().public().filter(depth__gt=1).specific())
    assert len(pages) > 20
    urls = [p.url for p in pages] + ["/ressources/?type=projet", "/recherche/?q=participation"]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    assert _csp_errors(messages) == [], _csp_errors(messages)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "moderation")
    page.fill("#id_password", "motdepasse-moderation")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    edition = NewsletterPage.objects.live().first()
    event = EvenementPage.objects.live().first()
    for pk in (edition.pk, event.pk):
        page.goto(f"{live_server.url}/admin/pages/{pk}/edit/")
        page.wait_for_load_state("networkidle")
        assert page.locator("#id_title").input_value()
    page.click("[data-side-panel-toggle='preview']")
    page.wait_for_timeout(1500)
    assert _csp_errors(messages) == [], _csp_errors(messages)
