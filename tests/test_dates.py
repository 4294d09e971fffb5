"""Tests for ``feeder.dates.parse_date``: every accepted date form, and every refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeder.dates import parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")   # UTC+8 all year: naive times are read in this zone
MOMENT = datetime(2022, 1, 13, 10, 30, 7, tzinfo=UTC)   # the instant most cases spell
MIDNIGHT_SHANGHAI = datetime(2022, 1, 12, 16, 0, tzinfo=UTC)   # 2022-01-13 00:00 in Shanghai

READ_CASES = [
    # RFC 822, as RSS writes it
    pytest.param("Thu, 13 Jan 2022 10:30:07 GMT", MOMENT, id="rfc822-gmt"),
    pytest.param("Thu, 13 Jan 2022 10:30:07 +0000", MOMENT, id="rfc822-plus-zero"),
    pytest.param("Thu, 13 Jan 2022 18:30:07 +0800", MOMENT, id="rfc822-plus-0800"),
    pytest.param("Thu, 13 Jan 2022 05:30:07 EST", MOMENT, id="rfc822-named-zone-est"),
    pytest.param("Thu, 13 Jan 2022 10:30:07 UTC", MOMENT, id="rfc822-named-zone-utc"),
    pytest.param("13 Jan 2022 10:30:07 GMT", MOMENT, id="rfc822-no-weekday"),
    pytest.param("Thu, 13 Jan 22 10:30:07 GMT", MOMENT, id="rfc822-two-digit-year"),
    pytest.param("Thu, 13 Jan 2022 10:30:07 -0000", MOMENT, id="rfc822-minus-zero"),
    # Hexo and friends: naive, so in the given zone
    pytest.param("2022-01-13 18:30:07", MOMENT, id="hexo-datetime"),
    pytest.param("2022-01-13 18:30", MOMENT - timedelta(seconds=7), id="hexo-no-seconds"),
    pytest.param("2022-01-13", MIDNIGHT_SHANGHAI, id="hexo-date-only"),
    pytest.param("  2022-01-13 18:30:07  ", MOMENT, id="surrounding-spaces"),
    pytest.param("2022-1-3", MIDNIGHT_SHANGHAI - timedelta(days=10), id="unpadded-month-day"),
    # ISO 8601
    pytest.param("2022-01-13T10:30:07Z", MOMENT, id="iso-z"),
    pytest.param("2022-01-13T18:30:07+08:00", MOMENT, id="iso-offset"),
    pytest.param("2022-01-13T05:30:07-05:00", MOMENT, id="iso-negative-offset"),
    pytest.param("2022-01-13T18:30:07.000+0800", MOMENT, id="iso-fraction-compact-offset"),
    pytest.param("2022-01-13T18:30:07", MOMENT, id="iso-t-naive"),
    pytest.param("2022-01-13 10:30:07+00:00", MOMENT, id="iso-space-offset"),
    # other separators
    pytest.param("2022/01/13 18:30", MOMENT - timedelta(seconds=7), id="slashes"),
    pytest.param("2022/01/13 18:30:07", MOMENT, id="slashes-seconds"),
    pytest.param("2022.01.13", MIDNIGHT_SHANGHAI, id="dots"),
    pytest.param("2022.01.13 18:30:07", MOMENT, id="dots-time"),
    pytest.param("2022年1月13日 18:30", MOMENT - timedelta(seconds=7), id="chinese"),
    pytest.param("2022年01月13日", MIDNIGHT_SHANGHAI, id="chinese-date-only"),
    # epoch seconds and milliseconds
    pytest.param(1642069807, MOMENT, id="epoch-int"),
    pytest.param(1642069807000, MOMENT, id="epoch-ms-int"),
    pytest.param("1642069807", MOMENT, id="epoch-str"),
    pytest.param("1642069807000", MOMENT, id="epoch-ms-str"),
    pytest.param(1642069807.5, MOMENT + timedelta(milliseconds=500), id="epoch-float"),
    pytest.param(-315619200, datetime(1960, 1, 1, tzinfo=UTC), id="epoch-negative"),
    # objects, as YAML and TOML load them
    pytest.param(datetime(2022, 1, 13, 18, 30, 7), MOMENT, id="naive-datetime"),
    pytest.param(datetime(2022, 1, 13, 18, 30, 7, tzinfo=timezone(timedelta(hours=8))),
                 MOMENT, id="aware-datetime-offset"),
    pytest.param(datetime(2022, 1, 13, 5, 30, 7, tzinfo=ZoneInfo("America/New_York")),
                 MOMENT, id="aware-datetime-zoneinfo"),
    pytest.param(MOMENT, MOMENT, id="utc-datetime"),
    pytest.param(date(2022, 1, 13), MIDNIGHT_SHANGHAI, id="date"),
    # a trailing IANA zone name wins over the given zone
    pytest.param("2022-01-13 11:30:07 Europe/Paris", MOMENT, id="trailing-zone-paris"),
    pytest.param("2022-01-13T05:30:07 America/New_York", MOMENT, id="trailing-zone-t"),
    pytest.param("2022-01-13 10:30:07 Etc/UTC", MOMENT, id="trailing-zone-etc-utc"),
    pytest.param("2022/01/13 18:30:07 Asia/Shanghai", MOMENT, id="trailing-zone-slashes"),
    pytest.param("2022-01-13 10:30:07 UTC", MOMENT, id="trailing-zone-utc"),
]


@pytest.mark.parametrize(("value", "expected"), READ_CASES)
def test_parse_date_reads_each_form_as_utc(value: object, expected: datetime) -> None:
    """Each accepted form gives the right instant, as an aware datetime in UTC."""
    actual = parse_date(value, SHANGHAI)
    assert (expected, UTC) == (actual, actual.tzinfo)


@pytest.mark.parametrize(("zone", "expected"), [
    (ZoneInfo("UTC"), MOMENT),
    (SHANGHAI, MOMENT - timedelta(hours=8)),
    (ZoneInfo("America/New_York"), MOMENT + timedelta(hours=5)),
    (timezone(timedelta(hours=-3)), MOMENT + timedelta(hours=3)),
])
def test_parse_date_reads_naive_times_in_the_given_zone(zone: ZoneInfo, expected: datetime) -> None:
    """A time without a zone is taken to be in the zone passed in."""
    assert expected == parse_date("2022-01-13 10:30:07", zone)


@pytest.mark.parametrize("value", [
    "2022-01-13T10:30:07Z",
    "Thu, 13 Jan 2022 10:30:07 GMT",
    "2022-01-13 11:30:07 Europe/Paris",
    1642069807,
    MOMENT,
])
def test_parse_date_ignores_the_given_zone_when_the_value_has_one(value: object) -> None:
    """A value that names its own zone or offset reads the same whatever zone is passed."""
    expected = [MOMENT, MOMENT, MOMENT]
    actual = [parse_date(value, zone) for zone in (ZoneInfo("UTC"), SHANGHAI,
                                                     ZoneInfo("America/Los_Angeles"))]
    assert expected == actual


@pytest.mark.parametrize(("value", "message"), [
    pytest.param("2022-02-30", "not a real date", id="february-30"),
    pytest.param("2022-02-30 10:00", "not a real date", id="february-30-with-time"),
    pytest.param("2022-13-01", "not a real date", id="month-13"),
    pytest.param("", "empty", id="empty"),
    pytest.param("   ", "empty", id="blank"),
    pytest.param("yesterday", "not a date", id="word"),
    pytest.param("2022", "not a date", id="year-only-string"),
    pytest.param("2022-01-13 10:30 Not/AZone", "not a date", id="unknown-zone"),
    pytest.param(None, "not a date", id="none"),
    pytest.param(True, "not a date", id="true"),
    pytest.param(False, "not a date", id="false"),
    pytest.param(["2022-01-13"], "a list", id="list"),
    pytest.param({"date": "2022-01-13"}, "a dict", id="dict"),
    pytest.param(10**20, "epoch", id="epoch-too-large"),
    pytest.param(float("nan"), "epoch", id="nan"),
    pytest.param(float("inf"), "out of the representable date range", id="infinity"),
    pytest.param(2022, "not a date", id="year-only-int"),
])
def test_parse_date_refuses_non_dates(value: object, message: str) -> None:
    """Anything that is not a date raises ValueError with a message saying why."""
    with pytest.raises(ValueError, match=message):
        parse_date(value, SHANGHAI)


def test_parse_date_names_the_impossible_part() -> None:
    """An impossible calendar date says which part is out of range."""
    with pytest.raises(ValueError) as caught:
        parse_date("2022-02-30", SHANGHAI)
    expected = "'2022-02-30' is not a real date: day is out of range for month"
    assert expected == str(caught.value)


def _email_utils_reading(text: str) -> datetime | str:
    """What email.utils alone makes of an RFC 822 date (the reference for the fast path)."""
    from email.utils import parsedate_to_datetime
    try:
        moment = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return "no date"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)   # '-0000'
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return "no date"


@settings(max_examples=400, deadline=None)
@given(day=st.integers(0, 39), month=st.sampled_from(
           ["Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            "Foo"]),
       year=st.integers(1, 9999), hour=st.integers(0, 25), minute=st.integers(0, 61),
       second=st.integers(0, 61), weekday=st.sampled_from(["", "Mon, ", "Xyz, "]),
       zone=st.one_of(st.sampled_from(["GMT", "UT", "UTC", "Z", "EST", "PDT"]),
                      st.tuples(st.sampled_from("+-"), st.integers(0, 30), st.integers(0, 70))
                      .map(lambda t: f"{t[0]}{t[1]:02d}{t[2]:02d}")))
def test_rfc822_dates_read_as_email_utils_reads_them(day: int, month: str, year: int,
                                                      hour: int, minute: int, second: int,
                                                      weekday: str, zone: str) -> None:
    """The canonical RFC 822 form is read without email.utils; the result is the same."""
    text = f"{weekday}{day:02d} {month} {year:04d} {hour:02d}:{minute:02d}:{second:02d} {zone}"
    expected = _email_utils_reading(text)
    try:
        got: datetime | str = parse_date(text, SHANGHAI)
    except ValueError:
        got = "no date"
    if expected == "no date" and isinstance(got, datetime):
        pytest.fail(f"{text!r}: read as {got}, email.utils reads no date")
    if isinstance(expected, datetime):
        assert got == expected, text
