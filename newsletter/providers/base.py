"""What the three mailing-tool clients share: the error, the result types, the HTTP-status → French sentence.

Every call to a tool goes through a client of this package with a timeout (``MAILING_API_TIMEOUT``
seconds, 10 by default) and no retry of its own: a failure comes back at once as a ``ProviderError``
that says whether trying again later may help (``transient``) and when (``retry_after``); the task
queue (``cms.tasks.schedule_retry``) does the waiting, never a request thread.

Secrets never leave a client: the messages are built here from the status code and the tool's own
error text, with any configured secret cut out (``redact``), and the clients' ``repr`` shows none.
"""
from __future__ import annotations

import email.utils
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings

DEFAULT_TIMEOUT = 10.0


class ProviderError(Exception):
    """A mailing tool refused, failed or could not be reached. ``str()`` is one French line, never a key."""

    def __init__(self, message_fr: str, *, status: int | None = None, retry_after: float | None = None,
                 transient: bool = False):
        self.message_fr = " ".join(str(message_fr).split())  # one line, whatever the tool sent
        self.status = status
        self.retry_after = retry_after
        self.transient = transient
        super().__init__(self.message_fr)

    def __str__(self):
        return self.message_fr

    def __repr__(self):
        return f"ProviderError({self.message_fr!r}, status={self.status!r}, transient={self.transient!r})"


@dataclass
class Campaign:
    """A draft campaign in a tool: its id there and the address of its page in the tool's application."""

    id: str
    url: str
    created: bool = True  # False: an existing draft was updated


@dataclass
class CampaignStats:
    """The figures of a sent campaign (``None``: the tool does not give that figure)."""

    recipients: int | None = None
    opens: int | None = None
    clicks: int | None = None
    unsubscribes: int | None = None
    bounces: int | None = None
    links: list = field(default_factory=list)  # [{"url": str, "clicks": int}], most clicked first

    def as_dict(self) -> dict:
        data = asdict(self)
        data["links"] = sorted(data["links"], key=lambda row: (-(row.get("clicks") or 0), row.get("url", "")))
        return data


def timeout() -> float:
    return float(getattr(settings, "MAILING_API_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


def redact(text: str, secrets) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def parse_retry_after(value) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay in seconds or HTTP date, RFC 9110 § 10.2.3)."""
    if value in (None, ""):
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def short(text, limit: int = 300) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BaseClient:
    """One mailing tool. Subclasses set ``name``/``label`` and implement the methods below."""

    name = ""
    label = ""
    list_setting = ""  # the environment variable of the list, named in the errors

    def secrets(self) -> tuple:
        return ()

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url}>"

    # -- errors ----------------------------------------------------------------------------------

    def http_error(self, status: int, detail: str = "", retry_after: float | None = None) -> ProviderError:
        """The French sentence for a tool's HTTP error status (``detail``: the tool's own message)."""
        label = self.label
        detail = redact(short(detail), self.secrets())
        suffix = f" : « {detail} »" if detail else "."
        if status in (401, 403):
            message = (f"{label} refuse la clé d'API ({status}) : vérifiez la clé configurée "
                       f"({', '.join(self.key_settings)}).")
            return ProviderError(message, status=status)
        if status == 404:
            message = (f"{label} ne trouve pas la liste ou la campagne demandée (404) : "
                       f"vérifiez {self.list_setting}{suffix}")
            return ProviderError(message, status=status)
        if status == 429:
            wait = f" dans {round(retry_after)} s" if retry_after is not None else " plus tard"
            return ProviderError(f"{label} limite le nombre de requêtes (429) : réessayez{wait}.", status=status,
                                 retry_after=retry_after, transient=True)
        if status >= 500:
            return ProviderError(f"{label} est indisponible ({status}) : réessayez plus tard.", status=status,
                                 retry_after=retry_after, transient=True)
        return ProviderError(f"{label} a refusé la requête ({status}){suffix}", status=status)

    def network_error(self, error: Exception) -> ProviderError:
        kind = "délai dépassé" if "timeout" in type(error).__name__.lower() else "connexion impossible"
        return ProviderError(f"Impossible de joindre {self.label} ({kind}) : réessayez plus tard.", transient=True)

    def bad_response(self) -> ProviderError:
        return ProviderError(f"{self.label} a répondu de façon inattendue : réessayez plus tard.", transient=True)

    # -- contacts ----------------------------------------------------------------------------------

    def upsert_contact(self, email: str, *, first_name: str = "", attributes: dict | None = None) -> str:
        raise NotImplementedError

    def unsubscribe_contact(self, email: str) -> None:
        raise NotImplementedError

    # -- campaigns ---------------------------------------------------------------------------------

    def push_campaign(self, export, *, campaign_id: str | None = None, subject: str = "", preheader: str = "",
                      sender_name: str = "", sender_email: str = "", title: str = "") -> Campaign:
        raise NotImplementedError

    def send_test(self, campaign_id: str, recipients: list[str]) -> None:
        raise NotImplementedError

    def fetch_stats(self, campaign_id: str) -> CampaignStats:
        raise NotImplementedError
