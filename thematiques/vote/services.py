"""What the vote does, independent of HTTP: signed links, rate limit, submission, confirmation, moderation.

Confirmation is safe under concurrency on PostgreSQL: the ballot row is locked (``select_for_update``)
or created inside a savepoint, and the unique constraint on ``(campaign, collectivite)`` turns a lost
race into an ``IntegrityError`` that is caught and resolved by reading the winner's row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.ratelimit import is_limited
from cms.tasks import queue_email
from thematiques.models import Collectivite, ProjetPartageCollectivite, ProjetPartagePage

from .models import Ballot, Campaign, CampaignThematique, Candidature, is_webmail, mask_email

TOKEN_SALT = "thematiques.vote.confirmation"
TOKEN_MAX_AGE = dt.timedelta(hours=48)


class VoteError(Exception):
    """A refusal to show the visitor, in French."""


# --- signed links ------------------------------------------------------------------------------------
def make_token(payload: dict) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign_object(payload, compress=True)


def read_token(token: str) -> dict:
    """The payload of a confirmation link, or VoteError with a French message (expired, tampered)."""
    try:
        return signing.TimestampSigner(salt=TOKEN_SALT).unsign_object(token or "", max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise VoteError(_("Ce lien de confirmation a expiré : il était valable 48 heures. "
                          "Recommencez votre demande pour recevoir un nouveau lien.")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise VoteError(_("Ce lien de confirmation n'est pas valide. Vérifiez que vous avez copié "
                          "l'adresse complète reçue par courriel.")) from None


def vote_payload(campaign, collectivite, email, propositions, mode="vote") -> dict:
    return {"kind": "ballot", "mode": mode, "c": campaign.pk, "k": collectivite.pk, "e": email,
            "t": sorted(p.pk for p in propositions)}


def candidature_payload(candidature) -> dict:
    return {"kind": "candidature", "a": candidature.pk, "e": candidature.email}


# --- rate limit --------------------------------------------------------------------------------------
def rate_limited(request, scope: str = "vote") -> bool:
    """Count this request against the IP's budget (``VOTE_RATE_LIMIT``); True once it is exceeded."""
    return is_limited(request, f"vote:{scope}", getattr(settings, "VOTE_RATE_LIMIT", (10, 3600)))


def rate_limit_message() -> str:
    return _("Trop de demandes depuis votre connexion. Merci de réessayer dans une heure.")


# --- emails ------------------------------------------------------------------------------------------
def send_link_email(*, to: str, subject: str, template: str, context: dict):
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    text = render_to_string(f"thematiques/vote/email/{template}.txt", context)
    html = render_to_string(f"thematiques/vote/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    queue_email(message)


def confirm_url(request, token: str) -> str:
    path = reverse("thematiques:vote_confirm") + "?" + _urlencode({"jeton": token})
    return request.build_absolute_uri(path) if request is not None else settings.SITE_BASE_URL + path


def _urlencode(params):
    from urllib.parse import urlencode

    return urlencode(params)


# --- submission --------------------------------------------------------------------------------------
@dataclass
class Submission:
    """What happened to a valid form: ``sent`` (link mailed) or ``exists`` (second attempt)."""

    outcome: str
    ballot: Ballot | None = None
    masked_email: str = ""


def submit_vote(request, campaign: Campaign, collectivite: Collectivite, email: str, propositions) -> Submission:
    """Record a pending ballot and mail its confirmation link, unless the collectivité already has one."""
    if not campaign.is_open():
        raise VoteError(campaign.closed_refusal_message())
    stale_before = timezone.now() - TOKEN_MAX_AGE
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(campaign=campaign, collectivite=collectivite).first()
        if ballot is None:
            try:
                with transaction.atomic():
                    ballot = Ballot.objects.create(campaign=campaign, collectivite=collectivite, email=email,
                                                   webmail=is_webmail(email), status=Ballot.Status.EN_ATTENTE)
            except IntegrityError:
                ballot = Ballot.objects.select_for_update().get(campaign=campaign, collectivite=collectivite)
                return Submission("exists", ballot, mask_email(ballot.email))
        elif ballot.status == Ballot.Status.EN_ATTENTE and ballot.updated_at < stale_before:
            # Its link has expired without being used: the collectivité may start again.
            ballot.email, ballot.webmail = email, is_webmail(email)
            ballot.save(update_fields=["email", "webmail", "updated_at"])
        else:
            return Submission("exists", ballot, mask_email(ballot.email))
        ballot.choices.set(propositions)
    token = make_token(vote_payload(campaign, collectivite, email, propositions))
    send_link_email(
        to=email, template="confirmation",
        subject=_("Confirmez le vote de %(nom)s") % {"nom": collectivite.nom},
        context={"campaign": campaign, "collectivite": collectivite, "propositions": propositions,
                 "url": confirm_url(request, token), "change": False},
    )
    return Submission("sent", ballot, mask_email(email))


def request_change(request, campaign: Campaign, collectivite: Collectivite, propositions) -> Submission:
    """Mail a link that changes the collectivité's vote, to the address on record (never to a new one)."""
    if not campaign.is_open():
        raise VoteError(campaign.closed_refusal_message())
    ballot = Ballot.objects.filter(campaign=campaign, collectivite=collectivite).first()
    if ballot is None:
        raise VoteError(_("Aucun vote n'est enregistré pour cette collectivité : votez directement."))
    if not ballot.email:
        raise VoteError(_("L'adresse enregistrée pour ce vote a été effacée : contactez l'équipe de "
                          "Territoires en Commun pour le modifier."))
    token = make_token(vote_payload(campaign, collectivite, ballot.email, propositions, mode="change"))
    send_link_email(
        to=ballot.email, template="confirmation",
        subject=_("Confirmez la modification du vote de %(nom)s") % {"nom": collectivite.nom},
        context={"campaign": campaign, "collectivite": collectivite, "propositions": propositions,
                 "url": confirm_url(request, token), "change": True},
    )
    return Submission("sent", ballot, mask_email(ballot.email))


# --- confirmation ------------------------------------------------------------------------------------
@dataclass
class Confirmation:
    """``confirmed`` / ``moderation`` / ``changed`` / ``already`` plus the ballot."""

    outcome: str
    ballot: Ballot


def describe_token(payload: dict) -> dict:
    """What a link is about (for the page that asks to confirm), or VoteError."""
    if payload.get("kind") != "ballot":
        raise VoteError(_("Ce lien de confirmation n'est pas valide. Vérifiez que vous avez copié "
                          "l'adresse complète reçue par courriel."))
    campaign = Campaign.objects.filter(pk=payload.get("c")).first()
    collectivite = Collectivite.objects.filter(pk=payload.get("k")).first()
    if campaign is None or collectivite is None:
        raise VoteError(_("Ce lien ne correspond à aucune campagne ou collectivité connue."))
    propositions = list(campaign.propositions.select_related("thematique").filter(pk__in=payload.get("t") or []))
    return {"campaign": campaign, "collectivite": collectivite, "propositions": propositions,
            "masked_email": mask_email(payload.get("e", "")), "change": payload.get("mode") == "change"}


def confirm_vote(payload: dict, now=None) -> Confirmation:
    """Make a ballot count. Idempotent, and safe when many confirmations run at once.

    About ten queries: the campaign, its chosen propositions, then one transaction that locks the
    collectivité's ballot or inserts it (a lost race on the unique constraint is caught in a savepoint
    and resolved by reading the winner's row)."""
    if payload.get("kind") != "ballot":
        raise VoteError(_("Ce lien de confirmation n'est pas valide. Vérifiez que vous avez copié "
                          "l'adresse complète reçue par courriel."))
    campaign = Campaign.objects.filter(pk=payload.get("c")).first()
    collectivite_id = payload.get("k")
    if campaign is None or not collectivite_id:
        raise VoteError(_("Ce lien ne correspond à aucune campagne ou collectivité connue."))
    email, mode = payload.get("e") or "", payload.get("mode", "vote")
    if not campaign.is_open(now):
        raise VoteError(campaign.closed_refusal_message())
    wanted = payload.get("t") or []
    proposition_ids = list(CampaignThematique.objects.filter(campaign=campaign, pk__in=wanted).values_list("pk", flat=True))
    if not proposition_ids or len(proposition_ids) != len(wanted) or len(proposition_ids) > campaign.max_choices:
        raise VoteError(_("Les thématiques de ce lien ne sont plus proposées dans la campagne : votez à nouveau."))
    now = now or timezone.now()
    confirmed_status = Ballot.Status.A_MODERER if is_webmail(email) else Ballot.Status.CONFIRME
    fresh_outcome = "moderation" if confirmed_status == Ballot.Status.A_MODERER else "confirmed"
    try:
        return _confirm_locked(campaign, collectivite_id, email, mode, proposition_ids, confirmed_status, fresh_outcome, now)
    except IntegrityError:  # foreign keys are checked at commit on PostgreSQL: the collectivité is gone
        raise VoteError(_("Ce lien ne correspond à aucune campagne ou collectivité connue.")) from None


def _confirm_locked(campaign, collectivite_id, email, mode, proposition_ids, confirmed_status, fresh_outcome, now):
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(campaign=campaign, collectivite_id=collectivite_id).first()
        if ballot is None:
            try:
                with transaction.atomic():
                    ballot = Ballot.objects.create(
                        campaign=campaign, collectivite_id=collectivite_id, email=email, webmail=is_webmail(email),
                        status=confirmed_status, confirmed_at=now,
                    )
            except IntegrityError:
                if not Collectivite.objects.filter(pk=collectivite_id).exists():
                    raise VoteError(_("Ce lien ne correspond à aucune campagne ou collectivité connue.")) from None
                ballot = Ballot.objects.select_for_update().get(campaign=campaign, collectivite_id=collectivite_id)
            else:
                # A brand-new ballot has no choices yet: insert them directly (one query).
                Ballot.choices.through.objects.bulk_create(
                    [Ballot.choices.through(ballot_id=ballot.pk, campaignthematique_id=pk) for pk in proposition_ids])
                return Confirmation(fresh_outcome, ballot)
        if (ballot.email or "").lower() != email.lower():
            nom = Collectivite.objects.filter(pk=collectivite_id).values_list("nom", flat=True).first() or ""
            raise VoteError(_("Ce lien n'est plus valable : un autre vote a été enregistré pour %(nom)s depuis son envoi.")
                            % {"nom": nom})
        if ballot.status == Ballot.Status.EN_ATTENTE:
            ballot.status, ballot.confirmed_at = confirmed_status, now
            ballot.save(update_fields=["status", "confirmed_at", "updated_at"])
            ballot.choices.set(proposition_ids)
            return Confirmation(fresh_outcome, ballot)
        if mode == "change":
            ballot.choices.set(proposition_ids)
            ballot.save(update_fields=["updated_at"])
            return Confirmation("changed", ballot)
        return Confirmation("already", ballot)


# --- moderation ---------------------------------------------------------------------------------------
def validate_ballot(ballot: Ballot, user) -> Ballot:
    if ballot.status not in (Ballot.Status.A_MODERER, Ballot.Status.ANNULE, Ballot.Status.CONFIRME):
        raise VoteError(_("Seul un vote confirmé peut être validé."))
    ballot.status, ballot.cancel_reason = Ballot.Status.VALIDE, ""
    ballot.moderated_at, ballot.moderated_by = timezone.now(), user
    ballot.save(update_fields=["status", "cancel_reason", "moderated_at", "moderated_by", "updated_at"])
    return ballot


def cancel_ballot(ballot: Ballot, user, reason: str) -> Ballot:
    reason = (reason or "").strip()
    if not reason:
        raise VoteError(_("Indiquez le motif de l'annulation."))
    ballot.status, ballot.cancel_reason = Ballot.Status.ANNULE, reason
    ballot.moderated_at, ballot.moderated_by = timezone.now(), user
    ballot.save(update_fields=["status", "cancel_reason", "moderated_at", "moderated_by", "updated_at"])
    return ballot


# --- projets partagés ---------------------------------------------------------------------------------
def projets_open_to_candidatures():
    """Projets partagés that came out of a closed campaign: collectivités may apply to join them."""
    return ProjetPartagePage.objects.live().public().filter(campaigns__status=Campaign.Status.CLOS).distinct()


def submit_candidature(request, projet, collectivite, email, role, motivation="") -> Candidature:
    with transaction.atomic():
        candidature = Candidature.objects.select_for_update().filter(projet=projet, collectivite=collectivite).first()
        if candidature is not None and candidature.status != Candidature.Status.EN_ATTENTE:
            raise VoteError(_("%(nom)s a déjà candidaté à ce projet partagé (statut : %(status)s).")
                            % {"nom": collectivite.nom, "status": candidature.get_status_display()})
        if candidature is None:
            try:
                with transaction.atomic():
                    candidature = Candidature.objects.create(projet=projet, collectivite=collectivite, email=email,
                                                             webmail=is_webmail(email), role=role, motivation=motivation)
            except IntegrityError:
                raise VoteError(_("%(nom)s a déjà candidaté à ce projet partagé.") % {"nom": collectivite.nom}) from None
        else:
            candidature.email, candidature.webmail = email, is_webmail(email)
            candidature.role, candidature.motivation = role, motivation
            candidature.save()
    token = make_token(candidature_payload(candidature))
    send_link_email(
        to=email, template="candidature",
        subject=_("Confirmez la candidature de %(nom)s") % {"nom": collectivite.nom},
        context={"candidature": candidature, "url": confirm_url(request, token)},
    )
    return candidature


def confirm_candidature(payload: dict) -> Candidature:
    candidature = Candidature.objects.select_related("projet", "collectivite").filter(pk=payload.get("a")).first()
    if candidature is None or (candidature.email or "").lower() != (payload.get("e") or "").lower():
        raise VoteError(_("Ce lien ne correspond à aucune candidature en cours."))
    with transaction.atomic():
        candidature = Candidature.objects.select_for_update().get(pk=candidature.pk)
        if candidature.status == Candidature.Status.EN_ATTENTE:
            candidature.status, candidature.confirmed_at = Candidature.Status.A_EXAMINER, timezone.now()
            candidature.save(update_fields=["status", "confirmed_at"])
    return candidature


def accept_candidature(candidature: Candidature, user) -> ProjetPartageCollectivite:
    """Add the collectivité to the projet partagé; at most 5 parties prenantes (the projet row is locked)."""
    with transaction.atomic():
        projet = ProjetPartagePage.objects.select_for_update().get(pk=candidature.projet_id)
        candidature = Candidature.objects.select_for_update().get(pk=candidature.pk)
        if candidature.status != Candidature.Status.A_EXAMINER:
            raise VoteError(_("Seule une candidature confirmée et à examiner peut être acceptée."))
        if ProjetPartageCollectivite.objects.filter(page=projet, collectivite_id=candidature.collectivite_id).exists():
            raise VoteError(_("Cette collectivité participe déjà au projet partagé."))
        if candidature.role == Candidature.Role.PARTIE_PRENANTE:
            taken = ProjetPartageCollectivite.objects.filter(page=projet, role=Candidature.Role.PARTIE_PRENANTE).count()
            if taken >= Candidature.MAX_PARTIES_PRENANTES:
                raise VoteError(_("Ce projet partagé compte déjà %(max)d parties prenantes : acceptez cette "
                                  "collectivité comme observatrice ou refusez sa candidature.")
                                % {"max": Candidature.MAX_PARTIES_PRENANTES})
        participant = ProjetPartageCollectivite.objects.create(
            page=projet, collectivite_id=candidature.collectivite_id, role=candidature.role,
            sort_order=ProjetPartageCollectivite.objects.filter(page=projet).count(),
        )
        _keep_in_latest_revision(projet, participant, user)
        candidature.status, candidature.decided_at, candidature.decided_by = Candidature.Status.ACCEPTEE, timezone.now(), user
        candidature.save(update_fields=["status", "decided_at", "decided_by"])
    return participant


def _keep_in_latest_revision(projet, participant, user):
    """Record the new participant in a new revision too, so the next publication does not drop it."""
    if projet.latest_revision_id is None:
        return
    draft = projet.get_latest_revision_as_object()
    if any(p.collectivite_id == participant.collectivite_id for p in draft.participants.all()):
        return
    draft.participants.add(ProjetPartageCollectivite(collectivite_id=participant.collectivite_id, role=participant.role))
    revision = draft.save_revision(user=user, log_action=False, changed=False)
    if projet.live and not projet.has_unpublished_changes:
        revision.publish(user=user, log_action=False)


def refuse_candidature(candidature: Candidature, user, reason: str) -> Candidature:
    reason = (reason or "").strip()
    if not reason:
        raise VoteError(_("Indiquez le motif du refus."))
    if candidature.status == Candidature.Status.ACCEPTEE:
        raise VoteError(_("Cette candidature a déjà été acceptée : retirez la collectivité du projet partagé."))
    candidature.status, candidature.decision_reason = Candidature.Status.REFUSEE, reason
    candidature.decided_at, candidature.decided_by = timezone.now(), user
    candidature.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
    return candidature


def link_projet_partage(campaign: Campaign, user, parent=None) -> ProjetPartagePage:
    """Create (or reuse) the projet partagé on the winning thématique and link it to the campaign."""
    from thematiques.models import ProjetPartageIndexPage

    winner = campaign.winner()
    if winner is None:
        raise VoteError(_("La campagne doit être close et avoir au moins un vote pour désigner un gagnant."))
    if campaign.projet_partage_id:
        return campaign.projet_partage
    existing = ProjetPartagePage.objects.filter(thematique=winner.thematique).order_by("-pk").first()
    if existing is None:
        parent = parent or ProjetPartageIndexPage.objects.first()
        if parent is None:
            raise VoteError(_("Créez d'abord la page « index des projets partagés » pour y ranger le projet."))
        existing = ProjetPartagePage(
            title=winner.thematique.title, thematique=winner.thematique, theme_label=winner.thematique.title,
            status=ProjetPartagePage.Status.A_VENIR, live=False,
            chapo=_("Projet partagé issu du vote « %(title)s ».") % {"title": campaign.title},
        )
        parent.add_child(instance=existing)
        existing.save_revision(user=user)
    campaign.projet_partage = existing
    campaign.save(update_fields=["projet_partage", "updated_at"])
    return existing
