import json
import os
import re
import shutil
import subprocess

import duckdb
import pytest

from expectations.runner import validate
from reports.quality import ReportError, render
from tests.expectations.small_city import build, settings_for


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    build(tmp / "citylake.duckdb")
    settings = settings_for(tmp)
    validate(settings, "run-1")
    path = render(settings)
    return settings, path, path.read_text(encoding="utf-8")


def test_writes_dated_and_latest(report):
    settings, path, html = report
    assert re.fullmatch(r"quality_\d{4}-\d{2}-\d{2}\.html", path.name)
    assert (settings.reports_dir / "quality_latest.html").read_text(encoding="utf-8") == html


def test_is_chinese_with_the_verdicts(report):
    _, _, html = report
    assert '<html lang="zh-CN">' in html
    assert "<h1>数据质量报告</h1>" in html
    for text in ("实有人口", "流动人口", "实有房屋", "公安局", "住建局", "达标", "未达标", "北京时间"):
        assert text in html, text
    # figures from the warehouse: 实有人口 5 of 19, 实有房屋 9 of 10
    assert "26.3%" in html and "90.0%" in html
    # per rule, with Chinese names and the GB/T 36344 dimension
    # 公安局 pools 实有人口 and 流动人口; the dataset it missed is named beside the pooled figure
    assert "<span class=\"fail\">实有人口、流动人口</span>" in html
    assert "身份号码符合GB 11643" in html and "id_number:gb11643_id" in html and "时效性" in html


def test_svg_chart_with_target_line(report):
    _, _, html = report
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<rect") == 4  # one bar per dataset
    assert 'class="target-line"' in svg and "目标 90%" in svg
    # the target line sits at 90% of the scale: left 190 + 0.9 * 460
    assert 'x1="604.0"' in svg
    assert 'class="bar-fail"' in svg and 'class="bar-pass"' in svg


def test_self_contained(report):
    _, _, html = report
    assert "http://" not in html and "https://" not in html and "//" not in html
    assert not re.search(r"\b(src|href)\s*=", html, re.I)
    assert not re.search(r"<(link|script|img|iframe|object|embed)\b", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_older_run_keeps_latest(report, tmp_path):
    settings, _, _ = report
    con = duckdb.connect(str(settings.warehouse))
    con.execute("update quality.validity_runs set run_at = run_at - interval 3 day where run_id = 'run-1'")
    con.close()
    validate(settings, "run-2")
    latest = render(settings)
    old = render(settings, "run-1")
    assert old != latest
    assert "run-2" in (settings.reports_dir / "quality_latest.html").read_text(encoding="utf-8")


def test_no_run_is_a_clear_error(tmp_path):
    build(tmp_path / "citylake.duckdb", only=[])
    con = duckdb.connect(str(tmp_path / "citylake.duckdb"))
    from expectations.runner import DDL

    con.execute(DDL)
    con.close()
    with pytest.raises(ReportError, match="validity_runs is empty"):
        render(settings_for(tmp_path))


CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "headless_shell") if shutil.which(b)), None)


def test_renders_offline_in_chromium(report, tmp_path):
    """A real browser with no network renders the page and the page asks for no resource at all.

    The browser's own background traffic would muddy a network log, so the page is asked instead: a
    test-only copy records the Resource Timing entries after load (the report itself has no script).
    """
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing in CI: `make system-deps` should have installed it")
        pytest.skip("chromium is not installed (make system-deps installs it as root)")
    _, path, _ = report
    probe = tmp_path / "probe.html"
    probe.write_text(path.read_text(encoding="utf-8").replace(
        "</body>",
        "<script>addEventListener('load', () => { const p = document.createElement('pre'); p.id = 'resources';"
        " p.textContent = JSON.stringify(performance.getEntriesByType('resource').map(e => e.name));"
        " document.body.appendChild(p); });</script></body>"), encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
             "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(flags + ["--virtual-time-budget=3000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=90, check=True).stdout
    assert "数据质量报告" in dom and "<svg" in dom
    m = re.search(r'<pre id="resources">(.*?)</pre>', dom, re.S)
    assert m, "the page did not finish loading"
    assert json.loads(m.group(1).replace("&quot;", '"')) == []
    shot = tmp_path / "report.png"
    subprocess.run(flags + ["--window-size=1280,1600", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=90, check=True)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_ranking_section(report):
    _, _, html = report
    section = html[html.index("三、部门红黑榜"):html.index("四、问题规则")]
    rows = re.findall(r"<tr>\s*<td class=\"n\">(\d+)</td><td>(.+?)</td>.*?<td>(.*?)</td>\s*</tr>", section, re.S)
    # small city: 政务服务数据管理局 3/3, 住建局 9/10 (= the target): red; 公安局 7/24: black
    assert [(rank, dept, re.sub(r"<[^>]+>", "", mark)) for rank, dept, mark in rows] == [
        ("1", "政务服务数据管理局", "红榜"), ("2", "住建局", "红榜"), ("3", "公安局", "黑榜")]
    assert "低于 90% 目标的部门全部列入黑榜" in section
