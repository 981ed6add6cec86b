# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cron schedules as the CronJob controller reads them: the standard five fields
(minute hour day-of-month month day-of-week) with ranges, steps, lists and names, the
`@hourly`-style descriptors and `@every <duration>`, and the next activation after a
given instant in a given time zone.

The semantics are those of the cron library Kubernetes 1.32 uses (robfig/cron v3,
ParseStandard): day-of-month and day-of-week are OR-ed unless either field is a bare
`*` (or `?`), steps on a single value run to the field's maximum (`5/15` is
`5-59/15`), and the search walks real (absolute) time across DST switches, so a wall
time skipped by a spring-forward does not fire that day and one repeated by a
fall-back fires twice. A `TZ=`/`CRON_TZ=` prefix is refused: `spec.timeZone` is the
way to name a zone. Schedules that never fire (`0 0 30 2 *`) give no next time.
"""
from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

MONTH_NAMES = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
DAY_NAMES = {name: number for number, name in enumerate("sun mon tue wed thu fri sat".split())}

# (lowest, highest, names) per field, in the order they are written
FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTH_NAMES), (0, 6, DAY_NAMES))

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

# How far ahead a search looks before deciding a schedule never fires (as robfig/cron).
SEARCH_YEARS = 5


class CronError(ValueError):
    """An unparseable schedule; the message is the one upstream users see."""


@dataclass(frozen=True)
class FieldSet:
    values: frozenset[int]
    star: bool  # written as a bare `*`/`?` (matters only for the two day fields)


@dataclass(frozen=True)
class CronSchedule:
    minutes: FieldSet
    hours: FieldSet
    days_of_month: FieldSet
    months: FieldSet
    days_of_week: FieldSet

    def day_matches(self, when: datetime) -> bool:
        dom = when.day in self.days_of_month.values
        dow = (when.isoweekday() % 7) in self.days_of_week.values
        if self.days_of_month.star or self.days_of_week.star:
            return dom and dow
        return dom or dow

    def next(self, after: datetime, zone: tzinfo | None = None) -> datetime | None:
        """The first activation strictly after `after` (an aware datetime), expressed in
        `zone` (default: the zone of `after`). None when there is none within 5 years."""
        zone = zone or after.tzinfo or timezone.utc
        t = _shift(_truncate_seconds(after.astimezone(zone)), 1)
        year_limit = t.year + SEARCH_YEARS
        added = False
        while t.year <= year_limit:
            if t.month not in self.months.values:
                if not added:
                    added = True
                    t = _wall(zone, t.year, t.month, 1)
                t = _add_months(zone, t, 1)
                continue
            if not self.day_matches(t):
                if not added:
                    added = True
                    t = _wall(zone, t.year, t.month, t.day)
                t = _next_midnight(zone, t)
                continue
            if t.hour not in self.hours.values:
                if not added:
                    added = True
                    t = _wall(zone, t.year, t.month, t.day, t.hour)
                t = _shift(t, 3600)
                continue
            if t.minute not in self.minutes.values:
                if not added:
                    added = True
                    t = _truncate_minutes(t)
                t = _shift(t, 60)
                continue
            if t.second != 0:
                # the implied seconds field is 0: move to the next whole minute and
                # check every field again
                added = True
                t = _shift(_truncate_seconds(t), 60 - t.second)
                continue
            return t
        return None


@dataclass(frozen=True)
class EverySchedule:
    """`@every 1h30m`: a fixed delay (whole seconds, at least one) after the last time."""
    seconds: int

    def next(self, after: datetime, zone: tzinfo | None = None) -> datetime | None:
        zone = zone or after.tzinfo or timezone.utc
        return _shift(after.astimezone(zone).replace(microsecond=0), self.seconds)


Schedule = CronSchedule | EverySchedule


def _shift(t: datetime, seconds: float) -> datetime:
    """`t` moved by `seconds` of real time, shown in t's zone (aware arithmetic in Python
    is wall-clock arithmetic; the cron search needs absolute time)."""
    zone = t.tzinfo
    return (t.astimezone(timezone.utc) + timedelta(seconds=seconds)).astimezone(zone)


def _wall(zone: tzinfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in `zone`; one inside a DST gap lands after the gap."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(
        timezone.utc).astimezone(zone)


def _add_months(zone: tzinfo, t: datetime, months: int) -> datetime:
    month0 = t.month - 1 + months
    return _wall(zone, t.year + month0 // 12, month0 % 12 + 1, 1, t.hour, t.minute)


def _next_midnight(zone: tzinfo, t: datetime) -> datetime:
    following = (datetime(t.year, t.month, t.day) + timedelta(days=1))
    return _wall(zone, following.year, following.month, following.day)


def _truncate_seconds(t: datetime) -> datetime:
    return t.replace(microsecond=0)


def _truncate_minutes(t: datetime) -> datetime:
    return _shift(t, -(t.second + t.microsecond / 1e6))


# ---------------------------------------------------------------- parsing
def _number(text: str, names: dict[str, int]) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": '
                        "invalid syntax")
    return int(text)


def parse_field(text: str, low: int, high: int, names: dict[str, int]) -> FieldSet:
    values: set[int] = set()
    star = False
    for part in text.split(","):
        range_part, slash, step_text = part.partition("/")
        part_star = False
        if range_part in ("*", "?"):
            start, end, part_star = low, high, True
        else:
            first, dash, last = range_part.partition("-")
            start = _number(first, names)
            end = _number(last, names) if dash else start
            if slash and not dash:
                end = high  # `N/step` means `N-max/step`
        step = 1
        if slash:
            if not step_text.isdigit():
                raise CronError(f'failed to parse int from {step_text}: strconv.Atoi: '
                                f'parsing "{step_text}": invalid syntax')
            step = int(step_text)
            if step == 0:
                raise CronError(f"step of range should be a positive number: {part}")
            if step > 1:
                part_star = False
        if start < low:
            raise CronError(f"beginning of range ({start}) below minimum ({low}): {part}")
        if end > high:
            raise CronError(f"end of range ({end}) above maximum ({high}): {part}")
        if start > end:
            raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {part}")
        values.update(range(start, end + 1, step))
        star = star or part_star
    return FieldSet(frozenset(values), star)


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """A Go duration (`1h30m`, `90s`, `1.5h`) in seconds."""
    if text in ("0", ""):
        if text == "0":
            return 0.0
        raise CronError(f'time: invalid duration "{text}"')
    position, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text):
        raise CronError(f'failed to parse duration {text}: time: invalid duration "{text}"')
    return total


def parse_schedule(spec: str) -> Schedule:
    """Parse a CronJob's spec.schedule; raises CronError with upstream's wording."""
    text = spec.strip()
    if text.startswith("TZ=") or text.startswith("CRON_TZ="):
        raise CronError("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    if not text:
        raise CronError("empty spec string")
    if text.startswith("@"):
        if text.startswith("@every "):
            seconds = parse_duration(text[len("@every "):].strip())
            return EverySchedule(max(1, int(seconds)))  # whole seconds, at least one
        if text not in DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {text}")
        text = DESCRIPTORS[text]
    fields = text.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: {text}")
    parsed = [parse_field(field, low, high, names)
              for field, (low, high, names) in zip(fields, FIELDS)]
    return CronSchedule(*parsed)


# ---------------------------------------------------------------- time zones
def load_zone(name: str | None) -> tzinfo:
    """spec.timeZone's zone; with none, the controller manager's local zone, as upstream
    (it is UTC in most deployments). Raises zoneinfo.ZoneInfoNotFoundError."""
    if name:
        return zoneinfo.ZoneInfo(name)
    return local_zone()


def local_zone() -> tzinfo:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        try:
            return zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return timezone.utc
    try:
        with open("/etc/localtime", "rb") as handle:
            return zoneinfo.ZoneInfo.from_file(handle, key="Local")
    except OSError:
        return timezone.utc
