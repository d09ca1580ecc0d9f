"""When the demo shop sells: how many orders fall on each day of the history
and at which second of the day.

A day's weight is slow growth (about +35% a year) times the weekly rhythm
(Sunday evening and Monday are busy, Saturday is quiet) times the season:
a December peak that builds from mid-November with Black Friday and Cyber
Monday on top, a lull after Christmas and in late summer. The orders are
shared out by these weights exactly (largest remainder), so ``orders`` is
the number made whatever the rounding.
"""

import random
from datetime import date, timedelta

from analytics.demo.shelf import pick_table

# Monday first.
WEEKDAY = (1.10, 1.0, 0.98, 0.97, 0.92, 0.80, 1.18)
# Share of a day's orders per local hour: lunch and the evening.
HOURS = (
    0.6, 0.3, 0.2, 0.15, 0.15, 0.3, 0.8, 1.6, 2.4, 3.0, 3.6, 4.2,
    5.0, 5.0, 4.4, 4.2, 4.3, 4.6, 5.2, 6.4, 7.4, 7.6, 6.0, 2.8,
)  # fmt: skip
GROWTH_PER_YEAR = 1.35


def black_friday(year: int) -> date:
    """The Friday after the fourth Thursday of November.

    >>> black_friday(2024), black_friday(2025)
    (datetime.date(2024, 11, 29), datetime.date(2025, 11, 28))
    """
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def season(day: date) -> float:
    """How much busier than an ordinary day ``day`` is for the season alone."""
    friday = black_friday(day.year)
    if day == friday:
        return 3.2
    if friday < day <= friday + timedelta(days=3):  # the weekend and Cyber Monday
        return 2.2
    if day.month == 12 and day.day <= 22:
        return 1.5 + day.day / 22  # Christmas shopping builds up to the last shipping day
    if day.month == 12 and day.day <= 26:
        return 0.7
    if day.month == 12:
        return 1.1  # gift cards spent, sales
    if day.month == 11 and day.day >= 15:
        return 1.25
    if day.month == 1:
        return 0.85
    if day.month in (7, 8):
        return 0.88
    return 1.0


def day_weight(day: date, *, index: int) -> float:
    return GROWTH_PER_YEAR ** (index / 365) * WEEKDAY[day.weekday()] * season(day)


def orders_per_day(*, orders: int, first: date, days: int) -> list[int]:
    """``orders`` shared over the ``days`` from ``first`` by their weights.

    >>> counts = orders_per_day(orders=1000, first=date(2024, 1, 1), days=366)
    >>> sum(counts), counts[333] > 2 * counts[320]  # 2024-11-29, Black Friday
    (1000, True)
    """
    weights = [day_weight(first + timedelta(days=n), index=n) for n in range(days)]
    total = sum(weights)
    shares = [orders * weight / total for weight in weights]
    counts = [int(share) for share in shares]
    leftover = orders - sum(counts)
    by_remainder = sorted(range(days), key=lambda n: shares[n] - counts[n], reverse=True)
    for n in by_remainder[:leftover]:
        counts[n] += 1
    return counts


def second_picks(rng: random.Random) -> list[int]:
    """A pick table of seconds of the day, following ``HOURS``."""
    hours = pick_table(range(24), HOURS)
    return [hour * 3600 + rng.randrange(3600) for hour in hours]
