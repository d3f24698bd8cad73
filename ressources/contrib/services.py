"""What happens to a submission: stored, accepted into the agenda, refused, handled.

``accept`` is safe against double clicks and concurrent editors: the row is locked
(``select_for_update``) and claimed with a conditional UPDATE (status nouvelle → acceptée) that only
one transaction can win, on every database; the loser creates nothing.
"""
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import emails
from .models import ContributionEvenement, DemandeContact
from .text import paragraph_html, paragraphs, summary


class ModerationError(Exception):
    """A moderation action that cannot be done; the message is shown to the editor."""


@dataclass
class AcceptResult:
    contribution: ContributionEvenement
    created: bool


def submit_contribution(data: dict) -> ContributionEvenement:
    contribution = ContributionEvenement.objects.create(**data, status=ContributionEvenement.Status.NOUVELLE)
    emails.send_contribution_received(contribution)
    return contribution


def submit_contact(data: dict) -> DemandeContact:
    demande = DemandeContact.objects.create(**data)
    emails.send_contact_request(demande)
    return demande


def get_agenda():
    from ressources.models import AgendaIndexPage

    agenda = AgendaIndexPage.objects.order_by("path").first()
    if agenda is None:
        raise ModerationError(_("Aucune page « agenda » n'existe : créez-la avant de publier un événement."))
    return agenda


def can_publish(user) -> bool:
    try:
        agenda = get_agenda()
    except ModerationError:
        return False
    return agenda.permissions_for_user(user).can_publish_subpage()


def _unique_slug(agenda, title: str) -> str:
    base = slugify(title)[:70].strip("-") or "evenement"
    taken = set(agenda.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def build_event(contribution, agenda):
    """The EvenementPage for a contribution: every submitted text goes in as plain text or escaped HTML."""
    from ressources.models import EvenementPage

    body = [("paragraph", paragraph_html(p)) for p in paragraphs(contribution.description)]
    return EvenementPage(
        title=contribution.title,
        slug=_unique_slug(agenda, contribution.title),
        chapo=summary(contribution.description),
        start=contribution.start,
        end=contribution.end,
        all_day=contribution.all_day,
        online=contribution.online,
        location=contribution.location,
        organizer=contribution.organizer,
        registration_url=contribution.url,
        collectivite_id=contribution.collectivite_id,
        body=body,
        live=False,
        has_unpublished_changes=True,
    )


def accept(contribution_id: int, user, publish: bool) -> AcceptResult:
    """Create the event of a pending contribution under the agenda, as a draft or published.

    Returns ``created=False`` (and creates nothing) when the contribution was already decided.
    """
    agenda = get_agenda()
    permissions = agenda.permissions_for_user(user)
    if not permissions.can_add_subpage():
        raise ModerationError(_("Vous n'avez pas le droit d'ajouter un événement à l'agenda."))
    if publish and not permissions.can_publish_subpage():
        raise ModerationError(_("Vous n'avez pas le droit de publier dans l'agenda : enregistrez l'événement en brouillon."))

    with transaction.atomic():
        contribution = ContributionEvenement.objects.select_for_update().get(pk=contribution_id)
        if contribution.status != ContributionEvenement.Status.NOUVELLE:
            return AcceptResult(contribution, created=False)
        now = timezone.now()
        claimed = ContributionEvenement.objects.filter(
            pk=contribution_id, status=ContributionEvenement.Status.NOUVELLE,
        ).update(status=ContributionEvenement.Status.ACCEPTEE, decided_at=now, decided_by=user)
        if not claimed:
            contribution.refresh_from_db()
            return AcceptResult(contribution, created=False)

        page = build_event(contribution, agenda)
        agenda.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user)
        contribution.status = ContributionEvenement.Status.ACCEPTEE
        contribution.decided_at, contribution.decided_by = now, user
        contribution.evenement = page
        contribution.save(update_fields=["evenement"])

    contribution.evenement.refresh_from_db()
    emails.send_contribution_accepted(contribution, published=publish)
    return AcceptResult(contribution, created=True)


def refuse(contribution_id: int, user, reason: str) -> ContributionEvenement:
    with transaction.atomic():
        contribution = ContributionEvenement.objects.select_for_update().get(pk=contribution_id)
        if contribution.status != ContributionEvenement.Status.NOUVELLE:
            raise ModerationError(_("Cette contribution a déjà été traitée (%(status)s).")
                                  % {"status": contribution.get_status_display().lower()})
        contribution.status = ContributionEvenement.Status.REFUSEE
        contribution.refusal_reason = reason
        contribution.decided_at, contribution.decided_by = timezone.now(), user
        contribution.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    emails.send_contribution_refused(contribution)
    return contribution


def mark_handled(demande_id: int, user, handled: bool = True) -> DemandeContact:
    demande = DemandeContact.objects.get(pk=demande_id)
    demande.handled = handled
    demande.handled_at = timezone.now() if handled else None
    demande.handled_by = user if handled else None
    demande.save(update_fields=["handled", "handled_at", "handled_by"])
    return demande
