"""A per-IP rate limit on the public forms, counted in the cache (shared between processes with Redis).

``CONTRIBUTIONS_RATE_LIMIT`` = (submissions, seconds), 10 per 15 minutes by default, counted per form.
Every POST counts, valid or not, so a robot cannot try endlessly.
``CONTRIBUTIONS_IP_HEADER`` names the request.META key holding the client address behind a proxy
(e.g. ``HTTP_X_REAL_IP``); by default REMOTE_ADDR.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = (10, 15 * 60)


def client_ip(request) -> str:
    header = getattr(settings, "CONTRIBUTIONS_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() if value else ""
    return value or request.META.get("REMOTE_ADDR", "") or "inconnue"


def is_limited(request, scope: str) -> bool:
    """Count this request and say whether the client went over the limit for this form."""
    limit, window = getattr(settings, "CONTRIBUTIONS_RATE_LIMIT", DEFAULT_LIMIT)
    # The address is hashed: the cache never holds a readable IP.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()[:32]
    key = f"contrib-ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
