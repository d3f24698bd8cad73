"""What a publish keeps (cms.cache, the release): cards keyed by what they show and the chrome's
static fragments survive a publish; anything they show changes them at once; a deployment or a
change of the chrome (partners, site settings, sites) drops them too."""
import pytest


@pytest.fixture
def cold(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rendered_cards(monkeypatch):
    """The titles of the cards rendered (not served from the cache) since the last clear()."""
    from cms.templatetags import site_tags

    titles = []
    original = site_tags._render_card

    def spy(obj, *args, **kwargs):
        titles.append(getattr(obj, "title", None))
        return original(obj, *args, **kwargs)

    monkeypatch.setattr(site_tags, "_render_card", spy)
    return titles


def test_a_publish_renders_again_only_the_card_of_the_page_it_changed(
        client, cold, rendered_cards, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    changed = make_projet("Atelier vélo", thematiques=[thematique])
    make_projet("Wake Up Café", thematiques=[thematique])
    html(client, thematique.url)
    rendered_cards.clear()
    changed.title = "Atelier vélo solidaire"
    changed.save_revision().publish()
    page = html(client, thematique.url)
    assert "Atelier vélo solidaire" in page and "Wake Up Café" in page
    assert rendered_cards == ["Atelier vélo solidaire"]


def test_a_card_follows_its_page_url_when_a_parent_is_renamed(client, cold, make_thematique, make_projet,
                                                             ressource_index):
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    assert f'href="/ressources/{projet.slug}/"' in html(client, thematique.url)
    ressource_index.slug = "bibliotheque"
    ressource_index.save_revision().publish()  # Wagtail rewrites the children's url_path, no revision of theirs
    page = html(client, thematique.url)
    assert f'href="/bibliotheque/{projet.slug}/"' in page and f'href="/ressources/{projet.slug}/"' not in page


def test_a_card_shows_a_new_image_description_after_any_publish(client, cold, make_thematique, make_projet):
    from tests.test_public_site import make_image

    image = make_image("Atelier")
    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique], listing_image=image)
    assert 'alt="Atelier"' in html(client, thematique.url)
    image.title = "Un atelier de réparation"
    image.save()  # an image edit alone invalidates nothing (as before); the next publish shows it
    thematique.save_revision().publish()
    assert 'alt="Un atelier de réparation"' in html(client, thematique.url)


def test_the_release_moves_with_partners_site_settings_sites_and_migrate_not_with_a_publish(db, make_thematique):
    from django.core.management import call_command
    from wagtail.models import Site

    from cms.cache import current_generation, current_release
    from cms.models import Partenaire, SiteSettings

    thematique = make_thematique("Retour à l'emploi")
    release, generation = current_release(), current_generation()
    thematique.save_revision().publish()
    assert current_generation() > generation and current_release() == release
    for change in (lambda: Partenaire.objects.create(name="ANCT", url="https://anct.gouv.fr"),
                   lambda: SiteSettings.load().save(),
                   lambda: Site.objects.get(is_default_site=True).save(),
                   lambda: call_command("migrate", verbosity=0)):
        before = current_release()
        change()
        assert current_release() > before


def test_a_new_footer_page_shows_on_the_next_request(client, cold, home):
    from home.models import StandardPage

    assert "Mentions légales" not in html(client, "/")
    page = home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions", show_in_footer=True))
    page.save_revision().publish()
    assert "Mentions légales" in html(client, "/")


def test_shared_writes_of_a_request_go_in_one_batch(client, cold, monkeypatch, make_thematique, make_projet):
    from django.core.cache import caches

    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    shared = caches["default"]
    calls, batching = [], []
    original_set, original_set_many = shared.set, shared.set_many

    def set_(*args, **kwargs):
        if not batching:
            calls.append(("set", args[0]))
        return original_set(*args, **kwargs)

    def set_many(values, *args, **kwargs):
        calls.append(("set_many", sorted(values)))
        batching.append(True)
        try:
            return original_set_many(values, *args, **kwargs)
        finally:
            batching.pop()

    monkeypatch.setattr(shared, "set", set_)
    monkeypatch.setattr(shared, "set_many", set_many)
    html(client, thematique.url)
    one_by_one = [key for name, key in calls if name == "set" and not key.startswith("wagtail_")]  # Wagtail's own
    assert one_by_one == [] and ("set_many" in {name for name, _keys in calls}), calls
