"""Security glue: the per-area Content-Security-Policy, the admin login lockout page, the client's
address behind trusted proxies, and the rejection of input no database stores."""
import ipaddress
from dataclasses import replace
from functools import lru_cache

from axes.helpers import get_cool_off
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
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


def _address(value) -> str | None:
    """``value`` as a normalised IP address, or None when it is not one (garbage a client wrote)."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple) -> tuple:
    """The networks of ``TRUSTED_PROXIES`` (addresses or CIDR blocks)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES : « {entry} » n'est ni une adresse IP ni un réseau (10.0.0.0/8, 2001:db8::/32)."
            ) from exc
    return tuple(networks)


def client_ip(request):
    """The visitor's address, for the forms' rate limits and the admin login lockout (django-axes).

    By default (no proxy configured) it is the address of the TCP peer, REMOTE_ADDR: an
    X-Forwarded-For header is written by whoever sends the request, so it is ignored.

    - ``TRUSTED_PROXIES`` (addresses or CIDR blocks of the load balancer, CDN…): when the peer is one
      of them, X-Forwarded-For is read from the right, each proxy having appended the address it
      received the request from; the client is the first address that is not a trusted proxy.
      A request from any other peer is judged by the peer's own address.
    - ``TRUSTED_PROXY_COUNT`` = N, without ``TRUSTED_PROXIES``: the N-th entry from the right, for a
      deployment where gunicorn is reachable only through exactly N proxies (the deployer's word).
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or request.META.get("REMOTE_ADDR")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if networks:
        def trusted(address):
            ip = ipaddress.ip_address(address)
            return any(ip in network for network in networks if network.version == ip.version)

        if remote is None or _address(remote) is None or not trusted(remote):
            return remote
        client = remote
        for entry in reversed(forwarded):
            address = _address(entry)
            if address is None:
                break
            client = address
            if not trusted(address):
                break
        return client
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if count > 0 and len(forwarded) >= count:
        return _address(forwarded[-count]) or remote
    return remote


class BadInputMiddleware:
    """A 400 for what no database stores (a NUL character in the path, the query string or a form),
    and the ``Permissions-Policy`` header (``PERMISSIONS_POLICY``) on every response.

    PostgreSQL refuses a NUL in a text parameter: without this, any lookup of such a value was a
    500. Multipart bodies (the admin's uploads) are left to their views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_null_character(request):
            response = self.bad_request(request)
        else:
            response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response

    @staticmethod
    def _has_null_character(request) -> bool:
        if "\x00" in request.path_info:
            return True
        params = [request.GET]
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            params.append(request.POST)
        return any("\x00" in key or any("\x00" in v for v in values)
                   for query in params for key, values in query.lists())

    @staticmethod
    def bad_request(request):
        message = _("Votre demande contient un caractère invalide (caractère nul) : elle ne peut pas être traitée.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"message": message}, status=400)
        return render(request, "400.html", {"message": message, "meta_title": _("Demande invalide")}, status=400)
