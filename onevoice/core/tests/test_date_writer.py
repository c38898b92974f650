from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format

from onevoice.core.date_writer import DateWriter

# Around midnight and noon, single-digit and two-digit parts, the two DST changes in Berlin.
MOMENTS = (
    [datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(minutes=37 * i) for i in range(120)]
    + [datetime(2026, 10, 24, 21, 0, tzinfo=UTC) + timedelta(minutes=30 * i) for i in range(60)]
    + [
        datetime(2027, 1, 1, 11, 0, tzinfo=UTC),  # noon in Berlin
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # midnight in Berlin
        datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC),
    ]
)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "format_name", ["SHORT_DATETIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT"]
)
def test_writes_what_django_writes(language, format_name):
    with translation.override(language), timezone.override("Europe/Berlin"):
        format_string = get_format(format_name)
        writer = DateWriter(format_string)
        for moment in MOMENTS:
            assert writer(moment) == dateformat.format(timezone.localtime(moment), format_string), moment


@pytest.mark.parametrize("format_string", ["d.m.Y H:i", "m/d/Y P", "g:i A", "y-n-j G:s f a", "h"])
def test_every_code_it_knows(format_string):
    with translation.override("en"), timezone.override("America/New_York"):
        writer = DateWriter(format_string)
        assert writer.fast
        for moment in MOMENTS:
            assert writer(moment) == dateformat.format(timezone.localtime(moment), format_string)


@pytest.mark.parametrize("format_string", ["D, j. F Y", r"j \d\e F", "c", "N j, Y, P T"])
def test_other_formats_are_left_to_django(format_string):
    with translation.override("de"), timezone.override("Europe/Berlin"):
        writer = DateWriter(format_string)
        assert not writer.fast
        for moment in MOMENTS[:20]:
            assert writer(moment) == dateformat.format(timezone.localtime(moment), format_string)
