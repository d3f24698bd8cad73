"""Template tags of the public site: cards, breadcrumbs, meta tags, optional slots."""
from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cms.cards import Card

register = template.Library()

HEADING_LEVELS = {2, 3, 4, 5, 6}


@register.simple_tag(takes_context=True)
def card(context, obj, heading_level=3, horizontal=False):
    """Render a page (anything with ``get_card``) or a ``Card`` with ``cms/includes/card.html``.

    ``heading_level`` is the level of the card title in the page where the card appears.
    """
    if obj is None:
        return ""
    from cms.cache import cached_in_release, request_vary

    request = context.get("request")
    host = request_vary(request)
    if isinstance(obj, Card) or not hasattr(obj, "get_card") or host is None:
        return _render_card(obj, request, heading_level, horizontal)
    # A card is kept by what it shows (its Card, computed without a query: the listings select the
    # image), in the release: a publish re-renders only the cards whose page changed, and the image
    # renditions are looked up once per image version.
    from django.utils import timezone, translation

    value = obj.get_card(request)
    vary = (host, timezone.localdate().isoformat(), translation.get_language() or "", type(obj).__name__,
            str(heading_level), bool(horizontal), _card_identity(value))
    return mark_safe(cached_in_release(  # noqa: S308 (HTML rendered by card.html, autoescaped)
        "card", vary, lambda: _render_card(value, request, heading_level, horizontal)))


def _image_identity(image):
    """What an image's renditions and alt text depend on (a new file or focal point, a new description)."""
    if image is None:
        return None
    return (image.pk, getattr(image.file, "name", ""), image.width, image.height, image.focal_point_x,
            image.focal_point_y, image.focal_point_width, image.focal_point_height, image.title,
            getattr(image, "description", ""))


def _card_identity(value: Card) -> tuple:
    return (value.title, value.url, value.summary, value.kicker, value.cta_label, repr(value.date),
            _image_identity(value.image), value.image_alt, value.external_url, value.page_id,
            tuple(sorted((str(k), str(v)) for k, v in value.meta.items())))


def _render_card(obj, request, heading_level, horizontal):
    if isinstance(obj, Card):
        value = obj
    elif hasattr(obj, "get_card"):
        value = obj.get_card(request)
    else:  # a page type outside the content model (e.g. a Wagtail form page)
        value = Card(title=obj.title, url=obj.get_url(request) or "",
                     summary=getattr(obj, "search_description", ""),
                     kicker=str(obj.specific_class._meta.verbose_name).capitalize())
    try:
        level = int(heading_level)
    except (TypeError, ValueError):
        level = 3
    if level not in HEADING_LEVELS:
        level = 3
    return render_to_string(
        "cms/includes/card.html",
        {"card": value, "heading_level": level, "horizontal": horizontal, "request": request},
    )


@register.simple_tag(takes_context=True)
def breadcrumb_ancestors(context):
    """[(title, url)] of the ancestors of the current page from the site's home page (excluded) down.

    One query whatever the depth.
    """
    request = context.get("request")
    page = context.get("page")
    if page is None or not getattr(page, "depth", None) or page.depth <= 3:
        return []  # no ancestor below the home (depth 2) to show: no query
    # (base.html keeps the whole rendered breadcrumbs in the site generation.)
    steplen = page.steplen
    paths = [page.path[:steplen * depth] for depth in range(3, page.depth)]
    # Most pages sit one level below a menu item (a thématique, a resource, an event): the menu,
    # which every page reads, already holds that ancestor: no query then.
    menu = {item.path: item for item in context.get("main_navigation") or ()}
    if all(path in menu for path in paths):
        ancestors = [menu[path] for path in paths]
    else:
        ancestors = page.get_ancestors().filter(depth__gt=2).only("id", "title", "url_path", "path", "depth")
    return [(a.title, a.get_url(request)) for a in ancestors]


@register.simple_tag(takes_context=True)
def nav_current(context, nav_item):
    """The aria-current value of a menu item: "page" on the item itself, "true" inside its section."""
    page = context.get("page")
    path = getattr(page, "path", None)
    if not path or not path.startswith(nav_item.path):
        return ""
    return "page" if page.pk == nav_item.pk else "true"


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """The absolute form of ``url`` for the current request."""
    request = context.get("request")
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if request is None:
        from django.conf import settings

        return settings.SITE_BASE_URL + url
    return request.build_absolute_uri(url)


def _site_tagline(request) -> str:
    """The site's tagline (site settings, read once per request), the description of last resort."""
    from cms.cache import cached_value
    from cms.models import SiteSettings

    if request is None:
        return ""
    return cached_value("tagline", (), lambda: SiteSettings.load(request_or_site=request).tagline)


@register.inclusion_tag("cms/includes/meta.html", takes_context=True)
def meta_tags(context):
    """Meta description, canonical link and Open Graph tags of the current page or view."""
    request = context.get("request")
    page = context.get("page")
    title = context.get("meta_title") or ""
    description = context.get("meta_description") or ""
    url = ""
    image_url = image_alt = ""
    og_type = "website"
    if page is not None and hasattr(page, "get_meta_description"):
        title = title or page.seo_title or page.title
        description = description or page.get_meta_description()
        url = page.get_full_url(request) or ""
        if getattr(page, "listing_image_id", None):
            from cms.cache import cached_value

            # The rendition URL and the alt text cost two queries: kept with the site's fragments.
            rendition_url, image_alt = cached_value(
                "og-image", (page.listing_image_id, getattr(page, "listing_image_alt", ""),
                             getattr(page, "listing_image_decorative", False)),
                lambda: (page.listing_image.get_rendition("fill-1200x630").url, getattr(page, "image_alt", "")))
            image_url = absolute_url(context, rendition_url)
        if hasattr(page, "publication_date") or hasattr(page, "start"):
            og_type = "article"
    elif request is not None:
        url = request.build_absolute_uri(request.path)
    if not description:
        description = getattr(page, "intro", "") or _site_tagline(request)
    return {
        "meta_title": title,
        "meta_description": description,
        "meta_url": url,
        "meta_image": image_url,
        "meta_image_alt": image_alt if image_url else "",
        "meta_type": og_type,
        "site_name": "Territoires en Commun",
    }


SOCIAL_CLASSES = {
    "facebook": "fr-btn--facebook", "x": "fr-btn--twitter-x", "twitter": "fr-btn--twitter-x",
    "linkedin": "fr-btn--linkedin", "instagram": "fr-btn--instagram", "youtube": "fr-btn--youtube",
    "mastodon": "fr-btn--mastodon", "threads": "fr-btn--threads", "tiktok": "fr-btn--tiktok",
    "dailymotion": "fr-btn--dailymotion", "bluesky": "fr-btn--bluesky",
}


@register.filter
def social_class(network):
    """The DSFR follow-button class of a social network name ("LinkedIn" → fr-btn--linkedin)."""
    key = "".join(ch for ch in str(network).lower() if ch.isalnum())
    if key.startswith("twitter"):
        key = "twitter"
    return SOCIAL_CLASSES.get(key, "fr-btn--tertiary")


@register.simple_tag
def embed_with_title(embed_value, title):
    """The HTML of a video embed whose iframes carry ``title`` (their accessible name).

    Falls back to a plain link to the video when the provider cannot be reached.
    """
    from bs4 import BeautifulSoup
    from django.utils.html import format_html

    url = getattr(embed_value, "url", "") or ""
    try:
        html = embed_value.html if embed_value else ""
    except Exception:  # noqa: BLE001 — the embed finder raises on network or provider errors
        html = ""
    if not html:
        if not url:
            return ""
        return format_html('<p><a href="{}">{}</a></p>', url, title)
    soup = BeautifulSoup(html, "html.parser")
    for iframe in soup.find_all("iframe"):
        iframe["title"] = title
    from django.utils.safestring import mark_safe

    return mark_safe(str(soup))  # provider HTML from Wagtail's embed finders, titles escaped by bs4


@register.simple_tag
def select_options(field):
    """The ``<option>`` elements of a choice field, its current value selected when it is a valid one.

    A library filter lists a hundred départements: rendered once per set of choices and selected
    value, then kept in the release, keyed by all it shows (every choice, the selected one): a
    publish that changes a choice or a count changes the key, one that does not keeps the HTML. An
    invalid submitted value selects nothing and is never stored.
    """
    from django.utils.html import format_html_join

    from cms.cache import cached_in_release

    choices = [(str(value), str(label)) for value, label in field.field.choices]
    current = field.value()
    selected = str(current) if current is not None and str(current) in {v for v, _label in choices} else None

    def render():
        return format_html_join("\n", '<option value="{}"{}>{}</option>', (
            (value, mark_safe(" selected") if value == selected else "", label) for value, label in choices))

    return mark_safe(cached_in_release("select-options", (field.html_name, selected, tuple(choices)), render))  # noqa: S308 - the cached value is the output of a Django template, escaped when rendered


@register.filter
def event_dates(event) -> str:
    """The dates of an event in French (see ``EvenementPage.dates_label``)."""
    return getattr(event, "dates_label", "")
