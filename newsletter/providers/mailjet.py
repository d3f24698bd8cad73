"""Mailjet API v3 (REST) through its maintained Python client, ``mailjet-rest``.

API reference: https://dev.mailjet.com/email/reference/ — contact lists
``POST /v3/REST/contactslist/{list_id}/managecontact`` with ``Action`` ``addforce`` / ``unsub``;
campaign drafts ``POST /v3/REST/campaigndraft``, ``PUT /v3/REST/campaigndraft/{id}``, content
``POST /v3/REST/campaigndraft/{id}/detailcontent`` (``Html-part``, ``Text-part``), test
``POST /v3/REST/campaigndraft/{id}/test``; statistics ``GET /v3/REST/campaign?NewsLetter={draft id}`` (the
sent campaign of a draft), ``GET /v3/REST/statcounters`` and ``GET /v3/REST/statistics/link-click``.
Authentication: HTTP Basic, API key and secret key. A successful answer is ``{"Count", "Data": […],
"Total"}``; an error is ``{"ErrorInfo", "ErrorMessage", "StatusCode"}`` with the HTTP status.

The client refuses a base URL outside mailjet.com or the loopback (its protection against SSRF):
``MAILJET_API_URL`` may point at a Mailjet host or at a local test server only.
"""
from __future__ import annotations

import requests
from django.conf import settings

from .base import BaseClient, Campaign, CampaignStats, ProviderError, parse_retry_after, timeout

DEFAULT_URL = "https://api.mailjet.com/v3"
APP_CAMPAIGN_URL = "https://app.mailjet.com/campaigns/creation/{id}"


class MailjetClient(BaseClient):
    name = "mailjet"
    label = "Mailjet"
    list_setting = "MAILJET_LIST_ID"
    key_settings = ("MAILJET_API_KEY", "MAILJET_API_SECRET")

    def __init__(self, api_key: str, api_secret: str, list_id: str, base_url: str = ""):
        from mailjet_rest import Client
        from mailjet_rest.utils.guardrails import SecureHTTPAdapter

        self._api_key, self._api_secret = api_key, api_secret
        self.list_id = str(list_id)
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        root, _, version = self.base_url.rpartition("/")
        if not version.startswith("v"):
            root, version = self.base_url, "v3"
        try:
            self._sdk = Client(auth=(api_key, api_secret), version=version, api_url=root + "/", timeout=timeout())
        except ValueError:
            raise ProviderError("MAILJET_API_URL doit désigner un serveur mailjet.com (ou un serveur local de "
                                "test).") from None
        # No retry inside the request: the task queue retries, with its back-off (the client's default
        # retries 429 and 5xx three times, sleeping in the caller's thread).
        self._sdk.session.mount("https://", SecureHTTPAdapter(max_retries=0))

    @classmethod
    def from_settings(cls):
        key = getattr(settings, "MAILJET_API_KEY", "")
        secret = getattr(settings, "MAILJET_API_SECRET", "")
        list_id = getattr(settings, "MAILJET_LIST_ID", "")
        if not key or not secret or not list_id:
            raise ProviderError("Mailjet n'est pas configuré : définissez MAILJET_API_KEY, MAILJET_API_SECRET "
                                "et MAILJET_LIST_ID.")
        return cls(key, secret, list_id, getattr(settings, "MAILJET_API_URL", ""))

    def secrets(self):
        return (self._api_key, self._api_secret)

    def _call(self, endpoint: str, verb: str, **kwargs) -> dict:
        from mailjet_rest.errors import ApiError, MailjetNetworkError

        try:
            response = getattr(getattr(self._sdk, endpoint), verb)(timeout=timeout(), **kwargs)
        except MailjetNetworkError as error:
            raise self.network_error(error) from None
        except ApiError as error:
            cause = error.__cause__
            response = getattr(cause, "response", None)
            if response is None:
                raise self.network_error(error) from None
            raise self._error(response) from None
        except requests.RequestException as error:
            raise self.network_error(error) from None
        if response.status_code >= 400:  # the client raises on these; kept for safety
            raise self._error(response)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise self.bad_response() from None
        if not isinstance(data, dict):
            raise self.bad_response()
        return data

    def _error(self, response) -> ProviderError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        detail = body.get("ErrorMessage") or ""
        if body.get("ErrorInfo"):
            detail = f"{detail} ({body['ErrorInfo']})" if detail else body["ErrorInfo"]
        return self.http_error(response.status_code, detail, parse_retry_after(response.headers.get("Retry-After")))

    @staticmethod
    def _first(data: dict) -> dict:
        rows = data.get("Data") or []
        return rows[0] if rows and isinstance(rows[0], dict) else {}

    # -- contacts ----------------------------------------------------------------------------------

    def upsert_contact(self, email: str, *, first_name: str = "", attributes: dict | None = None) -> str:
        body = {"Email": email, "Action": "addforce"}
        if first_name:
            body["Name"] = first_name
        if attributes:
            body["Properties"] = dict(attributes)
        data = self._call("contactslist_managecontact", "create", id=self.list_id, data=body)
        contact_id = self._first(data).get("ContactID")
        if contact_id in (None, ""):
            raise self.bad_response()
        return str(contact_id)

    def unsubscribe_contact(self, email: str) -> None:
        self._call("contactslist_managecontact", "create", id=self.list_id, data={"Email": email, "Action": "unsub"})

    # -- campaigns ---------------------------------------------------------------------------------

    def campaign_url(self, campaign_id) -> str:
        return APP_CAMPAIGN_URL.format(id=campaign_id)

    def push_campaign(self, export, *, campaign_id: str | None = None, subject: str = "", preheader: str = "",
                      sender_name: str = "", sender_email: str = "", title: str = "") -> Campaign:
        # Mailjet's drafts have no preheader field: the preheader is the hidden first line of the HTML.
        body = {"Locale": "fr_FR", "Title": title or export.edition_title, "Subject": subject or export.subject,
                "SenderName": sender_name, "SenderEmail": sender_email, "Sender": sender_name,
                "ContactsListID": int(self.list_id) if self.list_id.isdigit() else self.list_id}
        if campaign_id:
            self._call("campaigndraft", "update", id=campaign_id, data=body)
            new_id = str(campaign_id)
        else:
            new_id = str(self._first(self._call("campaigndraft", "create", data=body)).get("ID") or "")
            if not new_id:
                raise self.bad_response()
        self._call("campaigndraft_detailcontent", "create", id=new_id,
                   data={"Html-part": export.html, "Text-part": export.text})
        return Campaign(new_id, self.campaign_url(new_id), created=not campaign_id)

    def send_test(self, campaign_id: str, recipients: list[str]) -> None:
        self._call("campaigndraft_test", "create", id=campaign_id,
                   data={"Recipients": [{"Email": address, "Name": address} for address in recipients]})

    def fetch_stats(self, campaign_id: str) -> CampaignStats:
        campaign = self._first(self._call("campaign", "get", filters={"NewsLetter": campaign_id}))
        sent_id = campaign.get("ID")
        if not sent_id:
            return CampaignStats()  # the draft has not been sent yet: no figures
        counters = self._first(self._call("statcounters", "get", filters={
            "CounterSource": "Campaign", "CounterTiming": "Message", "CounterResolution": "Lifetime",
            "SourceId": sent_id}))
        links = self._call("statistics_linkClick", "get", filters={"CampaignId": sent_id})
        return CampaignStats(
            recipients=counters.get("MessageSentCount"),
            opens=counters.get("MessageOpenedCount"),
            clicks=counters.get("MessageClickedCount"),
            unsubscribes=counters.get("MessageUnsubscribedCount"),
            bounces=(counters.get("MessageHardBouncedCount") or 0) + (counters.get("MessageSoftBouncedCount") or 0)
            if counters else None,
            links=[{"url": row.get("URL", ""), "clicks": row.get("ClickedMessagesCount", 0)}
                   for row in links.get("Data") or []],
        )
