"""Times read as a person expects: the event's own clock, its zone named only for a reader
on another clock."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from groundswell.core.templatetags.times import format_span, format_when

# 15:00 UTC on Dec 26 is 10:00 in New York (EST, winter) and 09:00 in Chicago.
MOMENT = datetime(2026, 12, 26, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _this_year(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "groundswell.core.templatetags.times.timezone.now", lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )


def test_a_reader_elsewhere_sees_the_events_clock_and_its_zone() -> None:
    assert format_when(MOMENT, "America/New_York", ZoneInfo("America/Chicago")) == "Sat, Dec 26, 10:00 AM EST"


def test_a_reader_on_the_same_clock_is_not_told_the_zone() -> None:
    assert format_when(MOMENT, "America/New_York", NEW_YORK) == "Sat, Dec 26, 10:00 AM"
    # Detroit keeps New York's clock under another name.
    assert format_when(MOMENT, "America/Detroit", NEW_YORK) == "Sat, Dec 26, 10:00 AM"


def test_summer_time_is_named_as_it_is_then() -> None:
    july = datetime(2026, 7, 4, 16, 0, tzinfo=UTC)
    assert format_when(july, "America/New_York", None) == "Sat, Jul 4, 12:00 PM EDT"


def test_another_year_is_given() -> None:
    later = datetime(2027, 1, 9, 15, 0, tzinfo=UTC)
    assert format_when(later, "America/New_York", NEW_YORK) == "Sat, Jan 9, 2027, 10:00 AM"


def test_a_span_repeats_the_day_only_when_it_changes() -> None:
    end = datetime(2026, 12, 26, 17, 30, tzinfo=UTC)
    assert format_span(MOMENT, end, "America/New_York", None) == "Sat, Dec 26, 10:00 AM – 12:30 PM EST"
    overnight = datetime(2026, 12, 27, 6, 0, tzinfo=UTC)
    assert (
        format_span(MOMENT, overnight, "America/New_York", NEW_YORK)
        == "Sat, Dec 26, 10:00 AM – Sun, Dec 27, 1:00 AM"
    )


def test_the_tag_reads_the_viewers_zone_from_the_page() -> None:
    page = Template("{% load times %}{% when moment zone %}")
    viewer_in_chicago = page.render(
        Context({"moment": MOMENT, "zone": "America/New_York", "viewer_time_zone": lambda: "America/Chicago"})
    )
    assert viewer_in_chicago == "Sat, Dec 26, 10:00 AM EST"
    local_viewer = page.render(
        Context({"moment": MOMENT, "zone": "America/New_York", "viewer_time_zone": "America/New_York"})
    )
    assert local_viewer == "Sat, Dec 26, 10:00 AM"
    # An email has no viewer: the zone is always named.
    assert page.render(Context({"moment": MOMENT, "zone": "America/New_York"})) == "Sat, Dec 26, 10:00 AM EST"
