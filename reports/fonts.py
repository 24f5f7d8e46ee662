"""The Chinese font the leadership reports carry inside themselves, cut down to the characters they use.

No CJK font is installed system-wide here (nor, usually, on a leader's locked-down PC), so the HTML ships its
own: Noto Sans CJK SC (SIL Open Font License, from the ``mplfonts`` package), subset with fontTools to the
characters of the page and inlined as a base64 OpenType ``@font-face``. The PDF is made by WeasyPrint from the
same HTML and embeds (a further subset of) the same font. Subsetting first matters for time: the full OTF is
16 MB, and WeasyPrint would load and subset all of it on every render.

The charts do not need it: they are drawn with ``svg.fonttype = 'path'`` (outlines), using the full font file
through :func:`font_path`.
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache
from html import unescape
from pathlib import Path

FAMILY = "CityLake Noto Sans CJK SC"
# Always present in the subset so digits, punctuation and Latin letters can never fall back to another font.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、：；（）—…–−·•％↑↓→“”‘’《》【】×÷≥≤"


class FontError(RuntimeError):
    """The CJK font file is not where the ``mplfonts`` package should have installed it."""


@cache
def font_path() -> Path:
    """Noto Sans CJK SC Regular as shipped by ``mplfonts`` (found through the package, not a fixed path)."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():
        raise FontError(f"{path} is missing: reinstall the mplfonts package (it ships the CJK font)")
    return path


def page_characters(html: str) -> str:
    """Every character a reader can see on ``html``: its text and CSS (``content:`` strings of the page
    footer), not its inline SVG (drawn as outlines) nor any data URI."""
    text = re.sub(r"<svg\b.*?</svg>", " ", html, flags=re.S | re.I)
    text = re.sub(r"data:[^)\"']+", " ", text)
    return "".join(sorted(set(unescape(text)) | set(_ALWAYS)))


def subset_font(characters: str, flavor: str | None = None, source: Path | None = None) -> bytes:
    """``source`` (default: the CJK font) reduced to ``characters`` (plus .notdef), as plain OTF (default) or
    WOFF2. Plain OTF is the default: WOFF2's Brotli pass costs about 1.5 s for ~35 KB less (measured)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = flavor
    options.name_IDs = ["*"]  # keep the name table: the OFL wants the font's name and licence kept with it
    options.notdef_outline = True
    options.ignore_missing_unicodes = True
    # recalcTimestamp=False: the subset keeps the source's 'head' dates, so a page's bytes do not follow the clock.
    font = TTFont(str(source or font_path()), lazy=True, recalcTimestamp=False)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(c for c in characters if not c.isspace() or c == " "))
        subsetter.subset(font)
        out = io.BytesIO()
        font.flavor = flavor
        font.save(out)
    finally:
        font.close()
    return out.getvalue()


def font_face_css(characters: str, family: str = FAMILY) -> str:
    """An ``@font-face`` rule carrying the subset font as a data URI (no file, no network)."""
    data = base64.b64encode(subset_font(characters)).decode("ascii")
    return (f"@font-face {{ font-family: \"{family}\"; font-style: normal; font-weight: 400; "
            f"src: url(data:font/otf;base64,{data}) format(\"opentype\"); }}")
