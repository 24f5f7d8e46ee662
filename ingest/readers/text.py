"""Decoding delivered text: encodings the departments use, detected and recorded."""

from __future__ import annotations

import codecs

# GB18030 is a superset of GBK, so a GBK declaration is decoded with GB18030 to keep rare characters
# (生僻字 in names) that GBK cannot hold; both are "GBK" to the departments.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030"}


def normalise_encoding(name: str | None) -> str:
    name = (name or "utf-8").lower().replace("_", "-")
    return _ALIASES.get(name, name)


def detect_encoding(data: bytes, declared: str | None) -> str:
    """The encoding to decode ``data`` with: a BOM wins, then the declared one, then UTF-8 if it decodes."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if declared:
        return normalise_encoding(declared)
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def decode_lines(data: bytes, encoding: str) -> list[tuple[str | None, bytes]]:
    """Split ``data`` into physical lines and decode each one strictly.

    Line-by-line so that one undecodable line is quarantined instead of failing the whole file.
    Splitting on LF bytes is safe for UTF-8 and GBK/GB18030: neither uses 0x0A inside a multi-byte
    character. Returns ``(text or None when it does not decode, raw bytes)`` per line.
    """
    if encoding == "utf-16":
        text = data.decode("utf-16")
        return [(line, line.encode("utf-8")) for line in text.split("\n")]
    if encoding == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    out: list[tuple[str | None, bytes]] = []
    for raw in data.split(b"\n"):
        try:
            out.append((raw.decode(encoding), raw))
        except UnicodeDecodeError:
            out.append((None, raw))
    return out
