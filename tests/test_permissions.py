"""Security: who may open which admin view, brute-force protection of the login, drafts and previews
never public, and nothing an editor typed reaching the page unescaped.

The first matrix walks every URL the project mounts under /admin/ and /django-admin/ (Wagtail's,
modeladmin's and every app's ``register_admin_urls``), so a feature's admin views are covered the
day they land, without editing this file.
"""
import re

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

# Admin views that are public by design (logging in, resetting a password, translations for JS).
PUBLIC_ADMIN_URL_NAMES = {
    "wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done", "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete", "wagtailadmin_javascript_catalog", "login", "logout",
    "wagtailadmin_sprite",  # the admin's SVG icons
}
# Wagtail's deliberate error page, to check error reporting ("/admin/failwhale/").
SKIPPED_ADMIN_URL_NAMES = {"wagtailadmin_error_test"}


def _sample_value(name: str, ids: dict) -> str:
    if name in {"app_label"}:
        return "ressources"
    if name in {"model_name"}:
        return "projetpage"
    if name in {"action"}:
        return "valider"
    if "page" in name or name in {"parent_id", "index_id"}:
        return str(ids["page"])
    return str(ids["object"])


def _concrete_path(parts: list[str], ids: dict) -> str | None:
    """Turn the chain of route / regex fragments into a concrete path, or None if it can't."""
    path = ""
    for part in parts:
        part = part.lstrip("^").rstrip("$").replace("\\Z", "")
        part = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _sample_value(m.group(1), ids), part)
        part = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample_value(m.group(1), ids), part)
        part = part.replace("\\.", ".").replace("\\-", "-").replace("\\/", "/")
        if re.search(r"[()\[\]*+?|\\{}^$]", part):
            return None
        path += part
    return "/" + path


def admin_urls(ids) -> list[tuple[str, str]]:
    """[(url name, concrete path)] of every admin view (Wagtail admin and Django admin)."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            fragment = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                walk(pattern.url_patterns, prefix + [fragment], ns)
            elif isinstance(pattern, URLPattern):
                path = _concrete_path(prefix + [fragment], ids)
                if path and path.startswith(("/admin/", "/django-admin/")):
                    name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or path)
                    found.append((name, path))

    walk(get_resolver().url_patterns, [], "")
    return sorted(set(found))


@pytest.fixture
def site_content(home, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    return {"thematique": thematique, "projet": projet}


@pytest.fixture
def administrator(db):
    return User.objects.create_superuser("admin", "admin@example.org", "motdepasse-admin")


@pytest.fixture
def visitor_account(db):
    """A logged-in account without access to the admin (for instance, created by mistake)."""
    return User.objects.create_user("visiteur", "visiteur@example.org", "motdepasse-visiteur")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and ("/login/" in response["Location"])


def test_every_admin_view_is_closed_to_anonymous_and_to_accounts_without_admin_access(
        client, site_content, visitor_account):
    urls = admin_urls({"page": site_content["projet"].pk, "object": site_content["projet"].pk})
    assert len(urls) > 150, "the walk must find Wagtail's admin views"
    assert any(name == "newsletter_export" for name, _ in urls)
    opened = []
    for who in ("anonyme", "compte sans accès"):
        client.logout()
        if who == "compte sans accès":
            client.force_login(visitor_account)
        for name, path in urls:
            if {name, name.split(":")[-1]} & (PUBLIC_ADMIN_URL_NAMES | SKIPPED_ADMIN_URL_NAMES):
                continue
            response = client.get(path)
            assert response.status_code != 500, (who, name, path)
            if response.status_code == 200:
                opened.append((who, name, path))
    assert opened == []


def test_every_admin_view_answers_staff_without_server_error(client, site_content, editor, moderator_user,
                                                             administrator):
    """Editors, moderators and administrators get a page, a refusal or a redirect — never a crash."""
    urls = admin_urls({"page": site_content["projet"].pk, "object": site_content["projet"].pk})
    errors = []
    for user in (editor, moderator_user, administrator):
        client.force_login(user)
        for name, path in urls:
            if "logout" in name or name in SKIPPED_ADMIN_URL_NAMES:
                continue
            try:
                response = client.get(path)
            except Exception as exc:  # noqa: BLE001 - any exception is a server error for the user
                errors.append((user.username, name, path, repr(exc)[:200]))
                continue
            if response.status_code >= 500:
                errors.append((user.username, name, path, response.status_code))
    assert errors == []


# --- the explicit matrix: who may do what ------------------------------------------------------------

ROLES = ("anonyme", "rédaction", "modération", "administration")


@pytest.fixture
def login_as(client, editor, moderator_user, administrator):
    users = {"rédaction": editor, "modération": moderator_user, "administration": administrator}

    def login(role):
        client.logout()
        if role != "anonyme":
            client.force_login(users[role])
        return client

    return login


def _allowed(response) -> bool:
    return response.status_code == 200


MATRIX = [
    # (description, url factory, roles allowed)
    ("tableau de bord", lambda c: "/admin/", {"rédaction", "modération", "administration"}),
    ("édition d'une page", lambda c: f"/admin/pages/{c['projet'].pk}/edit/", {"rédaction", "modération", "administration"}),
    ("arborescence", lambda c: f"/admin/pages/{c['projet'].get_parent().pk}/", {"rédaction", "modération", "administration"}),
    ("brouillon", lambda c: f"/admin/pages/{c['projet'].pk}/view_draft/", {"rédaction", "modération", "administration"}),
    ("images", lambda c: "/admin/images/", {"rédaction", "modération", "administration"}),
    ("documents", lambda c: "/admin/documents/", {"rédaction", "modération", "administration"}),
    ("utilisateurs", lambda c: "/admin/users/", {"administration"}),
    ("groupes", lambda c: "/admin/groups/", {"administration"}),
    ("sites", lambda c: "/admin/sites/", {"administration"}),
    ("admin Django", lambda c: "/django-admin/", {"administration"}),
    # Exporting or test-sending an edition is publishing it: Wagtail's Editors may not publish.
    ("export de l'édition", lambda c: f"/admin/newsletter/{c['edition'].pk}/exporter/", {"modération", "administration"}),
    ("envoi de test", lambda c: f"/admin/newsletter/{c['edition'].pk}/envoi-test/", {"modération", "administration"}),
    ("nouvelle édition", lambda c: f"/admin/newsletter/archive/{c['edition'].get_parent().pk}/nouvelle-edition/",
     {"rédaction", "modération", "administration"}),
    ("événements proposés", lambda c: "/admin/ressources/contributionevenement/", {"rédaction", "modération", "administration"}),
    ("demandes de contact", lambda c: "/admin/ressources/demandecontact/", {"rédaction", "modération", "administration"}),
    # Campaigns are run by the editorial team; moderators only moderate ballots and applications.
    ("résultats du vote", lambda c: f"/admin/votes/campagnes/{c['campaign'].pk}/resultats/", {"rédaction", "administration"}),
    ("validation d'un bulletin", lambda c: f"/admin/votes/bulletins/{c['ballot'].pk}/valider/",
     {"rédaction", "modération", "administration"}),
    ("bulletins", lambda c: "/admin/thematiques/ballot/", {"rédaction", "modération", "administration"}),
]


@pytest.fixture
def feature_content(site_content, home):
    import datetime as dt

    from newsletter.models import NewsletterIndexPage, NewsletterPage
    from thematiques.vote.models import Campaign

    index = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
    edition = index.add_child(instance=NewsletterPage(title="Édition de décembre", subject="Décembre"))
    campaign = Campaign.objects.create(title="Vote 2026", status=Campaign.Status.OUVERT,
                                       closes_at=timezone.now() + dt.timedelta(days=10))
    from thematiques.models import Collectivite
    from thematiques.vote.models import Ballot

    commune = Collectivite.objects.create(code="34172", nom="Montpellier", echelon="com")
    ballot = Ballot.objects.create(campaign=campaign, collectivite=commune, email="elu@gmail.com",
                                   status=Ballot.Status.A_MODERER)
    return {**site_content, "edition": edition, "campaign": campaign, "ballot": ballot}


@pytest.mark.parametrize("description,url_factory,allowed", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(login_as, feature_content, description, url_factory, allowed):
    url = url_factory(feature_content)
    for role in ROLES:
        response = login_as(role).get(url)
        assert response.status_code != 500, (role, url)
        if role in allowed:
            assert _allowed(response), (role, description, response.status_code)
        else:
            assert not _allowed(response), (role, description)
            if role == "anonyme":
                assert _is_login_redirect(response), (description, response.status_code)


def test_anonymous_posts_to_sensitive_actions_change_nothing(client, feature_content, mailoutbox):
    """Export, test send, moderation: an anonymous POST is sent to the login page and does nothing."""
    from newsletter.models import NewsletterExport
    from ressources.contrib.models import ContributionEvenement
    from thematiques.vote.models import Ballot

    edition = feature_content["edition"]
    ballot = feature_content["ballot"]
    posts = [
        f"/admin/newsletter/{edition.pk}/exporter/",
        f"/admin/newsletter/{edition.pk}/envoi-test/",
        f"/admin/votes/bulletins/{ballot.pk}/valider/",
        f"/admin/votes/bulletins/{ballot.pk}/annuler/",
    ]
    for url in posts:
        response = client.post(url, {"tool": "brevo", "format": "zip", "recipients": "pirate@example.org"})
        assert _is_login_redirect(response), (url, response.status_code)
    assert mailoutbox == []
    assert NewsletterExport.objects.count() == 0
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.A_MODERER
    assert ContributionEvenement.objects.count() == 0


def test_preview_and_drafts_are_never_public(client, site_content, editor):
    projet = site_content["projet"]
    projet.title = "Titre de travail"
    projet.save_revision()
    draft_only = site_content["thematique"].get_parent().add_child(
        instance=type(site_content["thematique"])(title="Thématique pas encore publiée", live=False))

    for url in (f"/admin/pages/{projet.pk}/edit/preview/", f"/admin/pages/{projet.pk}/view_draft/",
                f"/admin/pages/{draft_only.pk}/view_draft/"):
        response = client.get(url)
        assert _is_login_redirect(response), url
    assert "Titre de travail" not in client.get(projet.url).content.decode()
    assert client.get(f"/thematiques/{draft_only.slug}/").status_code == 404
    assert "Thématique pas encore publiée" not in client.get("/recherche/?q=publiée").content.decode()
    assert "Thématique pas encore publiée" not in client.get("/api/v2/pages/").content.decode()

    client.force_login(editor)
    assert client.get(f"/admin/pages/{draft_only.pk}/view_draft/").status_code == 200


# --- brute force ---------------------------------------------------------------------------------------

def test_admin_login_locks_after_repeated_failures(client, settings, editor):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "redaction", "password": "mauvais"})
        assert response.status_code == 200  # the login form again, with its error
    locked = client.post("/admin/login/", {"username": "redaction", "password": "mauvais"})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Connexion bloquée" in body and "15 minutes" in body
    # Even the right password is refused while locked out.
    still = client.post("/admin/login/", {"username": "redaction", "password": "motdepasse-redaction"})
    assert still.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="redaction").exists()
    # Another account from the same address is not locked (lockout is per username and address).
    other = User.objects.create_user("autre", "autre@example.org", "motdepasse-autre")
    other.groups.add(*editor.groups.all())
    response = client.post("/admin/login/", {"username": "autre", "password": "motdepasse-autre"})
    assert response.status_code == 302


def test_successful_login_resets_the_failure_count(client, settings, editor):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post("/admin/login/", {"username": "redaction", "password": "mauvais"})
    assert client.post("/admin/login/", {"username": "redaction", "password": "motdepasse-redaction"}).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post("/admin/login/", {"username": "redaction", "password": "mauvais"}).status_code == 200


def test_client_ip_behind_trusted_proxies(rf, settings):
    from cms.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"  # the left entry was written by the client itself
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"


# --- nothing typed by an editor reaches the page unescaped -------------------------------------------

def test_editor_typed_markup_is_escaped_on_every_public_page(client, home, make_thematique, make_projet,
                                                             ressource_index):
    script = '<script>alert("titre")</script>'
    image = '<img src=x onerror=alert(1)>'
    thematique = make_thematique(f"Emploi {script}", chapo=f"Chapô {image}")
    projet = make_projet(f"Projet {script}", thematiques=[thematique], chapo=f"Résumé {image}")
    thematique.is_thematique_du_mois = True
    thematique.save_revision().publish()
    for url in (home.url, thematique.url, projet.url, ressource_index.url, "/recherche/?q=Projet",
                thematique.get_parent().url):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert script not in body, url
        assert image not in body, url
    body = client.get(projet.url).content.decode()
    assert "&lt;script&gt;alert(" in body
