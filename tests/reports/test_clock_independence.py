"""No result depends on the day or the hour the tests (or `citylake run`) happen to run.

The machine's clock is moved with time-machine to two calendar dates, each at 23:30 and 00:30 in
Asia/Shanghai (15:30 UTC the same day, and 16:30 UTC the day before: the two zones disagree on the date for
eight hours a day), and the checks
that once followed the calendar run under each: the validity run's date, the day `citylake run` dates its
DAG run by, and the 日报 of the shared city with its camera-status figure.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import duckdb
import pytest
import time_machine

from citylake.runner import logical_date, today
from expectations.runner import validate
from reports import leadership as L
from tests.expectations.small_city import build, settings_for
from tests.published_city import RUN_AT, published_city

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Two dates, each on both sides of midnight in Shanghai (at 00:30 the UTC date is still the day before).
CLOCKS = [datetime(2026, 12, 7, 23, 30, tzinfo=SHANGHAI), datetime(2026, 12, 8, 0, 30, tzinfo=SHANGHAI),
          datetime(2027, 3, 1, 23, 30, tzinfo=SHANGHAI), datetime(2027, 3, 2, 0, 30, tzinfo=SHANGHAI)]
IDS = [c.strftime("%Y-%m-%d_%H%M_shanghai") for c in CLOCKS]


@pytest.fixture(params=CLOCKS, ids=IDS)
def clock(request):
    with time_machine.travel(request.param, tick=False):
        yield request.param


def test_the_clock_is_really_moved(clock):
    """Guards the test itself: under each clock the process sees that moment and its Shanghai date."""
    assert abs(datetime.now(timezone.utc) - clock) < timedelta(seconds=1)
    assert today() == clock.date()
    assert datetime.now(timezone.utc).date() == clock.date() - timedelta(days=1 if clock.hour < 8 else 0)


def test_sample_run_is_dated_by_its_city(clock):
    """`citylake run` dates the DAG run by the city's as-of day at the 04:00 schedule, whatever the clock."""
    assert logical_date(date(2026, 11, 21)) == datetime(2026, 11, 21, 4, tzinfo=timezone(timedelta(hours=8)))
    # A city simulated today (the default) runs as of today's 04:00 once that has passed, else now.
    when = logical_date(clock.date())
    assert when.astimezone(SHANGHAI).date() == clock.date()
    assert when <= clock


@pytest.fixture(scope="module")
def small_city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wh")
    build(tmp / "citylake.duckdb")
    return tmp


def _run_dates(settings) -> dict[str, date]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        rows = con.execute("select distinct run_id, timezone('Asia/Shanghai', run_at)::date "
                           "from quality.validity_runs").fetchall()
    finally:
        con.close()
    return dict(rows)


def test_a_validity_run_records_the_moment_it_stands_for(clock, small_city, tmp_path):
    import shutil

    shutil.copy2(small_city / "citylake.duckdb", tmp_path / "citylake.duckdb")
    s = settings_for(tmp_path)
    validate(s, "scheduled", run_at=RUN_AT)
    validate(s, "unscheduled")
    dates = _run_dates(s)
    assert dates["scheduled"] == date(2026, 11, 21)  # pinned: the same under every clock
    assert dates["unscheduled"] == clock.date()  # a run given no moment is dated by the (moved) clock
    with pytest.raises(ValueError, match="time zone"):
        validate(s, "naive", run_at=datetime(2026, 11, 21, 4))


@pytest.fixture(scope="module")
def shared_city(tmp_path_factory):
    return published_city()


def _without_render_time(html: str) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "<time>", html)


@pytest.fixture(scope="module")
def daily_without_clock(shared_city, tmp_path_factory):
    s = dataclasses.replace(shared_city, reports_dir=tmp_path_factory.mktemp("daily"))
    return L.build_html(s, "daily")


def test_daily_report_is_the_same_at_any_hour(clock, shared_city, daily_without_clock, tmp_path):
    html, meta = L.build_html(dataclasses.replace(shared_city, reports_dir=tmp_path), "daily")
    # The shared city's run is dated 2026-11-21 04:00 (Shanghai), so its 日报 reports the 20th ...
    assert meta["title"] == "宜春市市域社会治理数据日报（2026年11月20日）"
    # ... with the camera-status figure drawn from its status rows, not an empty window.
    assert 'data-figure="camera_online_by_day"' in html
    assert _without_render_time(html) == _without_render_time(daily_without_clock[0])
