"""The leadership PDF looked at as a reader's viewer shows it: pages rendered to images are not blank, the
Chinese title is in its text, every font is embedded, and no character is drawn as a missing-glyph box.
The detectors are shown to fail on PDFs that have those faults."""

from __future__ import annotations

import base64
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reports import leadership as L
from reports.fonts import subset_font
from tests.published_city import published_city
from tests.reports.pdf_check import check, ink_ratio, render_pages, text


@pytest.fixture(scope="module")
def weekly(tmp_path_factory):
    s = dataclasses.replace(published_city(), reports_dir=tmp_path_factory.mktemp("pdf_look"))
    return L.render(s, "weekly")


def test_every_page_rendered_to_an_image_has_content(weekly, tmp_path):
    pngs = render_pages(weekly.pdf, tmp_path / "png", scale=0.8)
    assert len(pngs) >= 3
    for png in pngs:
        assert png.stat().st_size > 1000
        assert ink_ratio(png) > 0.003, f"{png.name} is blank"
    # The first page carries the title, the summary box and the first section: clearly not empty.
    assert ink_ratio(pngs[0]) > 0.02


def test_the_pdf_text_is_the_chinese_report(weekly):
    t = text(weekly.pdf)
    assert weekly.title in t
    for words in ("数据质量红黑榜", "基础数据有效性", "社会治理事件", "12345热线满意率", "视频监控", "市域社会治理主要指标",
                  "附录：数据来源", "红榜", "黑榜"):
        assert words in t, words


def test_every_font_is_embedded_and_no_glyph_is_missing(weekly):
    report = check(weekly.pdf)
    assert report.fonts, "no font found: the detector read nothing"
    assert report.not_embedded == []
    assert all(f.font_file in ("FontFile", "FontFile2", "FontFile3") for f in report.fonts if f.subtype != "Type3")
    assert any("Noto-Sans-CJK" in f.base_font for f in report.fonts)
    assert report.glyphs_shown > 2000
    assert report.missing == [], report.missing[:10]


def test_the_missing_glyph_detector_flags_a_font_without_chinese(tmp_path):
    # A Latin-only cut of the same font, and no other font: every Chinese character must become .notdef.
    latin = base64.b64encode(subset_font("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ")).decode()
    html = (f'<html><head><style>@font-face {{ font-family: "LatinOnly"; src: url(data:font/otf;base64,{latin}); }}'
            f'body {{ font-family: "LatinOnly"; }}</style></head><body><p>Report 宜春市日报 2026</p></body></html>')
    pdf = tmp_path / "latin.pdf"
    (tmp_path / "latin.html").write_text(html, encoding="utf-8")
    # WeasyPrint falls back on the system's fonts (fontconfig) for a glyph the page's font lacks, and a
    # machine with a Chinese font installed would draw these characters: render where fontconfig knows none.
    (tmp_path / "fonts.conf").write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f'<fontconfig><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>', encoding="utf-8")
    subprocess.run(
        [sys.executable, "-c", "import sys, pathlib; from reports.leadership import html_to_pdf; "
         "p = pathlib.Path(sys.argv[1]); pathlib.Path(sys.argv[2]).write_bytes("
         "html_to_pdf(p.read_text(encoding='utf-8'), p.parent))", str(tmp_path / "latin.html"), str(pdf)],
        env={**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}, check=True, timeout=120)
    report = check(pdf)
    assert report.not_embedded == []
    assert {m.text for m in report.missing} == set("宜春市日报")
    assert all(m.cid == 0 for m in report.missing)


def _minimal_pdf(font: bytes, content: bytes) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Resources << /Font << /F1 4 0 R >> >>"
               b" /Contents 5 0 R >>",
               font,
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_the_embedding_detector_flags_a_font_left_to_the_viewer(tmp_path):
    # Helvetica without a font file: the viewer substitutes whatever it has (and has no Chinese).
    pdf = tmp_path / "helvetica.pdf"
    pdf.write_bytes(_minimal_pdf(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                                 b"BT /F1 12 Tf 10 50 Td (Hello) Tj ET"))
    report = check(pdf)
    assert [f.base_font for f in report.not_embedded] == ["Helvetica"]
    assert report.glyphs_shown == 5
    assert text(pdf).strip() == "Hello"  # and pdfium reads the same file: the hand-made PDF is valid
    assert Path(pdf).exists()
