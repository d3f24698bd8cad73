"""The admin upload form: one or more archived edition files."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .reading import MAX_BYTES, human_size

MAX_FILES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if not data:
            return single(None, initial)  # "Choisissez au moins un fichier."
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else single(data, initial)


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Fichiers des éditions"), allow_empty_file=True,
        help_text=_("HTML exporté de Mailchimp, Brevo, Mailjet, MJML, ou un export du site (.html, .eml, .zip) ; "
                    "%(max)s au plus par fichier.") % {"max": human_size(MAX_BYTES)},
        error_messages={"required": _("Choisissez au moins un fichier.")},
    )
    dry_run = forms.BooleanField(label=_("Simulation (n'écrit rien, affiche le rapport)"), required=False, initial=True)
    publish = forms.BooleanField(label=_("Publier les pages créées"), required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Pas plus de %(n)s fichiers à la fois.") % {"n": MAX_FILES})
        return files
