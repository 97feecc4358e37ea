"""Rules that need only the documents themselves: dates, lost addresses, copies, labels, URL syntax."""

from __future__ import annotations

from datetime import timedelta

from ...records import (
    HEALTHY_STATUSES,
    Finding,
    FindingKind,
    LinkRole,
    LinkStatus,
    Severity,
    StoredDocument,
    StoredLink,
)
from ...textnorm import normalize_text
from ..addresses import shown_address
from ..context import LinkView, ReconcileContext
from ..registry import document_finding, link_finding, rule
from ..titles import TitleComparison, looks_like_title, similarity, url_slug


@rule(FindingKind.TEMPORAL_MISMATCH, severity=Severity.ERROR)
def temporal_mismatch(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """A link to something dated after the citing document was published (beyond the tolerance).

    A `related` link is only a warning: "Related article" boxes are filled in after publication
    (corpus MANIFEST §5), so a later date there is expected more often than in a citation.  So is
    a document dated only by its file's metadata (a Word file's creation date): a file saved from
    an older one keeps that one's date.
    """
    if link.link.role is LinkRole.ORIGINAL:  # the document's own address, not a citation
        return None
    cited, target = ctx.effective_published(link.document), link.target_date
    tolerance = ctx.config.date_tolerance_days
    if cited is None or target is None or target.value <= cited.value + timedelta(days=tolerance):
        return None
    days = (target.value - cited.value).days
    what = "a related link" if link.link.role is LinkRole.RELATED else "a link"
    return link_finding(
        FindingKind.TEMPORAL_MISMATCH,
        link,
        f"{what} to a resource dated {target.value} (by its {_date_origin(target.source)}), {days} days after "
        f"this document ({cited.value}, by its {_date_origin(cited.source)}): "
        "check whether it was added or replaced after publication",
        evidence={
            "document_date": cited,
            "target_date": target,
            "days_apart": days,
            "tolerance_days": tolerance,
            "role": link.link.role,
        },
        severity=Severity.WARNING if link.link.role is LinkRole.RELATED or _file_metadata(cited.source) else None,
    )


FILE_METADATA_SOURCES = ("core_properties:", "pdf_metadata:")  # dates a file gives itself, not its text


def _file_metadata(source: str) -> bool:
    return source.rpartition("/")[2].startswith(FILE_METADATA_SOURCES)


def _date_origin(source: str) -> str:
    """Where a date came from, in words: 'url_path' -> 'URL path'; 'copy_of:d1/date_line' -> inherited."""
    via, _, source = source.rpartition("/")  # "copy of d1/date_line": the original's date, inherited
    named = {"url_path": "URL path", "date_line": "date line", "json_ld": "JSON-LD", "htmldate": "page text"}
    origin = named.get(source, source.replace(":", " ", 1).replace("_", " "))
    return f"{origin}, inherited from {via.removeprefix('copy_of:')}, of which it is a copy" if via else origin


@rule(FindingKind.LOST_LINK, severity=Severity.WARNING)
def lost_link(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """Text marked as a link whose address did not survive; names a copy that still has it."""
    if link.link.role is not LinkRole.LOST:
        return None
    label = link.link.anchor_text or link.link.written or "(unlabelled)"
    key = label_key(label)
    recovered = [
        {"document": other.report_id, "url": other_link.url, "role": other_link.role}
        for other in ctx.relatives(link.document)
        for other_link in other.links
        if other_link.url and other_link.anchor_text and label_key(other_link.anchor_text) == key
    ]
    message = f"'{label}' was a link on the original page; this text kept the words but not the address"
    if recovered:
        message += f" ({recovered[0]['document']} still has it: {recovered[0]['url']})"
    return link_finding(
        FindingKind.LOST_LINK,
        link,
        message,
        evidence={
            "anchor_text": label,
            "context": link.link.context,
            "position": link.link.position,
            "recovered_from_copies": recovered,
        },
    )


@rule(FindingKind.INVALID_URL, severity=Severity.ERROR)
def invalid_url(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """An address that cannot be parsed, as harvested (url None) or as the checker found it."""
    written = link.link.written or link.link.url
    if link.link.url is None and link.link.role is not LinkRole.LOST:
        reason = "it could not be parsed as a URL"
    elif link.check is not None and link.check.status is LinkStatus.INVALID:
        reason = link.check.error or "the checker could not use it as a URL"
    else:
        return None
    return link_finding(
        FindingKind.INVALID_URL,
        link,
        f"'{written}' is not a usable URL ({reason}): correct the address",
        evidence={"written": written, "reason": reason, "role": link.link.role},
    )


@rule(FindingKind.TITLE_MISMATCH, severity=Severity.WARNING)
def title_mismatch(ctx: ReconcileContext, link: LinkView) -> Finding | None:
    """A title-like label (or a related link's label) that matches neither the URL slug nor the page title.

    Fires only when every available comparison falls below the threshold: a slug that matches
    means the address is the one named, whatever a challenge page's title says.
    """
    label, url = link.link.anchor_text, link.link.url
    if not label or not url or label.strip() in (url, link.link.written) or shown_address(label) is not None:
        return None  # a label that is itself an address is link_text_mismatch's to judge
    if link.link.role is not LinkRole.RELATED and not looks_like_title(label):
        return None
    comparisons = []
    slug = url_slug(url)
    if slug:
        score = similarity(label, slug)
        if score is not None:
            comparisons.append(TitleComparison(label, slug, "url_slug", score))
    check = link.check
    if check is not None and check.status in HEALTHY_STATUSES and check.page and check.page.title:
        score = similarity(label, check.page.title)
        if score is not None:
            comparisons.append(TitleComparison(label, check.page.title, "page_title", score))
    if not comparisons or any(c.matches for c in comparisons):
        return None
    best = max(comparisons, key=lambda c: c.similarity)
    return link_finding(
        FindingKind.TITLE_MISMATCH,
        link,
        f"the label '{label}' does not match the target's {best.target_kind.replace('_', ' ')} "
        f"'{best.target}' (similarity {best.similarity:.2f} < {best.threshold}): check that the link is the one named",
        evidence={
            "label": label,
            "comparisons": comparisons,
            "similarity": best.similarity,
            "threshold": best.threshold,
        },
    )


@rule(FindingKind.COPY_DIVERGENCE, severity=Severity.WARNING, scope="document")
def copy_divergence(ctx: ReconcileContext, doc: StoredDocument) -> Finding | None:
    """On a copy: the links it and its original do not share, compared by URL and by label.

    By URL over every link with an address (the document's own `original` address aside); by
    label for lost and related links, matched against any labelled link of the other copy, so a
    "Related article" whose address survived in only one copy is reported as `address_lost`, not
    as two unrelated links.
    """
    original = ctx.original_of(doc)
    if original is None:
        return None
    copy_urls, orig_urls = _urls(doc.links), _urls(original.links)
    copy_labels, orig_labels = _labels(doc.links), _labels(original.links)
    only_copy_url = [copy_urls[k] for k in sorted(copy_urls.keys() - orig_urls.keys())]
    only_orig_url = [orig_urls[k] for k in sorted(orig_urls.keys() - copy_urls.keys())]
    only_copy_label = _unmatched_labels(doc.links, copy_labels, orig_labels)
    only_orig_label = _unmatched_labels(original.links, orig_labels, copy_labels)
    if not (only_copy_url or only_orig_url or only_copy_label or only_orig_label):
        return None
    address_lost = _address_lost(doc, original) + _address_lost(original, doc)
    here = [*only_copy_url, *(f"'{x}'" for x in only_copy_label)]
    there = [*only_orig_url, *(f"'{x}'" for x in only_orig_label)]
    return document_finding(
        FindingKind.COPY_DIVERGENCE,
        doc,
        f"links differ from the original {original.report_id}: {len(here)} only in this copy"
        f"{_preview(here)}, {len(there)} only in the original{_preview(there)}: compare the two copies",
        evidence={
            "copy": doc.report_id,
            "original": original.report_id,
            "similarity": ctx.copy_similarity(doc, original),
            "by_url": {"only_in_copy": only_copy_url, "only_in_original": only_orig_url},
            "by_label": {"only_in_copy": only_copy_label, "only_in_original": only_orig_label},
            "address_lost": address_lost,
        },
    )


def label_key(label: str) -> str:
    """Labels compared across copies: canonical text, punctuation at the ends dropped."""
    return normalize_text(label).strip(" .,:;!?\"'()[]")


def _url_key(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/").lower()


def _urls(links: tuple[StoredLink, ...]) -> dict[str, str]:
    return {_url_key(lk.url): lk.url for lk in links if lk.url and lk.role is not LinkRole.ORIGINAL}


def _labels(links: tuple[StoredLink, ...]) -> dict[str, str]:
    return {
        label_key(lk.anchor_text): lk.anchor_text for lk in links if lk.anchor_text and lk.role is not LinkRole.ORIGINAL
    }


def _unmatched_labels(links: tuple[StoredLink, ...], mine: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """Labels of this copy's lost/related links that no labelled link of the other copy carries."""
    keys = {
        label_key(lk.anchor_text) for lk in links if lk.anchor_text and (lk.url is None or lk.role is LinkRole.RELATED)
    }
    return [mine[k] for k in sorted(keys - theirs.keys())]


def _address_lost(has: StoredDocument, lacks: StoredDocument) -> list[dict[str, str]]:
    lost = {label_key(lk.anchor_text) for lk in lacks.links if lk.anchor_text and lk.url is None}
    return [
        {"label": lk.anchor_text, "url": lk.url, "address_in": has.report_id, "lost_in": lacks.report_id}
        for lk in has.links
        if lk.url and lk.anchor_text and label_key(lk.anchor_text) in lost
    ]


def _preview(items: list[str], limit: int = 3) -> str:
    if not items:
        return ""
    more = f", +{len(items) - limit} more" if len(items) > limit else ""
    return f" ({', '.join(items[:limit])}{more})"
