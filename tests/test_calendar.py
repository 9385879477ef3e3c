from __future__ import annotations

from datetime import date, datetime

import pytest

from briefgen.sources.calendar import EASTERN, ArxivCalendar, bundled_holidays


@pytest.fixture
def calendar() -> ArxivCalendar:
    return ArxivCalendar()


def et(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=EASTERN)


# One ordinary week (16–22 Feb 2026): each listing covers 14:00 ET on the weekday before it
# back to the previous listing's cut-off; EST is GMT-5, so 14:00 ET is 19:00 GMT.
@pytest.mark.parametrize(
    ("day", "window"),
    [
        ("2026-02-16", "[202602121900 TO 202602131900]"),  # Monday: Thursday -> Friday
        ("2026-02-17", "[202602131900 TO 202602161900]"),  # Tuesday: Friday -> Monday
        ("2026-02-18", "[202602161900 TO 202602171900]"),  # Wednesday
        ("2026-02-19", "[202602171900 TO 202602181900]"),  # Thursday
        ("2026-02-20", "[202602181900 TO 202602191900]"),  # Friday
    ],
)
def test_every_weekday_listing_covers_the_right_window(
    calendar: ArxivCalendar, day: str, window: str
) -> None:
    announcement = calendar.announcement(date.fromisoformat(day))
    assert announcement.submitted_date_range() == window
    # Announced at 20:00 ET the evening before (Sunday evening for Monday).
    assert announcement.announced_at.hour == 20
    assert (announcement.listing - announcement.announced_at.date()).days == 1


@pytest.mark.parametrize(("day", "weekday"), [("2026-02-21", "Saturday"), ("2026-02-22", "Sunday")])
def test_weekends_have_no_listing(calendar: ArxivCalendar, day: str, weekday: str) -> None:
    when = date.fromisoformat(day)
    reason = calendar.why_no_listing(when)
    assert reason is not None and weekday in reason
    with pytest.raises(ValueError, match=weekday):
        calendar.announcement(when)
    assert calendar.nearest_listings(when) == (date(2026, 2, 20), date(2026, 2, 23))


def test_both_dst_transitions_of_2026(calendar: ArxivCalendar) -> None:
    # DST starts Sunday 8 March: Friday's cut-off is in EST (19:00 GMT), Monday's in EDT (18:00).
    assert calendar.announcement(date(2026, 3, 10)).submitted_date_range() == (
        "[202603061900 TO 202603091800]"
    )
    assert calendar.announcement(date(2026, 3, 11)).submitted_date_range() == (
        "[202603091800 TO 202603101800]"
    )
    # DST ends Sunday 1 November: Friday's cut-off is in EDT, Monday's in EST.
    assert calendar.announcement(date(2026, 11, 2)).submitted_date_range() == (
        "[202610291800 TO 202610301800]"
    )
    assert calendar.announcement(date(2026, 11, 3)).submitted_date_range() == (
        "[202610301800 TO 202611021900]"
    )


def test_a_holiday_has_no_listing_and_its_submissions_roll_forward(
    calendar: ArxivCalendar,
) -> None:
    thanksgiving = date(2026, 11, 26)
    reason = calendar.why_no_listing(thanksgiving)
    assert reason is not None and "Thanksgiving" in reason
    assert calendar.nearest_listings(thanksgiving) == (date(2026, 11, 25), date(2026, 11, 27))
    # Friday's listing takes Wednesday's and Thursday's submissions.
    assert calendar.announcement(date(2026, 11, 27)).submitted_date_range() == (
        "[202611241900 TO 202611261900]"
    )


def test_the_bundled_2026_holidays_are_the_published_ones() -> None:
    days = sorted(d for d in bundled_holidays() if d.year == 2026)
    assert [d.isoformat() for d in days] == [
        "2026-01-01", "2026-01-19", "2026-06-19", "2026-07-03", "2026-09-07",
        "2026-11-26", "2026-12-25", "2026-12-29", "2026-12-31",
    ]  # fmt: skip


def test_extra_holidays_extend_the_list() -> None:
    calendar = ArxivCalendar([date(2027, 1, 1)])
    assert not calendar.is_listing(date(2027, 1, 1))
    assert ArxivCalendar().is_listing(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        ("2026-02-18T10:00", "2026-02-18"),  # Wednesday morning: Tuesday evening's announcement
        ("2026-02-18T19:59", "2026-02-18"),
        ("2026-02-18T20:00", "2026-02-19"),  # announced at 20:00 for Thursday's listing
        ("2026-02-21T12:00", "2026-02-20"),  # Saturday: Friday's listing is the newest
        ("2026-02-22T19:59", "2026-02-20"),
        ("2026-02-22T20:00", "2026-02-23"),  # Sunday 20:00 announces Monday's listing
        ("2026-11-26T12:00", "2026-11-25"),  # Thanksgiving: no listing today
    ],
)
def test_today_and_latest_mean_the_most_recent_announcement(
    calendar: ArxivCalendar, now: str, latest: str
) -> None:
    assert calendar.latest_listing(et(now)).isoformat() == latest


def test_a_submission_is_listed_on_the_announcement_that_covers_it(
    calendar: ArxivCalendar,
) -> None:
    assert calendar.listing_for_submission(et("2026-02-17T13:59")) == date(2026, 2, 18)
    assert calendar.listing_for_submission(et("2026-02-17T14:00")) == date(2026, 2, 19)
    assert calendar.listing_for_submission(et("2026-02-20T15:00")) == date(2026, 2, 24)
