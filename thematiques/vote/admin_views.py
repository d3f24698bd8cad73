"""Admin views of the theme vote: campaign results (exports, projet partagé), ballot and application moderation."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import exports
from .models import Ballot, Campaign, Candidature
from .services import (
    VoteError,
    accept_candidature,
    cancel_ballot,
    link_projet_partage,
    refuse_candidature,
    validate_ballot,
)


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/admin/") else default


def campaign_results(request, pk):
    _require(request, "thematiques.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    fmt = request.GET.get("export")
    if fmt == "csv":
        return exports.results_csv(campaign)
    if fmt == "xlsx":
        return exports.results_xlsx(campaign)
    return TemplateResponse(request, "thematiques/vote/admin/campaign_results.html", {
        "campaign": campaign, "results": campaign.results_summary(), "winner": campaign.winner(),
        "can_link": request.user.has_perm("thematiques.change_campaign"),
    })


@require_http_methods(["POST"])
def campaign_link_projet(request, pk):
    _require(request, "thematiques.change_campaign")
    _require(request, "wagtailadmin.access_admin")
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        projet = link_projet_partage(campaign, request.user)
    except VoteError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Le projet partagé « %(title)s » est lié à la campagne.") % {"title": projet.title})
    return redirect("thematiques_vote_campaign_results", pk=campaign.pk)


def _decide(request, obj, action, *, approve_action, index_url, approve, refuse, done, titles):
    """The confirm-then-act page shared by ballot and candidature moderation.

    GET shows the confirmation (with a reason field for a refusal); POST runs ``approve(obj, user)`` or
    ``refuse(obj, user, reason)``, then goes back with a message, or re-renders with the French error.
    """
    approving = action == approve_action
    nom = {"nom": obj.collectivite.nom}
    error = ""
    if request.method == "POST":
        try:
            if approving:
                approve(obj, request.user)
            else:
                refuse(obj, request.user, request.POST.get("reason", ""))
            messages.success(request, done[approving] % nom)
            return redirect(_back(request, index_url))
        except VoteError as exc:
            error = str(exc)
    return TemplateResponse(request, "thematiques/vote/admin/moderate.html", {
        "object": obj, "action": action, "error": error, "reason": request.POST.get("reason", ""),
        "next": _back(request, index_url), "needs_reason": not approving, "title": titles[approving] % nom,
    }, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def ballot_moderate(request, pk, action):
    _require(request, "thematiques.change_ballot")
    if action not in ("valider", "annuler"):
        raise Http404
    ballot = get_object_or_404(Ballot.objects.select_related("collectivite", "campaign"), pk=pk)
    return _decide(
        request, ballot, action, approve_action="valider",
        index_url=reverse("thematiques_ballot_modeladmin_index"), approve=validate_ballot, refuse=cancel_ballot,
        done={True: _("Le vote de %(nom)s est validé."), False: _("Le vote de %(nom)s est annulé.")},
        titles={True: _("Valider le vote de %(nom)s"), False: _("Annuler le vote de %(nom)s")},
    )


@require_http_methods(["GET", "POST"])
def candidature_decide(request, pk, action):
    _require(request, "thematiques.change_candidature")
    if action not in ("accepter", "refuser"):
        raise Http404
    candidature = get_object_or_404(Candidature.objects.select_related("collectivite", "projet"), pk=pk)
    return _decide(
        request, candidature, action, approve_action="accepter",
        index_url=reverse("thematiques_candidature_modeladmin_index"),
        approve=accept_candidature, refuse=refuse_candidature,
        done={True: _("%(nom)s rejoint le projet partagé."), False: _("La candidature de %(nom)s est refusée.")},
        titles={True: _("Accepter la candidature de %(nom)s"), False: _("Refuser la candidature de %(nom)s")},
    )
