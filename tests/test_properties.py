"""Property tests: harvesters, URL handling, remap and the reconciler on arbitrary input.

They never raise; every link they output is a valid URL or becomes an `invalid_url` finding; a
wrapped URL is re-joined; normalising twice changes nothing; harvesting the same input twice gives
the same document, and storing it twice keeps one document with the same links.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime

import urllib3.util.connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from provenance import textnorm
from provenance.check.checker import check_url
from provenance.config import HarvestConfig, HttpConfig, ReconcileConfig
from provenance.harvest.html import harvest_html
from provenance.harvest.inputs import harvest_bytes
from provenance.harvest.markdown import harvest_markdown
from provenance.harvest.text import harvest_text
from provenance.harvest.urls import clean_url, find_urls, is_valid_url, normalize_url, unbreak
from provenance.net.client import HttpClient
from provenance.net.guard import fixed_resolver
from provenance.net.remap import compile_rules, remap, url_problem
from provenance.page.urldates import url_date_precision, url_path_date
from provenance.reconcile import build_context, run_rules
from provenance.records import (
    CheckResult,
    DateEvidence,
    DocumentFormat,
    FindingKind,
    Hop,
    LinkRole,
    LinkStatus,
    PageInfo,
    StoredDocument,
    StoredLink,
)
from provenance.store import repo
from provenance.store.db import session_scope
from provenance.store.migrate import open_store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what the harvesters are built for: URLs, brackets, markup, line breaks.
PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "www.",
        "example.org",
        "ex-ample.co.uk",
        "/",
        "/path",
        "/2024/05/06/",
        "?q=1",
        "#top",
        ".",
        ",",
        ";",
        ":",
        "(",
        ")",
        "[",
        "]",
        "<",
        ">",
        '"',
        "'",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "\\\n",
        "-",
        "_",
        '<a href="',
        '">',
        "</a>",
        "<u>",
        "</u>",
        "<div>",
        "</div>",
        "<p>",
        "[x](",
        "[1]: ",
        "![i](",
        "`",
        "```\n",
        "Related article: ",
        "Original url: ",
        "# Title",
        "January 21, 2022",
        "\u00e9",
        "\u0442",
        "\x00",
        "%",
        "http://[",
        "]:99999/",
        "2130706433",
        "0x7f",
        "::1",
        "xn--",
        "\u200b",
        "\ufeff",
        "\u2019",
    ]
)
MARKUP = st.lists(PIECES | st.text(max_size=6), max_size=40).map("".join)
ANY_TEXT = MARKUP | st.text(max_size=300)


def _links_ok(links) -> None:
    """A harvested link is a valid URL, or has url None and keeps what was written (or is a lost link)."""
    for link in links:
        if link.url is None:
            assert link.written is not None or link.role is LinkRole.LOST
        else:
            assert is_valid_url(link.url), link.url


# ---- harvesters ------------------------------------------------------------------------------


@FAST
@given(ANY_TEXT)
def test_text_harvester_never_raises_and_outputs_valid_urls(text: str) -> None:
    doc = harvest_text("t.txt", text)
    _links_ok(doc.links)
    assert [link.position for link in doc.links] == list(range(len(doc.links)))


@FAST
@given(ANY_TEXT)
def test_markdown_harvester_never_raises_and_outputs_valid_urls(text: str) -> None:
    doc = harvest_markdown("t.md", text)
    _links_ok(doc.links)


@FAST
@given(ANY_TEXT | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
@example("</2024/05/06/>\x1f")  # a control character in a dropped element's tail (lxml refuses it)
def test_html_harvester_never_raises_and_every_url_is_absolute(text: str) -> None:
    doc = harvest_html("p.html", "<html><body><article>" + text, base_url="https://example.org/dir/page")
    for link in doc.links:
        if link.url is not None:
            parts = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", link.url)
            assert parts, link.url  # absolute: http(s) URLs are checked, anything else is called invalid
            if parts.group(1).lower() in ("http", "https"):
                assert url_problem(link.url) is None or "characters long" in url_problem(link.url), link.url


@FAST
@given(
    st.binary(max_size=500) | MARKUP.map(lambda t: t.encode("utf-8")),
    st.sampled_from(["a.txt", "a.md", "a.html", "a", "a.bin"]),
)
def test_reader_never_raises_and_is_deterministic(data: bytes, name: str) -> None:
    config = HarvestConfig(max_links=5, max_html_bytes=200)
    first = harvest_bytes(name, data, config)
    assert first == harvest_bytes(name, data, config)  # idempotent: same input, same document
    assert len(first.links) <= 5
    assert "\x00" not in first.text


# ---- URL handling ----------------------------------------------------------------------------


@FAST
@given(ANY_TEXT)
@example("https://example.org/a" + "." * 5000)
@example("http://[::1]:0/")
def test_url_functions_never_raise(text: str) -> None:
    for found in find_urls(text):
        assert found.url is None or is_valid_url(found.url), found.url  # None: an address that cannot be valid
        assert 0 <= found.start < found.end <= len(text)
    cleaned = clean_url(text)
    assert cleaned is None or is_valid_url(cleaned)
    unbreak(text)
    url_problem(text)


@FAST
@given(ANY_TEXT)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_url(text)
    if once is not None:
        assert normalize_url(once) == once and is_valid_url(once)


HOSTS = st.from_regex(r"\A[a-z]{2,10}(\.[a-z]{2,8})?\.(org|com|net)\Z")
SEGMENTS = st.lists(st.from_regex(r"\A[a-z]{2,8}-[0-9]{1,3}\Z"), min_size=2, max_size=6)


@FAST
@given(HOSTS, SEGMENTS, st.data())
def test_a_url_wrapped_at_a_slash_is_joined_again(host: str, segments: list[str], data: st.DataObject) -> None:
    url = f"https://{host}/" + "/".join(segments)
    cuts = [m.end() for m in re.finditer("/", url) if m.end() > len("https://")]
    cut = data.draw(st.sampled_from(cuts))
    text = f"As reported in {url[:cut]}\n{url[cut:]} last week."
    found = find_urls(text)
    assert [f.url for f in found] == [url]
    assert found[0].broken == (cut < len(url))


@FAST
@given(ANY_TEXT, st.sampled_from([r"^https://docs\.example\.com/", r"example", r"^$", r"(a|b)+"]))
def test_remap_never_raises_and_only_rewrites_what_matches(url: str, pattern: str) -> None:
    rules = compile_rules([(pattern, "http://127.0.0.1:9/")])
    out = remap(url, rules)
    assert out == url if re.search(pattern, url) is None else out == re.sub(pattern, "http://127.0.0.1:9/", url)
    assert remap(url, ()) == url


# ---- the reconciler --------------------------------------------------------------------------

STATUSES = st.sampled_from(list(LinkStatus))
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))
EVIDENCE = st.builds(DateEvidence, DATES, st.sampled_from(["url_path", "meta", "date_line"]), st.text(max_size=12))
URLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "https://example.org/a",
            "https://example.org/2024/05/06/x",
            "http://10.0.0.1/",
            "https://other.net/b",
            "https://example.org/a?x=1",
        ]
    ),
    ANY_TEXT,
)


@st.composite
def contexts(draw):
    docs, checks = [], {}
    for doc_id in range(1, draw(st.integers(1, 4)) + 1):
        links = []
        for position in range(draw(st.integers(0, 5))):
            url = draw(URLS)
            role = draw(st.sampled_from(list(LinkRole)))
            written = draw(st.one_of(st.none(), ANY_TEXT)) if url is None else url
            links.append(
                StoredLink(
                    id=doc_id * 100 + position,
                    url=url,
                    written=written,
                    role=role,
                    anchor_text=draw(st.one_of(st.none(), ANY_TEXT)),
                    context=None,
                    position=position,
                )
            )
            if url is not None and draw(st.booleans()):
                page = draw(
                    st.one_of(
                        st.none(),
                        st.builds(
                            PageInfo, title=st.one_of(st.none(), ANY_TEXT), published=st.one_of(st.none(), EVIDENCE)
                        ),
                    )
                )
                checks[url] = CheckResult(
                    url=url,
                    status=draw(STATUSES),
                    checked_at=NOW,
                    http_status=draw(st.one_of(st.none(), st.integers(100, 999))),
                    final_url=draw(URLS),
                    page=page,
                    hops=(Hop(url, draw(st.one_of(st.none(), st.integers(100, 599)))),),
                )
        docs.append(
            StoredDocument(
                id=doc_id,
                source=f"d{doc_id}.txt",
                format=DocumentFormat.TEXT,
                title=draw(st.one_of(st.none(), ANY_TEXT)),
                published=draw(st.one_of(st.none(), EVIDENCE)),
                original_url=draw(URLS),
                text=draw(ANY_TEXT),
                fingerprint=draw(st.sampled_from(["fp1", "fp2"])),
                links=tuple(links),
                copy_of=draw(st.one_of(st.none(), st.integers(1, doc_id - 1))) if doc_id > 1 else None,
            )
        )
    return docs, checks


@FAST
@given(contexts())
def test_reconciler_never_raises_and_flags_every_unparseable_link(drawn) -> None:
    documents, checks = drawn
    findings = run_rules(build_context(documents, checks, {}, ReconcileConfig()))
    invalid = {(f.document_id, f.url) for f in findings if f.kind is FindingKind.INVALID_URL}
    for doc in documents:
        for link in doc.links:
            if link.url is None and link.written and link.role is not LinkRole.LOST:
                assert (doc.id, link.written) in invalid, link


# ---- idempotent harvesting, through the store -------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(MARKUP, st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_storing_the_same_harvest_twice_keeps_one_document(tmp_path_factory, text: str, name: str) -> None:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('idem') / 'p.sqlite'}")
    doc = harvest_bytes(name, text.encode("utf-8"), HarvestConfig())
    with session_scope(engine) as session:
        first = repo.save_harvest(session, doc, NOW)
    with session_scope(engine) as session:
        second = repo.save_harvest(session, harvest_bytes(name, text.encode("utf-8"), HarvestConfig()), NOW)
    with session_scope(engine) as session:
        stored = repo.load_documents(session)
    assert first == second and len(stored) == 1
    assert [(link.url, link.written, str(link.role)) for link in stored[0].links] == [
        (link.url, link.written, str(link.role)) for link in doc.links
    ]
    engine.dispose()


# ---- small regressions of this fixes ---------------------------------------------------


@FAST
@given(st.text(alphabet="ab \n\u00e9\u2019.\u00a0\t\ufb01-", max_size=80), st.integers(1, 9))
def test_fingerprint_in_pieces_equals_the_whole(text: str, piece: int) -> None:
    whole = hashlib.sha256(" ".join(textnorm.words(text)).encode("utf-8")).hexdigest()
    saved, textnorm._PIECE = textnorm._PIECE, piece
    try:
        assert textnorm.fingerprint(text) == whole
    finally:
        textnorm._PIECE = saved


@FAST
@given(st.text(alphabet="ab \n\u00e9\u2019.\u00a0\t\ufb01-", max_size=80), st.integers(1, 9), st.integers(1, 6))
def test_word_grams_in_pieces_equal_the_whole(text: str, piece: int, size: int) -> None:
    tokens = textnorm.words(text)
    whole = (
        [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
        if len(tokens) >= size
        else [" ".join(tokens)]
        if tokens
        else []
    )
    saved, textnorm._GRAM_PIECE = textnorm._GRAM_PIECE, piece
    try:
        assert list(textnorm.word_grams(text, size)) == whole
    finally:
        textnorm._GRAM_PIECE = saved


def test_a_compact_or_query_date_in_a_url_is_a_full_day() -> None:
    for url, full in [
        ("https://e.org/20240506/x", True),
        ("https://e.org/2024/05/06/x", True),
        ("https://e.org/a?date=2024-05-06", True),
        ("https://e.org/2024/05/x", False),
    ]:
        evidence = url_path_date(url)
        assert evidence is not None and (url_date_precision(evidence) == "day") is full, url


# ---- the HTTP door and the checker on arbitrary URLs ----------------------------------------------


def _refuse_outside(address, *args, **kwargs):
    raise ConnectionRefusedError(111, f"test: no network ({address})")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ANY_TEXT
    | st.sampled_from(
        [
            "http://8.8.8.8/",
            "https://[::1]:0/",
            "http://e.org:99999/",
            "http://xn--/",
            "http://e.org/a\x01b",
            "https://e.org/\r\nX-Injected: 1",
            "http://%zz/",
            "http://a" + ".b" * 200 + "/",
            "https://" + "x" * 300 + ".org/",
        ]
    )
)
def test_client_and_checker_never_raise_on_any_url(url: str) -> None:
    config = HttpConfig(timeout=0.5, retries=0)
    real = urllib3.util.connection.create_connection
    urllib3.util.connection.create_connection = _refuse_outside  # nothing leaves the machine, whatever the URL
    try:
        with HttpClient(config, resolver=fixed_resolver("10.9.8.7")) as client:
            response = client.request("GET", url)
            assert response.status is None and response.error_class in (
                "blocked",
                "invalid_url",
                "connection",
                "dns",
                "timeout",
            ), response
            result = check_url(client, url, config, now=lambda: NOW)
    finally:
        urllib3.util.connection.create_connection = real
    assert result.status in (LinkStatus.BLOCKED, LinkStatus.INVALID, LinkStatus.UNREACHABLE)
