"""Filtering, searching and paginating the resource library from GET parameters.

Every filter is a plain GET parameter, so a filtered list is a shareable URL:
``?thematique=<slug>&type=<kind>&departement=<code>&region=<code>&annee=<yyyy>&q=<text>&page=<n>``.
The query count does not depend on the number of resources (tested).
"""
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from thematiques.models import Collectivite, ThematiquePage

from .models import RessourcePage


class RessourceFilter:
    def __init__(self, params, index_page=None):
        self.params = params
        self.index_page = index_page
        self.errors = []

    def _clean(self):
        p = self.params
        kinds = {k: (label, model) for k, label, model in RessourcePage.kinds()}
        data = {
            "q": (p.get("q") or "").strip()[:200],
            "thematique": (p.get("thematique") or "").strip(),
            "type": (p.get("type") or "").strip(),
            "departement": (p.get("departement") or "").strip().upper(),
            "region": (p.get("region") or "").strip(),
            "annee": (p.get("annee") or "").strip(),
        }
        if data["type"] and data["type"] not in kinds:
            self.errors.append(_("Type de ressource inconnu : %(v)s") % {"v": data["type"]})
            data["type"] = ""
        if data["annee"] and not (data["annee"].isdigit() and len(data["annee"]) == 4):
            self.errors.append(_("Année invalide : %(v)s") % {"v": data["annee"]})
            data["annee"] = ""
        return data, kinds

    def queryset(self):
        data, kinds = self._clean()
        qs = RessourcePage.objects.live().public()
        if self.index_page is not None:
            qs = qs.child_of(self.index_page)
        if data["thematique"]:
            qs = qs.filter(thematiques__slug=data["thematique"])
        if data["type"]:
            qs = qs.type(kinds[data["type"]][1])
        if data["departement"]:
            qs = qs.filter(Q(territoire__departement=data["departement"])
                           | Q(territoire__code_insee=data["departement"], territoire__echelon=Collectivite.Echelon.DEPARTEMENT))
        if data["region"]:
            qs = qs.filter(territoire__region=data["region"])
        if data["annee"]:
            qs = qs.filter(date_publication__year=int(data["annee"]))
        qs = qs.distinct().order_by("-date_publication", "-pk")
        if data["q"]:
            # Search within the filtered set; the database backend handles French stemming on PostgreSQL.
            ids = [p.pk for p in qs.search(data["q"], operator="and")]
            qs = RessourcePage.objects.filter(pk__in=ids).order_by("-date_publication", "-pk")
        return data, qs

    def context(self, request):
        data, qs = self.queryset()
        qs = qs.select_related("listing_image", "territoire", "content_type").prefetch_related(
            Prefetch("thematiques", queryset=ThematiquePage.objects.only("id", "title", "slug", "url_path", "path", "depth"))
        )
        per_page = getattr(self.index_page, "per_page", 12) or 12
        paginator = Paginator(qs, per_page)
        try:
            page_obj = paginator.page(request.GET.get("page") or 1)
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        base_params = request.GET.copy()
        base_params.pop("page", None)
        return {
            "filters": data,
            "filter_errors": self.errors,
            "resources": page_obj,
            "result_count": paginator.count,
            "querystring": base_params.urlencode(),
            "filter_choices": {
                "thematiques": ThematiquePage.objects.live().order_by("title").values_list("slug", "title"),
                "types": [(k, label) for k, label, _m in RessourcePage.kinds()],
                "departements": Collectivite.objects.filter(echelon=Collectivite.Echelon.DEPARTEMENT)
                .order_by("code_insee").values_list("code_insee", "nom"),
                "regions": Collectivite.objects.filter(echelon=Collectivite.Echelon.REGION)
                .order_by("nom").values_list("code_insee", "nom"),
                "annees": sorted({d.year for d in RessourcePage.objects.live().dates("date_publication", "year")},
                                 reverse=True),
            },
        }
