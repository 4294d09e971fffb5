"""Read a front matter date in any common form as an aware UTC ``datetime``.

Accepted: ``datetime``/``date`` objects (YAML, TOML), epoch seconds or milliseconds, ISO 8601
(``2022-01-13T10:30:07+08:00``, ``2022-01-13 10:30:07``, ``2022-01-13``), RFC 822
(``Thu, 13 Jan 2022 10:30:07 GMT``), ``2022/01/13 10:30``, ``2022.01.13``, ``2022年1月13日 10:30``,
and any of those followed by an IANA zone name (``2022-01-13 10:30 Asia/Shanghai``).
A time without a zone is in the configured zone. Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
)
_ZONE_SUFFIX = re.compile(r"^(.*\d)\s+([A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)$")
_EPOCH = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
_RFC822 = re.compile(r"(?:[A-Za-z]{3}, )?(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3}) "
                     r"(?P<year>\d{4}) (?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d) "
                     r"(?:GMT|UTC?|Z|(?P<sign>[+-])(?P<zh>\d\d)(?P<zm>\d\d))\Z")
_MONTHS = {name: n for n, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def parse_date(value: object, zone: tzinfo) -> datetime:
    """``value`` → aware UTC datetime; ``ValueError`` with a readable reason if it is no date."""
    try:
        if isinstance(value, str):      # the common case first
            return _from_string(value.strip(), zone)
        if isinstance(value, bool) or value is None:
            raise ValueError(f"{value!r} is not a date")
        if isinstance(value, datetime):
            return _aware(value, zone)
        if isinstance(value, date):
            return _aware(datetime.combine(value, time()), zone)
        if isinstance(value, int | float):
            if abs(value) < 1e8:    # `date: 2022` is a year, not 1970 plus 2022 seconds
                raise ValueError(f"{value!r} is not a date (too small for epoch seconds)")
            return _from_epoch(float(value))
    except OverflowError as e:
        raise ValueError(f"{value!r} is out of the representable date range") from e
    raise ValueError(f"{value!r} is not a date (a {type(value).__name__})")


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if abs(seconds) >= 1e11:   # milliseconds, as JavaScript writes them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OSError, ValueError) as e:
        raise ValueError(f"{seconds!r} is not a usable epoch time") from e


def _from_string(text: str, zone: tzinfo) -> datetime:
    if not text:
        raise ValueError("the date is empty")
    if text[4:5] == "-" and text[:4].isdigit():    # '2022-01-13…': ISO 8601, Hexo's form
        moment = _iso(text)
        if moment is not None:
            return _aware(moment, zone)
    if text[:1].isalpha():      # 'Thu, 13 Jan 2022 …': RFC 822, the scrapers' usual form
        moment = _rfc822(text)
        if moment is not None:
            return _aware(moment, zone)
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    m = _ZONE_SUFFIX.match(text)
    if m:
        try:
            zone = ZoneInfo(m.group(2))
            text = m.group(1)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    for reader in (_iso, _rfc822, _formats):
        moment = reader(text)
        if moment is not None:
            return _aware(moment, zone)
    reason = "not a date in any known form (ISO 8601, RFC 822, 'YYYY-MM-DD HH:MM:SS', epoch)"
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
        try:
            datetime.fromisoformat(text[:10])
        except ValueError as e:   # names the impossible part: "day is out of range for month"
            reason = f"not a real date: {e}"
    raise ValueError(f"{text!r} is {reason}")


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not text[:1].isalpha() and not re.match(r"^\d{1,2} [A-Za-z]{3} \d{4}", text):
        return None
    moment = _rfc822_canonical(text)
    if moment is not None:
        return moment
    from email.utils import parsedate_to_datetime  # only now: importing it costs 12-25 ms

    try:
        moment = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None
    if moment.tzinfo is None and text.endswith("-0000"):   # RFC 5322: '-0000' is UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def _rfc822_canonical(text: str) -> datetime | None:
    """'Mon, 06 Jan 2020 14:12:12 GMT' or '… +0800' without email.utils (twice as fast);
    None for any other form, which email.utils then reads."""
    m = _RFC822.match(text)
    if m is None:
        return None
    day, month_name, year_text, hour, minute, second, sign, zone_hours, zone_minutes = m.groups()
    month = _MONTHS.get(month_name.title())
    if month is None:
        return None
    offset = 0
    if sign:
        hours, minutes = int(zone_hours), int(zone_minutes)
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 60 + minutes) * (1 if sign == "+" else -1)
    year = int(year_text)
    if year < 100:              # as email.utils reads them: '0022' is 2022, '0099' 1999
        year += 1900 if year > 68 else 2000
    try:
        moment = datetime(year, month, int(day), int(hour), int(minute), int(second),
                          tzinfo=UTC)
    except ValueError:          # 31 February, second 60: no date, as for email.utils
        return None
    return moment - timedelta(minutes=offset)


def _formats(text: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
