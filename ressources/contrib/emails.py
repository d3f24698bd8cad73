"""The emails of the contribution flows: a plain-text part and an HTML part, both from templates.

The text part is rendered without autoescaping (it is text/plain: an apostrophe must stay an
apostrophe, and a ``<script>`` typed by a visitor is inert characters there); the HTML part is
autoescaped like every page. Subjects go through ``clean_line`` so no header injection is possible.
"""
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from cms.tasks import queue_email

from .text import clean_line

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "ressources/contributions/emails"


def team_address() -> str:
    from cms.models import SiteSettings

    return SiteSettings.load().editorial_email


def admin_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def site_url(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path


def build(name: str, subject: str, context: dict, to: list[str], reply_to: list[str] | None = None):
    context = {**context, "subject": subject, "site_url": settings.SITE_BASE_URL.rstrip("/")}
    text = render_to_string(f"{TEMPLATE_DIR}/{name}.txt", context)
    html = render_to_string(f"{TEMPLATE_DIR}/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=clean_line(subject)[:250], body=text, to=to, reply_to=reply_to or None,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    message.attach_alternative(html, "text/html")
    return message


def send(message) -> None:
    """Send from the task queue (cms/tasks.py): a mail server that is down delays the mail, with
    retries, and never loses the stored submission nor fails the visitor's request."""
    queue_email(message)


def contribution_admin_url(contribution) -> str:
    return admin_url(reverse("ressources_contributionevenement_modeladmin_inspect", args=[contribution.pk]))


def contact_admin_url(demande) -> str:
    return admin_url(reverse("ressources_demandecontact_modeladmin_inspect", args=[demande.pk]))


def send_contribution_received(contribution):
    """Acknowledgement to the contributor and notification to the editorial team."""
    context = {"contribution": contribution, "admin_url": contribution_admin_url(contribution)}
    team = team_address()
    send(build("accuse_reception", f"Nous avons bien reçu votre événement « {contribution.title} »",
               context, to=[contribution.contact_email], reply_to=[team]))
    send(build("notification_equipe", f"Nouvelle contribution à l'agenda : {contribution.title}",
               context, to=[team], reply_to=[contribution.contact_email]))


def send_contribution_accepted(contribution, published: bool):
    page = contribution.evenement
    context = {"contribution": contribution, "published": published,
               "event_url": page.get_full_url() if (published and page) else ""}
    send(build("acceptation", f"Votre événement « {contribution.title} » est accepté", context,
               to=[contribution.contact_email], reply_to=[team_address()]))


def send_contribution_refused(contribution):
    context = {"contribution": contribution}
    send(build("refus", f"Votre événement « {contribution.title} » n'a pas été retenu", context,
               to=[contribution.contact_email], reply_to=[team_address()]))


def send_contact_request(demande):
    context = {"demande": demande, "admin_url": contact_admin_url(demande)}
    subject = "Demande de contact"
    if demande.thematique_id:
        subject += f" — {demande.thematique.title}"
    subject += f" : {demande.name}, {demande.collectivite}"
    team = team_address()
    send(build("contact_equipe", subject, context, to=[team], reply_to=[demande.email]))
    send(build("contact_accuse_reception", "Nous avons bien reçu votre demande", context, to=[demande.email],
               reply_to=[team]))
