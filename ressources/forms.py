"""Public forms of the contribution flows (DSFR) and the moderation forms of the admin.

Every text field is plain text (``PlainCharField`` / ``PlainTextField``): control characters and line
breaks in one-line fields are removed, sizes are bounded, and nothing is ever marked safe.
"""
import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cms.validation import IdChoiceField
from thematiques.models import Collectivite, ThematiquePage

from .contrib.models import REASON_MAX, SHORT_MAX, TEXT_MAX, TITLE_MAX, URL_MAX
from .contrib.text import clean_line, clean_text

HONEYPOT_FIELD = "site_web"


class PlainCharField(forms.CharField):
    """One line of plain text."""

    def to_python(self, value):
        return clean_line(super().to_python(value))


class PlainTextField(forms.CharField):
    """Several lines of plain text (a textarea)."""

    widget = forms.Textarea

    def to_python(self, value):
        return clean_text(super().to_python(value))


def _required(message):
    return {"required": message}


def _max_length_message():
    return {"max_length": _("Ce texte est trop long : %(limit_value)d caractères au plus (il en compte %(show_value)d).")}


class HoneypotMixin:
    """A field humans never see nor fill; robots that fill every input get silently ignored."""

    def is_spam(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())


class CollectiviteField(forms.CharField):
    """A collectivité typed as its code, or picked in the suggestions as « Nom (Échelon, code) »."""

    CODE_IN_LABEL_RE = re.compile(r"[\s(,]([0-9][0-9AB][0-9]{0,7})\)?\s*$", re.IGNORECASE)

    def to_python(self, value):
        return clean_line(super().to_python(value))

    def clean(self, value):
        value = super().clean(value)  # text checks first (size), then the lookup
        if not value:
            return None
        match = self.CODE_IN_LABEL_RE.search(" " + value)
        code = match.group(1) if match else value
        found = Collectivite.lookup(code)
        if found is None:
            raise ValidationError(
                _("Collectivité introuvable : saisissez son code INSEE (commune) ou SIREN (EPCI, département, "
                  "région), ou choisissez-la dans les suggestions. Laissez vide si vous n'êtes pas une collectivité."),
                code="unknown_collectivite",
            )
        return found

    def prepare_value(self, value):
        if isinstance(value, Collectivite):
            return str(value)
        return value


class EvenementContributionForm(HoneypotMixin, DsfrBaseForm):
    """« Je suis une collectivité et je souhaite partager mes événements »."""

    # The order of the page, so the focus goes to the first field in error that the visitor sees.
    field_order = ["title", "organizer", "collectivite", "description", "url", "all_day", "start_date",
                   "start_time", "end_date", "end_time", "online", "location", "contact_name", "contact_email",
                   "consent"]

    title = PlainCharField(label=_("Titre de l'événement"), max_length=TITLE_MAX,
                           error_messages={**_required(_("Donnez un titre à l'événement.")), **_max_length_message()})
    start_date = forms.DateField(label=_("Date de début"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("Format : jj/mm/aaaa"),
                                 error_messages={"required": _("Indiquez la date de l'événement."),
                                                 "invalid": _("Saisissez une date valide.")})
    start_time = forms.TimeField(label=_("Heure de début"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                  help_text=_("Format : hh:mm. Inutile si l'événement dure toute la journée."),
                                  error_messages={"invalid": _("Saisissez une heure valide, par exemple 14:30.")})
    end_date = forms.DateField(label=_("Date de fin"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text=_("Vide : l'événement a lieu sur une seule journée."),
                               error_messages={"invalid": _("Saisissez une date valide.")})
    end_time = forms.TimeField(label=_("Heure de fin"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                help_text=_("Vide : l'événement dure une heure."),
                                error_messages={"invalid": _("Saisissez une heure valide, par exemple 16:00.")})
    all_day = forms.BooleanField(label=_("L'événement dure toute la journée"), required=False)
    online = forms.BooleanField(label=_("L'événement a lieu en ligne"), required=False)
    location = PlainCharField(label=_("Lieu"), max_length=SHORT_MAX, required=False,
                          help_text=_("Adresse ou ville. Facultatif pour un événement en ligne."),
                          error_messages=_max_length_message())
    organizer = PlainCharField(label=_("Organisateur"), max_length=SHORT_MAX,
                                  error_messages={**_required(_("Indiquez qui organise l'événement.")),
                                                  **_max_length_message()})
    collectivite = CollectiviteField(
        label=_("Collectivité"), required=False, max_length=SHORT_MAX,
        widget=forms.TextInput(attrs={"list": "collectivite-suggestions", "autocomplete": "off"}),
        help_text=_("Code INSEE ou SIREN, ou commencez à taper son nom pour obtenir des suggestions. "
                    "Laissez vide si vous êtes un partenaire qui n'est pas une collectivité."),
        error_messages=_max_length_message(),
    )
    url = forms.URLField(label=_("Lien d'inscription ou d'information"), required=False, max_length=URL_MAX,
                          assume_scheme="https", help_text=_("Par exemple : https://www.exemple.fr/inscription"),
                          error_messages={"invalid": _("Saisissez une adresse web valide, commençant par https://"),
                                          **_max_length_message()})
    description = PlainTextField(label=_("Description"), max_length=TEXT_MAX,
                                 help_text=_("Texte simple, %(max)d caractères au plus.") % {"max": TEXT_MAX},
                                 widget=forms.Textarea(attrs={"rows": 8}),
                                 error_messages={**_required(_("Décrivez l'événement en quelques lignes.")),
                                                 **_max_length_message()})
    contact_name = PlainCharField(label=_("Votre nom"), max_length=SHORT_MAX,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}),
                                 error_messages={**_required(_("Indiquez votre nom.")), **_max_length_message()})
    contact_email = forms.EmailField(label=_("Votre adresse électronique"), max_length=254,
                                     help_text=_("Format attendu : nom@domaine.fr. Elle n'est pas publiée."),
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                                     error_messages={"required": _("Indiquez votre adresse électronique."),
                                                     "invalid": _("Saisissez une adresse électronique valide, "
                                                                  "par exemple nom@domaine.fr."),
                                                     **_max_length_message()})
    consent = forms.BooleanField(
        label=_("J'accepte que ces informations (sauf mon nom et mon adresse électronique) soient publiées "
                "dans l'agenda de Territoires en Commun après validation par l'équipe éditoriale."),
        error_messages={"required": _("Votre accord est nécessaire pour publier l'événement.")},
    )

    def clean(self):
        data = super().clean()
        all_day = data.get("all_day")
        start_date, start_time = data.get("start_date"), data.get("start_time")
        end_date, end_time = data.get("end_date"), data.get("end_time")
        if not all_day and start_date and start_time is None and "start_time" not in self.errors:
            self.add_error("start_time", _("Indiquez l'heure de début, ou cochez « L'événement dure toute la journée »."))
        if not data.get("online") and not data.get("location") and "location" not in self.errors:
            self.add_error("location", _("Indiquez un lieu, ou cochez « L'événement a lieu en ligne »."))
        if self.errors or not start_date:
            return data

        if all_day:
            start = dt.datetime.combine(start_date, dt.time(0, 0))
            end = dt.datetime.combine(end_date or start_date, dt.time(23, 59))
        else:
            start = dt.datetime.combine(start_date, start_time)
            if end_time is not None:
                end = dt.datetime.combine(end_date or start_date, end_time)
            elif end_date:
                end = dt.datetime.combine(end_date, start_time)
            else:
                end = start + dt.timedelta(hours=1)
        start, end = timezone.make_aware(start), timezone.make_aware(end)
        if end < start:
            self.add_error("end_date" if end_date else "end_time", _("La fin de l'événement doit suivre son début."))
        elif end < timezone.now():
            self.add_error("start_date", _("Cet événement est déjà passé : l'agenda n'annonce que des événements à venir."))
        data["start"], data["end"] = start, end
        return data

    def contribution_data(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"], "start": d["start"], "end": d["end"], "all_day": d["all_day"],
            "online": d["online"], "location": d["location"], "organizer": d["organizer"],
            "collectivite": d["collectivite"], "url": d["url"], "description": d["description"],
            "contact_name": d["contact_name"], "contact_email": d["contact_email"],
            "consent": d["consent"],
        }


class ThematiqueChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class ContactForm(HoneypotMixin, DsfrBaseForm):
    """« Contactez l'ANCT » : a request for support, on a thématique or in general."""

    name = PlainCharField(label=_("Votre nom"), max_length=SHORT_MAX,
                         widget=forms.TextInput(attrs={"autocomplete": "name"}),
                         error_messages={**_required(_("Indiquez votre nom.")), **_max_length_message()})
    collectivite = PlainCharField(label=_("Votre collectivité ou structure"), max_length=SHORT_MAX,
                                  widget=forms.TextInput(attrs={"autocomplete": "organization"}),
                                  error_messages={**_required(_("Indiquez votre collectivité ou votre structure.")),
                                                  **_max_length_message()})
    job_title = PlainCharField(label=_("Votre fonction"), max_length=SHORT_MAX,
                              widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
                              help_text=_("Par exemple : élue à la démocratie participative, chargé de mission."),
                              error_messages={**_required(_("Indiquez votre fonction.")), **_max_length_message()})
    email = forms.EmailField(label=_("Votre adresse électronique"), max_length=254,
                             help_text=_("Format attendu : nom@domaine.fr"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             error_messages={"required": _("Indiquez votre adresse électronique."),
                                             "invalid": _("Saisissez une adresse électronique valide, "
                                                          "par exemple nom@domaine.fr."),
                                             **_max_length_message()})
    thematique = ThematiqueChoiceField(
        label=_("Thématique"), required=False, queryset=ThematiquePage.objects.none(),
        empty_label=_("Aucune en particulier"),
        error_messages={"invalid_choice": _("Choisissez une thématique de la liste.")},
    )
    message = PlainTextField(label=_("Votre message"), max_length=TEXT_MAX,
                             help_text=_("Précisez vos besoins : projet, calendrier, questions. "
                                         "%(max)d caractères au plus.") % {"max": TEXT_MAX},
                             widget=forms.Textarea(attrs={"rows": 8}),
                             error_messages={**_required(_("Écrivez votre message.")), **_max_length_message()})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thematique"].queryset = ThematiquePage.objects.live().public().order_by("title")

    def demande_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "collectivite", "job_title", "email", "message", "thematique")}


# Admin (moderation) forms


class AcceptForm(forms.Form):
    PUBLISH, DRAFT = "publier", "brouillon"

    mode = forms.ChoiceField(
        label=_("Publication"), widget=forms.RadioSelect, initial=PUBLISH,
        choices=[(PUBLISH, _("Publier tout de suite dans l'agenda")),
                 (DRAFT, _("Créer l'événement en brouillon, pour le relire avant publication"))],
    )

    def __init__(self, *args, can_publish=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            self.fields["mode"].choices = [c for c in self.fields["mode"].choices if c[0] == self.DRAFT]
            self.fields["mode"].initial = self.DRAFT


class RefuseForm(forms.Form):
    reason = PlainTextField(
        label=_("Motif du refus"), max_length=REASON_MAX,
        help_text=_("Il est envoyé par courriel à la personne qui a proposé l'événement."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Indiquez le motif du refus : il est envoyé à la personne qui a proposé "
                                      "l'événement."), **_max_length_message()},
    )
