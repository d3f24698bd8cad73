"""Mailchimp Marketing API v3, with ``requests`` against the documented REST API.

Why not Mailchimp's own client: ``mailchimp-marketing`` (3.0.80) was last released in November 2022,
is generated code with no timeout by default and pins nothing we can rely on; the REST API it wraps is
small, stable and fully documented, and ``requests`` is already installed (mailjet-rest uses it).

API reference: https://mailchimp.com/developer/marketing/api/ — list members
``PUT /3.0/lists/{list_id}/members/{subscriber_hash}`` (hash: MD5 of the lower-cased address;
``status_if_new`` / ``status``), campaigns ``POST /3.0/campaigns``, ``PATCH /3.0/campaigns/{id}``,
content ``PUT /3.0/campaigns/{id}/content``, test ``POST /3.0/campaigns/{id}/actions/test``, reports
``GET /3.0/reports/{id}`` and ``GET /3.0/reports/{id}/click-details``. Authentication: HTTP Basic, any
user name, the key as password. The data centre is the key's suffix (``…-us21`` → ``us21.api.mailchimp.com``).
Errors are RFC 7807 problem documents: ``{"type", "title", "status", "detail", "instance"}``
(https://mailchimp.com/developer/marketing/docs/errors/).
"""
from __future__ import annotations

import hashlib

import requests
from django.conf import settings

from .base import BaseClient, Campaign, CampaignStats, ProviderError, parse_retry_after, timeout

DEFAULT_URL = "https://{dc}.api.mailchimp.com/3.0"
APP_CAMPAIGN_URL = "https://{dc}.admin.mailchimp.com/campaigns/edit?id={web_id}"


def subscriber_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()  # noqa: S324 (Mailchimp's own id)


class MailchimpClient(BaseClient):
    name = "mailchimp"
    label = "Mailchimp"
    list_setting = "MAILCHIMP_AUDIENCE_ID"
    key_settings = ("MAILCHIMP_API_KEY",)

    def __init__(self, api_key: str, audience_id: str, base_url: str = ""):
        self._api_key = api_key
        self.audience_id = audience_id
        self.dc = api_key.rsplit("-", 1)[1] if "-" in api_key else ""
        if not base_url and not self.dc:
            raise ProviderError("MAILCHIMP_API_KEY ne se termine pas par le centre de données (« -us21 » par "
                                "exemple) : copiez la clé entière depuis Mailchimp.")
        self.base_url = (base_url or DEFAULT_URL.format(dc=self.dc)).rstrip("/")
        self.session = requests.Session()
        self.session.auth = ("anystring", api_key)
        self.session.headers.update({"Accept": "application/json"})

    @classmethod
    def from_settings(cls):
        key = getattr(settings, "MAILCHIMP_API_KEY", "")
        audience = getattr(settings, "MAILCHIMP_AUDIENCE_ID", "")
        if not key or not audience:
            raise ProviderError("Mailchimp n'est pas configuré : définissez MAILCHIMP_API_KEY et MAILCHIMP_AUDIENCE_ID.")
        return cls(key, audience, getattr(settings, "MAILCHIMP_API_URL", ""))

    def secrets(self):
        return (self._api_key,)

    def _request(self, method: str, path: str, json=None, params=None) -> dict:
        try:
            response = self.session.request(method, self.base_url + path, json=json, params=params,
                                            timeout=timeout())
        except requests.RequestException as error:
            raise self.network_error(error) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            body = body if isinstance(body, dict) else {}
            detail = body.get("detail") or body.get("title") or ""
            for problem in body.get("errors") or []:  # field errors of a 400
                if isinstance(problem, dict) and problem.get("message"):
                    detail = f"{detail} {problem.get('field', '')} : {problem['message']}".strip()
            raise self.http_error(response.status_code, detail, parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise self.bad_response() from None
        if not isinstance(data, dict):
            raise self.bad_response()
        return data

    # -- contacts ----------------------------------------------------------------------------------

    def member_path(self, email: str) -> str:
        return f"/lists/{self.audience_id}/members/{subscriber_hash(email)}"

    def upsert_contact(self, email: str, *, first_name: str = "", attributes: dict | None = None) -> str:
        merge_fields = dict(attributes or {})
        if first_name:
            merge_fields.setdefault("FNAME", first_name)
        body = {"email_address": email, "status_if_new": "subscribed", "status": "subscribed"}
        if merge_fields:
            body["merge_fields"] = merge_fields
        data = self._request("PUT", self.member_path(email), json=body)
        return str(data.get("id") or subscriber_hash(email))

    def unsubscribe_contact(self, email: str) -> None:
        try:
            self._request("PATCH", self.member_path(email), json={"status": "unsubscribed"})
        except ProviderError as error:
            if error.status != 404:  # not a member: nothing to unsubscribe
                raise

    # -- campaigns ---------------------------------------------------------------------------------

    def campaign_url(self, web_id) -> str:
        return APP_CAMPAIGN_URL.format(dc=self.dc or "admin", web_id=web_id)

    def push_campaign(self, export, *, campaign_id: str | None = None, subject: str = "", preheader: str = "",
                      sender_name: str = "", sender_email: str = "", title: str = "") -> Campaign:
        body = {
            "type": "regular",
            "recipients": {"list_id": self.audience_id},
            "settings": {"subject_line": subject or export.subject, "preview_text": preheader,
                         "title": title or export.edition_title, "from_name": sender_name,
                         "reply_to": sender_email},
        }
        if campaign_id:
            body.pop("type")
            data = self._request("PATCH", f"/campaigns/{campaign_id}", json=body)
        else:
            data = self._request("POST", "/campaigns", json=body)
        new_id = str(data.get("id") or campaign_id or "")
        if not new_id:
            raise self.bad_response()
        self._request("PUT", f"/campaigns/{new_id}/content", json={"html": export.html, "plain_text": export.text})
        return Campaign(new_id, self.campaign_url(data.get("web_id", "")), created=not campaign_id)

    def send_test(self, campaign_id: str, recipients: list[str]) -> None:
        self._request("POST", f"/campaigns/{campaign_id}/actions/test",
                      json={"test_emails": list(recipients), "send_type": "html"})

    def fetch_stats(self, campaign_id: str) -> CampaignStats:
        report = self._request("GET", f"/reports/{campaign_id}")
        clicks = self._request("GET", f"/reports/{campaign_id}/click-details", params={"count": 1000})
        bounces = report.get("bounces") or {}
        return CampaignStats(
            recipients=report.get("emails_sent"),
            opens=(report.get("opens") or {}).get("unique_opens"),
            clicks=(report.get("clicks") or {}).get("unique_subscriber_clicks"),
            unsubscribes=report.get("unsubscribed"),
            bounces=(bounces.get("hard_bounces") or 0) + (bounces.get("soft_bounces") or 0) if bounces else None,
            links=[{"url": row.get("url", ""), "clicks": row.get("total_clicks", 0)}
                   for row in clicks.get("urls_clicked") or []],
        )
