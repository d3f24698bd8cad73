"""Public views of the contribution flows: share an event, contact ANCT, collectivité suggestions.

Each form: CSRF-protected POST, honeypot (a robot gets the thank-you page and nothing is stored),
per-IP rate limit (429 with a French message, values kept), redirect after success.
"""
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thematiques.models import Collectivite, ThematiquePage

from .contrib import services
from .contrib.ratelimit import is_limited
from .contrib.text import clean_line
from .forms import HONEYPOT_FIELD, ContactForm, EvenementContributionForm

TEMPLATES = "ressources/contributions"


def _rate_limited(request, template, context):
    context = {**context, "rate_limited": True,
               "rate_limit_message": _("Vous avez envoyé beaucoup de formulaires en peu de temps. "
                                       "Merci de patienter quelques minutes avant de réessayer : "
                                       "ce que vous avez saisi est conservé ci-dessous.")}
    return TemplateResponse(request, template, context, status=429)


def _agenda_url():
    from .models import AgendaIndexPage

    agenda = AgendaIndexPage.objects.live().public().order_by("path").first()
    return agenda.url if agenda else ""


@require_http_methods(["GET", "POST"])
def contribuer_evenement(request):
    template = f"{TEMPLATES}/evenement_form.html"
    # Lazy: only looked up when a page is rendered, not on a successful POST.
    context = {"honeypot_field": HONEYPOT_FIELD, "agenda_url": SimpleLazyObject(_agenda_url)}
    if request.method == "POST":
        form = EvenementContributionForm(request.POST)
        context["form"] = form
        if is_limited(request, "evenement"):
            return _rate_limited(request, template, context)
        if form.is_spam():
            return redirect("contribuer_evenement_merci")
        if form.is_valid():
            services.submit_contribution(form.contribution_data())
            return redirect("contribuer_evenement_merci")
        form.set_autofocus_on_first_error()
    else:
        context["form"] = EvenementContributionForm()
    return TemplateResponse(request, template, context)


@require_GET
def contribuer_evenement_merci(request):
    return TemplateResponse(request, f"{TEMPLATES}/evenement_merci.html", {"agenda_url": _agenda_url()})


def _thematique_from_query(request):
    slug = clean_line(request.GET.get("thematique", ""))[:255]
    if not slug:
        return None
    return ThematiquePage.objects.live().public().filter(slug=slug).first()


@require_http_methods(["GET", "POST"])
def contact_anct(request):
    template = f"{TEMPLATES}/contact_form.html"
    context = {"honeypot_field": HONEYPOT_FIELD}
    if request.method == "POST":
        form = ContactForm(request.POST)
        context["form"] = form
        if is_limited(request, "contact"):
            return _rate_limited(request, template, context)
        if form.is_spam():
            return redirect("contact_anct_merci")
        if form.is_valid():
            services.submit_contact(form.demande_data())
            return redirect("contact_anct_merci")
        form.set_autofocus_on_first_error()
        context["thematique"] = form.cleaned_data.get("thematique") if hasattr(form, "cleaned_data") else None
    else:
        thematique = _thematique_from_query(request)
        context["thematique"] = thematique
        context["form"] = ContactForm(initial={"thematique": thematique.pk if thematique else None})
    return TemplateResponse(request, template, context)


@require_GET
def contact_anct_merci(request):
    return TemplateResponse(request, f"{TEMPLATES}/contact_merci.html", {})


@require_GET
def collectivites_suggestions(request):
    """Up to 10 collectivités whose name or code starts with (or contains) the query, largest first."""
    matches = Collectivite.suggest(clean_line(request.GET.get("q", "")))
    return JsonResponse({"results": [{"code": c.code, "nom": c.nom, "label": str(c)} for c in matches]})
