# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cron schedule parsing and next activation times, including DST edges."""
from __future__ import annotations

import zoneinfo
from datetime import datetime, timezone

import pytest

from kybernetes.controllers.cron import CronError, EverySchedule, parse_duration, parse_schedule

UTC = timezone.utc
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def nexts(spec: str, start: datetime, count: int, zone=None) -> list[datetime]:
    schedule = parse_schedule(spec)
    out, t = [], start
    for _ in range(count):
        t = schedule.next(t, zone)
        out.append(t)
    return out


def test_every_minute_and_steps():
    start = datetime(2025, 1, 1, 0, 14, 59, 500000, tzinfo=UTC)
    assert parse_schedule("* * * * *").next(start) == datetime(2025, 1, 1, 0, 15, tzinfo=UTC)
    assert nexts("*/15 * * * *", start, 3) == [datetime(2025, 1, 1, 0, m, tzinfo=UTC) for m in (15, 30, 45)]
    # N/step runs from N to the field's maximum
    assert nexts("50/5 * * * *", start, 3) == [datetime(2025, 1, 1, 0, 50, tzinfo=UTC),
                                               datetime(2025, 1, 1, 0, 55, tzinfo=UTC),
                                               datetime(2025, 1, 1, 1, 50, tzinfo=UTC)]
    # exactly on a scheduled time: the next one is strictly later
    on = datetime(2025, 1, 1, 0, 15, tzinfo=UTC)
    assert parse_schedule("*/15 * * * *").next(on) == datetime(2025, 1, 1, 0, 30, tzinfo=UTC)


def test_lists_ranges_and_names():
    start = datetime(2025, 1, 1, tzinfo=UTC)  # a Wednesday
    assert nexts("0 9-17/4 * * MON-FRI", start, 4) == [
        datetime(2025, 1, 1, h, tzinfo=UTC) for h in (9, 13, 17)] + [datetime(2025, 1, 2, 9, tzinfo=UTC)]
    assert nexts("0 0 1 jan,JUL *", start, 2) == [datetime(2025, 7, 1, tzinfo=UTC),
                                                  datetime(2026, 1, 1, tzinfo=UTC)]


def test_descriptors():
    start = datetime(2025, 1, 1, 10, 30, tzinfo=UTC)  # Wednesday
    assert parse_schedule("@weekly").next(start) == datetime(2025, 1, 5, tzinfo=UTC)  # Sunday
    assert parse_schedule("@daily").next(start) == datetime(2025, 1, 2, tzinfo=UTC)
    assert parse_schedule("@midnight").next(start) == datetime(2025, 1, 2, tzinfo=UTC)
    assert parse_schedule("@hourly").next(start) == datetime(2025, 1, 1, 11, tzinfo=UTC)
    assert parse_schedule("@monthly").next(start) == datetime(2025, 2, 1, tzinfo=UTC)
    assert parse_schedule("@yearly").next(start) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_schedule("@annually").next(start) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_schedule("@every 1h30m") == EverySchedule(5400)
    assert parse_schedule("@every 90s").next(start) == datetime(2025, 1, 1, 10, 31, 30, tzinfo=UTC)
    assert parse_duration("1.5h") == 5400


def test_feb_29_and_impossible_dates():
    start = datetime(2025, 3, 1, tzinfo=UTC)
    assert nexts("0 0 29 2 *", start, 2) == [datetime(2028, 2, 29, tzinfo=UTC),
                                             datetime(2032, 2, 29, tzinfo=UTC)]
    assert parse_schedule("0 0 30 2 *").next(start) is None
    assert parse_schedule("0 0 31 * *").next(datetime(2025, 4, 1, tzinfo=UTC)) == \
        datetime(2025, 5, 31, tzinfo=UTC)


def test_day_of_month_or_day_of_week():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    # both restricted: either matches (the 13th, or any Friday)
    assert nexts("0 0 13 * 5", start, 3) == [datetime(2025, 1, 3, tzinfo=UTC),
                                             datetime(2025, 1, 10, tzinfo=UTC),
                                             datetime(2025, 1, 13, tzinfo=UTC)]
    # one of them a bare star: both must match, so only Fridays
    assert nexts("0 0 * * 5", start, 2) == [datetime(2025, 1, 3, tzinfo=UTC),
                                            datetime(2025, 1, 10, tzinfo=UTC)]
    # */1 is not a star: OR again (every day)
    assert parse_schedule("0 0 */2 * 1").next(start) == datetime(2025, 1, 3, tzinfo=UTC)
    assert parse_schedule("0 0 ? * 1").next(start) == datetime(2025, 1, 6, tzinfo=UTC)


def test_dst_spring_forward_skips_missing_wall_time():
    # Europe/Berlin jumps 02:00 -> 03:00 on 2025-03-30: 02:30 does not exist that day
    start = datetime(2025, 3, 29, 12, tzinfo=BERLIN)
    times = nexts("30 2 * * *", start, 2)
    assert [t.replace(tzinfo=None) for t in times] == [datetime(2025, 3, 31, 2, 30),
                                                       datetime(2025, 4, 1, 2, 30)]
    hourly = nexts("0 * * * *", datetime(2025, 3, 30, 0, 30, tzinfo=BERLIN), 3)
    assert [t.astimezone(UTC).hour for t in hourly] == [0, 1, 2]
    assert [t.hour for t in hourly] == [1, 3, 4]


def test_dst_fall_back_repeats_wall_time():
    # on 2025-10-26 Berlin goes 03:00 CEST -> 02:00 CET: 02:30 happens twice, both fire
    start = datetime(2025, 10, 25, 12, tzinfo=BERLIN)
    times = nexts("30 2 * * *", start, 3)
    assert [t.astimezone(UTC) for t in times] == [datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
                                                  datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
                                                  datetime(2025, 10, 27, 1, 30, tzinfo=UTC)]


def test_time_zone_shifts_utc_instant():
    start = datetime(2025, 6, 1, tzinfo=UTC)
    t = parse_schedule("0 9 * * *").next(start, BERLIN)
    assert t.astimezone(UTC) == datetime(2025, 6, 1, 7, tzinfo=UTC)


@pytest.mark.parametrize("spec,message", [
    ("TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    ("CRON_TZ=Europe/Berlin 0 * * * *", "cannot use TZ or CRON_TZ"),
    ("* * * *", "expected exactly 5 fields, found 4: * * * *"),
    ("60 * * * *", "end of range (60) above maximum (59): 60"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("x * * * *", "failed to parse int from x"),
])
def test_errors(spec, message):
    with pytest.raises(CronError) as info:
        parse_schedule(spec)
    assert message in str(info.value)
