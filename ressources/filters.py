"""Filtering, searching and paginating the resource library from GET parameters.

Every filter is a plain GET parameter, so a filtered list is a shareable URL:
``?thematique=<slug>&type=<kind>&departement=<code INSEE>&region=<code INSEE>&annee=<yyyy>&q=<text>&page=<n>``.
An invalid value is ignored with a French message next to its field; the other filters still apply.
The query count does not depend on the number of resources (tested with 5 and 50, and with a few
hundred in tests/test_library_facets.py).

Facets: next to each choice of the thématique, type, région and année filters, the number of
resources it would give with the other filters (and the words) kept: two to four GROUP BY queries
whatever the volume (two without a type, région or année filter), kept in the fragments' cache per
set of valid filters like the result count.
"""
import re

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.cache import cached_in_release, cached_value, public_pages
from cms.cards import for_cards, with_card_renditions
from cms.search import AmongIds, search_query, search_terms
from thematiques.models import Collectivite, ThematiquePage

from .models import RessourcePage

SEARCH_MAX_LENGTH = 200
YEAR_RE = re.compile(r"^\d{4}$")


def _thematique_choices():
    # Choices from pages change only with the published site: kept in its version (cms.cache).
    return [("", gettext("Toutes"))] + cached_value("library-thematiques", (), lambda: list(
        public_pages(ThematiquePage.objects.live()).order_by("title").values_list("slug", "title")))


def _type_choices():
    return [("", gettext("Tous"))] + [(k, str(label)) for k, label, _m in RessourcePage.kinds()]


def _departement_choices():
    # Collectivités change with load_collectivites or an admin save, which move the release: a
    # publish keeps these choices (cms.cache.cached_in_release).
    return [("", gettext("Tous"))] + cached_in_release("library-departements", (), lambda: [
        (code, f"{code} — {nom}") for code, nom in
        Collectivite.objects.filter(echelon=Collectivite.Echelon.DEPARTEMENT).exclude(code_insee="")
        .order_by("code_insee").values_list("code_insee", "nom")])


def _region_choices():
    return [("", gettext("Toutes"))] + cached_in_release("library-regions", (), lambda: list(
        Collectivite.objects.filter(echelon=Collectivite.Echelon.REGION).exclude(code_insee="")
        .order_by("nom").values_list("code_insee", "nom")))


def _annee_choices():
    years = cached_value("library-years", (), lambda: [
        d.year for d in public_pages(RessourcePage.objects.live()).dates("publication_date", "year", order="DESC")])
    return [("", gettext("Toutes"))] + [(str(year), str(year)) for year in years]


class RessourceFilterForm(forms.Form):
    """The library's filters; choices come from the database (4 queries, whatever the volume)."""

    q = forms.CharField(label=_("Rechercher dans les ressources"), required=False, max_length=SEARCH_MAX_LENGTH,
                        error_messages={"max_length": _("La recherche est limitée à %(limit_value)d caractères.")})
    thematique = forms.ChoiceField(label=_("Thématique"), required=False)
    type = forms.ChoiceField(label=_("Type de ressource"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)
    annee = forms.ChoiceField(label=_("Année de publication"), required=False)

    INVALID = _("« %(value)s » n'est pas un choix possible : ce filtre est ignoré.")

    def __init__(self, data=None, index_page=None):
        super().__init__(data)
        self.index_page = index_page
        # Callables: the choices are built (and normalised by Django) only when a filter is validated
        # or the selects are rendered, not when the rendered selects come from the cache.
        self.fields["thematique"].choices = _thematique_choices
        self.fields["type"].choices = _type_choices
        self.fields["departement"].choices = _departement_choices
        self.fields["region"].choices = _region_choices
        self.fields["annee"].choices = _annee_choices
        for _name, field in self.fields.items():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = self.INVALID

    def clean_departement(self):
        return (self.cleaned_data.get("departement") or "").upper()

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    @property
    def active(self) -> dict:
        """The valid, non-empty filters (invalid ones are dropped, the others still apply)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class RessourceFilter:
    """Applies :class:`RessourceFilterForm` to the library and builds the template context."""

    def __init__(self, params, index_page=None):
        # An unknown page of the library still shows the filters (and their errors), never a crash.
        self.params = params
        self.index_page = index_page
        self.form = RessourceFilterForm(params if any(params.get(k) for k in RessourceFilterForm.base_fields)
                                        else None, index_page=index_page)

    @property
    def errors(self):
        return [f"{self.form.fields[name].label} : {msg}" for name, msgs in self.form.errors.items() for msg in msgs]

    FACETS = ("thematique", "type", "region", "annee")

    def _search_pks(self, terms):
        """The ids of the resources matching the words (one search, kept for the facets' queries)."""
        if getattr(self, "_searched", None) is None or self._searched[0] != terms:
            qs = public_pages(RessourcePage.objects.live())
            if self.index_page is not None:
                qs = qs.child_of(self.index_page)
            results = qs.search(search_query(terms), order_by_relevance=False)  # only ids: order by date below
            # The database backends' results are a queryset: its ids alone, not a Page object per match
            # (5,000 objects, most of a search's time at Territoires Conseils' size). Not a subquery
            # either: the words would be matched again (unindexed) by each of the facets' queries.
            matches = getattr(results, "get_queryset", None)
            pks = list(matches().order_by().values_list("pk", flat=True)) if matches else [p.pk for p in results]
            self._searched = (terms, pks)
        return self._searched[1]

    def _filtered(self, data, skip=None):
        """The library filtered by ``data``, except the filter ``skip`` (a facet counts without its own)."""
        kinds = {k: model for k, _label, model in RessourcePage.kinds()}
        qs = public_pages(RessourcePage.objects.live())
        if self.index_page is not None:
            qs = qs.child_of(self.index_page)
        terms = search_terms(data.get("q", ""))
        if terms:
            # The words first, over the whole library (French stemming, cms.search); the filters then
            # apply in SQL: a search backend filters only on its index's own fields, not on the
            # territory or thématique joins. Date order is kept below.
            qs = qs.filter(AmongIds(F("pk"), self._search_pks(terms)))  # one parameter, not one per id
        if data.get("thematique") and skip != "thematique":
            # An id subquery rather than a join: no duplicates, no DISTINCT needed.
            qs = qs.filter(pk__in=RessourcePage.thematiques.through.objects
                           .filter(thematiquepage__slug=data["thematique"]).values("ressourcepage_id"))
        if data.get("type") and skip != "type":
            qs = qs.type(kinds[data["type"]])
        if data.get("departement"):
            code = data["departement"]
            qs = qs.filter(Q(territoire__departement=code)
                           | Q(territoire__code_insee=code, territoire__echelon=Collectivite.Echelon.DEPARTEMENT))
        if data.get("region") and skip != "region":
            code = data["region"]
            qs = qs.filter(Q(territoire__region=code)
                           | Q(territoire__code_insee=code, territoire__echelon=Collectivite.Echelon.REGION))
        if data.get("annee") and skip != "annee":
            qs = qs.filter(publication_date__year=int(data["annee"]))
        return qs

    def queryset(self):
        data = self.form.active
        return data, self._filtered(data).order_by("-publication_date", "-pk")

    def facet_counts(self) -> dict:
        """{facet: {choice value: number of resources}} for the current search: each facet is counted
        with every other valid filter applied (not its own, so its other choices keep their number).
        Two to four queries, whatever the number of resources; kept per set of valid filters."""
        data = self.form.active
        vary = (getattr(self.index_page, "pk", None), sorted(data.items()))
        return cached_value("library-facets", vary, lambda: self._compute_facets(data))

    def _compute_facets(self, data) -> dict:
        def ids(facet):
            return self._filtered(data, skip=facet).order_by().values("pk")

        through = RessourcePage.thematiques.through.objects
        thematiques = dict(through.filter(ressourcepage_id__in=ids("thematique"))
                           .values_list("thematiquepage__slug").annotate(n=Count("ressourcepage_id", distinct=True))
                           .order_by())
        kind_of = {ContentType.objects.get_for_model(model, for_concrete_model=False).pk: kind
                   for kind, _label, model in RessourcePage.kinds()}
        # A resource's région: its territory's, or the territory itself when it is a région (as the filter).
        region = Coalesce(NullIf(F("territoire__region"), Value("")),
                          Case(When(territoire__echelon=Collectivite.Echelon.REGION, then=F("territoire__code_insee")),
                               output_field=CharField()))
        # The type, région and année facets count the same resources unless their own filter is set:
        # those that do share one GROUP BY (kind, région, year), split here. The library without a
        # filter, the most read, counts the three in one query.
        groups: dict = {}
        for facet in ("type", "region", "annee"):
            groups.setdefault(facet if data.get(facet) else None, []).append(facet)
        types, regions, annees = {}, {}, {}
        for skip, facets in groups.items():
            rows = (RessourcePage.objects.filter(pk__in=ids(skip))
                    .annotate(region_facet=region, year_facet=ExtractYear("publication_date"))
                    .values_list("content_type", "region_facet", "year_facet").annotate(n=Count("pk")).order_by())
            for content_type_id, region_code, year, n in rows:
                if "type" in facets and content_type_id in kind_of:
                    types[kind_of[content_type_id]] = types.get(kind_of[content_type_id], 0) + n
                if "region" in facets and region_code is not None:
                    regions[region_code] = regions.get(region_code, 0) + n
                if "annee" in facets:
                    annees[str(year)] = annees.get(str(year), 0) + n
        return {"thematique": thematiques, "type": types, "region": regions, "annee": annees}

    def _label_choices_with_counts(self, counts: dict):
        """Each facet's choices read « Retour à l'emploi (12) »; the empty choice is left as it is."""
        for facet in self.FACETS:
            field = self.form.fields[facet]

            def labelled(choices=field.choices, counted=counts[facet]):  # lazy, as the choices themselves
                return [(value, label if value == "" else f"{label} ({counted.get(value, 0)})")
                        for value, label in choices]

            field.choices = labelled

    def context(self, request):
        """The template context; the SQL runs only for what the cache (site generation) lacks.

        The number of results is kept per set of valid filters, so the paginator needs no query; the
        resources of the requested page are queried only when the template's cards fragment is not
        in the cache. Both are functions of the published site and of the valid filters alone.
        """
        data = self.form.active
        vary = (getattr(self.index_page, "pk", None), sorted(data.items()))
        built = []

        def resources():  # the filtered queryset, built once (a search runs when it is built)
            if not built:
                built.append(self.queryset()[1].select_related("listing_image"))
            return built[0]

        facets = self.facet_counts()
        # Without a type filter the type facet counts exactly the results (every resource has one kind):
        # their sum is the count, one query (8 ms at scale) fewer.
        count = cached_value("library-count", vary, lambda: (
            resources().count() if data.get("type") else sum(facets["type"].values())))
        per_page = getattr(self.index_page, "per_page", 12) or 12
        paginator = _CountedPaginator(_LazySlices(resources), per_page, count)
        page_error = ""
        try:
            page_obj = paginator.page(request.GET.get("page") or 1)
        except PageNotAnInteger:
            page_error = gettext("Numéro de page invalide : la première page est affichée.")
            page_obj = paginator.page(1)
        except EmptyPage:
            page_error = gettext("Cette page n'existe pas : la dernière page est affichée.")
            page_obj = paginator.page(paginator.num_pages)
        errors = self.errors + ([page_error] if page_error else [])
        self._label_choices_with_counts(facets)
        return {
            "facets": facets,
            "filter_form": self.form,
            "filters": data,
            "filter_errors": errors,
            "resources": page_obj,
            "result_count": paginator.count,
            "results_key": repr((vary, page_obj.number, per_page)),
            # The selects show the valid filters and the counts alone: kept per set of valid filters,
            # unless a filter was refused (its error and the refused value are shown afresh).
            "filters_key": None if self.form.is_bound and self.form.errors else repr(vary),
        }


class _CountedPaginator(Paginator):
    """A paginator told the number of items (kept in the cache) instead of counting them."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


class _LazySlices:
    """What the paginator slices: each slice is queried when first read, not when the page is made."""

    def __init__(self, build):
        self._build = build

    def __getitem__(self, bounds):
        return SimpleLazyObject(lambda: with_card_renditions(for_cards(self._build()[bounds])))
