"""Security glue: the per-area Content-Security-Policy and the admin login lockout page."""
from dataclasses import replace

from axes.helpers import get_cool_off
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp with two policies: the strict public one, and the Wagtail-compatible admin one.

    The admin policy (``CONTENT_SECURITY_POLICY_ADMIN``) applies under ``CSP_ADMIN_PREFIXES``; a
    view may still customise its policy with django-csp's decorators.
    """

    _memo: dict = {}

    def process_response(self, request, response):
        """The same headers as django-csp's, built once per policy when nothing varies per response.

        Building them (dataclasses, directive sorting) took a fifth of a page-cache hit. They vary
        only with a nonce, a view's CSP decorators or a header the view set itself: those responses
        take django-csp's usual path, and so does every response while the settings change (tests).
        """
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.middleware import CheckableLazyObject

        varies = (getattr(request, "_csp_nonce", None) is not None or HEADER in response
                  or HEADER_REPORT_ONLY in response
                  or any(getattr(response, f"_csp_{kind}", None) is not None for kind in
                         ("config", "update", "replace", "config_ro", "update_ro", "replace_ro"))
                  or getattr(response, "_csp_exempt", False) or getattr(response, "_csp_exempt_ro", False))
        admin = request.path_info.startswith(tuple(getattr(settings, "CSP_ADMIN_PREFIXES", ())))
        policies = (getattr(settings, "CONTENT_SECURITY_POLICY", None),
                    getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None),
                    getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None))
        memo = None if varies else self._memo.get(admin)
        if memo is None or any(a is not b for a, b in zip(memo[0], policies, strict=False)):
            response = super().process_response(request, response)
            if not varies and not any((p or {}).get("EXCLUDE_URL_PREFIXES") for p in policies):
                self._memo[admin] = (policies, [(h, response[h]) for h in (HEADER, HEADER_REPORT_ONLY)
                                                if h in response])
            return response
        for header, value in memo[1]:
            response[header] = value
        # As django-csp does: a nonce asked for once the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(tuple(getattr(settings, "CSP_ADMIN_PREFIXES", ()))):
            admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
            if admin_policy:
                from csp.utils import default_config

                return replace(parts, config=default_config(admin_policy["DIRECTIVES"]))
        return parts


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout page: says in French why the login is refused and for how long."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    if minutes:
        message = _("Trop de tentatives de connexion échouées pour cet identifiant. "
                    "La connexion est bloquée pendant %(minutes)s minutes : réessayez plus tard.") % {"minutes": minutes}
    else:
        message = _("Trop de tentatives de connexion échouées pour cet identifiant. "
                    "Contactez un administrateur pour débloquer le compte.")
    # Rendered now: axes returns it from a middleware, after the template-response phase.
    return render(request, "cms/connexion_bloquee.html", {"message": message},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


def client_ip(request):
    """The visitor's address behind ``TRUSTED_PROXY_COUNT`` reverse proxies (load balancer, CDN).

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
    client is the N-th entry from the right; anything further left was written by the client and is
    ignored. Without proxies (count 0) it is REMOTE_ADDR.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
