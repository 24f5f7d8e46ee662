"""Decoding delivered text: encodings the departments use, detected and recorded."""

from __future__ import annotations

import codecs

# GB18030 is a superset of GBK, so a GBK declaration is decoded with GB18030 to keep rare characters
# (生僻字 in names) that GBK cannot hold; both are "GBK" to the departments.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030"}


def normalise_encoding(name: str | None) -> str:
    name = (name or "utf-8").lower().replace("_", "-")
    return _ALIASES.get(name, name)


def looks_like_utf8_chinese(raw: bytes) -> bool:
    """True when ``raw`` is strict UTF-8 holding Chinese, not GBK bytes that happen to parse as UTF-8.

    GB18030 decodes nearly any byte string, so a UTF-8 file declared as GBK would turn into mojibake
    without an error. GBK bytes read as UTF-8 give Latin-extended letters, not CJK ideographs.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    latin_noise = any("\u0080" <= ch <= "\u024f" for ch in text)
    return has_cjk and not latin_noise


def detect_encoding(data: bytes, declared: str | None) -> str:
    """The encoding to decode ``data`` with: a BOM wins; a GBK declaration on what is plainly UTF-8
    Chinese is overruled; then the declared one; undeclared text is UTF-8 if it decodes, else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if declared:
        enc = normalise_encoding(declared)
        if enc == "gb18030" and looks_like_utf8_chinese(data):
            return "utf-8"
        return enc
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def whole_characters(head: bytes) -> bytes:
    """The opening of a file without a UTF-8 character the cut split in two, so that a UTF-8 file does not
    look undecodable to ``detect_encoding`` for its opening's last bytes."""
    for k in range(1, min(4, len(head)) + 1):
        b = head[-k]
        if b < 0x80:
            return head
        if b >= 0xC0:  # the lead byte of the last character: is the character whole?
            needed = 2 if b < 0xE0 else 3 if b < 0xF0 else 4
            return head[:-k] if needed > k else head
    return head


def decode_lines(data: bytes, encoding: str) -> list[tuple[str | None, bytes]]:
    """Split ``data`` into physical lines and decode each one strictly.

    Line-by-line so that one undecodable line is quarantined instead of failing the whole file.
    Splitting on LF bytes is safe for UTF-8 and GBK/GB18030: neither uses 0x0A inside a multi-byte
    character. Returns ``(text or None when it does not decode, raw bytes)`` per line.
    """
    if encoding == "utf-16":
        return _utf16_lines(data)
    if encoding == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    out: list[tuple[str | None, bytes]] = []
    for raw in data.split(b"\n"):
        # A GBK export with a few lines pasted in from a UTF-8 system: decode those lines as what they are.
        if encoding == "gb18030" and raw and not raw.isascii() and looks_like_utf8_chinese(raw):
            out.append((raw.decode("utf-8"), raw))
            continue
        try:
            out.append((raw.decode(encoding), raw))
        except UnicodeDecodeError:
            out.append((None, raw))
    return out


def utf8_lines_in(lines: list[tuple[str | None, bytes]], encoding: str) -> list[int]:
    """1-based numbers of the lines that were UTF-8 inside a GBK/GB18030 file."""
    if encoding != "gb18030":
        return []
    return [i for i, (_, raw) in enumerate(lines, start=1) if raw and not raw.isascii() and looks_like_utf8_chinese(raw)]


def _utf16_lines(data: bytes) -> list[tuple[str | None, bytes]]:
    """UTF-16 lines, decoded one by one: a file cut by one byte, or a broken surrogate, costs the line it
    is in (returned as None) instead of the whole file. Lines split on the LF code unit at even offsets."""
    codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    body = data[2:]
    nl = b"\n\x00" if codec == "utf-16-le" else b"\x00\n"
    out: list[tuple[str | None, bytes]] = []
    start = pos = 0
    while (i := body.find(nl, pos)) != -1:
        if (i - start) % 2:  # an odd offset is the middle of two code units, not a line end
            pos = i + 1
            continue
        out.append(_utf16_piece(body[start:i], codec))
        start = pos = i + 2
    out.append(_utf16_piece(body[start:], codec))
    return out


def _utf16_piece(raw: bytes, codec: str) -> tuple[str | None, bytes]:
    try:
        return raw.decode(codec), raw
    except UnicodeDecodeError:
        return None, raw


class Utf8Reader:
    """A binary file in another encoding, read as UTF-8 bytes (for parsers that take only UTF-8: ijson,
    expat), decoded incrementally so the file is never whole in memory."""

    def __init__(self, f, encoding: str, chunk_bytes: int = 1 << 20):
        self._f, self._chunk = f, chunk_bytes
        self._decoder = codecs.getincrementaldecoder(normalise_encoding(encoding))(errors="strict")
        self._buf = b""
        self._eof = False

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._buf) < n):
            raw = self._f.read(self._chunk)
            self._eof = not raw
            self._buf += self._decoder.decode(raw, final=self._eof).encode("utf-8")
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out
