"""Demo content of the contributions, called at the end of ``manage.py load_demo``: idempotent.

Two events proposed by collectivités and one contact request, all waiting, so that the moderation
admin and the dashboard panel are not empty. Keyed on their title / email: running it again changes
nothing, and a contribution an editor already decided is left as it is.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

DEMO_CONTRIBUTIONS = [
    {
        "title": "Atelier « Budget participatif : bilan de la première saison »",
        "days": 24, "hour": 18, "hours": 2, "online": False,
        "location": "Salle du conseil, hôtel de ville de Lodève", "organizer": "Commune de Lodève",
        "collectivite": "34142", "url": "https://www.lodeve.fr",
        "description": "Les habitants présentent les projets financés par le premier budget participatif "
                       "et échangent sur le règlement de la deuxième saison.\n\nEntrée libre, sans inscription.",
        "contact_name": "Service démocratie locale", "contact_email": "democratie-locale@lodeve.example",
    },
    {
        "title": "Webinaire « Associer les habitants à un projet de mobilité rurale »",
        "days": 38, "hour": 11, "hours": 1, "online": True, "location": "",
        "organizer": "Communauté de communes du Lodévois et Larzac", "collectivite": "",
        "url": "https://www.cc-lodevoisetlarzac.fr",
        "description": "Retour d'expérience sur la concertation menée autour du transport à la demande, "
                       "avec les élus et l'association d'usagers.",
        "contact_name": "Mission mobilité", "contact_email": "mobilite@lodevois-larzac.example",
    },
]

DEMO_CONTACT = {
    "name": "Claire Fontaine", "collectivite": "Commune de Lodève", "job_title": "Adjointe à la vie citoyenne",
    "email": "c.fontaine@lodeve.example",
    "message": "Nous souhaitons lancer une assemblée citoyenne sur l'alimentation locale et cherchons un "
               "accompagnement méthodologique. Pouvez-vous nous indiquer les dispositifs existants ?",
}


@transaction.atomic
def load(stdout=None):
    from thematiques.models import Collectivite, ThematiquePage

    from .contrib.models import ContributionEvenement, DemandeContact

    created = 0
    today = timezone.localdate()
    for item in DEMO_CONTRIBUTIONS:
        if ContributionEvenement.objects.filter(title=item["title"]).exists():
            continue
        start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=item["days"]), dt.time(item["hour"])))
        ContributionEvenement.objects.create(
            title=item["title"], start=start, end=start + dt.timedelta(hours=item["hours"]), online=item["online"],
            location=item["location"], organizer=item["organizer"],
            collectivite=Collectivite.lookup(item["collectivite"]) if item["collectivite"] else None,
            url=item["url"], description=item["description"], contact_name=item["contact_name"],
            contact_email=item["contact_email"], consent=True,
        )
        created += 1
    if not DemandeContact.objects.filter(email=DEMO_CONTACT["email"]).exists():
        thematique = ThematiquePage.objects.filter(title__icontains="alimentaire").first()
        DemandeContact.objects.create(**DEMO_CONTACT, thematique=thematique)
        created += 1
    if stdout is not None:
        stdout.write(f"Contributions : {created} créée(s) en attente de modération.")
    return created
