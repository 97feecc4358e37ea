"""find_urls against URLExtract's default-option cases (corpus urls-text, read in place).

Documented choice: `scheme://` links, `www.` links and scheme-less `host.tld/path` links (the "/"
makes an address of a name) are taken; a bare `example.com` only where its context says it is an
address (a line of its own, brackets around it, "visit"/"at"/"see" before it): in other prose it
is too ambiguous for a citation auditor.  Every other difference is listed below with its reason;
everything else must match URLExtract exactly (order and duplicates included).
"""

import json

import pytest

from provenance.harvest.urls import find_urls

pytestmark = pytest.mark.corpus

BARE = "bare domain without scheme, www., path or an address's context: not taken (documented choice)"
BRACKET = "a closing bracket that closes nothing in the URL ends it (prose parentheses, Markdown)"
DEVIATIONS = {
    "{\\url{http://www.google.com/{file.pdf}}": "a balanced {..} inside a URL is kept",
    "enclosure.net)": BARE,
    "(enclosure.net": BARE,
    "(encl)o(sure.net": BARE,
    "enclosure.net/blah)o(blah": BRACKET,
    "stackoverflow.com)/my_account": BARE,
    "asd{enclosure.net": BARE,
    "asd}enclosure.net": BARE,
    "asd[enclosure.net": BARE,
    "asd]enclosure.net": BARE,
    "(enclo(sure.net": BARE,
    '"some string with urls example.com/somepa)th)"': BRACKET,
    "URI with User info in Authority ftp://jan@example.com:123/test": "only http(s) links are checked",
    "\u2027example.com": BARE,
    "some\u2027domain.example.com": BARE,
    "ukrainian news pravda.com.ua": BARE,
    "bad.email @address.net>": BARE,
    '[[ "$(giturl)" =~ ^https://gitlab.com ]] echo "found" || echo "didnt': (
        "a `^` is not part of a URL, so the scheme after it starts one"
    ),
    "svn+ssh://example.com": "only http(s) links are checked",
    "http://www.test.edu.cn@8.8.8.8:51733/hn35/": "userinfo in the authority is refused (host-spoofing form)",
    "http://[192.168.1.1]/": "brackets hold IPv6 literals only; this host is invalid",
    "example.Net": BARE,
    "I am sitting outside.In the middle of nowhere.My mind is lost in thoughts!": BARE,
    "yahoo.com msn.com yahoo.com": BARE,
}


def _cases(corpus_dir):
    data = json.loads((corpus_dir / "urls-text" / "cases.json").read_text(encoding="utf-8"))
    return [case for case in data["cases"] if case.get("default")]


def _expected(case):
    expected = case["expected"]
    return [item[0] if isinstance(item, list) else item for item in expected]


def test_default_cases_match_except_listed_deviations(corpus_dir):
    cases = _cases(corpus_dir)
    matched, deviating, unexpected = 0, set(), []
    for case in cases:
        got = [found.written for found in find_urls(case["text"])]
        if case["text"] in DEVIATIONS:
            deviating.add(case["text"])
            assert got != _expected(case), f"listed as a deviation but matches: {case['text']!r}"
        elif got == _expected(case):
            matched += 1
        else:
            unexpected.append((case["text"], _expected(case), got))
    print(f"\nurls-text: {matched}/{len(cases)} default cases match, {len(deviating)} documented deviations")
    assert not unexpected
    assert deviating == set(DEVIATIONS)  # the table holds no stale entries


def test_offsets_point_at_the_written_url(corpus_dir):
    for case in _cases(corpus_dir):
        for found in find_urls(case["text"]):
            assert case["text"][found.start : found.end] == found.written, case["text"]
