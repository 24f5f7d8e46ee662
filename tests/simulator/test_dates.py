import datetime as dt

from simulator.dates import add_years


def test_add_years_moves_leap_day_to_first_of_march():
    assert add_years(dt.date(2000, 2, 29), 22) == dt.date(2022, 3, 1)
    assert add_years(dt.date(2000, 2, 29), 4) == dt.date(2004, 2, 29)
    assert add_years(dt.date(1990, 6, 15), 18) == dt.date(2008, 6, 15)


import pytest


@pytest.mark.parametrize("as_of", ["2024-02-29", "2026-12-31"])
def test_city_simulates_on_calendar_edges(tmp_path, as_of):
    """make run simulates as of today; a date-arithmetic slip must not wait for the wrong day to show."""
    from simulator.city import simulate

    summary = simulate(tmp_path, persons=1500, seed=11, as_of=dt.date.fromisoformat(as_of), days=1)
    assert summary["persons"] >= 1500
