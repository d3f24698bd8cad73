"""API clients of the mailing tools (Brevo, Mailchimp, Mailjet): contacts, draft campaigns, test sends, figures.

    from newsletter.providers import get_client, ProviderError, configured_tools
    client = get_client("brevo")          # from the settings; ProviderError if its keys are missing
    client.upsert_contact("a@b.fr", first_name="Ada")   # → the tool's contact id; idempotent
    client.unsubscribe_contact("a@b.fr")
    client.push_campaign(export, campaign_id=None, subject=…, preheader=…, sender_name=…, sender_email=…)
    client.send_test(campaign_id, ["a@b.fr"])
    client.fetch_stats(campaign_id)       # → CampaignStats

Every failure is a ``ProviderError``: one French sentence (never a key), the HTTP ``status`` if any,
``retry_after`` (seconds, from a 429's Retry-After) and ``transient`` (a retry later may succeed:
network failure, timeout, 429, 5xx).
"""
from __future__ import annotations

from .base import BaseClient, Campaign, CampaignStats, ProviderError

TOOLS = ("brevo", "mailchimp", "mailjet")

__all__ = ["TOOLS", "BaseClient", "Campaign", "CampaignStats", "ProviderError", "configured_tools", "get_client",
           "tool_label"]


def _classes():
    from .brevo import BrevoClient
    from .mailchimp import MailchimpClient
    from .mailjet import MailjetClient

    return {"brevo": BrevoClient, "mailchimp": MailchimpClient, "mailjet": MailjetClient}


def tool_label(tool: str) -> str:
    return {"brevo": "Brevo", "mailchimp": "Mailchimp", "mailjet": "Mailjet"}.get(tool, tool)


def get_client(tool: str) -> BaseClient:
    """The client of ``tool`` built from the settings (environment). Raises ProviderError if it is not configured."""
    classes = _classes()
    if tool not in classes:
        raise ProviderError(f"Outil inconnu « {tool} » : choisissez parmi {', '.join(TOOLS)}.")
    return classes[tool].from_settings()


def configured_tools() -> list[str]:
    """The tools whose keys and list are set, in the order of TOOLS."""
    tools = []
    for tool in TOOLS:
        try:
            get_client(tool)
        except ProviderError:
            continue
        tools.append(tool)
    return tools
