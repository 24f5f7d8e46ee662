"""Looking at a PDF the way a reader's viewer will: are its fonts inside it, and does any text show the
missing-glyph box (.notdef)? Used by the leadership-report tests and by the mail tests on the attachment.

pypdf is not installed and pypdfium2 does not expose a CID font's encoding, so this module carries a small
PDF object reader: plain and compressed objects (object streams, FlateDecode), the page tree with inherited
resources, form XObjects, and the text operators of content streams. For every shown string it maps codes
to CIDs through the font's encoding (``Identity-H`` or an embedded CMap) and CIDs to glyphs; CID 0, or a
glyph the embedded font program does not have, is a missing glyph. WeasyPrint marks a character no font has
exactly that way: its own CMap maps the code to CID 0.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Ref:
    num: int


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Op:
    op: str


class _Lexer:
    def __init__(self, data: bytes, pos: int = 0):
        self.data, self.pos = data, pos

    def _skip(self) -> None:
        d = self.data
        while self.pos < len(d):
            c = d[self.pos:self.pos + 1]
            if c in (b" ", b"\t", b"\r", b"\n", b"\f", b"\x00"):
                self.pos += 1
            elif c == b"%":
                while self.pos < len(d) and d[self.pos:self.pos + 1] not in (b"\r", b"\n"):
                    self.pos += 1
            else:
                break

    def token(self) -> Any:
        """The next object or operator; None at the end."""
        self._skip()
        d, p = self.data, self.pos
        if p >= len(d):
            return None
        c = d[p:p + 1]
        if d.startswith(b"<<", p):
            self.pos += 2
            out = {}
            while True:
                k = self.token()
                if k == Op(">>") or k is None:
                    return out
                out[k.name if isinstance(k, Name) else str(k)] = self.value()
        if d.startswith(b">>", p):
            self.pos += 2
            return Op(">>")
        if c == b"[":
            self.pos += 1
            out = []
            while True:
                self._skip()
                if self.data[self.pos:self.pos + 1] == b"]":
                    self.pos += 1
                    return out
                if self.pos >= len(self.data):
                    return out
                out.append(self.value())
        if c == b"]":
            self.pos += 1
            return Op("]")
        if c == b"/":
            m = re.compile(rb"/([^\s()<>\[\]{}/%]*)").match(d, p)
            self.pos = m.end()
            raw = m.group(1)
            return Name(re.sub(rb"#([0-9a-fA-F]{2})", lambda x: bytes([int(x.group(1), 16)]), raw).decode("latin-1"))
        if c == b"(":
            return self._literal()
        if c == b"<":
            end = d.index(b">", p)
            hexs = re.sub(rb"\s", b"", d[p + 1:end])
            if len(hexs) % 2:
                hexs += b"0"
            self.pos = end + 1
            return bytes.fromhex(hexs.decode())
        m = re.compile(rb"[+-]?(\d+\.?\d*|\.\d+)").match(d, p)
        if m:
            self.pos = m.end()
            t = m.group(0)
            return float(t) if b"." in t else int(t)
        m = re.compile(rb"[^\s()<>\[\]{}/%]+").match(d, p)
        if not m:  # a stray delimiter: step over it
            self.pos += 1
            return Op(c.decode("latin-1"))
        self.pos = m.end()
        word = m.group(0).decode("latin-1")
        if word in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[word]
        return Op(word)

    def value(self) -> Any:
        """A token, folding ``n g R`` into a reference."""
        t = self.token()
        if isinstance(t, int):
            save = self.pos
            t2 = self.token()
            if isinstance(t2, int):
                t3 = self.token()
                if t3 == Op("R"):
                    return Ref(t)
            self.pos = save
        return t

    def _literal(self) -> bytes:
        d = self.data
        p = self.pos + 1
        depth, out = 1, bytearray()
        esc = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
        while p < len(d):
            c = d[p:p + 1]
            if c == b"\\":
                n = d[p + 1:p + 2]
                if n in esc:
                    out += esc[n]
                    p += 2
                elif n.isdigit():
                    m = re.compile(rb"[0-7]{1,3}").match(d, p + 1)
                    out.append(int(m.group(0), 8) & 0xFF)
                    p = m.end()
                elif n in (b"\r", b"\n"):
                    p += 2
                else:
                    out += n
                    p += 2
                continue
            if c == b"(":
                depth += 1
            elif c == b")":
                depth -= 1
                if depth == 0:
                    p += 1
                    break
            out += c
            p += 1
        self.pos = p
        return bytes(out)


def _decode(stream_dict: dict, raw: bytes) -> bytes:
    filters = stream_dict.get("Filter")
    filters = [filters] if isinstance(filters, Name) else (filters or [])
    for f in filters:
        if f.name == "FlateDecode":
            raw = zlib.decompress(raw)
        else:  # not needed for what this module reads (fonts and content streams are Flate-coded)
            return raw
    return raw


class Pdf:
    """Every object of a PDF file, streams decoded."""

    def __init__(self, data: bytes):
        self.objects: dict[int, Any] = {}
        self.streams: dict[int, bytes] = {}
        obj_re = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
        pos = 0
        pending_objstm = []
        while True:
            m = obj_re.search(data, pos)
            if not m:
                break
            num = int(m.group(1))
            lx = _Lexer(data, m.end())
            value = lx.value()
            lx._skip()
            pos = lx.pos
            if isinstance(value, dict) and data.startswith(b"stream", lx.pos):
                start = lx.pos + len(b"stream")
                start += 2 if data.startswith(b"\r\n", start) else 1
                length = value.get("Length")
                if isinstance(length, int) and re.match(rb"\s*endstream", data[start + length:start + length + 20]):
                    end = start + length
                else:  # an indirect or wrong length: the stream ends at its keyword
                    end = data.index(b"endstream", start)
                    while end > start and data[end - 1:end] in (b"\r", b"\n"):
                        end -= 1
                self.streams[num] = _decode(value, data[start:end])
                pos = end
                if value.get("Type") == Name("ObjStm"):
                    pending_objstm.append((num, value))
            self.objects[num] = value
        for num, d in pending_objstm:
            body = self.streams[num]
            head = _Lexer(body)
            pairs = [(head.token(), head.token()) for _ in range(d["N"])]
            for onum, off in pairs:
                if onum not in self.objects:
                    self.objects[onum] = _Lexer(body, d["First"] + off).value()

    @classmethod
    def open(cls, path: Path) -> Pdf:
        return cls(Path(path).read_bytes())

    def get(self, v: Any) -> Any:
        while isinstance(v, Ref):
            v = self.objects.get(v.num)
        return v

    def stream(self, v: Any) -> bytes:
        return self.streams.get(v.num, b"") if isinstance(v, Ref) else b""

    def root(self) -> dict:
        for v in self.objects.values():
            if isinstance(v, dict) and v.get("Type") == Name("Catalog"):
                return v
        raise ValueError("no document catalog")

    def pages(self) -> list[tuple[dict, dict]]:
        """(page, its resources with inheritance) in order."""
        out = []

        def walk(node: dict, inherited: Any) -> None:
            res = node.get("Resources", inherited)
            if node.get("Type") == Name("Pages"):
                for kid in self.get(node.get("Kids")) or []:
                    walk(self.get(kid), res)
            else:
                out.append((node, self.get(res) or {}))

        walk(self.get(self.root()["Pages"]), None)
        return out


@dataclass
class FontReport:
    ref: int
    base_font: str
    subtype: str
    embedded: bool
    font_file: str | None  # FontFile / FontFile2 / FontFile3 (None: not embedded; Type3: drawn procedures)
    glyph_count: int | None


@dataclass
class Missing:
    page: int
    font: str
    code: int
    cid: int
    text: str  # what the font's ToUnicode says the code stands for


@dataclass
class PdfCheck:
    fonts: list[FontReport] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    glyphs_shown: int = 0

    @property
    def not_embedded(self) -> list[FontReport]:
        return [f for f in self.fonts if not f.embedded]


def _glyph_count(data: bytes, kind: str, subtype: str | None) -> int | None:
    try:
        if kind == "FontFile3" and subtype in ("CIDFontType0C", "Type1C"):
            from fontTools.cffLib import CFFFontSet

            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            return len(cff[cff.fontNames[0]].charset)
        if kind in ("FontFile2", "FontFile3"):
            from fontTools.ttLib import TTFont

            return TTFont(io.BytesIO(data), lazy=True).getGlyphOrder().__len__()
    except Exception:
        return None
    return None


def _cmap(data: bytes) -> dict[int, int]:
    """code → CID of an embedded CMap stream (cidchar and cidrange sections)."""
    out: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        for code, cid in re.findall(rb"<([0-9a-fA-F]+)>\s*(\d+)", block):
            out[int(code, 16)] = int(cid)
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for lo, hi, cid in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = int(cid) + i
    return out


def _to_unicode(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, uni in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = int(uni, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


class _FontModel:
    def __init__(self, pdf: Pdf, ref: Any, report: FontReport):
        font = pdf.get(ref)
        self.report = report
        self.type0 = font.get("Subtype") == Name("Type0")
        enc = font.get("Encoding")
        self.identity = isinstance(enc, Name) and enc.name in ("Identity-H", "Identity-V")
        self.cmap = {} if self.identity or not isinstance(enc, Ref) else _cmap(pdf.stream(enc))
        self.unicode = _to_unicode(pdf.stream(font["ToUnicode"])) if isinstance(font.get("ToUnicode"), Ref) else {}

    def cids(self, s: bytes) -> list[tuple[int, int]]:
        if not self.type0:
            return [(b, b) for b in s]
        codes = [int.from_bytes(s[i:i + 2], "big") for i in range(0, len(s) - 1, 2)]
        return [(c, c if self.identity else self.cmap.get(c, 0)) for c in codes]


def _font_report(pdf: Pdf, ref: Ref) -> FontReport:
    font = pdf.get(ref)
    subtype = font.get("Subtype").name if isinstance(font.get("Subtype"), Name) else "?"
    base = font.get("BaseFont").name if isinstance(font.get("BaseFont"), Name) else "?"
    if subtype == "Type3":
        return FontReport(ref.num, base, subtype, True, None, None)
    desc_font = pdf.get(pdf.get(font.get("DescendantFonts"))[0]) if subtype == "Type0" else font
    descriptor = pdf.get(desc_font.get("FontDescriptor")) or {}
    for kind in ("FontFile", "FontFile2", "FontFile3"):
        if kind in descriptor:
            data = pdf.stream(descriptor[kind])
            sub = pdf.get(descriptor[kind])
            sub_name = sub.get("Subtype").name if isinstance(sub, dict) and isinstance(sub.get("Subtype"), Name) else None
            return FontReport(ref.num, base, subtype, bool(data), kind, _glyph_count(data, kind, sub_name))
    return FontReport(ref.num, base, subtype, False, None, None)


_TEXT_OPS = {"Tj", "TJ", "'", '"'}


def check(path_or_bytes: Path | bytes) -> PdfCheck:
    """Fonts of the PDF (embedded or not) and every glyph shown as .notdef."""
    pdf = Pdf(path_or_bytes) if isinstance(path_or_bytes, bytes) else Pdf.open(path_or_bytes)
    out = PdfCheck()
    models: dict[int, _FontModel] = {}

    def model(ref: Any) -> _FontModel | None:
        if not isinstance(ref, Ref):
            return None
        if ref.num not in models:
            report = _font_report(pdf, ref)
            out.fonts.append(report)
            models[ref.num] = _FontModel(pdf, ref, report)
        return models[ref.num]

    def run(content: bytes, resources: dict, page_no: int, seen: set[int]) -> None:
        fonts = pdf.get(resources.get("Font")) or {}
        xobjects = pdf.get(resources.get("XObject")) or {}
        for ref in fonts.values():
            model(ref)
        lx = _Lexer(content)
        operands: list[Any] = []
        current: _FontModel | None = None
        while True:
            t = lx.value()
            if t is None:
                break
            if not isinstance(t, Op):
                operands.append(t)
                continue
            op = t.op
            if op == "ID":  # inline image data: skip to EI
                m = re.compile(rb"\sEI(?=[\s]|$)").search(content, lx.pos)
                lx.pos = m.end() if m else len(content)
            elif op == "Tf" and operands and isinstance(operands[0], Name):
                current = model(fonts.get(operands[0].name))
            elif op in _TEXT_OPS and current is not None:
                strings = [o for o in (operands[-1] if operands and isinstance(operands[-1], list) else operands[-1:])
                           if isinstance(o, bytes)]
                for s in strings:
                    for code, cid in current.cids(s):
                        out.glyphs_shown += 1
                        count = current.report.glyph_count
                        if (current.type0 and cid == 0) or (count is not None and cid >= count):
                            out.missing.append(Missing(page_no, current.report.base_font, code, cid,
                                                       current.unicode.get(code, "")))
            elif op == "Do" and operands and isinstance(operands[0], Name):
                ref = xobjects.get(operands[0].name)
                xo = pdf.get(ref)
                if isinstance(ref, Ref) and isinstance(xo, dict) and xo.get("Subtype") == Name("Form") \
                        and ref.num not in seen:
                    run(pdf.stream(ref), pdf.get(xo.get("Resources")) or resources, page_no, seen | {ref.num})
            operands = []

    for i, (page, resources) in enumerate(pdf.pages(), start=1):
        contents = page.get("Contents")
        refs = pdf.get(contents) if isinstance(pdf.get(contents), list) else [contents]
        data = b"\n".join(pdf.stream(r) for r in refs)
        run(data, resources, i, set())
    return out


def render_pages(pdf_path: Path, out_dir: Path, scale: float = 1.0) -> list[Path]:
    """Every page as a PNG under ``out_dir`` (pypdfium2, the engine of Chrome's viewer)."""
    import pypdfium2 as pdfium

    out_dir.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(str(pdf_path))
    paths = []
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=scale).to_pil()
            path = out_dir / f"{Path(pdf_path).stem}-p{i + 1}.png"
            image.save(path)
            paths.append(path)
    finally:
        doc.close()
    return paths


def ink_ratio(png: Path) -> float:
    """Share of the page's pixels that are not (near) white: 0 for a blank page."""
    from PIL import Image

    im = Image.open(png).convert("L")
    hist = im.histogram()
    return 1 - sum(hist[245:]) / (im.width * im.height)


def text(pdf_path: Path) -> str:
    """The text a viewer extracts (its ToUnicode maps), all pages."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        parts = []
        for i in range(len(doc)):
            tp = doc[i].get_textpage()
            parts.append(tp.get_text_range())
            tp.close()
        return "\n".join(parts)
    finally:
        doc.close()
