"""Push an edition to a mailing tool as a draft campaign, send its test, bring its figures back.

``push_campaign(edition, tool)`` freezes an export of the edition for the tool (``export_edition``, the
same checks as a download) and creates the tool's draft campaign from it; pushing the same edition to
the same tool again updates that draft (its id is carried from export to export) rather than creating
a second one, unless the draft has been sent meanwhile. ``send_campaign_test`` asks the tool for its
own test send of the draft. ``fetch_stats`` / the ``fetch_campaign_stats`` task store the figures of
each pushed campaign on its export record (shown in the admin's export listing).
"""
from __future__ import annotations

import logging
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .exports import current_version, export_edition
from .providers import ProviderError, get_client, tool_label

logger = logging.getLogger(__name__)


def sender_of(edition) -> tuple[str, str]:
    """(name, address) of the edition's sender: its sender name, the site's sending address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return (edition.sender_name or name), address


def latest_campaign(edition, tool: str):
    """The last export of ``edition`` pushed to ``tool`` (it holds the draft's id), or None."""
    return (edition.exports.filter(tool=tool).exclude(campaign_id="")
            .order_by("-campaign_pushed_at", "-pk").first())


def _was_sent(record) -> bool:
    return bool((record.campaign_stats or {}).get("recipients"))


def push_campaign(edition, tool: str, *, user=None, force: bool = False, client=None):
    """Create (or update) the draft campaign of ``edition`` in ``tool``; return the export record.

    Raises ProviderError (the tool is not configured, refused or could not be reached: the export made
    for it is then removed, nothing is recorded) and ExportBlocked (the checks found errors).
    """
    client = client or get_client(tool)  # not configured: stop before exporting anything
    previous = latest_campaign(edition, tool)
    campaign_id = previous.campaign_id if previous is not None and not _was_sent(previous) else None
    record = export_edition(edition, tool, "html", user=user, force=force).record
    version = current_version(edition)
    sender_name, sender_email = sender_of(version)
    title = f"{record.edition_title} ({version.date:%d/%m/%Y})" if version.date else record.edition_title
    try:
        campaign = client.push_campaign(record, campaign_id=campaign_id, subject=record.subject,
                                        preheader=version.preheader, sender_name=sender_name,
                                        sender_email=sender_email, title=title)
    except ProviderError:
        record.delete()
        raise
    record.campaign_id = campaign.id
    record.campaign_url = campaign.url
    record.campaign_pushed_at = timezone.now()
    record.campaign_error = ""
    record.save(update_fields=["campaign_id", "campaign_url", "campaign_pushed_at", "campaign_error"])
    logger.info("Campagne %s %s dans %s pour « %s » (export %s)", campaign.id,
                "créée" if campaign.created else "mise à jour", tool, record.edition_title, record.pk)
    record.campaign_created = campaign.created
    return record


def send_campaign_test(edition, tool: str, recipients: list[str], *, client=None):
    """The tool's own test send of the edition's draft campaign. Returns the export record of the draft."""
    record = latest_campaign(edition, tool)
    if record is None:
        raise ProviderError(f"Aucune campagne de cette édition dans {tool_label(tool)} : "
                            f"créez d'abord la campagne.")
    client = client or get_client(tool)
    client.send_test(record.campaign_id, list(recipients))
    return record


def fetch_stats(record, *, client=None):
    """Fetch and store the figures of one pushed campaign. Raises ProviderError (recorded on the export)."""
    try:
        stats = (client or get_client(record.tool)).fetch_stats(record.campaign_id)
    except ProviderError as error:
        record.campaign_error = str(error)[:500]
        record.save(update_fields=["campaign_error"])
        raise
    record.campaign_stats = stats.as_dict()
    record.campaign_stats_at = timezone.now()
    record.campaign_error = ""
    record.save(update_fields=["campaign_stats", "campaign_stats_at", "campaign_error"])
    return record


def pushed_campaigns(tool: str | None = None):
    """The export record of each pushed campaign (the latest one per tool and campaign id)."""
    from .models import NewsletterExport

    records = NewsletterExport.objects.exclude(campaign_id="").order_by("tool", "campaign_id", "-campaign_pushed_at",
                                                                         "-pk")
    if tool:
        records = records.filter(tool=tool)
    seen, latest = set(), []
    for record in records.only("pk", "tool", "campaign_id", "campaign_pushed_at"):
        key = (record.tool, record.campaign_id)
        if key not in seen:
            seen.add(key)
            latest.append(record.pk)
    return NewsletterExport.objects.filter(pk__in=latest).order_by("-campaign_pushed_at", "-pk")


@task()
def fetch_campaign_stats(*, export_id: int | None = None, tool: str | None = None, attempt: int = 1) -> dict:
    """Figures back for every pushed campaign (or one export): a tool down or rate-limiting is tried again
    later for that campaign alone (``cms.tasks.schedule_retry``); a refusal is recorded on the export."""
    from cms.tasks import GiveUp, schedule_retry

    from .models import NewsletterExport

    records = (NewsletterExport.objects.filter(pk=export_id) if export_id else pushed_campaigns(tool))
    done, failed, retried = 0, 0, 0
    clients = {}
    for record in records:
        try:
            if record.tool not in clients:
                clients[record.tool] = get_client(record.tool)
            fetch_stats(record, client=clients[record.tool])
            done += 1
        except ProviderError as error:
            failed += 1
            if error.transient:
                try:
                    schedule_retry(fetch_campaign_stats, attempt=attempt if export_id else 1,
                                   kwargs={"export_id": record.pk}, error=error,
                                   describe=f"Statistiques de la campagne {record.campaign_id} ({record.tool})")
                    retried += 1
                except GiveUp:
                    pass
            else:
                logger.warning("Statistiques de la campagne %s (%s) : %s", record.campaign_id, record.tool, error)
    return {"fetched": done, "failed": failed, "retried": retried}
