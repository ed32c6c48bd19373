"""Shared helpers: settings, date parameters, page numbers, webhook signatures, backoff, log redaction."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest

from common import signing
from common.backoff import backoff_ceiling
from common.config import check_base_url, from_environment
from common.dates import iso, parse_bound, parse_day
from common.pagination import TooManyPages, iter_all, parse_page
from common.web import RedactingFilter


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2021-05-13", False, datetime(2021, 5, 13, 0, 0, 0, tzinfo=UTC)),
        ("2021-05-13", True, datetime(2021, 5, 13, 23, 59, 59, tzinfo=UTC)),
        ("2021-05-13T05:03:23Z", False, datetime(2021, 5, 13, 5, 3, 23, tzinfo=UTC)),
        ("2021-05-13T05:03:23+02:00", True, datetime(2021, 5, 13, 3, 3, 23, tzinfo=UTC)),
        ("2024-02-29", False, datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_parse_bound_accepts_both_forms(value, end, expected):
    assert parse_bound(value, end=end) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2021-5-13",
        "2021-02-30",
        "2023-02-29",
        "13/05/2021",
        "2021-05-13T05:03:23",
        "2021-05-13 05:03:23Z",
        "x" * 100,
        "\uff12\uff10\uff12\uff11-05-13",
        "2021-05-13T25:00:00Z",
    ],
)
def test_parse_bound_rejects_everything_else(value):
    with pytest.raises(ValueError, match=r"date|calendar"):
        parse_bound(value, end=False)


def test_parse_day_and_iso():
    assert parse_day("2026-10-31").isoformat() == "2026-10-31"
    with pytest.raises(ValueError):
        parse_day("2026-10-31T00:00:00Z")
    assert iso(datetime(2021, 5, 13, 5, 3, 23, 999, tzinfo=UTC)) == "2021-05-13T05:03:23Z"
    assert iso(datetime(2021, 5, 13, 5, 3, 23)) == "2021-05-13T05:03:23Z"


@pytest.mark.parametrize(("value", "expected"), [(None, 1), ("", 1), ("1", 1), ("42", 42), ("1000000", 1_000_000)])
def test_parse_page_valid(value, expected):
    assert parse_page(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "1.0", "abc", "1000001", "99999999", "\u0661", "+1"])
def test_parse_page_invalid(value):
    with pytest.raises(ValueError, match="whole number"):
        parse_page(value)


def test_iter_all_stops_at_the_first_empty_page():
    pages = {1: [1, 2], 2: [3], 3: [], 4: [99]}
    calls = []

    def fetch(page):
        calls.append(page)
        return pages[page]

    assert list(iter_all(fetch)) == [1, 2, 3]
    assert calls == [1, 2, 3]


def test_iter_all_refuses_a_collection_longer_than_its_limit_instead_of_cutting_it_short():
    assert list(iter_all(lambda page: [page] if page <= 3 else [], max_pages=4)) == [1, 2, 3]
    with pytest.raises(TooManyPages):
        list(iter_all(lambda page: [page], max_pages=3))


def test_signature_round_trip_and_rejections():
    body = b'{"id":"evt_1"}'
    header = signing.sign("whsec_test", body, timestamp=1_700_000_000)
    assert signing.verify("whsec_test", body, header, now=1_700_000_100) == 1_700_000_000
    cases = [
        ("whsec_test", body + b" ", header, 1_700_000_000, "signature_invalid"),
        ("whsec_other", body, header, 1_700_000_000, "signature_invalid"),
        ("whsec_test", body, header, 1_700_000_301, "signature_expired"),
        ("whsec_test", body, header, 1_699_999_600, "signature_expired"),
        ("whsec_test", body, None, 1_700_000_000, "signature_missing"),
        ("whsec_test", body, "v1=abc", 1_700_000_000, "signature_malformed"),
        ("whsec_test", body, "t=1,t=2,v1=abc", 1_700_000_000, "signature_malformed"),
        ("whsec_test", body, "t=abc,v1=abc", 1_700_000_000, "signature_malformed"),
    ]
    for secret, payload, value, now, code in cases:
        with pytest.raises(signing.SignatureError) as caught:
            signing.verify(secret, payload, value, now=now)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("failures", "base", "cap", "expected"),
    [(0, 1.0, 60.0, 1.0), (1, 1.0, 60.0, 1.0), (2, 1.0, 60.0, 2.0), (4, 0.2, 2.0, 1.6), (5, 0.2, 2.0, 2.0)],
)
def test_backoff_doubles_after_each_failure_up_to_its_cap(failures, base, cap, expected):
    assert backoff_ceiling(failures, base, cap) == pytest.approx(expected)


def test_backoff_without_a_cap_keeps_doubling():
    assert backoff_ceiling(3, 0.05) == pytest.approx(0.2)


def test_redacting_filter_removes_secrets_from_messages(caplog):
    logger = logging.getLogger("test.redaction")
    redactor = RedactingFilter(["sk_live_secret_value"], patterns=[r"Bearer [A-Za-z0-9._-]+"])
    redactor.add("acct_0123456789")
    redactor.add("abc")  # too short to be a secret: ignored, never blanks ordinary words
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="test.redaction"):
            logger.info("calling with %s for %s and Bearer eyJ.abc-1 abc", "sk_live_secret_value", "acct_0123456789")
    finally:
        logger.removeFilter(redactor)
    text = caplog.text
    assert "sk_live_secret_value" not in text and "acct_0123456789" not in text and "eyJ.abc-1" not in text
    assert text.count("[redacted]") == 3 and "abc" in text


class _Refused(Exception):
    pass


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("yes", False, True),
        ("OFF", True, False),
        ("12", 3, 12),
        ("2.5", 1.0, 2.5),
        ("a, b,,c", [], ["a", "b", "c"]),
        ('{"eu": {}}', {}, {"eu": {}}),
        ("", {}, {}),
        ("https://x.example", None, "https://x.example"),
    ],
)
def test_an_environment_variable_is_read_as_its_default_s_type(raw, default, expected):
    settings = from_environment("APP_", {"NAME": default, "OTHER": 1}, {"APP_NAME": raw}, _Refused)
    assert settings == {"NAME": expected, "OTHER": 1}


@pytest.mark.parametrize(
    ("raw", "default", "kind"), [("maybe", False, None), ("ten", 3, None), ("[1]", {}, None), ("perhaps", None, bool)]
)
def test_an_unreadable_environment_variable_stops_start_up_naming_it(raw, default, kind):
    with pytest.raises(_Refused, match=f"APP_NAME has an invalid value '{re.escape(raw)}'"):
        from_environment("APP_", {"NAME": default}, {"APP_NAME": raw}, _Refused, types={"NAME": kind} if kind else None)


def test_skipped_settings_are_never_read_from_the_environment():
    assert from_environment("APP_", {"CLOCK": None}, {"APP_CLOCK": "x"}, _Refused, skip={"CLOCK"}) == {"CLOCK": None}


@pytest.mark.parametrize(
    ("url", "production", "refusal"),
    [
        ("https://api.example.com", True, None),
        ("http://127.0.0.1:8002", True, None),
        ("http://api.example.com", False, None),
        ("http://api.example.com", True, "https in production"),
        ("ftp://api.example.com", False, "http\\(s\\) base URL"),
        ("https://api.example.com/?q=1", False, "http\\(s\\) base URL"),
        ("", False, "http\\(s\\) base URL"),
    ],
)
def test_base_urls_are_checked_the_same_way_in_every_app(url, production, refusal):
    if refusal is None:
        check_base_url("APP_URL", url, production=production, error=_Refused)
    else:
        with pytest.raises(_Refused, match=f"APP_URL must .*{refusal}"):
            check_base_url("APP_URL", url, production=production, error=_Refused)
