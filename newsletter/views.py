"""Admin views of the newsletter: new pre-filled edition, export with checks, test send, downloads."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.typography import plural_fr, size_fr

from .checks import check_edition
from .exports import ExportBlocked, can_export, current_version, export_edition, record_content, send_test
from .models import NewsletterExport, NewsletterIndexPage, NewsletterPage
from .profiles import profile_choices
from .rendering import render_email

FORMAT_CHOICES = [
    ("html", gettext_lazy("HTML (à coller dans l'outil d'envoi)")),
    ("txt", gettext_lazy("Texte brut")),
    ("zip", gettext_lazy("Archive ZIP (HTML, texte, métadonnées)")),
    ("eml", gettext_lazy("Message .eml (s'ouvre dans un client de messagerie)")),
]


class ExportForm(forms.Form):
    tool = forms.ChoiceField(label=gettext_lazy("Outil d'envoi"), choices=profile_choices, initial="mailchimp")
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMAT_CHOICES, initial="html")
    force = forms.BooleanField(label=gettext_lazy("Exporter malgré les erreurs"), required=False,
                               help_text=gettext_lazy("L'export sera enregistré comme forcé."))


class TestSendForm(forms.Form):
    recipients = forms.CharField(
        label=gettext_lazy("Destinataires"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Une ou plusieurs adresses, séparées par des virgules ou des retours à la ligne."),
    )
    tool = forms.ChoiceField(label=gettext_lazy("Rendu de l'outil"), choices=profile_choices, initial="generic")

    def clean_recipients(self):
        raw = self.cleaned_data["recipients"].replace(";", ",").replace("\n", ",")
        addresses = [a.strip() for a in raw.split(",") if a.strip()]
        if not addresses:
            raise forms.ValidationError(_("Saisissez au moins une adresse."))
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError(_("Adresse invalide : %(addresses)s.") % {"addresses": ", ".join(invalid)})
        if len(addresses) > 20:
            raise forms.ValidationError(_("Vingt adresses au plus pour un envoi de test."))
        return addresses


def _edition_for(request, page_id) -> NewsletterPage:
    edition = get_object_or_404(NewsletterPage, pk=page_id)
    if not can_export(request.user, edition):
        raise PermissionDenied
    return edition


def export_view(request, page_id):
    edition = _edition_for(request, page_id)
    form = ExportForm(request.POST or None, initial={"tool": request.GET.get("tool", "mailchimp")})
    tool = (form.data.get("tool") if form.is_bound else request.GET.get("tool")) or "mailchimp"
    if tool not in dict(profile_choices()):
        tool = "mailchimp"
    blocked, compatibility = False, None
    if request.method == "POST" and form.is_valid():
        try:
            result = export_edition(edition, form.cleaned_data["tool"], form.cleaned_data["format"],
                                    user=request.user, force=form.cleaned_data["force"], request=None)
        except ExportBlocked as exc:
            blocked = True
            checks, compatibility = exc.checks, exc.compatibility
        else:
            record = result.record
            messages.success(request, format_html(
                _("Export enregistré : {name} ({size}), SHA-256 {sha}. {download} · {record}"),
                name=result.filename, size=size_fr(len(result.content)), sha=record.sha256,
                download=format_html('<a href="{}">{}</a>', reverse("newsletter_export_download", args=[record.pk]),
                                     _("Télécharger le fichier")),
                record=format_html('<a href="{}">{}</a>', record_url(record), _("Voir l'enregistrement de l'export")),
            ))
            return redirect(f"{reverse('newsletter_export', args=[edition.pk])}?tool={record.tool}&fait={record.pk}")
    else:
        version = current_version(edition)
        rendered = render_email(version, tool)
        checks, compatibility = check_edition(version, rendered), rendered.compatibility
    done = None
    if request.method == "GET" and (request.GET.get("fait") or "").isdigit():
        done = NewsletterExport.objects.filter(edition=edition, pk=int(request.GET["fait"])).first()
    exports = list(NewsletterExport.objects.filter(edition=edition).select_related("user")
                   .defer("html", "text", "web_html", "payload")[:20])
    for record in exports:
        record.matches_current = record.revision_id is not None and record.revision_id == edition.latest_revision_id
        record.admin_url = record_url(record)
    return TemplateResponse(request, "newsletter/admin/export.html", {
        "page_title": _("Exporter l'édition"), "subtitle": edition.title, "edition": edition, "form": form,
        "checks": checks, "blocked": blocked, "compatibility": compatibility, "done": done,
        "has_errors": any(c.is_error for c in checks), "summary": checks_summary(checks),
        "edit_url": reverse("wagtailadmin_pages:edit", args=[edition.pk]),
        "exports": exports,
    })


def checks_summary(checks) -> str:
    """« 2 erreurs et 1 avertissement », « aucun problème »."""
    errors = sum(1 for c in checks if c.is_error)
    warnings = len(checks) - errors
    parts = [plural_fr(errors, "erreur")] if errors else []
    if warnings:
        parts.append(plural_fr(warnings, "avertissement"))
    return " et ".join(parts) if parts else _("aucun problème")


def checks_fragment_view(request, page_id):
    """The pre-export checks of the edition as last saved, as an HTML fragment for Wagtail's checks side
    panel of the edit view (newsletter/static/newsletter/desk-checks.js fetches it when the panel opens):
    the rendering takes a while on a big edition, the edit view does not wait for it."""
    edition = _edition_for(request, page_id)
    tool = request.GET.get("tool") or "mailchimp"
    if tool not in dict(profile_choices()):
        tool = "mailchimp"
    version = current_version(edition)
    checks = check_edition(version, render_email(version, tool))
    return TemplateResponse(request, "newsletter/admin/_checks_panel.html", {
        "edition": edition, "checks": checks, "summary": checks_summary(checks), "edit_url": "",
        "tool": dict(profile_choices())[tool], "export_url": f"{export_url(edition)}?tool={tool}",
        "saved_at": getattr(version, "latest_revision_created_at", None),
    })


def record_url(record) -> str:
    """The export's record in the admin (the « Exports de newsletter » inspect view)."""
    return reverse("newsletter_newsletterexport_modeladmin_inspect", args=[record.pk])


def test_send_view(request, page_id):
    edition = _edition_for(request, page_id)
    form = TestSendForm(request.POST or None, initial={"recipients": request.user.email})
    if request.method == "POST" and form.is_valid():
        recipients = form.cleaned_data["recipients"]
        send_test(edition, recipients, user=request.user, tool=form.cleaned_data["tool"])
        messages.success(request, _("Édition envoyée en test à %(recipients)s.") % {"recipients": ", ".join(recipients)})
        return redirect("wagtailadmin_pages:edit", edition.pk)
    return TemplateResponse(request, "newsletter/admin/test_send.html",
                            {"page_title": _("Envoi de test"), "subtitle": edition.title, "edition": edition,
                             "form": form})


class NewEditionForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Objet du courriel"), max_length=255, required=False,
                              help_text=gettext_lazy("Suggéré d'après la thématique du mois ; modifiable."))
    preheader = forms.CharField(label=gettext_lazy("Texte d'aperçu"), max_length=255, required=False,
                                help_text=gettext_lazy("Affiché après l'objet dans la boîte de réception."))


def new_edition_view(request, index_id):
    from .compose import create_prefilled_edition, plan_edition

    index = get_object_or_404(NewsletterIndexPage, pk=index_id)
    if not index.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    plan = plan_edition(index)
    form = NewEditionForm(request.POST or None, initial={"subject": plan.subject, "preheader": plan.preheader})
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, "newsletter/admin/new_edition.html",
                                {"page_title": _("Nouvelle édition"), "subtitle": index.title, "index": index,
                                 "plan": plan, "form": form})
    edition = create_prefilled_edition(index, user=request.user, plan=plan, subject=form.cleaned_data["subject"],
                                       preheader=form.cleaned_data["preheader"])
    messages.success(request, format_html(
        "{}<ul>{}</ul>", _("Nouvelle édition créée en brouillon, pré-remplie depuis le site : ajustez-la puis publiez-la."),
        format_html_join("", "<li>{}</li>", ((line,) for line in plan.summary))))
    return redirect("wagtailadmin_pages:edit", edition.pk)


def download_export_view(request, pk):
    record = get_object_or_404(NewsletterExport.objects.select_related("edition"), pk=pk)
    if record.edition is None:
        if not request.user.is_superuser:
            raise PermissionDenied
    elif not can_export(request.user, record.edition):
        raise PermissionDenied
    result = record_content(record)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


def export_url(edition) -> str:
    return reverse("newsletter_export", args=[edition.pk])


def email_preview_view(request, page_id):
    """« Aperçu e-mail »: the e-mail of the edition as last saved, as subscribers get it (generic tool,
    working links), under the e-mail's own Content-Security-Policy (the admin's does not apply)."""
    from .models import email_preview_csp

    edition = _edition_for(request, page_id)
    tool = request.GET.get("tool") or "generic"
    if tool not in dict(profile_choices()):
        tool = "generic"
    response = HttpResponse(render_email(current_version(edition), tool, request=request, preview=True).html)
    response._csp_config = email_preview_csp(request)  # django-csp 4's per-view policy, as @csp sets it
    return response
