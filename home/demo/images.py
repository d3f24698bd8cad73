"""Card illustrations and partner logos drawn locally with Pillow (nothing is downloaded).

Each illustration is a coloured background and a simple pictogram made of shapes, with no text: the
card or page beside it says the title, so a picture never repeats it (nor has it cut by a crop). It is
stored as a Wagtail image whose ``description`` (the alt text field) says what it shows. Images are
looked up by title, so a second run reuses them instead of creating new ones; an image whose
description changed (the drawing changed) is drawn again.
"""
import io
import textwrap

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

# DSFR illustrative colours (background, accent), keyed like ThematiquePage.COULEURS.
COULEURS = {
    "green-emeraude": ("#c3fad5", "#00a95f"),
    "blue-ecume": ("#dee5fd", "#465f9d"),
    "purple-glycine": ("#fee7fc", "#a558a0"),
    "orange-terre-battue": ("#fee9e5", "#e4794a"),
    "yellow-tournesol": ("#feecc2", "#716043"),
    "pink-tuile": ("#fee9e7", "#ce614a"),
    "brown-cafe-creme": ("#f7ecdb", "#7e6a44"),
    "green-archipel": ("#c7f6fc", "#009099"),
    "blue-france": ("#e3e3fd", "#000091"),
}

PICTOGRAMMES = {
    "work": "une mallette",
    "family": "une famille (un adulte et un enfant)",
    "car": "une voiture",
    "house": "une maison",
    "food": "un panier de fruits",
    "people": "un groupe de personnes",
    "culture": "un masque de théâtre",
    "youth": "un jeune qui lève la main",
    "calendar": "un calendrier",
    "speech": "une bulle de parole",
    "star": "une étoile",
    "book": "un livre ouvert",
    "handshake": "deux mains qui se serrent",
}

COLOUR_NAMES = {
    "green-emeraude": "vert", "blue-ecume": "bleu", "purple-glycine": "violet", "orange-terre-battue": "orange",
    "yellow-tournesol": "jaune", "pink-tuile": "rose", "brown-cafe-creme": "beige", "green-archipel": "turquoise",
    "blue-france": "bleu",
}

WIDTH, HEIGHT = 1200, 675


def _font(size: int, bold: bool = True):
    """Marianne, the State's typeface, as django-dsfr ships it; Pillow's own font if it cannot be read."""
    from pathlib import Path

    import dsfr

    path = Path(dsfr.__file__).parent / "static" / "dsfr" / "dist" / "fonts" / (
        "Marianne-Bold.woff2" if bold else "Marianne-Regular.woff2")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _draw_pictogram(draw: ImageDraw.ImageDraw, kind: str, cx: int, cy: int, r: int, colour: str) -> None:
    """A recognisable pictogram from plain shapes, centred on (cx, cy) within radius r."""
    white = "#ffffff"
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    s = r * 0.55
    if kind == "work":
        draw.rounded_rectangle([cx - s, cy - s * 0.5, cx + s, cy + s * 0.8], radius=12, fill=white)
        draw.rounded_rectangle([cx - s * 0.35, cy - s * 0.85, cx + s * 0.35, cy - s * 0.45], radius=8, outline=white, width=10)
        draw.line([cx - s, cy + s * 0.1, cx + s, cy + s * 0.1], fill=colour, width=8)
    elif kind == "family":
        draw.ellipse([cx - s * 0.9, cy - s, cx - s * 0.3, cy - s * 0.4], fill=white)
        draw.rounded_rectangle([cx - s, cy - s * 0.3, cx - s * 0.2, cy + s], radius=14, fill=white)
        draw.ellipse([cx + s * 0.2, cy - s * 0.35, cx + s * 0.65, cy + s * 0.1], fill=white)
        draw.rounded_rectangle([cx + s * 0.1, cy + s * 0.15, cx + s * 0.75, cy + s], radius=12, fill=white)
    elif kind == "car":
        draw.rounded_rectangle([cx - s, cy - s * 0.2, cx + s, cy + s * 0.5], radius=16, fill=white)
        draw.polygon([(cx - s * 0.6, cy - s * 0.2), (cx - s * 0.35, cy - s * 0.7), (cx + s * 0.35, cy - s * 0.7),
                      (cx + s * 0.6, cy - s * 0.2)], fill=white)
        for dx in (-s * 0.55, s * 0.55):
            draw.ellipse([cx + dx - s * 0.25, cy + s * 0.3, cx + dx + s * 0.25, cy + s * 0.8], fill=colour,
                         outline=white, width=10)
    elif kind == "house":
        draw.polygon([(cx - s, cy - s * 0.1), (cx, cy - s), (cx + s, cy - s * 0.1)], fill=white)
        draw.rectangle([cx - s * 0.75, cy - s * 0.1, cx + s * 0.75, cy + s * 0.9], fill=white)
        draw.rectangle([cx - s * 0.2, cy + s * 0.3, cx + s * 0.2, cy + s * 0.9], fill=colour)
    elif kind == "food":
        draw.pieslice([cx - s, cy - s * 0.6, cx + s, cy + s], 0, 180, fill=white)
        for dx, dy in ((-0.45, -0.05), (0, -0.35), (0.45, -0.05)):
            draw.ellipse([cx + (dx - 0.28) * s, cy + (dy - 0.28) * s, cx + (dx + 0.28) * s, cy + (dy + 0.28) * s],
                         fill=white, outline=colour, width=6)
    elif kind in ("people", "handshake"):
        for dx in (-0.6, 0, 0.6):
            draw.ellipse([cx + (dx - 0.22) * s, cy - 0.8 * s, cx + (dx + 0.22) * s, cy - 0.36 * s], fill=white)
            draw.rounded_rectangle([cx + (dx - 0.3) * s, cy - 0.25 * s, cx + (dx + 0.3) * s, cy + 0.8 * s],
                                   radius=12, fill=white)
    elif kind == "culture":
        draw.chord([cx - s, cy - s * 0.8, cx + s, cy + s], 200, 340, fill=white)
        draw.pieslice([cx - s, cy - s, cx + s, cy + s], 0, 180, fill=white)
        for dx in (-0.4, 0.4):
            draw.ellipse([cx + (dx - 0.15) * s, cy - 0.1 * s, cx + (dx + 0.15) * s, cy + 0.2 * s], fill=colour)
    elif kind == "youth":
        draw.ellipse([cx - s * 0.3, cy - s * 0.75, cx + s * 0.3, cy - s * 0.15], fill=white)
        draw.rounded_rectangle([cx - s * 0.45, cy - s * 0.05, cx + s * 0.45, cy + s * 0.9], radius=14, fill=white)
        draw.line([cx + s * 0.4, cy, cx + s * 0.8, cy - s * 0.9], fill=white, width=18)
    elif kind == "calendar":
        draw.rounded_rectangle([cx - s, cy - s * 0.7, cx + s, cy + s * 0.9], radius=12, fill=white)
        draw.rectangle([cx - s, cy - s * 0.7, cx + s, cy - s * 0.3], fill=colour)
        for i in range(3):
            for j in range(2):
                x, y = cx - s * 0.6 + i * s * 0.6, cy + j * s * 0.45
                draw.rectangle([x - 10, y - 10, x + 10, y + 10], fill=colour)
    elif kind == "speech":
        draw.rounded_rectangle([cx - s, cy - s * 0.8, cx + s, cy + s * 0.4], radius=30, fill=white)
        draw.polygon([(cx - s * 0.4, cy + s * 0.35), (cx - s * 0.7, cy + s * 0.95), (cx, cy + s * 0.35)], fill=white)
    elif kind == "star":
        import math

        points = []
        for i in range(10):
            rad = s if i % 2 == 0 else s * 0.45
            angle = math.pi / 2 + i * math.pi / 5
            points.append((cx + rad * math.cos(angle), cy - rad * math.sin(angle)))
        draw.polygon(points, fill=white)
    else:  # book
        draw.polygon([(cx, cy - s * 0.5), (cx - s, cy - s * 0.8), (cx - s, cy + s * 0.6), (cx, cy + s * 0.9)], fill=white)
        draw.polygon([(cx, cy - s * 0.5), (cx + s, cy - s * 0.8), (cx + s, cy + s * 0.6), (cx, cy + s * 0.9)], fill=white)
        draw.line([cx, cy - s * 0.5, cx, cy + s * 0.9], fill=colour, width=6)


def draw_card(title: str, pictogram: str, color: str, kicker: str = "") -> bytes:
    """A 1200×675 PNG: coloured background and the pictogram in the middle (where every crop keeps it),
    no text. ``title`` and ``kicker`` only vary the pattern of dots, so two cards side by side differ."""
    background, accent = COULEURS.get(color, COULEURS["blue-france"])
    img = PILImage.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(img)
    seed = sum(ord(ch) for ch in f"{kicker}{title}")
    for i in range(14):  # a light pattern of dots, away from the pictogram
        x = (seed * (i + 3) * 37) % WIDTH
        y = (seed * (i + 5) * 53) % HEIGHT
        if abs(x - WIDTH / 2) < 260 and abs(y - HEIGHT / 2) < 240:
            continue
        r = 14 + (seed + i * 7) % 26
        draw.ellipse([x - r, y - r, x + r, y + r], outline=accent, width=6)
    _draw_pictogram(draw, pictogram, WIDTH // 2, HEIGHT // 2, 190, accent)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_logo(name: str, short_name: str, color: str) -> bytes:
    """A 600×240 wordmark for a partner: initials in a coloured block and the name."""
    background, accent = COULEURS.get(color, COULEURS["blue-france"])
    img = PILImage.new("RGB", (600, 240), "#ffffff")
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([16, 40, 176, 200], radius=20, fill=accent)
    initials = (short_name or name)[:4]
    bbox = draw.textbbox((0, 0), initials, font=_font(56))
    draw.text((96 - (bbox[2] - bbox[0]) / 2, 120 - (bbox[3] + bbox[1]) / 2), initials, font=_font(56), fill="#ffffff")
    y = 60
    for line in textwrap.wrap(name, width=20)[:4]:
        draw.text((200, y), line, font=_font(30), fill="#161616")
        y += 38
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def card_alt(title: str, pictogram: str, color: str) -> str:
    picto = PICTOGRAMMES.get(pictogram, PICTOGRAMMES["book"])
    colour = COLOUR_NAMES.get(color, "bleu")
    return f"Illustration : {picto} dessinée sur fond {colour}."


def get_or_create_image(title: str, filename: str, description: str, render):
    """The Wagtail image with this title, created from ``render()`` (PNG bytes) the first time.

    Returns (image, created). An existing image keeps its file unless its description changed (what the
    picture shows changed): then the file is drawn again with the new description.
    """
    from wagtail.images import get_image_model

    Image = get_image_model()
    image = Image.objects.filter(title=title).order_by("pk").first()
    if image:
        if image.description != description:
            image.description = description
            image.file = ImageFile(io.BytesIO(render()), name=filename)
            image.save()
            image.renditions.all().delete()
        return image, False
    image = Image(title=title, description=description)
    image.file = ImageFile(io.BytesIO(render()), name=filename)
    image.save()
    return image, True
