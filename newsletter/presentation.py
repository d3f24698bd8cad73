"""What the web and e-mail partials render: one small value per section kind.

``newsletter.assembly`` builds them from the edition's section blocks (``newsletter.blocks``, the schema
only); each value names its two partials, ``newsletter/includes/sections/<kind>.html`` (the web edition)
and ``newsletter/email/sections/<kind>.mjml`` (the e-mail). Rich text stays a Wagtail value (``RichText``,
a body ``StreamValue``): the web partial renders it with Wagtail's own ``richtext`` filter and block
templates, the e-mail renders it once the same way and then makes it e-mail-safe (``newsletter.rendering``).
Nothing here queries the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Section:
    """What every section has: a title, its block id, the pages it refers to (for the checks)."""

    kind: ClassVar[str] = "section"
    title: str
    block_id: str = ""
    page_ids: list = field(default_factory=list)
    cards: list = field(default_factory=list)  # [cms.cards.Card], with the edition's overrides
    show_images: bool = False  # the e-mail shows card pictures only where the seed does (keeps it light)
    card_style: str = "full"  # how the e-mail shows the cards: "full" (picture, text, button) or "compact"

    @property
    def web_template(self) -> str:
        return f"newsletter/includes/sections/{self.kind}.html"

    @property
    def email_template(self) -> str:
        return f"newsletter/email/sections/{self.kind}.mjml"

    @property
    def is_empty(self) -> bool:
        return not self.cards


@dataclass
class EditoSection(Section):
    kind: ClassVar[str] = "edito"
    body: Any = None  # wagtail.rich_text.RichText
    signature: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.body and self.body.source)


@dataclass
class TexteSection(Section):
    kind: ClassVar[str] = "texte"
    body: Any = None  # wagtail.rich_text.RichText

    @property
    def is_empty(self) -> bool:
        return not (self.body and self.body.source)


@dataclass
class ThematiqueDuMoisSection(Section):
    kind: ClassVar[str] = "thematique_du_mois"
    contact_text: str = ""
    buttons: list = field(default_factory=list)  # [(label, url)]

    @property
    def is_empty(self) -> bool:
        return not (self.cards or self.contact_text)


@dataclass
class TribuneSection(Section):
    kind: ClassVar[str] = "tribune"


@dataclass
class CardListSection(Section):
    """A titled list of cards with an optional introduction; the three kinds differ by their block only."""

    intro: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.cards or self.intro)


@dataclass
class ProjetsSection(CardListSection):
    kind: ClassVar[str] = "projets"


@dataclass
class AllerPlusLoinSection(CardListSection):
    kind: ClassVar[str] = "aller_plus_loin"


@dataclass
class ActualitesSection(CardListSection):
    kind: ClassVar[str] = "actualites"


@dataclass
class AgendaSection(Section):
    kind: ClassVar[str] = "agenda"  # cards carry meta["date_prefix"], the day of the event in words


@dataclass
class VoteSection(Section):
    kind: ClassVar[str] = "vote"
    question: str = ""
    rows: list = field(default_factory=list)  # [(label, count)]
    subtitle: str = ""
    text: str = ""
    buttons: list = field(default_factory=list)  # [(label, url)]

    @property
    def is_empty(self) -> bool:
        return not (self.rows or self.question or self.text)


@dataclass
class ConceptSection(Section):
    kind: ClassVar[str] = "concept"
    body: Any = None  # the concept page's body (a StreamValue of cms.blocks.BaseStreamBlock)
    intro: str = ""  # the concept's chapô when its body is empty
    links_title: str = ""
    links: list = field(default_factory=list)  # further reading [(title, url, source)]
    list_title: str = ""
    list_items: list = field(default_factory=list)  # the criteria [str]
    buttons: list = field(default_factory=list)  # [(label, url)]

    @property
    def is_empty(self) -> bool:
        return not (self.body or self.intro or self.links or self.list_items)


@dataclass
class PartagerEvenementsSection(Section):
    kind: ClassVar[str] = "partager_evenements"
    text: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.email)
