"""Compression of the site's own responses (static files are compressed at collectstatic by whitenoise)."""
from django.middleware.gzip import GZipMiddleware

# Already compressed (pictures, PDF, archives, fonts) gain nothing and would cost CPU.
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/rss+xml", "application/atom+xml",
                "application/javascript", "application/ld+json", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (padded against BREACH since Django 4.2), for text responses only."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
