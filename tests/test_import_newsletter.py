"""Importing archived editions: Mailchimp, Brevo, Mailjet, MJML and this site's own exports."""
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def newsletter_index(home):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.fixture
def site_tree(newsletter_index, ressource_index, agenda_index, thematique_index):
    return newsletter_index


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_newsletter", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sections_of(edition):
    return [(b.block_type, b.value["title"]) for b in edition.sections]


@pytest.mark.django_db
def test_mailchimp_edition(site_tree):
    from newsletter.models import NewsletterPage

    out, _err = run(FIXTURES / "mailchimp-2021-12.html")
    print(out)
    edition = NewsletterPage.objects.get()
    assert edition.title == "Territoires en Commun - La lettre de décembre 2021"
    print(sections_of(edition))
    for b in edition.sections:
        print(b.block_type, b.value)
