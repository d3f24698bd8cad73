"""Bytes → HTML text, refusing what is not a readable edition with one French line.

Accepted: an HTML file (any encoding it declares, UTF-8 otherwise), an MJML source (compiled with
mrml), an ``.eml`` message (its HTML part) and this site's ``.zip`` export (``index.html`` plus the
subject, preheader, number and date of ``edition.json``).
"""
from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.parser
import email.policy
import email.utils
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .errors import EditionImportError

MAX_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = MAX_BYTES
ZIP_CHUNK = 64 * 1024
# Deepest element nesting accepted (real editions: about 40; the parsers recurse, so a deeper
# document could exhaust the stack): checked by a cheap scan before any parser sees the text.
MAX_DEPTH = 200
MAX_HEADER_CHARS = 2000  # of an .eml's Subject or Date: thousands of encoded words are cut, not decoded
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr "
                      "mj-image mj-divider mj-spacer mj-button mj-raw mj-text mj-title mj-preview mj-font "
                      "mj-breakpoint mj-class mj-all mj-style".split())
# Tags a browser closes by itself when the next one opens (so that they don't count as nested).
SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "td", "th", "tr", "option", "dt", "dd"})
TAG_SCAN_RE = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9:_-]*)((?:[^>\"']|\"[^\"]{0,8000}\"|'[^']{0,8000}')*)>",
                         re.DOTALL)

SIGNATURES = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"GIF8", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "ZIP"),
    (b"\xd0\xcf\x11\xe0", "Microsoft Office"),
    (b"{\\rtf", "RTF"),
]

CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
HTML_TAG_RE = re.compile(r"<\s*(html|body|table|div|p|h[1-6]|td|center|section|article|ul|ol|li|img|a)\b[^>]*>",
                         re.IGNORECASE)
MJML_RE = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<mjml[\s>]", re.IGNORECASE | re.DOTALL)
# UTF-8 read as Windows-1252/Latin-1: "Ã©" for "é", "â€™" for "’"...
MOJIBAKE_RE = re.compile("Ã[\u0080-\u00bf]|â€")


@dataclass
class Source:
    """A readable edition: its HTML text and what the container told us (zip/eml metadata)."""

    name: str
    html: str
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s Mo") % {"n": f"{size / 1024 / 1024:.1f}".replace(".", ",")}
    if size >= 1024:
        return _("%(n)s Ko") % {"n": f"{size / 1024:.0f}"}
    return _("%(n)s octets") % {"n": size}


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse, in linear time and before any parser, a document nested deeper than ``limit``.

    A stack of open tags: a closing tag pops up to its opening one (an unmatched one is ignored),
    void and self-closed tags don't count, and a <p>/<li>/<td> closes the previous one as a
    browser would. The stack never grows past ``limit``, so each step is bounded."""
    stack: list[str] = []
    for match in TAG_SCAN_RE.finditer(text):
        closing, name = match.group(1), match.group(2)
        if name is None:
            continue
        name = name.lower()
        if closing:
            if name in stack:
                while stack.pop() != name:
                    pass
            continue
        if name in VOID_TAGS or (match.group(3) or "").rstrip().endswith("/"):
            continue
        if name in SELF_CLOSING_SIBLINGS and stack and stack[-1] == name:
            continue  # <p>a<p>b: the second closes the first
        stack.append(name)
        if len(stack) > limit:
            raise EditionImportError(
                _("mise en page illisible : éléments imbriqués sur plus de %(n)s niveaux (<%(tag)s>)")
                % {"n": limit, "tag": name[:30]})


def read_source(name: str, data: bytes) -> Source:
    """Check and decode one file. Raises ``EditionImportError`` with the reason it is refused."""
    if not data or not data.strip():
        raise EditionImportError(_("fichier vide"))
    if len(data) > MAX_BYTES:
        raise EditionImportError(_("fichier trop volumineux (%(size)s, maximum %(max)s)")
                                 % {"size": human_size(len(data)), "max": human_size(MAX_BYTES)})
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(name, data)
    lowered = name.lower()
    if lowered.endswith(".eml") or (not lowered.endswith((".html", ".htm")) and _looks_like_email(data)):
        return _read_eml(name, data)
    return _read_html(name, data)


def _refuse_binary(data: bytes) -> None:
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise EditionImportError(_("ce n'est pas un fichier HTML mais un fichier %(kind)s") % {"kind": kind})
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EditionImportError(_("fichier binaire : ce n'est pas un fichier HTML"))
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(head) * 0.05:
        raise EditionImportError(_("fichier binaire : ce n'est pas un fichier HTML"))


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """The text of an HTML file: BOM, then the declared charset, then UTF-8; nothing guessed silently."""
    warnings: list[str] = []
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), warnings
            except UnicodeDecodeError as exc:
                raise EditionImportError(_("encodage cassé : octets invalides en %(enc)s à la position %(pos)s")
                                         % {"enc": encoding.upper(), "pos": exc.start}) from None
    _refuse_binary(data)
    match = CHARSET_RE.search(data[:4096])
    charset = declared or (match.group(1).decode("ascii").lower() if match else None)
    if charset:
        try:
            codec = codecs.lookup(charset)
        except LookupError:
            raise EditionImportError(_("encodage déclaré inconnu : « %(charset)s »") % {"charset": charset[:40]}) from None
        # Browsers read "iso-8859-1" as Windows-1252; so do we (curly quotes in Outlook HTML).
        encoding = "cp1252" if codec.name in ("latin-1", "iso8859-1", "ascii") else codec.name
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise EditionImportError(
                _("encodage cassé : le fichier se déclare en %(enc)s mais contient des octets invalides (position %(pos)s)")
                % {"enc": charset.upper(), "pos": exc.start}) from None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditionImportError(
                _("encodage illisible : le fichier n'est pas en UTF-8 (octet invalide à la position %(pos)s) "
                  "et ne déclare pas son encodage (<meta charset>)") % {"pos": exc.start}) from None
    if text.count("\ufffd") > 3:
        raise EditionImportError(_("encodage cassé : le texte contient des caractères de remplacement (�)"))
    if len(MOJIBAKE_RE.findall(text)) > 3:
        try:
            repaired = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise EditionImportError(
                _("encodage cassé : des accents sont illisibles (« Ã© » au lieu de « é ») et ne se réparent pas")) from None
        warnings.append(_("encodage réparé : le texte UTF-8 avait été lu comme du Windows-1252"))
        text = repaired
    return text, warnings


def _read_html(name: str, data: bytes) -> Source:
    text, warnings = decode_html(data)
    if "\x00" in text:
        raise EditionImportError(_("fichier binaire : ce n'est pas un fichier HTML"))
    if MJML_RE.match(text):
        check_depth(text)  # mrml recurses: 5,000 nested <mj-wrapper> would crash the process
        text = compile_mjml(text)
    elif not HTML_TAG_RE.search(text):
        raise EditionImportError(_("ce n'est pas un fichier HTML : aucune balise HTML trouvée"))
    check_depth(text)
    return Source(name=name, html=text, warnings=warnings)


def compile_mjml(text: str) -> str:
    import mrml

    try:
        return mrml.to_html(text).content
    except Exception as exc:  # noqa: BLE001 — mrml raises OSError/ValueError with its parser's message
        detail = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise EditionImportError(_("source MJML invalide : %(detail)s") % {"detail": detail}) from None


def _looks_like_email(data: bytes) -> bool:
    head = data[:2048].lstrip()
    return bool(re.match(rb"(?i)(return-path|received|from|mime-version|subject|date|to|message-id):", head))


def _read_eml(name: str, data: bytes) -> Source:
    _refuse_binary(data)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        html_part = message.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001 — the email package raises many types on malformed headers
        raise EditionImportError(_("message e-mail illisible")) from None
    if html_part is None:
        raise EditionImportError(_("le message e-mail n'a pas de partie HTML"))
    payload = html_part.get_payload(decode=True) or b""
    if not payload.strip():
        raise EditionImportError(_("la partie HTML du message e-mail est vide"))
    text, warnings = decode_html(payload, declared=html_part.get_content_charset())
    if not HTML_TAG_RE.search(text):
        raise EditionImportError(_("la partie HTML du message e-mail ne contient aucune balise HTML"))
    meta = {}
    # The raw headers (compat32 does not decode them), cut before decoding: a Subject of thousands
    # of encoded words takes seconds to decode with the default policy.
    raw = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    try:
        subject = str(raw.get("Subject") or "")[:MAX_HEADER_CHARS]
        if subject.strip():
            decoded = str(email.header.make_header(email.header.decode_header(subject)))
            meta["subject"] = " ".join(decoded.split())[:255]
    except (TypeError, ValueError, LookupError, email.errors.HeaderParseError, UnicodeError):
        pass  # a malformed header is not worth refusing the message: the HTML still has the edition
    try:
        date = str(raw.get("Date") or "")[:200]
        if date.strip():
            meta["sent_date"] = email.utils.parsedate_to_datetime(date).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return Source(name=name, html=text, meta=meta, warnings=warnings)


def _read_member(archive: zipfile.ZipFile, member: str, limit: int = MAX_ZIP_MEMBER_BYTES) -> bytes:
    """One entry, decompressed chunk by chunk and counted as it comes: the header's size is a claim
    (a bomb says 1 Ko and unpacks to 300 Mo), so reading stops at ``limit`` real bytes."""
    chunks, total = [], 0
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(ZIP_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise EditionImportError(_("%(member)s est trop volumineux une fois décompressé (plus de %(max)s) : "
                                           "archive refusée") % {"member": member[:80], "max": human_size(limit)})
            chunks.append(chunk)
    return b"".join(chunks)


def _read_zip(name: str, data: bytes) -> Source:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise EditionImportError(_("archive ZIP illisible")) from None
    html_name = "index.html" if "index.html" in names else next(
        (n for n in names if n.lower().endswith((".html", ".htm")) and "/" not in n.strip("/")), None)
    if html_name is None:
        raise EditionImportError(_("l'archive ZIP ne contient pas de fichier index.html"))
    try:
        info = archive.getinfo(html_name)
        if info.file_size > MAX_ZIP_MEMBER_BYTES:
            raise EditionImportError(_("%(member)s est trop volumineux dans l'archive (%(size)s, maximum %(max)s)")
                                     % {"member": html_name, "size": human_size(info.file_size), "max": human_size(MAX_BYTES)})
        html_bytes = _read_member(archive, html_name)
        meta = {}
        if "edition.json" in names and archive.getinfo("edition.json").file_size < 1024 * 1024:
            try:
                raw = json.loads(_read_member(archive, "edition.json", 1024 * 1024).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise EditionImportError(_("edition.json illisible dans l'archive ZIP")) from None
            if isinstance(raw, dict):
                meta = {k: raw[k] for k in ("subject", "preheader", "number", "date", "slug", "title") if raw.get(k)}
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):  # zipfile stops at the announced size: more data behind it is a lie
            raise EditionImportError(_("archive ZIP refusée : le contenu ne correspond pas à la taille annoncée "
                                       "(archive corrompue ou piégée)")) from None
        raise EditionImportError(_("archive ZIP illisible")) from None
    except (OSError, RuntimeError, NotImplementedError, EOFError, zlib.error):
        raise EditionImportError(_("archive ZIP illisible")) from None
    if not html_bytes.strip():
        raise EditionImportError(_("index.html est vide dans l'archive ZIP"))
    source = _read_html(name, html_bytes)
    source.meta = {k: str(v) for k, v in meta.items()}
    return source
