"""url_path_date: real URL shapes give their date; ids, phone numbers and impossible dates do not."""

from datetime import date

import pytest

from provenance.page.urldates import url_date_precision, url_path_date


@pytest.mark.parametrize(
    "url, value, raw",
    [
        (
            "https://www.themoscowtimes.com/2022/01/21/russia-us-agree-to-talk-security-demands-next-week-a76117",
            date(2022, 1, 21),
            "/2022/01/21/",
        ),
        (
            "https://www.themoscowtimes.com/2024/05/06/little-hope-of-breakthrough-as-us-russia-hold-high-stakes-ukraine-talks",
            date(2024, 5, 6),
            "/2024/05/06/",
        ),
        ("https://blogs.cdc.gov/genomics/2020/04/06/using-digital/", date(2020, 4, 6), "/2020/04/06/"),
        ("https://example.org/news/2024-05-06/story", date(2024, 5, 6), "/2024-05-06/"),
        (
            "https://www.reuters.com/world/europe/italys-meloni-sworn-head-right-wing-government-2022-10-22/",
            date(2022, 10, 22),
            "-2022-10-22/",
        ),
        ("https://example.org/archive/20240506/item", date(2024, 5, 6), "/20240506"),
        ("https://example.org/story-20240506.html", date(2024, 5, 6), "-20240506"),
        ("https://example.org/view?id=7&date=2024-05-06", date(2024, 5, 6), "date=2024-05-06"),
        ("https://example.org/view?d=20240506", date(2024, 5, 6), "d=20240506"),
        (
            "https://hbr.org/2020/12/rolling-out-the-covid-vaccine-is-a-huge-it-challenge",
            date(2020, 12, 1),
            "/2020/12/",
        ),
        ("https://example.org/2019/7/", date(2019, 7, 1), "/2019/7/"),
    ],
)
def test_dates_found_with_their_raw_text(url, value, raw):
    evidence = url_path_date(url)
    assert evidence is not None
    assert (evidence.value, evidence.source, evidence.raw) == (value, "url_path", raw)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.themoscowtimes.com/news/russia-us-agree-a76117",  # article id
        "https://example.org/contact/555-123-4567",  # phone number
        "https://example.org/item/12345678",  # 8 digits, month 34
        "https://example.org/item/20241345",  # month 13
        "https://example.org/2023/02/30/impossible",  # no 30 February
        "https://example.org/1899/01/01/too-old",
        "https://example.org/v2/2022x",
        "https://www.cdc.gov/PCD/issues/2020/20_0246.htm",  # year then issue number, not a month
        "https://example.org/p/120240506",  # nine digits
        "https://example.org/view?id=20240506",  # not a date-named parameter
        "https://github.com/CrowdTangle/API/wiki/Search",
        "not a url at all",
    ],
)
def test_no_false_dates(url):
    assert url_path_date(url) is None


def test_precision_is_readable_from_the_evidence():
    assert url_date_precision(url_path_date("https://hbr.org/2020/12/x")) == "month"
    assert url_date_precision(url_path_date("https://a.org/2020/12/03/x")) == "day"
    assert url_date_precision(url_path_date("https://a.org/x-20201203")) == "day"


def test_full_day_preferred_over_query_and_month():
    evidence = url_path_date("https://a.org/2020/12/x/2021/01/02/y?date=2019-05-05")
    assert evidence is not None and evidence.value == date(2021, 1, 2)
