"""Five-field cron lines (`minute hour day-of-month month day-of-week`): parsing and the next firing.

Pure: no clock is read here. Semantics follow Vixie cron (what `man 5 crontab` describes):

- each field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from a to the end),
  or a comma-separated list of those; months and weekdays also take English names (`jan`, `mon`);
  day-of-week 0 and 7 are both Sunday;
- when both day-of-month and day-of-week are restricted (neither starts with `*`), a day matches
  when *either* does (`0 0 1 * mon` = the 1st of the month and every Monday), else both must.

Times are wall-clock times in the time zone given to `next_after` (the scheduler passes the local
zone, as cron does). A time skipped by a daylight-saving jump fires right after the jump; a time
repeated when clocks go back fires once, at its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from newsarchiver.errors import ConfigError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

# (name, lowest, highest, names for lowest..): the five fields in order.
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, WEEKDAYS),
)

# A line that matches nothing (`0 0 30 2 *`) is rejected at parse time; looking this far ahead
# covers any leap-day line (`0 0 29 2 mon` may need 28 years to meet a Monday).
_HORIZON_DAYS = 366 * 29


class CronError(ConfigError):
    """A cron line that cannot be parsed or never fires (a config error: exit 3)."""


@dataclass(frozen=True)
class CronLine:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday .. 6 = Saturday (7 folded into 0)
    day_star: bool  # day-of-month field starts with "*"
    weekday_star: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.day_star or self.weekday_star:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, after: datetime, tz: tzinfo) -> datetime:
        """The first firing strictly after `after` (an aware datetime), in UTC.

        UTC out, because Python compares and subtracts two datetimes sharing one tzinfo by their
        wall-clock fields alone, which is wrong across a daylight-saving change.
        """
        if after.tzinfo is None:
            raise ValueError("next_after needs an aware datetime")
        after = after.astimezone(timezone.utc)
        start = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
        # Walk wall-clock time, skipping whole days and hours that cannot match: a few thousand
        # steps at most, even for a line that fires once a year.
        t = start
        limit = start + timedelta(days=_HORIZON_DAYS)
        while t < limit:
            if not self.day_matches(t.date()):
                t = datetime.combine(t.date() + timedelta(days=1), time())
                continue
            if t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
                continue
            if t.minute not in self.minutes:
                t += timedelta(minutes=1)
                continue
            # fold=0: a repeated wall-clock time means its first occurrence; a skipped one maps
            # to the instant just after the jump.
            fire = t.replace(tzinfo=tz).astimezone(timezone.utc)
            if fire > after:
                return fire
            t += timedelta(minutes=1)
        raise CronError(f"cron line {self.text!r} never fires")


def parse_cron(text: str) -> CronLine:
    """Parse a five-field cron line; raises CronError naming the field at fault."""
    fields = text.split()
    if len(fields) != 5:
        raise CronError(f"cron line {text!r}: expected 5 fields (minute hour day month weekday), got {len(fields)}")
    values = [_parse_field(raw, *spec, line=text) for raw, spec in zip(fields, _FIELDS)]
    weekdays = frozenset(d % 7 for d in values[4])
    line = CronLine(text=" ".join(fields), minutes=values[0], hours=values[1], days=values[2],
                    months=values[3], weekdays=weekdays, day_star=fields[2].startswith("*"),
                    weekday_star=fields[4].startswith("*"))
    # `0 0 31 2 *` parses but never fires: say so now, not at 3 a.m. in the scheduler.
    line.next_after(datetime(2000, 1, 1, tzinfo=timezone.utc), timezone.utc)
    return line


def _parse_field(raw: str, name: str, low: int, high: int, names: tuple[str, ...], *, line: str) -> frozenset[int]:
    def fail(reason: str) -> CronError:
        return CronError(f"cron line {line!r}: {name} {raw!r}: {reason}")

    def number(token: str) -> int:
        token = token.strip().lower()
        if names and token in names:
            return names.index(token[:3]) + low
        if not token.isdigit():
            raise fail(f"expected a number from {low} to {high}" + (" or a name" if names else ""))
        value = int(token)
        if not low <= value <= high:
            raise fail(f"{value} is out of range {low}-{high}")
        return value

    result: set[int] = set()
    for item in raw.split(","):
        if not item:
            raise fail("empty list item")
        body, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise fail(f"step {step_text!r} must be a number > 0")
            step = int(step_text)
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, _, b = body.partition("-")
            first, last = number(a), number(b)
            if first > last:
                raise fail(f"range {body!r} runs backwards")
        else:
            first = number(body)
            last = high if step_text else first  # `5/15` means 5-59/15, as in cronie
        result.update(range(first, last + 1, step))
    return frozenset(result)
