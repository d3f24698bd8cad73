"""Shared StreamField blocks. Apps extend ``BaseStreamBlock`` rather than copy it."""
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

HEADING_LEVELS = [("h2", _("Titre de niveau 2")), ("h3", _("Titre de niveau 3")), ("h4", _("Titre de niveau 4"))]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=255)
    level = blocks.ChoiceBlock(choices=HEADING_LEVELS, default="h2", label=_("Niveau"))

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "cms/blocks/heading_block.html"
        description = _("Un intertitre, de niveau choisi pour garder la hiérarchie des titres.")
        preview_value = {"text": "Retour à l'emploi", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Texte alternatif"), required=False, max_length=255,
        help_text=_("Décrit l'image pour qui ne la voit pas. Laisser vide si l'image est décorative."),
    )
    decorative = blocks.BooleanBlock(label=_("Image décorative"), required=False)
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image_block.html"
        description = _("Une image avec son texte alternatif ou la mention « décorative ».")

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        value = super().clean(value)
        if not value.get("decorative") and not value.get("alt"):
            raise StructBlockValidationError(
                block_errors={"alt": ValidationError(_("Donnez un texte alternatif ou cochez « Image décorative »."))}
            )
        return value


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Citation"))
    author = blocks.CharBlock(label=_("Auteur"), required=False, max_length=255)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "cms/blocks/quote_block.html"
        description = _("Une citation mise en avant.")
        preview_value = {"quote": "Faire de la démocratie locale une réalité plus vivante", "author": "Jacques Chirac"}


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Libellé"), max_length=255)
    page = blocks.PageChooserBlock(label=_("Page du site"), required=False)
    url = blocks.URLBlock(label=_("Adresse externe"), required=False)

    class Meta:
        icon = "link"
        label = _("Bouton")
        template = "cms/blocks/link_block.html"
        description = _("Un bouton vers une page du site ou une adresse externe.")

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choisissez une page ou saisissez une adresse."))}
            )
        return value


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Titre de la vidéo"), max_length=255,
        help_text=_("Obligatoire : il devient le titre de l'iframe lu par les lecteurs d'écran."),
    )
    video = EmbedBlock(label=_("Adresse de la vidéo"))
    transcription = blocks.TextBlock(label=_("Transcription"), required=False)

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "cms/blocks/video_block.html"
        description = _("Une vidéo intégrée, avec un titre et une transcription.")


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=255, required=False)
    text = blocks.TextBlock(label=_("Texte"))

    class Meta:
        icon = "info-circle"
        label = _("Mise en avant")
        template = "cms/blocks/callout_block.html"
        description = _("Un encadré mis en avant.")
        preview_value = {"title": "À retenir", "text": "L'ANCT peut vous accompagner sur cette thématique."}


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"), icon="pilcrow",
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        template="cms/blocks/paragraph_block.html",
        description=_("Du texte mis en forme."),
    )
    image = ImageBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    button = LinkBlock()
    video = VideoBlock()

    class Meta:
        label = _("Contenu")
