"""Periods and their pieces.

A sum over [start, end] reads whole years from the year rows, whole months from the month rows and the rest from
the day rows: at most two runs of days, two runs of months and one run of years, however long the period.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

# Stocks (things that exist: certified workers, stations …) are read as the sum of every change up to a date.
EPOCH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class Piece:
    grain: str  # "D", "M" or "Y"
    first: datetime.date  # first period start in the run
    last: datetime.date  # last period start in the run


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def year_start(day: datetime.date) -> datetime.date:
    return day.replace(month=1, day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return next_month(day) - datetime.timedelta(days=1)


def pieces(start: datetime.date, end: datetime.date) -> list[Piece]:
    """The runs of day, month and year buckets that exactly cover [start, end] (both inclusive)."""
    if end < start:
        return []
    runs: list[Piece] = []

    def add(grain: str, period: datetime.date) -> None:
        if runs and runs[-1].grain == grain:
            runs[-1] = Piece(grain, runs[-1].first, period)
        else:
            runs.append(Piece(grain, period, period))

    cursor = start
    while cursor <= end:
        year_last = cursor.replace(month=12, day=31)
        if cursor.month == 1 and cursor.day == 1 and year_last <= end:
            add("Y", cursor)
            cursor = year_last + datetime.timedelta(days=1)
        elif cursor.day == 1 and month_end(cursor) <= end:
            add("M", cursor)
            cursor = next_month(cursor)
        else:
            add("D", cursor)
            cursor += datetime.timedelta(days=1)
    return runs


def pieces_q(start: datetime.date, end: datetime.date) -> Q:
    """A filter on aggregate rows for the buckets that cover [start, end]."""
    q = Q(pk__in=[])
    for piece in pieces(start, end):
        q |= Q(grain=piece.grain, period__gte=piece.first, period__lte=piece.last)
    return q


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list["Period"]:
        """The calendar months the period touches, each clipped to the period."""
        out, cursor = [], month_start(self.start)
        while cursor <= self.end:
            out.append(Period(max(cursor, self.start), min(month_end(cursor), self.end)))
            cursor = next_month(cursor)
        return out


def year_to_date(today: datetime.date) -> Period:
    return Period(year_start(today), today)


def parse_period(text: str, today: datetime.date) -> Period:
    """Period from a query string: "2026" (a year), "2026-03" (a month), "2026-01-01..2026-06-30", or "" (this year
    to date). Raises ValueError with a message the user can read."""
    text = (text or "").strip()
    if not text:
        return year_to_date(today)
    try:
        if ".." in text:
            first, last = text.split("..", 1)
            period = Period(datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
        elif len(text) == 4:
            year = int(text)
            period = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        elif len(text) == 7:
            first = datetime.date.fromisoformat(text + "-01")
            period = Period(first, month_end(first))
        else:
            raise ValueError
    except ValueError as error:
        raise ValueError("period") from error
    if period.end < period.start:
        raise ValueError("order")
    return period
