"""Calendar arithmetic the simulated city needs."""

from __future__ import annotations

import datetime as dt


def add_years(d: dt.date, years: int) -> dt.date:
    """``d`` moved by whole years; 29 February becomes 1 March in a year without it."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return dt.date(d.year + years, 3, 1)
