"""The admin chooser for collectivités.

With 36 000 collectivités a plain <select> is unusable: the chooser opens a modal with a search by
name or code and a filter by échelon. Registered as the default widget of every ForeignKey to
Collectivite (ProjetPartageCollectivite.collectivite, RessourcePage.territoire,
EvenementPage.collectivite…), so page panels need no widget of their own.

The search runs on the database (name contains / code starts with) rather than through Wagtail's
search index, so the chooser works as soon as ``load_collectivites`` has run, without ``update_index``.
"""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from thematiques.codes import normalize_code
from thematiques.models import Collectivite


class CollectiviteFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Nom ou code"), required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Nom, code INSEE ou SIREN")}),
    )
    echelon = forms.ChoiceField(
        label=_("Échelon"), required=False, choices=[("", _("Tous les échelons")), *Collectivite.Echelon.choices],
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            code = normalize_code(query)
            objects = objects.filter(
                Q(nom__icontains=query) | Q(code__startswith=code) | Q(code_insee=code)
            )
            self.is_searching = True
            self.search_query = query
        echelon = self.cleaned_data.get("echelon")
        if echelon:
            objects = objects.filter(echelon=echelon)
        return objects


class CollectiviteChooseViewMixin:
    filter_form_class = CollectiviteFilterForm
    ordering = ["nom", "code"]

    @property
    def title_column(self):
        column = super().title_column
        column.label = _("Collectivité")
        return column

    @property
    def columns(self):
        return [
            self.title_column,
            Column("echelon", label=_("Échelon"), accessor="get_echelon_display"),
            Column("code", label=_("Code officiel"), accessor="code"),
            Column("departement", label=_("Département"), accessor="departement"),
        ]


class CollectiviteChooseView(CollectiviteChooseViewMixin, ChooseView):
    pass


class CollectiviteChooseResultsView(CollectiviteChooseViewMixin, ChooseResultsView):
    pass


class CollectiviteChooserViewSet(ChooserViewSet):
    model = Collectivite
    icon = "site"
    choose_one_text = _("Choisir une collectivité")
    choose_another_text = _("Choisir une autre collectivité")
    edit_item_text = _("Modifier cette collectivité")
    page_title = _("Choisir une collectivité")
    search_tab_label = _("Rechercher")
    choose_view_class = CollectiviteChooseView
    choose_results_view_class = CollectiviteChooseResultsView
    per_page = 20


collectivite_chooser_viewset = CollectiviteChooserViewSet("collectivite_chooser", url_prefix="collectivites/chooser")
