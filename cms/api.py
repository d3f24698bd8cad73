"""Read-only public API (Wagtail API v2) so that partners can reuse the content.

Mounted at ``/api/v2/``: ``pages/`` lists only the published, public pages of the exposed types
(thématiques, resources of every kind, events, projets partagés, editions of the newsletter);
``images/`` the image library. Nothing else of the page tree (index pages, standard pages, the vote
page) and no draft is reachable. The fields each type exposes are declared here, in one place, and
attached to the models as Wagtail's ``api_fields``.

Example::

    curl 'https://territoires-en-commun.fr/api/v2/pages/?type=ressources.ProjetPage&fields=chapo,thematiques,territoire'
"""
from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from taggit.managers import TaggableManager
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError, page_models_from_string
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .search import search_terms
from .validation import MAX_ID, parse_id

#: The API's full-text search takes at most this many characters (as the site's search does).
SEARCH_MAX_LENGTH = 200
#: ``offset`` beyond this is refused: no listing of the site is anywhere near that long.
OFFSET_MAX = 10**9
INTEGER_RE = re.compile(r"-?[0-9]{1,19}")


class ThematiquesField(serializers.Field):
    """The thématiques of a resource or an event: id, title and slug of each."""

    def to_representation(self, value):
        return [{"id": t.pk, "title": t.title, "slug": t.slug} for t in value.all()]


class ThematiqueField(serializers.Field):
    def to_representation(self, value):
        return {"id": value.pk, "title": value.title, "slug": value.slug} if value else None


class CollectiviteField(serializers.Field):
    """A collectivité by its official code (INSEE for a commune, SIREN otherwise)."""

    def to_representation(self, value):
        if value is None:
            return None
        return {"code": value.code, "nom": value.nom, "echelon": value.echelon}


class ParticipantsField(serializers.Field):
    def to_representation(self, value):
        return [{"code": p.collectivite.code, "nom": p.collectivite.nom, "role": p.role} for p in value.all()]


class TagsField(serializers.Field):
    def to_representation(self, value):
        return [tag.name for tag in value.all()]


def _card_fields():
    return [APIField("chapo"),
            APIField("listing_image", serializer=ImageRenditionField("fill-640x360")),
            APIField("listing_image_alt", serializer=serializers.CharField(source="image_alt"))]


def _resource_fields():
    return _card_fields() + [
        APIField("kind", serializer=serializers.CharField(source="specific_class.kind")),
        APIField("thematiques", serializer=ThematiquesField()),
        APIField("territoire", serializer=CollectiviteField()),
        APIField("tags", serializer=TagsField()),
        APIField("publication_date"), APIField("external_url"), APIField("link_label"),
    ]


#: {model label: [APIField]} — what each exposed page type shows to partners.
API_FIELDS = {
    "thematiques.ThematiquePage": lambda: _card_fields() + [
        APIField("body"), APIField("color"), APIField("pictogram"), APIField("is_thematique_du_mois"),
        APIField("image", serializer=ImageRenditionField("fill-1200x480")), APIField("header_image_alt"),
    ],
    "thematiques.ProjetPartagePage": lambda: _card_fields() + [
        APIField("thematique", serializer=ThematiqueField()), APIField("theme_label"), APIField("status"),
        APIField("start_date"), APIField("end_date"), APIField("body"),
        APIField("participants", serializer=ParticipantsField()),
    ],
    "ressources.RessourcePage": _resource_fields,
    "ressources.ProjetPage": lambda: _resource_fields() + [APIField("nature"), APIField("project_lead"), APIField("body")],
    "ressources.ArticlePage": lambda: _resource_fields() + [APIField("source"), APIField("body")],
    "ressources.TribunePage": lambda: _resource_fields() + [
        APIField("author"), APIField("author_role"), APIField("quote"), APIField("quote_author"),
        APIField("body"),
    ],
    "ressources.ConceptPage": lambda: _resource_fields() + [APIField("body"), APIField("criteres_titre"),
                                                            APIField("criteres")],
    "ressources.ActualitePage": lambda: _resource_fields() + [APIField("body")],
    "ressources.EvenementPage": lambda: _card_fields() + [
        APIField("start"), APIField("end"), APIField("all_day"), APIField("online"), APIField("location"),
        APIField("organizer"), APIField("registration_url"), APIField("link_label"),
        APIField("thematiques", serializer=ThematiquesField()),
        APIField("collectivite", serializer=CollectiviteField()), APIField("body"),
    ],
    "newsletter.NewsletterPage": lambda: _card_fields() + [
        APIField("number"), APIField("date"), APIField("subject"), APIField("preheader"),
    ],
}


def exposed_models() -> list:
    """The page models the API exposes (those of API_FIELDS that exist in this project)."""
    models = []
    for label in API_FIELDS:
        try:
            models.append(apps.get_model(label))
        except LookupError:
            continue
    return models


def declare_api_fields() -> None:
    for label, fields in API_FIELDS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model.api_fields = fields()


class InvalidParameter(BadRequestError):
    """A query parameter refused by :class:`ValidatedParametersMixin` (its message is in French)."""


def _is_integer(value: str) -> bool:
    return bool(INTEGER_RE.fullmatch(value.strip())) and abs(int(value)) <= MAX_ID


class ValidatedParametersMixin:
    """Every query parameter is checked before Wagtail uses it: a bad value is a 400 in French.

    Wagtail's API turned many of them into a 500: a search without any indexable word (``%``, an
    emoji) or of hundreds of words, an ``offset`` past 2⁶³, a filter value of the wrong type
    (``start=abc``, ``thematiques=abc``), ``search_operator=xor``, ``find/?id=abc``. The search is
    also reduced to its words (as the site's search: cms.search.search_terms), so that no character
    reaches the database's full-text syntax. Wagtail's own (English) errors get a French lead-in.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.validate_parameters(request)

    def validate_parameters(self, request):
        params = request.GET
        for name in ("offset", "limit"):
            if name in params:
                number = params[name].strip()
                if not (number.isascii() and number.isdigit()) or int(number) > OFFSET_MAX:
                    raise InvalidParameter(_("Le paramètre « %(name)s » doit être un entier positif (au plus %(max)s).")
                                           % {"name": name, "max": OFFSET_MAX})
        if "search_operator" in params and params["search_operator"] not in ("and", "or"):
            raise InvalidParameter(_("Le paramètre « search_operator » vaut « and » ou « or »."))
        if "search" in params:
            query = params["search"]
            if len(query) > SEARCH_MAX_LENGTH:
                raise InvalidParameter(_("La recherche est limitée à %(n)d caractères.") % {"n": SEARCH_MAX_LENGTH})
            terms = search_terms(query)
            if not terms:
                raise InvalidParameter(_("La recherche ne contient aucun mot à chercher (lettres ou chiffres)."))
            if terms != query:
                request._request.GET = params = params.copy()
                params["search"] = terms
        for name in ("id", "child_of", "descendant_of", "ancestor_of", "translation_of"):
            if name in params and parse_id(params[name]) is None and params[name] != "root":
                raise InvalidParameter(_("Le paramètre « %(name)s » doit être un identifiant (entier de 1 à %(max)s).")
                                       % {"name": name, "max": MAX_ID})
        if getattr(self, "action", None) == "listing_view":
            self.validate_field_filters(params)

    def validate_field_filters(self, params):
        """``?<field>=<value>``: the value must be one the field's column can hold."""
        model = self.get_queryset().model
        names = set(self.get_available_fields(model, db_fields_only=True)) - {"locale"}
        for name, value in params.items():
            if name not in names:
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, TaggableManager):
                continue  # tag names: any text
            while field.is_relation and getattr(field, "target_field", None) is not None:
                field = field.target_field  # a relation is filtered by the id of its target
            valid = True
            if isinstance(field, (models.IntegerField, models.AutoField)):
                valid = _is_integer(value)
            elif isinstance(field, (models.DateField, models.TimeField, models.DecimalField, models.FloatField,
                                    models.UUIDField)):
                try:
                    field.to_python(value)
                except (ValidationError, ValueError, TypeError, OverflowError):
                    valid = False
            if not valid:
                raise InvalidParameter(_("« %(value)s » n'est pas une valeur possible pour le filtre « %(name)s ».")
                                       % {"value": value[:100], "name": name})

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, BadRequestError) and not isinstance(exc, InvalidParameter):
            response.data = {"message": _("Paramètre invalide : %(detail)s") % {"detail": exc}}
        return response


class PublicPagesAPIViewSet(ValidatedParametersMixin, PagesAPIViewSet):
    """Pages endpoint restricted to the published, public pages of the exposed types."""

    def get_base_queryset(self):
        return super().get_base_queryset().type(*exposed_models())

    def get_queryset(self):
        type_param = self.request.GET.get("type")
        if type_param:
            try:
                models = page_models_from_string(type_param)
            except (LookupError, ValueError):
                models = None
            exposed = tuple(exposed_models())
            if not models or not all(issubclass(m, exposed) for m in models):
                raise InvalidParameter(_("Type de page inconnu ou non exposé : %(type)s") % {"type": type_param})
        return self._with_relations(super().get_queryset())

    @staticmethod
    def _with_relations(queryset):
        """Fetch the related objects the exposed fields show in a constant number of queries."""
        names = {f.name for f in queryset.model._meta.get_fields()}
        related = [n for n in ("territoire", "collectivite", "thematique", "listing_image", "image") if n in names]
        prefetch = [n for n in ("thematiques",) if n in names]
        if "tagged_items" in names:
            prefetch.append("tags")
        if "participants" in names:
            prefetch.append("participants__collectivite")
        return queryset.select_related(*related).prefetch_related(*prefetch)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"  # read-only public content, for partners' sites
        return response


class PublicImagesAPIViewSet(ValidatedParametersMixin, ImagesAPIViewSet):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


declare_api_fields()

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
