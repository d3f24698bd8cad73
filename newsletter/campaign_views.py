"""Admin: « Créer la campagne dans <outil> » and « Envoyer un test via <outil> » on an edition.

Kept apart from wagtail_hooks.py (its own URLs and its own header-button hook, at the bottom of this
file) so that the edition's other header buttons can change without touching this.
"""
from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button

from .campaigns import latest_campaign, push_campaign, send_campaign_test
from .exports import ExportBlocked, can_export
from .models import NewsletterPage
from .providers import TOOLS, ProviderError, configured_tools, tool_label
from .views import TestSendForm, _edition_for


class PushForm(forms.Form):
    force = forms.BooleanField(label=gettext_lazy("Créer la campagne malgré les erreurs des vérifications"),
                               required=False)


class CampaignTestForm(TestSendForm):
    tool = None  # the tool is the one of the campaign


def _tool(tool: str) -> str:
    if tool not in TOOLS:
        raise Http404
    return tool


def campaign_push_view(request, page_id, tool):
    edition = _edition_for(request, page_id)
    tool = _tool(tool)
    label = tool_label(tool)
    form = PushForm(request.POST or None)
    error, checks = "", []
    if request.method == "POST" and form.is_valid():
        try:
            record = push_campaign(edition, tool, user=request.user, force=form.cleaned_data["force"])
        except ExportBlocked as exc:
            checks = [c for c in exc.checks if c.is_error]
            error = _("Campagne non créée : les vérifications ont trouvé des erreurs (ci-dessous).")
        except ProviderError as exc:
            error = _("Campagne non créée : %(error)s") % {"error": exc}
        else:
            created = getattr(record, "campaign_created", True)
            text = (_("Campagne créée dans %(tool)s (brouillon n° %(id)s) : relisez-la dans l'outil avant l'envoi.")
                    if created else
                    _("Campagne mise à jour dans %(tool)s (brouillon n° %(id)s) : relisez-la dans l'outil avant "
                      "l'envoi."))
            messages.success(request, text % {"tool": label, "id": record.campaign_id},
                             buttons=[messages.button(record.campaign_url, _("Ouvrir dans %(tool)s") % {"tool": label},
                                                      new_window=True)] if record.campaign_url else None)
            return redirect("wagtailadmin_pages:edit", edition.pk)
    return TemplateResponse(request, "newsletter/admin/campaign_push.html", {
        "page_title": _("Créer la campagne dans %(tool)s") % {"tool": label}, "subtitle": edition.title,
        "edition": edition, "tool": tool, "tool_label": label, "form": form, "error": error, "checks": checks,
        "current": latest_campaign(edition, tool),
    })


def campaign_test_view(request, page_id, tool):
    edition = _edition_for(request, page_id)
    tool = _tool(tool)
    label = tool_label(tool)
    current = latest_campaign(edition, tool)
    form = CampaignTestForm(request.POST or None, initial={"recipients": request.user.email})
    error = ""
    if request.method == "POST" and form.is_valid():
        recipients = form.cleaned_data["recipients"]
        try:
            send_campaign_test(edition, tool, recipients)
        except ProviderError as exc:
            error = _("Test non envoyé : %(error)s") % {"error": exc}
        else:
            messages.success(request, _("Test de la campagne envoyé par %(tool)s à %(recipients)s.")
                             % {"tool": label, "recipients": ", ".join(recipients)})
            return redirect("wagtailadmin_pages:edit", edition.pk)
    return TemplateResponse(request, "newsletter/admin/campaign_test.html", {
        "page_title": _("Envoyer un test via %(tool)s") % {"tool": label}, "subtitle": edition.title,
        "edition": edition, "tool": tool, "tool_label": label, "form": form, "error": error, "current": current,
    })


@hooks.register("register_admin_urls")
def register_campaign_urls():
    return [
        path("newsletter/<int:page_id>/campagne/<str:tool>/", campaign_push_view, name="newsletter_campaign_push"),
        path("newsletter/<int:page_id>/campagne/<str:tool>/test/", campaign_test_view,
             name="newsletter_campaign_test"),
    ]


def campaign_buttons(page, user):
    """« Créer la campagne dans <outil> » and « Envoyer un test via <outil> » for each configured tool."""
    if page.specific_class is not NewsletterPage or not can_export(user, page):
        return []
    buttons = []
    for index, tool in enumerate(configured_tools()):
        label = tool_label(tool)
        buttons.append(Button(_("Créer la campagne dans %(tool)s") % {"tool": label},
                              reverse("newsletter_campaign_push", args=[page.pk, tool]), icon_name="mail",
                              priority=20 + 2 * index))
        buttons.append(Button(_("Envoyer un test via %(tool)s") % {"tool": label},
                              reverse("newsletter_campaign_test", args=[page.pk, tool]), icon_name="mail",
                              priority=21 + 2 * index))
    return buttons


@hooks.register("register_page_header_buttons")
def newsletter_campaign_header_buttons(page, user, view_name=None, next_url=None):
    yield from campaign_buttons(page, user)
