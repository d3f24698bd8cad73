"""Public views of the subscriptions: subscribe, confirm (double opt-in), unsubscribe (RFC 8058).

CSRF and the page cache. The form is in the footer of every page; a ``{% csrf_token %}`` there would
set the CSRF cookie on every response, and the page cache (cms/cache.py) stores no response that sets
a cookie: no page would ever be cached again. So the footer form carries no token, and the subscribe
view checks the request's origin instead (OWASP's "verifying origin with standard headers"): a POST
is accepted with a valid CSRF token (the form of the subscribe page itself, rendered with one), or
when the browser says it comes from this site (``Sec-Fetch-Site: same-origin``, or an ``Origin`` that
is this site or one of ``CSRF_TRUSTED_ORIGINS``). Anything else gets the subscribe page, values kept,
with a token, and is asked to send it again: nothing is recorded.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cms.ratelimit import is_limited

from . import subscriptions
from .models import Subscriber

HONEYPOT_FIELD = "site_web"
TEMPLATES = "newsletter/subscribe"
NO_FOOTER_FORM = {"subscribe_in_content": True}  # pages where a second subscribe form would be noise


class SubscribeForm(forms.Form):
    email = forms.CharField(
        label=gettext_lazy("Votre adresse électronique"), max_length=254,
        help_text=gettext_lazy("Format attendu : nom@exemple.fr"),
        error_messages={"required": gettext_lazy("Saisissez votre adresse électronique."),
                        "max_length": gettext_lazy("Cette adresse est trop longue (254 caractères au plus).")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(
        label=subscriptions.CONSENT_TEXT,
        error_messages={"required": gettext_lazy("Cochez la case pour accepter de recevoir la lettre.")},
    )
    source = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_email(self):
        return subscriptions.check_email(self.cleaned_data["email"])

    def is_spam(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())


def _origin_ok(request) -> bool:
    if request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin":
        return True
    origin = request.META.get("HTTP_ORIGIN")
    if not origin or origin == "null":
        return False
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    trusted = {o.rstrip("/") for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    return origin.rstrip("/") == own or origin.rstrip("/") in trusted


def _token_ok(request) -> bool:
    def _view(request):
        return None  # no csrf_exempt attribute: the middleware checks the token

    return CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, _view, (), {}) is None


def _source_path(value: str) -> str:
    parts = urlsplit(value or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return ""
    return parts.path[:500]


def _page(request, form, status=200, **extra):
    return TemplateResponse(request, f"{TEMPLATES}/subscribe.html",
                            {"form": form, "honeypot_field": HONEYPOT_FIELD, "subscribe_in_content": True, **extra}, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        return _page(request, SubscribeForm(initial={"source": _source_path(request.GET.get("depuis", ""))}))
    form = SubscribeForm(request.POST)
    if is_limited(request, "newsletter:subscribe", subscriptions.rate_limit()):
        return _page(request, form, status=429, rate_limited=True)
    if not (_origin_ok(request) or _token_ok(request)):  # origin first: no CSRF warning logged for the footer form
        form = SubscribeForm(initial={"email": (request.POST.get("email") or "")[:254],
                                      "source": _source_path(request.POST.get("source", ""))})
        return _page(request, form, status=403, unverified=True)
    if form.is_spam():
        return redirect("newsletter_subscribe_thanks")
    if not form.is_valid():
        return _page(request, form)
    try:
        subscriptions.request_subscription(form.cleaned_data["email"], request=request,
                                           source_url=_source_path(form.cleaned_data.get("source") or ""))
    except subscriptions.SubscriptionError as error:
        form.add_error(None, str(error))
        return _page(request, form, status=409)
    return redirect("newsletter_subscribe_thanks")


@require_GET
def subscribe_thanks(request):
    return TemplateResponse(request, f"{TEMPLATES}/thanks.html", {"days": subscriptions.CONFIRMATION_MAX_AGE.days})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (a mail scanner that follows links confirms nothing); POST confirms."""
    try:
        subscriber = subscriptions.read_confirmation_token(token)
    except subscriptions.LinkError as error:
        return TemplateResponse(request, f"{TEMPLATES}/link_invalid.html",
                                {"expired": error.expired},
                                status=410 if error.expired else 400)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return TemplateResponse(request, f"{TEMPLATES}/link_invalid.html",
                                {"expired": True},
                                status=410)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return TemplateResponse(request, f"{TEMPLATES}/confirmed.html", {"already": True, "subscriber": subscriber, **NO_FOOTER_FORM})
    if request.method == "GET":
        return TemplateResponse(request, f"{TEMPLATES}/confirm.html", {"subscriber": subscriber, **NO_FOOTER_FORM})
    changed = subscriptions.confirm(subscriber)
    return TemplateResponse(request, f"{TEMPLATES}/confirmed.html", {"already": not changed, "subscriber": subscriber, **NO_FOOTER_FORM})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button. POST (the button, or a mail client's RFC 8058 one-click POST with
    ``List-Unsubscribe=One-Click``): unsubscribe at once, no login, no confirmation. The signed token is
    the authorisation, hence no CSRF token (a mail client has none)."""
    try:
        email = subscriptions.read_unsubscribe_token(token)
    except subscriptions.LinkError:
        return TemplateResponse(request, f"{TEMPLATES}/link_invalid.html",
                                {"expired": False, "unsubscribe": True}, status=400)
    if request.method == "GET":
        return TemplateResponse(request, f"{TEMPLATES}/unsubscribe.html", {"email": email, "done": False, **NO_FOOTER_FORM})
    subscriptions.unsubscribe(email)
    return TemplateResponse(request, f"{TEMPLATES}/unsubscribe.html", {"email": email, "done": True, **NO_FOOTER_FORM})
