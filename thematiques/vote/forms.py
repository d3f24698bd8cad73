"""Public forms of the theme vote and of the applications to projets partagés (messages in French)."""
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.validation import IdChoiceField, IdMultipleChoiceField
from thematiques.codes import code_kind, normalize_code
from thematiques.models import Collectivite, ProjetPartageCollectivite

HONEYPOT_FIELD = "site_internet"


def resolve_collectivite(value: str) -> Collectivite:
    """The collectivité a visitor designated by its code (or, failing that, by its exact, unique name)."""
    raw = (value or "").strip()
    if not raw:
        raise forms.ValidationError(_("Indiquez le code INSEE ou SIREN de votre collectivité."), code="required")
    # The autocomplete may leave "Nom (Échelon, code)" in the field: take the code in brackets.
    if raw.endswith(")") and "," in raw:
        raw = raw.rsplit(",", 1)[-1].rstrip(")").strip()
    found = Collectivite.lookup(raw)
    if found:
        return found
    if code_kind(raw) is None:
        by_name = list(Collectivite.objects.filter(nom__iexact=raw)[:2])
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise forms.ValidationError(
                _("Plusieurs collectivités s'appellent « %(nom)s » : indiquez son code INSEE ou SIREN.") % {"nom": raw},
                code="ambiguous")
        raise forms.ValidationError(
            _("« %(code)s » n'est ni un code INSEE ni un SIREN : un code INSEE de commune a 5 caractères "
              "(34172, 2A004), un SIREN 9 chiffres.") % {"code": raw}, code="invalid")
    raise forms.ValidationError(
        _("Aucune collectivité ne porte le code « %(code)s ». Vérifiez-le ou cherchez votre collectivité par son nom.")
        % {"code": normalize_code(raw)}, code="unknown")


class CollectiviteIdentityForm(forms.Form):
    """Code + professional email: how a collectivité identifies itself (vote and applications)."""

    collectivite = forms.CharField(
        label=gettext_lazy("Code de la collectivité (INSEE ou SIREN)"), max_length=120,
        help_text=gettext_lazy("Par exemple 34172 pour une commune, un SIREN à 9 chiffres pour un EPCI, "
                               "34 pour un département. Vous pouvez aussi taper le nom et choisir dans la liste."),
        error_messages={"required": gettext_lazy("Indiquez le code INSEE ou SIREN de votre collectivité.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique professionnelle"), max_length=254,
        help_text=gettext_lazy("Le lien de confirmation y sera envoyé. Format attendu : nom@collectivite.fr. "
                               "Elle n'est jamais publiée."),
        error_messages={"required": gettext_lazy("Indiquez votre adresse électronique professionnelle."),
                        "invalid": gettext_lazy("Saisissez une adresse électronique valide, par exemple nom@mairie.fr.")},
    )
    site_internet = forms.CharField(label=gettext_lazy("Ne remplissez pas ce champ"), required=False, max_length=200)

    def clean_collectivite(self):
        return resolve_collectivite(self.cleaned_data.get("collectivite"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def raw_value(self, name):
        return self.data.get(name, "") if self.is_bound else self.initial.get(name, "")


class VoteForm(CollectiviteIdentityForm):
    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        queryset = campaign.propositions.select_related("thematique").order_by("sort_order", "pk")
        if campaign.max_choices == 1:
            self.fields["thematiques"] = IdChoiceField(
                queryset=queryset, label=_("Thématique choisie"), widget=forms.RadioSelect,
                error_messages={"required": _("Choisissez une thématique."),
                                "invalid_choice": _("Cette thématique n'est pas proposée dans la campagne.")},
            )
        else:
            self.fields["thematiques"] = IdMultipleChoiceField(
                queryset=queryset, label=_("Thématiques choisies (%(n)d au plus)") % {"n": campaign.max_choices},
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choisissez au moins une thématique."),
                                "invalid_choice": _("Cette thématique n'est pas proposée dans la campagne."),
                                "invalid_pk_value": _("Cette thématique n'est pas proposée dans la campagne.")},
            )
        self.fields["thematiques"].label_from_instance = lambda p: p.label
        self.order_fields(["collectivite", "email", "thematiques", "site_internet"])

    def clean_thematiques(self):
        value = self.cleaned_data.get("thematiques")
        chosen = [value] if self.campaign.max_choices == 1 else list(value or [])
        if len(chosen) > self.campaign.max_choices:
            raise forms.ValidationError(_("Choisissez au plus %(n)d thématiques.") % {"n": self.campaign.max_choices})
        return chosen

    def selected_ids(self) -> set:
        if not self.is_bound:
            return set()
        return {str(v) for v in self.data.getlist("thematiques")} if hasattr(self.data, "getlist") else set()


class CandidatureForm(CollectiviteIdentityForm):
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle souhaité"), choices=ProjetPartageCollectivite.Role.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez le rôle souhaité."),
                        "invalid_choice": gettext_lazy("Choisissez partie prenante ou observatrice.")},
    )
    motivation = forms.CharField(
        label=gettext_lazy("Vos motivations (facultatif)"), required=False, max_length=2000, widget=forms.Textarea,
        help_text=gettext_lazy("2 000 caractères au plus."),
        error_messages={"max_length": gettext_lazy("2 000 caractères au plus (vous en avez saisi %(show_value)d).")},
    )
