"""Rate limit of the contribution forms: ``CONTRIBUTIONS_RATE_LIMIT`` = (submissions, seconds),
10 per 15 minutes by default, counted per form (see cms/ratelimit.py)."""
from django.conf import settings

from cms.ratelimit import is_limited as _is_limited

DEFAULT_LIMIT = (10, 15 * 60)


def is_limited(request, scope: str) -> bool:
    """Count this request and say whether the client went over the limit for this form."""
    return _is_limited(request, f"contrib:{scope}", getattr(settings, "CONTRIBUTIONS_RATE_LIMIT", DEFAULT_LIMIT))
