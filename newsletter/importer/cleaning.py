"""What mailing tools add around an edition, and how to take it off.

Links: click-tracking redirects are resolved when the target is in the URL (Brevo/Sendinblue
``/mk/cl/``, Mailjet ``/lnk/``, any ``?url=`` / ``?u=`` / ``redirect=`` parameter holding an http
address, base64 path segments); Mailchimp's ``list-manage.com/track/click?u=…&id=…&e=…`` only
carries ids and is kept as is. UTM and tool tracking parameters are stripped.

Text: merge tags (``*|FNAME|*``, ``{{ contact.PRENOM }}``, ``[[UNSUB_LINK_FR]]``, ``{% … %}``) are
dropped; footer boilerplate (unsubscribe, "Vous recevez cet email", addresses…) is recognised.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

MERGE_TAG_RE = re.compile(r"\*\|[^|]{0,200}\|\*|\{\{.{0,200}?\}\}|\{%.{0,200}?%\}|\[\[[^\[\]]{0,200}\]\]|%%[A-Za-z_]+%%",
                          re.DOTALL)
TRACKING_PARAMS_RE = re.compile(r"^(utm_[a-z_]+|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|sib_[a-z_]+|mj_[a-z]+|mjcid|fbclid|gclid)$",
                                re.IGNORECASE)
REDIRECT_PARAMS = ("url", "u", "redirect", "redirect_url", "redirect_uri", "target", "link", "dest",
                   "destination", "to", "goto", "r", "q", "href")
MAX_REDIRECT_DEPTH = 5

FOOTER_PATTERNS = [
    r"d[ée]sinscri", r"d[ée]sabonn", r"unsubscribe", r"opt[- ]out",
    r"vous recevez (cet|ce|cette)", r"vous avez re[çc]u (cet|ce|cette)", r"vous [êe]tes inscrit",
    r"cet? e-?mail (a [ée]t[ée] )?envoy[ée]", r"this e-?mail was sent", r"you are receiving", r"you received this",
    r"why did i get this", r"mettre [àa] jour (vos|votre) (pr[ée]f[ée]rences|profil|abonnement)",
    r"g[ée]rer (vos|votre) (pr[ée]f[ée]rences|abonnement)", r"modifier (vos|votre) (pr[ée]f[ée]rences|abonnement)",
    r"update (your )?(subscription )?preferences", r"our mailing address", r"notre adresse (postale|e-?mail) est",
    r"notre adresse\s*:", r"des questions ou des commentaires", r"creative commons", r"copyright\s*(©|\(c\))", r"©\s*\d{4}",
    r"tous droits r[ée]serv[ée]s", r"all rights reserved",
    r"(voir|afficher|lire|consulter) (cette|la) (newsletter|lettre|version|e-?mail)[^.]{0,40}(navigateur|en ligne|web)",
    r"view (this )?(e-?mail|newsletter) in (your )?browser", r"version en ligne", r"probl[èe]me d'affichage",
    r"ajoutez[- ]nous [àa] votre carnet", r"add us to your address book",
    r"(powered by|sent with|sent via|envoy[ée] (avec|par|via)) (intuit )?(mailchimp|brevo|sendinblue|mailjet|mailtrain"
    r"|substack|beehiiv|convertkit|kit|ghost|hubspot|sendgrid)", r"intuit mailchimp", r"manage (your )?preferences",
    r"view (it |this )?(online|in (your )?browser|on the web)", r"read (it )?(online|on the web)",
    r"report this e-?mail", r"^\s*(lire|voir|afficher) en ligne\s*$", r"^\s*read online\s*$",
    r"conditions (g[ée]n[ée]rales )?d'utilisation", r"mentions l[ée]gales", r"politique de confidentialit[ée]",
    r"privacy policy", r"terms of (use|service)", r"^\s*publish on substack\s*$", r"^\s*get the app\s*$",
]
FOOTER_RE = re.compile("|".join(FOOTER_PATTERNS), re.IGNORECASE)
# "20 avenue de Ségur 75007 Paris", "CS 12345", "BP 12" — a postal address line.
ADDRESS_RE = re.compile(r"\b\d{1,4}(\s?(bis|ter))?,?\s+(rue|avenue|av\.|boulevard|bd|place|quai|all[ée]e|chemin|impasse|cours|route)\b"
                        r".{0,120}\b\d{5}\b|\b\d{5}\s+[A-ZÉÈ][\w\-' ]+(cedex)?\s*$|\b(CS|BP)\s?\d{2,6}\b", re.IGNORECASE)
WHITESPACE_RE = re.compile(r"\s+")
HTTP_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def strip_merge_tags(text: str) -> str:
    return MERGE_TAG_RE.sub("", text)


def has_merge_tag(text: str) -> bool:
    return bool(MERGE_TAG_RE.search(text or ""))


def clean_text(text: str) -> str:
    """Merge tags off, whitespace collapsed, no space before a comma or a full stop."""
    text = strip_merge_tags(text).replace("\u200c", "").replace("\u200b", "").replace("\ufeff", "").replace("\u034f", "")
    text = WHITESPACE_RE.sub(" ", text).strip()
    text = re.sub(r"\s+([,.)])", r"\1", text)
    text = re.sub(r"^[,;]\s*", "", text)
    return text


def normalise_title(title: str) -> str:
    """Accents, case, punctuation and spacing off: what two spellings of one title share."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’'`\"«»“”]", " ", text)
    text = re.sub(r"[^\w]+", " ", text)
    return WHITESPACE_RE.sub(" ", text).strip()


SOCIAL_HOSTS = ("facebook.com", "twitter.com", "x.com", "linkedin.com", "instagram.com", "youtube.com", "tiktok.com",
                "pinterest.com", "threads.net", "mastodon.social", "bsky.app", "t.me", "whatsapp.com")


def is_social_link(url: str) -> bool:
    """A link to a social network's home or profile (the footer's icons), not to one of its posts."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS):
        return False
    return parts.path.strip("/").count("/") == 0  # twitter.com/name, not twitter.com/name/status/123


SOCIAL_ICON_ALT_RE = re.compile(r"^\s*(partager sur |share on |follow us on |suivez-nous sur )?(facebook|fb|twitter|x|linkedin"
                                r"|whatsapp|instagram|youtube|tiktok|pinterest|mastodon|bluesky|threads|telegram"
                                r"|e-?mail|mail|courriel|rss)( icon| logo| icône| logo)?\s*$", re.IGNORECASE)
SOCIAL_ICON_SRC_RE = re.compile(r"(^|[/_-])(facebook|fb|twitter|linkedin|whatsapp|instagram|youtube|tiktok|pinterest"
                                r"|mastodon|bluesky|telegram|social)[\w-]*\.(png|gif|jpe?g|svg|webp)($|\?)", re.IGNORECASE)


# A reader's action icon of the tool (Substack's ".../icon/LucideHeart", "LucideComments", "LucideShare").
ACTION_ICON_SRC_RE = re.compile(r"icon(?:/|%2F)\w*(heart|comment|share|like|restack|repost)", re.IGNORECASE)


def is_social_icon(alt: str, src: str = "") -> bool:
    """An image standing for a social network or a share button (its alt or its file name says which)."""
    return (bool(SOCIAL_ICON_ALT_RE.match(alt or "")) or bool(SOCIAL_ICON_SRC_RE.search(src or ""))
            or bool(ACTION_ICON_SRC_RE.search(src or "")))


def is_footer_text(text: str) -> bool:
    return bool(FOOTER_RE.search(text))


def is_address_text(text: str) -> bool:
    return len(text) < 300 and bool(ADDRESS_RE.search(text))


def _decode_base64_url(segment: str) -> str | None:
    """An http address hidden as base64 in a path segment (Mailjet, Brevo), or None."""
    if len(segment) < 12 or not re.fullmatch(r"[A-Za-z0-9_\-+/=]+", segment):
        return None
    padded = segment + "=" * (-len(segment) % 4)
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            decoded = decoder(padded).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        decoded = decoded.strip()
        if HTTP_RE.match(decoded):
            return decoded
    return None


def _embedded_target(url: str) -> str | None:
    """The address a click-tracking redirect leads to, when the URL itself carries it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith("list-manage.com") or host.endswith("mailchi.mp"):
        return None  # Mailchimp only carries ids (u, id, e): nothing to resolve
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in REDIRECT_PARAMS:
            candidate = unquote(value) if "%3a" in value.lower() else value
            if HTTP_RE.match(candidate.strip()):
                return candidate.strip()
    path = parts.path
    # A URL-encoded address inside the path: /redirect/https%3A%2F%2F…
    match = re.search(r"(https?(%3A|:)(%2F|/){2}[^\s?#]+)", path[1:], re.IGNORECASE)
    if match and (match.start() > 0 or "%3a" in match.group(1).lower()):
        candidate = unquote(match.group(1))
        if HTTP_RE.match(candidate):
            return candidate
    if "/mk/cl/" in path or "/lnk/" in path or re.search(r"/(tr|track|click|c|l|cl|redirect)/", path):
        for segment in reversed([s for s in path.split("/") if s]):
            decoded = _decode_base64_url(segment)
            if decoded:
                return decoded
    return None


def resolve_link(url: str) -> str:
    """The address behind a tracking redirect (when the URL carries it), stripped of tracking parameters."""
    url = (url or "").strip()
    for _depth in range(MAX_REDIRECT_DEPTH):
        if not HTTP_RE.match(url):
            break
        target = _embedded_target(url)
        if not target or target == url:
            break
        url = target
    return strip_tracking_params(url)


def is_unresolved_tracking_link(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower() if HTTP_RE.match(url or "") else ""
    return host.endswith("list-manage.com") or "/mk/cl/" in url or "/lnk/" in url or "/track/click" in url


def strip_tracking_params(url: str) -> str:
    if not HTTP_RE.match(url or ""):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS_RE.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True, safe=":/@!$'()*,;"),
                       parts.fragment))


def comparable_url(url: str) -> str:
    """A key two spellings of one address share: no scheme, no www, no trailing slash, sorted query."""
    try:
        parts = urlsplit(strip_tracking_params((url or "").strip()))
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = unquote(parts.path).rstrip("/") or ""
    query = urlencode(sorted(parse_qsl(parts.query)))
    return f"{host}{port}{path}" + (f"?{query}" if query else "")


def usable_link(href: str | None) -> str:
    """The cleaned target of an ``href``, or "" for merge tags, anchors, javascript: and mailto: links."""
    href = (href or "").strip()
    if not href or href.startswith("#") or has_merge_tag(href):
        return ""
    if href.lower().startswith(("mailto:", "tel:")):
        return href
    if href.startswith("//"):
        href = "https:" + href
    href = safe_href(href)
    if not HTTP_RE.match(href):
        return ""
    try:
        return safe_href(resolve_link(href))
    except ValueError:
        return ""


# What may stay raw in a stored link: RFC 3986 reserved and unreserved characters and "%" (already
# encoded). A quote, a space, "<", ">", a backslash or a non-ASCII character is percent-encoded.
SAFE_URL_CHARS = ":/?#[]@!$&()*+,;=%~-._"


def safe_href(url: str) -> str:
    """``url`` with every character that could break out of an attribute percent-encoded."""
    url = "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")
    return quote(url, safe=SAFE_URL_CHARS)


# "<![endif]-->" or "<![if !mso]>" outside any comment: a downlevel-revealed conditional or a stray end
# (beehiiv writes "<!--[if !mso]>><!--<![endif]-->", leaving one "<![endif]-->" behind). html.parser
# takes it for a marked section and swallows everything up to the next "]>", the body included.
STRAY_CONDITIONAL_RE = re.compile(r"<!\[(?:end)?if\b[^\]>]{0,200}\]\s*(?:--)?>", re.IGNORECASE)


def strip_stray_conditionals(html: str) -> str:
    """Remove conditional-comment markers left outside comments; comments themselves are kept (linear scan)."""
    if "<![" not in html:
        return html
    out, pos = [], 0
    while True:
        start = html.find("<!", pos)
        if start < 0:
            break
        if html.startswith("<!--", start):
            end = html.find("-->", start + 4)
            if end < 0:
                break  # an unterminated comment runs to the end: left to the parser
            out.append(html[pos:end + 3])
            pos = end + 3
            continue
        match = STRAY_CONDITIONAL_RE.match(html, start)
        out.append(html[pos:start])
        pos = match.end() if match else start
        if not match:
            out.append("<!")
            pos = start + 2
    out.append(html[pos:])
    return "".join(out)
