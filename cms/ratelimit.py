"""Per-IP rate limit of the public forms (vote, candidatures, contributions, contact).

Counted in the Django cache (shared between app servers with Redis) in a fixed window. The client's
address is ``cms.security.client_ip`` (REMOTE_ADDR unless ``TRUSTED_PROXIES`` are configured), and it is
hashed: the cache never holds a readable IP. Every POST counts, valid or not, so a robot cannot try
endlessly.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache

from .security import client_ip


def is_limited(request, scope: str, limit: tuple[int, int]) -> bool:
    """Count this request against the client's budget for ``scope``; True once ``limit`` = (count, seconds) is exceeded."""
    count_max, window = limit
    address = client_ip(request) or "inconnue"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > count_max
