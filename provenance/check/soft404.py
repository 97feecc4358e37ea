"""Soft 404s: pages that answer 200 but are not the page that was linked.

Four independent signals, cheapest first; the first that fires becomes `PageInfo.soft_404_reason`:

1. an error page: its title (or, for a short page, its text) says "not found" in one of the
   languages below;
2. a parked or for-sale domain: a parking host in the chain, or the tell-tale sales text;
3. a deep link redirected to the site's home page or to a generic page (login, search,
   category, an error path);
4. the standard probe (Bar-Yossef, Broder, Kumar, Tomkins, "Sic transit gloria telae", WWW 2004):
   ask once per site for a random, surely missing sibling path; if that also answers 200 with
   the same page (same redirect target, same text, or same title and nearly the same words),
   the site answers 200 for everything and the link's page is its error page.

Text-based signals only look at short pages or titles, so an article *about* 404 pages is not
flagged.
"""

from __future__ import annotations

import re
import secrets
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ..domains import registrable_domain
from ..textnorm import normalize_text, shingles

SHORT_PAGE_CHARS = 1500
PROBE_SIMILARITY = 0.9

# Phrases that name an error page outright: enough in a title.
_STRONG_PHRASES = (
    r"page not found",
    r"^\W*404\b",
    r"\b404\W*$",
    r"\b404\s*(?:-\s*)?(?:error|not found)",
    r"^\W*not found\W*$",
    r"^\W*\d{3}\W+not found\b",
    r"^\W*oops\b",
    r"page (?:cannot|can't|could not|couldn't) be found",
    r"page (?:does not|doesn't) exist",
    r"we (?:can't|cannot|couldn't) find (?:that|this|the) page",
    r"the requested url was not found",
    r"seite nicht gefunden",
    r"seite wurde nicht gefunden",
    r"fehler 404",
    r"page introuvable",
    r"page non trouvée",
    r"erreur 404",
    r"page demandée est introuvable",
    r"página no encontrada",
    r"pagina no encontrada",
    r"error 404",
    r"pagina non trovata",
    r"errore 404",
    r"página não encontrada",
    r"pagina nao encontrada",
    r"erro 404",
    r"pagina niet gevonden",
    r"nie znaleziono strony",
    r"strona nie (?:została )?znaleziona",
    r"sidan (?:kunde inte hittas|hittades inte)",
    r"sayfa bulunamadı",
    r"stránka nenalezena",
    r"страница не найдена",
    r"ошибка 404",
    r"сторінку не знайдено",
    r"ページが見つかりません",
    r"页面不存在",
    r"找不到(?:该|此)?页面",
    r"網頁不存在",
    r"페이지를 찾을 수 없습니다",
)
# Phrases that also occur in real writing: trusted only on a very short page.
_WEAK_PHRASES = (
    r"not found",
    r"no longer (?:available|exists)",
    r"(?:has been|was) (?:removed|deleted)",
    r"nothing (?:was )?found",
    r"content (?:is )?(?:not|no longer) available",
    r"nicht gefunden",
    r"existiert nicht",
    r"nicht mehr verfügbar",
    r"konnte nicht gefunden werden",
    r"n'existe pas",
    r"n'existe plus",
    r"introuvable",
    r"no se (?:ha )?encontr",
    r"no existe",
    r"non (?:è stata )?trovata",
    r"non esiste",
    r"não encontrada",
    r"não existe",
    r"niet gevonden",
    r"не найден",
    r"не существует",
    r"お探しのページ",
)
_STRONG_RE = re.compile("|".join(f"(?:{p})" for p in _STRONG_PHRASES), re.I)
_WEAK_RE = re.compile("|".join(f"(?:{p})" for p in _WEAK_PHRASES), re.I)
VERY_SHORT_PAGE_CHARS = 500

_PARKING_HOSTS = frozenset(
    {
        "sedoparking.com",
        "sedo.com",
        "parkingcrew.net",
        "bodis.com",
        "dan.com",
        "hugedomains.com",
        "afternic.com",
        "undeveloped.com",
        "domainmarket.com",
        "above.com",
        "parklogic.com",
        "uniregistry.com",
        "buydomains.com",
        "domainnamesales.com",
        "squadhelp.com",
        "atom.com",
        "namecheap.com",
        "godaddy.com",
        "smartname.com",
        "domainsponsor.com",
        "voodoo.com",
        "skenzo.com",
        "parked.com",
        "porkbun.com",
    }
)
_PARKED_RE = re.compile(
    "|".join(
        (
            r"(?:this|the) domain (?:name )?(?:is|may be) for sale",
            r"buy this domain",
            r"domain (?:is )?for sale",
            r"this domain (?:has been|was) registered",
            r"parked (?:free|domain|by)",
            r"domain parking",
            r"this (?:web ?page|site) is parked",
            r"make an offer on this domain",
            r"inquire about this domain",
            r"related searches",
            r"sedo ?parking",
            r"diese domain (?:kaufen|steht zum verkauf|ist zu verkaufen)",
            r"ce (?:nom de )?domaine est (?:à|a) vendre",
            r"(?:este )?dominio (?:est[aá] )?en venta",
            r"questo dominio è in vendita",
            r"este domínio está à venda",
            r"этот домен продается",
        )
    ),
    re.I,
)

_PARKED_WORDS = ("domain", "domaine", "dominio", "domínio", "домен", "parked", "parking", "related searches")
_GENERIC_SEGMENTS = frozenset(
    {
        "login",
        "signin",
        "sign-in",
        "sign_in",
        "logon",
        "auth",
        "account",
        "register",
        "signup",
        "search",
        "suche",
        "recherche",
        "buscar",
        "busca",
        "cerca",
        "error",
        "errors",
        "404",
        "not-found",
        "notfound",
        "page-not-found",
        "pagenotfound",
        "category",
        "categories",
        "tag",
        "tags",
        "archive",
        "archives",
        "index",
        "home",
        "default",
        "sitemap",
        "gone",
        "removed",
        "expired",
        "unavailable",
        "blog",
        "news",
    }
)
_LOCALE_ROOT = re.compile(r"^/(?:[a-z]{2}(?:[-_][a-z]{2,4})?)/?$", re.I)
_INDEX_PAGE = re.compile(r"^/(?:index|default|home)(?:\.[a-z0-9]{2,5})?$", re.I)


@dataclass(frozen=True)
class PageSignature:
    """What two answers are compared on: where they ended, their title and their words."""

    status: int | None
    final_url: str
    title: str | None
    fingerprint: str | None
    # The text's word 3-shingles, packed as 8-byte hashes: a site's probe answer is kept for the
    # whole run, and a frozenset of int objects would be about ten times larger.
    words: bytes = b""
    redirected: bool = False  # the answer came after redirects (the link itself did not answer)

    def shingles(self) -> memoryview:
        """The shingle hashes, unpacked as they are read."""
        return memoryview(self.words).cast("q")


def error_page_reason(title: str | None, text: str) -> str | None:
    """An error page by its title, or by its text when the page is short."""
    if title and _STRONG_RE.search(title.strip()):
        return f"error page title: {title.strip()[:120]!r}"
    text = " ".join(text.split())
    match = None
    if len(text) <= SHORT_PAGE_CHARS:
        match = _STRONG_RE.search(text)
    if match is None and len(text) <= VERY_SHORT_PAGE_CHARS:
        match = _WEAK_RE.search(text)
    return f"error page text: {match.group(0)!r}" if match else None


def parked_reason(final_url: str, hop_urls: tuple[str, ...], title: str | None, text: str) -> str | None:
    """A parked or for-sale domain: a parking service in the chain, or its sales pitch."""
    for url in (*hop_urls, final_url):
        domain = registrable_domain(url)
        if domain in _PARKING_HOSTS and registrable_domain(hop_urls[0] if hop_urls else final_url) != domain:
            return f"parked domain: redirected to {domain}"
    for candidate in (title or "", text[: SHORT_PAGE_CHARS * 2]):
        lowered = candidate.lower()
        if not any(word in lowered for word in _PARKED_WORDS):
            continue  # a cheap test first: the pattern search is slow and almost never matches
        match = _PARKED_RE.search(candidate)
        if match:
            return f"parked or for-sale domain: {match.group(0)!r}"
    return None


def _is_root(path: str) -> bool:
    return path in ("", "/") or bool(_LOCALE_ROOT.match(path)) or bool(_INDEX_PAGE.match(path))


def generic_redirect_reason(url: str, final_url: str) -> str | None:
    """A deep link that was redirected to the site's home page or a generic page."""
    if not final_url or final_url == url:
        return None
    orig, final = urlsplit(url), urlsplit(final_url)
    if registrable_domain(url) != registrable_domain(final_url):
        return None
    if _is_root(orig.path) or orig.path.rstrip("/") == final.path.rstrip("/"):
        return None
    if _is_root(final.path):
        return f"deep link redirected to the home page {final_url}"
    segments = [s.lower() for s in final.path.split("/") if s]
    orig_segments = {s.lower() for s in orig.path.split("/") if s}
    generic = [s for s in segments if s in _GENERIC_SEGMENTS or s.split(".")[0] in _GENERIC_SEGMENTS]
    if generic and not set(generic) <= orig_segments and len(segments) <= 2:
        return f"deep link redirected to a generic page {final_url}"
    return None


def probe_url(url: str, token: str | None = None) -> str:
    """A surely-missing sibling of URL: same directory, random last segment, no query."""
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    token = token or "provenance-probe-" + secrets.token_hex(10)
    return urlunsplit((parts.scheme, parts.netloc, f"{directory}/{token}", "", ""))


def _title_key(title: str | None, url: str) -> str:
    """A title with the URL's own words removed, so 'Not found: /a' equals 'Not found: /b'."""
    text = normalize_text(title or "")
    for token in re.split(r"[/\-_.?=&]+", urlsplit(url).path.lower()):
        if len(token) > 2:
            text = text.replace(token, "")
    return " ".join(text.split())


def _names_only_itself(title: str | None, url: str) -> bool:
    """A title made of nothing but its own address's words (path and host): 'Ethics Marathon | a.example'.

    Two such titles have equal keys (`_title_key`) whatever the pages are, so they cannot tell a
    real page from the probe's answer; only identical text can then (a site whose pages differ
    by little more than their titles otherwise reads as answering 200 for everything).
    """
    key = _title_key(title, url)
    for token in re.split(r"[.\-]+", (urlsplit(url).hostname or "").lower()):
        if token:
            key = key.replace(token, "")
    return not re.sub(r"[\W_]+", "", key)


def similar_pages(checked: PageSignature, probe: PageSignature) -> str | None:
    """Why the link's page looks like the probe's answer to a missing path, or None."""
    if probe.status is None or not 200 <= probe.status < 300:
        return None
    # The probe's path is random, so ending at the link's final URL means both were redirected there.
    if checked.redirected and checked.final_url.split("#")[0] == probe.final_url.split("#")[0]:
        return f"a random missing path on this site ends at the same page ({probe.final_url})"
    if checked.fingerprint and checked.fingerprint == probe.fingerprint:
        return "a random missing path on this site answers 200 with the same text"
    if (
        _title_key(checked.title, checked.final_url) == _title_key(probe.title, probe.final_url)
        and checked.words
        and not (_names_only_itself(checked.title, checked.final_url) and checked.title != probe.title)
    ):
        mine = set(checked.shingles())
        common = len(mine.intersection(probe.shingles()))
        score = common / (len(mine) + len(probe.shingles()) - common)  # Jaccard; mine is not empty
        if score >= PROBE_SIMILARITY:
            return f"a random missing path on this site answers 200 with the same page (similarity {score:.2f})"
    return None


def signature(
    status: int | None, final_url: str, title: str | None, fingerprint: str | None, text: str, redirected: bool = False
) -> PageSignature:
    """Build a PageSignature from a parsed answer."""
    words = array("q", shingles(text, 3)).tobytes() if text else b""
    return PageSignature(status, final_url, title, fingerprint, words, redirected)


class ProbeCache:
    """One probe per site per run, shared by the worker threads (each site is probed once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._answers: dict[str, PageSignature | None] = {}

    def in_flight(self, host: str) -> bool:
        """True while a worker is fetching HOST's probe: a page may step aside instead of waiting."""
        with self._lock:
            if host in self._answers:
                return False
            lock = self._locks.get(host)
        return lock is not None and lock.locked()

    def get(self, host: str, fetch: Callable[[], PageSignature | None]) -> PageSignature | None:
        """The site's probe answer, fetching it with FETCH the first time (others wait for it)."""
        with self._lock:
            if host in self._answers:
                return self._answers[host]
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            with self._lock:
                if host in self._answers:
                    return self._answers[host]
            answer = fetch()
            with self._lock:
                self._answers[host] = answer
                del self._locks[host]  # answered: the lock is only for waiting (those waiting hold it)
            return answer
