"""Bytes → HTML text, refusing what is not a readable edition with one French line.

Accepted: an HTML file (any encoding it declares, UTF-8 otherwise), an MJML source (compiled with
mrml), an ``.eml`` message (its HTML part) and this site's ``.zip`` export (``index.html`` plus the
subject, preheader, number and date of ``edition.json``).
"""
from __future__ import annotations

import codecs
import email
import email.policy
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .errors import EditionImportError

MAX_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = MAX_BYTES

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
        text = compile_mjml(text)
    elif not HTML_TAG_RE.search(text):
        raise EditionImportError(_("ce n'est pas un fichier HTML : aucune balise HTML trouvée"))
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
    try:
        if message["Subject"]:
            meta["subject"] = str(message["Subject"])
        if message["Date"] and message["Date"].datetime:
            meta["sent_date"] = message["Date"].datetime.date().isoformat()
    except (TypeError, ValueError, AttributeError):
        pass  # a malformed header is not worth refusing the message: the HTML still has the edition
    return Source(name=name, html=text, meta=meta, warnings=warnings)


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
        html_bytes = archive.read(html_name)
        meta = {}
        if "edition.json" in names and archive.getinfo("edition.json").file_size < 1024 * 1024:
            try:
                raw = json.loads(archive.read("edition.json").decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise EditionImportError(_("edition.json illisible dans l'archive ZIP")) from None
            if isinstance(raw, dict):
                meta = {k: raw[k] for k in ("subject", "preheader", "number", "date", "slug", "title") if raw.get(k)}
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise EditionImportError(_("archive ZIP illisible")) from None
    if not html_bytes.strip():
        raise EditionImportError(_("index.html est vide dans l'archive ZIP"))
    source = _read_html(name, html_bytes)
    source.meta = {k: str(v) for k, v in meta.items()}
    return source
