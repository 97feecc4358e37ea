"""Typed records passed between stages.

Every stage takes and returns these frozen dataclasses, never ORM objects or dicts, so each
stage can be called and tested on its own.  The StrEnum values are the contract's strings
(../shared/CONTRACT.md): they appear verbatim in the database, the JSON report and the CLI.
A record's `as_json()` is its JSON shape as evidence; jsonvalues.to_json renders the values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)


class LinkRole(StrEnum):
    ORIGINAL = "original"
    CITED = "cited"
    RELATED = "related"
    EMBEDDED = "embedded"
    LOST = "lost"


class LinkStatus(StrEnum):
    ALIVE = "alive"
    DEAD = "dead"
    SOFT_404 = "soft_404"
    REDIRECTED = "redirected"
    UNREACHABLE = "unreachable"
    BLOCKED = "blocked"
    INVALID = "invalid"
    UNCHECKED = "unchecked"


# A link whose target answered with its page: healthy, and its page's title and date may be read.
HEALTHY_STATUSES = frozenset({LinkStatus.ALIVE, LinkStatus.REDIRECTED})


class ErrorClass(StrEnum):
    """Why a request or a check did not simply succeed: a closed set, stored as `checks.error_class`.

    The first group is what the HTTP client says of a request that got no usable answer; the second
    is how check/classify.py reads an answer that came; `internal` is the checker failing on a link.
    """

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    DNS = "dns"
    TLS = "tls"
    PROTOCOL = "protocol"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    INVALID_URL = "invalid_url"
    BLOCKED = "blocked"
    GONE = "gone"
    RESTRICTED = "restricted"
    BOT_WALL = "bot_wall"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    LEGAL = "legal"
    CLIENT_ERROR = "client_error"
    SITE_SILENT = "site_silent"  # not requested: the site answered none of the last few requests
    INTERNAL = "internal"


class FindingKind(StrEnum):
    DEAD_LINK = "dead_link"
    SOFT_404 = "soft_404"
    REDIRECT_CHANGED = "redirect_changed"
    UNREACHABLE = "unreachable"
    TEMPORAL_MISMATCH = "temporal_mismatch"
    TITLE_MISMATCH = "title_mismatch"
    CONTENT_DRIFT = "content_drift"
    UNARCHIVED = "unarchived"
    LOST_LINK = "lost_link"
    COPY_DIVERGENCE = "copy_divergence"
    MEDIA_UNAVAILABLE = "media_unavailable"
    INVALID_URL = "invalid_url"
    BLOCKED_URL = "blocked_url"
    LINK_TEXT_MISMATCH = "link_text_mismatch"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class OutputFormat(StrEnum):
    """What `--format` takes; report/output.py says which each kind of output can be written in."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"


class DocumentFormat(StrEnum):
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"
    PDF = "pdf"
    DOCX = "docx"


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """A date and where it came from, so a finding can show its working."""

    value: date
    source: str  # e.g. "url_path", "meta:article:published_time", "json_ld", "date_line", "htmldate"
    raw: str  # the text the date was read from

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.source, "raw": self.raw}


@dataclass(frozen=True, slots=True)
class LinkRef:
    """One link as harvested.

    `url` is the absolute URL to check (None when the address is lost or does not parse);
    `written` is the link as it stands in the document, normalised only by removing surrounding
    punctuation and line-wrap breaks (the contract's finding `url`).
    """

    url: str | None
    written: str | None
    role: LinkRole
    anchor_text: str | None = None
    context: str | None = None
    position: int = 0  # order of appearance in the document


@dataclass(frozen=True, slots=True)
class HarvestedDocument:
    """A document read by a harvester: what it says about itself and what it links to."""

    source: str
    format: DocumentFormat
    title: str | None
    published: DateEvidence | None
    original_url: str | None
    text: str  # main text, used to recognise copies and to compare content
    fingerprint: str  # sha256 of the normalised main text
    links: tuple[LinkRef, ...] = ()
    error: str | None = None  # a per-document problem that did not stop the harvest
    captured: DateEvidence | None = None  # when this copy was made, where it says so (a print header)
    # what the file says of itself that is not content (PDF or Word metadata dates, a print header)
    evidence: dict[str, Any] = field(default_factory=dict)
    unreadable: bool = False  # nothing could be read at all (error says why): not a partial harvest
    # where it was read from (a file's resolved real path, or the URL): what identifies it across runs
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a redirect chain: the URL as it was followed and what it answered."""

    url: str
    status: int | None
    requested_url: str | None = None  # after remap, when it differs
    location: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "status": self.status}
        if self.requested_url and self.requested_url != self.url:
            out["requested_url"] = self.requested_url
        if self.location:
            out["location"] = self.location
        return out


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What a checker learned from a fetched body; None fields were not found."""

    title: str | None = None
    text_fingerprint: str | None = None
    published: DateEvidence | None = None
    soft_404_reason: str | None = None
    media_state: str | None = None  # e.g. "removed", "private", "embedding_disabled", "available"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check of one URL. Network failures are values here, never exceptions."""

    url: str
    status: LinkStatus
    checked_at: datetime
    http_status: int | None = None
    final_url: str | None = None
    hops: tuple[Hop, ...] = ()
    error: str | None = None
    error_class: ErrorClass | None = None
    elapsed_ms: float | None = None
    method: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    page: PageInfo | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An archived copy (memento) of a URL."""

    archive: str
    url: str  # the memento's replay URL
    datetime: datetime
    original: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class SnapshotLookup:
    """The answer of one archive to 'what do you hold of URL near WHEN?'.

    `nearest is None and error is None` means the archive was asked and holds nothing.
    """

    url: str
    archive: str
    looked_up_at: datetime
    query: str
    nearest: Snapshot | None = None
    first: Snapshot | None = None
    last: Snapshot | None = None
    count: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    severity: Severity
    document_id: int | None  # the stored document's id (report id "d<id>"), or None
    url: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A link as the store holds it (a LinkRef with its row id)."""

    id: int
    url: str | None
    written: str | None
    role: LinkRole
    anchor_text: str | None
    context: str | None
    position: int


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as the store holds it, with its links; `copy_of` is another document's id."""

    id: int
    source: str
    format: DocumentFormat
    title: str | None
    published: DateEvidence | None
    original_url: str | None
    text: str
    fingerprint: str
    copy_of: int | None = None
    error: str | None = None
    links: tuple[StoredLink, ...] = ()
    captured: DateEvidence | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    location: str | None = None  # the resolved real path or URL it was last read from

    @property
    def report_id(self) -> str:
        return f"d{self.id}"


@dataclass(frozen=True, slots=True)
class DriftEvidence:
    """How far a live page's text has moved from the archived snapshot nearest the citing date.

    Computed by the archive stage (it holds both bodies) and handed to the reconciler, which
    stays pure: `similarity` below `threshold` is a `content_drift` finding.
    """

    url: str
    similarity: float
    threshold: float
    snapshot: Snapshot
    live_fingerprint: str | None = None
    snapshot_fingerprint: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "similarity": self.similarity,
            "threshold": self.threshold,
            "snapshot": {
                "archive": self.snapshot.archive,
                "url": self.snapshot.url,
                "datetime": self.snapshot.datetime,
            },
            "live_fingerprint": self.live_fingerprint,
            "snapshot_fingerprint": self.snapshot_fingerprint,
        }


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What one Save Page Now request achieved. status: saved | submitted | rate_limited | refused | failed.

    `saved` names the new capture (snapshot_url, snapshot_datetime); `submitted` was accepted
    without naming one; `rate_limited` is the archive's 429.
    """

    url: str
    requested_at: datetime
    status: str
    snapshot_url: str | None = None
    snapshot_datetime: datetime | None = None
    http_status: int | None = None
    error: str | None = None


class Items(Protocol[T_co]):
    """What a stage may be given in place of a list: sized, and iterable any number of times (a
    tuple, or a view that reads the store a page at a time, such as store/urls.py's LinkedUrls)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[T_co]: ...
