"""Public views of the theme vote: the VotePage's form, confirmation links, the collectivité autocomplete
and the applications to projets partagés."""
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.cache import singleton_pages
from thematiques.models import Collectivite

from .forms import CandidatureForm, VoteForm
from .models import Campaign, VotePage
from .services import (
    VoteError,
    confirm_candidature,
    confirm_vote,
    describe_token,
    projets_open_to_candidatures,
    rate_limit_message,
    rate_limited,
    read_token,
    request_change,
    submit_candidature,
    submit_vote,
)


def vote_page_url(request=None) -> str:
    # Read with the library and the agenda in one query kept in the site version (not Wagtail's
    # public() query each time).
    page = singleton_pages().get(VotePage)
    return page.get_url(request) if page else ""


def serve_vote_page(page, request):
    """GET: the campaign (form if open, results otherwise); ``?campagne=<id>`` shows a past campaign's
    results. POST: a vote or a change request."""
    campaign = page.get_campaign()
    context = page.get_context(request)
    past = past_campaigns(campaign)
    if request.method == "GET" and "campagne" in request.GET:
        chosen = request.GET["campagne"]
        campaign = next((c for c in past if str(c.pk) == chosen), None)
        if campaign is None:
            raise Http404(_("Cette campagne de vote n'existe pas ou n'est pas close."))
        context["showing_past"] = True
    status = 200
    form = None
    if campaign is not None and campaign.is_open():
        form = VoteForm(campaign=campaign)
    if request.method == "POST":
        if campaign is None or not campaign.is_open():
            status = 403
            context["refusal"] = campaign.closed_refusal_message() if campaign else _("Aucune campagne de vote n'est ouverte.")
        else:
            form = VoteForm(request.POST, campaign=campaign)
            if rate_limited(request, "vote"):
                status = 429
                context["form_error"] = rate_limit_message()
            elif form.is_bot():
                status = 400
                context["form_error"] = _("Votre envoi a été refusé : un champ réservé à la détection des robots a "
                                          "été rempli. Si vous êtes une personne, videz le champ « Ne remplissez pas "
                                          "ce champ ».")
            elif form.is_valid():
                data = form.cleaned_data
                try:
                    if request.POST.get("action") == "changer":
                        context["submission"] = request_change(request, campaign, data["collectivite"], data["thematiques"])
                        context["change_sent"] = True
                    else:
                        submission = submit_vote(request, campaign, data["collectivite"], data["email"], data["thematiques"])
                        context["submission"] = submission
                        if submission.outcome == "exists":
                            status = 409
                            context["existing"] = submission
                        else:
                            context["vote_sent"] = True
                except VoteError as exc:
                    status = 400
                    context["form_error"] = str(exc)
                else:
                    context["collectivite"] = data["collectivite"]
            else:
                status = 400
    context.update({
        "campaign": campaign, "form": form, "past_campaigns": [c for c in past if c != campaign],
        "current_campaign": page.get_campaign(),
        "results": campaign.results_summary() if campaign else None,
        "selected_ids": form.selected_ids() if form is not None else set(),
        "autocomplete_url": reverse("thematiques:collectivites_autocomplete"),
    })
    return TemplateResponse(request, page.get_template(request), context, status=status)


def past_campaigns(current):
    """The closed campaigns a visitor may read the results of, most recent first."""
    return [c for c in Campaign.objects.filter(status__in=(Campaign.Status.CLOS, Campaign.Status.OUVERT))
            .order_by("-closes_at", "-pk") if c.is_closed() and c != current]


OUTCOMES = ("confirmed", "moderation", "changed", "already")


@never_cache
def confirm(request):
    """GET shows what the link confirms and a button; POST confirms (mail scanners only follow GET)
    then redirects (303) to the same link, which then shows the outcome and the live results."""
    token = request.POST.get("jeton") if request.method == "POST" else request.GET.get("jeton")
    context = {"token": token, "vote_page_url": SimpleLazyObject(lambda: vote_page_url(request))}
    try:
        payload = read_token(token)
        if payload.get("kind") == "candidature":
            context["kind"] = "candidature"
            if request.method == "POST":
                context["candidature"] = confirm_candidature(payload)
                context["done"] = True
            else:
                context["candidature"] = _candidature_for(payload)
        elif request.method == "POST":
            confirmation = confirm_vote(payload)
            query = urlencode({"jeton": token, "resultat": confirmation.outcome})
            return HttpResponseRedirect(f"{reverse('thematiques:vote_confirm')}?{query}", status=303)
        else:
            context["kind"] = "ballot"
            context.update(describe_token(payload))
            outcome = request.GET.get("resultat")
            if outcome in OUTCOMES and _confirmed_ballot_exists(context, payload):
                context.update(done=True, outcome=outcome, results=context["campaign"].results_summary())
            elif not context["campaign"].is_open():
                raise VoteError(context["campaign"].closed_refusal_message())
    except VoteError as exc:
        context["error"] = str(exc)
        return TemplateResponse(request, "thematiques/vote/confirm.html", context, status=400)
    return TemplateResponse(request, "thematiques/vote/confirm.html", context)


def _confirmed_ballot_exists(context, payload) -> bool:
    from .models import Ballot

    return (Ballot.objects.filter(campaign=context["campaign"], collectivite=context["collectivite"],
                                  email__iexact=payload.get("e") or "")
            .exclude(status=Ballot.Status.EN_ATTENTE).exists())


def _candidature_for(payload):
    from .models import Candidature

    candidature = Candidature.objects.select_related("projet", "collectivite").filter(pk=payload.get("a")).first()
    if candidature is None or (candidature.email or "").lower() != (payload.get("e") or "").lower():
        raise VoteError(_("Ce lien ne correspond à aucune candidature en cours."))
    return candidature


@require_GET
def collectivites_autocomplete(request):
    """``?q=mont`` → up to 10 collectivités whose name or code starts with it (JSON, for the datalist)."""
    rows = Collectivite.suggest(request.GET.get("q") or "").values("code", "nom", "echelon")
    labels = dict(Collectivite.Echelon.choices)
    results = [{"code": r["code"], "nom": r["nom"], "echelon": str(labels.get(r["echelon"], "")),
                "label": f"{r['nom']} ({labels.get(r['echelon'], '')}, {r['code']})"} for r in rows]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def candidature(request, projet_id):
    """Apply to join a projet partagé that came out of a vote, as partie prenante or observatrice."""
    projet = get_object_or_404(projets_open_to_candidatures(), pk=projet_id)
    if request.method not in ("GET", "POST"):
        raise Http404
    form = CandidatureForm(request.POST or None)
    context = {"projet": projet, "form": form, "vote_page_url": vote_page_url(request),
               "autocomplete_url": reverse("thematiques:collectivites_autocomplete"),
               "parties_prenantes": projet.parties_prenantes(), "observatrices": projet.observatrices()}
    status = 200
    if request.method == "POST":
        if rate_limited(request, "candidature"):
            status, context["form_error"] = 429, rate_limit_message()
        elif form.is_bot():
            status = 400
            context["form_error"] = _("Votre envoi a été refusé : un champ réservé à la détection des robots a été rempli.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                context["sent"] = submit_candidature(request, projet, data["collectivite"], data["email"], data["role"],
                                                     data.get("motivation", ""))
            except VoteError as exc:
                status, context["form_error"] = 400, str(exc)
        else:
            status = 400
    return TemplateResponse(request, "thematiques/vote/candidature.html", context, status=status)

