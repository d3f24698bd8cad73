"""Operations endpoints: the load balancer's health check."""
import logging

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request):
    """200 « ok » when the database and the cache answer, 503 otherwise (one line saying which)."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        logger.error("Contrôle de santé : base de données injoignable : %s", exc)
        problems.append("base de données injoignable")
    try:
        cache = caches["default"]
        cache.set("health:ping", "1", 10)
        if cache.get("health:ping") != "1":
            problems.append("cache injoignable")
    except Exception as exc:  # noqa: BLE001 - any cache failure is a 503, never a 500
        logger.error("Contrôle de santé : cache injoignable : %s", exc)
        problems.append("cache injoignable")
    if problems:
        return HttpResponse("; ".join(problems) + "\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
