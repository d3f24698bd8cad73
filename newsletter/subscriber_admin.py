"""Admin views of the subscribers: CSV export of the confirmed ones, CSV import, sync now."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import subscriptions

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _require(request, perm):
    if not request.user.has_perm(f"newsletter.{perm}_subscriber"):
        raise PermissionDenied


def export_view(request):
    _require(request, "view")
    response = HttpResponse(subscriptions.export_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="abonnes-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fichier CSV"),
                           error_messages={"required": gettext_lazy("Choisissez un fichier CSV.")})


def import_view(request):
    _require(request, "add")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            errors = [_("Le fichier dépasse 10 Mo : découpez-le.")]
        else:
            try:
                result = subscriptions.import_csv(upload.read())
            except subscriptions.ImportErrors as error:
                errors = error.errors
            else:
                messages.success(request, result.summary())
                return redirect("newsletter_subscriber_modeladmin_index")
    return TemplateResponse(request, "newsletter/admin/subscriber_import.html",
                            {"page_title": _("Importer des abonnés"), "subtitle": "", "form": form, "errors": errors},
                            status=400 if errors else 200)


@require_POST
def sync_view(request):
    _require(request, "change")
    synced, errors = subscriptions.sync_pending(limit=500)
    if synced:
        messages.success(request, _("%(count)d abonné(s) synchronisé(s).") % {"count": synced})
    if errors:
        messages.error(request, _("%(count)d abonné(s) toujours à synchroniser ; première erreur : %(error)s")
                       % {"count": len(errors), "error": errors[0]})
    if not synced and not errors:
        messages.info(request, _("Aucun abonné à synchroniser."))
    return redirect("newsletter_subscriber_modeladmin_index")
