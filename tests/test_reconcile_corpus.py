"""temporal_mismatch over the corpus's anachronism candidates (MANIFEST §5): real pages, real later-dated URLs."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from provenance.config import ReconcileConfig
from provenance.reconcile import build_context, run_rules
from provenance.records import DateEvidence, DocumentFormat, FindingKind, LinkRole, Severity, StoredDocument, StoredLink


def _candidate_docs(corpus_dir, role: LinkRole):
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    docs, expected = [], {}
    for doc_id, page in enumerate(manifest["anachronism_candidates"]["pages"], start=1):
        published = date.fromisoformat(page["published"])
        links = tuple(
            StoredLink(
                id=doc_id * 1000 + i,
                url=ex["url"],
                written=ex["url"],
                role=role,
                anchor_text=None,
                context=None,
                position=i,
            )
            for i, ex in enumerate(page["examples"])
        )
        docs.append(
            StoredDocument(
                id=doc_id,
                source=page["file"],
                format=DocumentFormat.HTML,
                title=None,
                published=DateEvidence(published, "annotated", page["published"]),
                original_url=page["url"],
                text="",
                fingerprint="",
                links=links,
            )
        )
        for ex in page["examples"]:
            url_date = date.fromisoformat(ex["url_date"])
            strict = re.search(r"/\d{4}/\d{2}/\d{2}/", ex["url"].split("?")[0]) is not None
            expected[(doc_id, ex["url"])] = (url_date, url_date > published + timedelta(days=1), strict)
    return docs, expected


@pytest.mark.corpus
@pytest.mark.parametrize("role, severity", [(LinkRole.CITED, Severity.ERROR), (LinkRole.RELATED, Severity.WARNING)])
def test_later_dated_links_of_real_pages_are_temporal_mismatches(corpus_dir, role, severity):
    docs, expected = _candidate_docs(corpus_dir, role)
    found = {
        (f.document_id, f.url): f
        for f in run_rules(build_context(docs, {}, {}, ReconcileConfig()))
        if f.kind is FindingKind.TEMPORAL_MISMATCH
    }
    may = {key for key, (_, fires, _) in expected.items() if fires}
    must = {key for key, (_, fires, strict) in expected.items() if fires and strict}
    assert len(must) > 100
    assert must <= set(found) <= may  # /YYYY/MM/DD/ always; other URL date forms as url_path_date reads them
    for key, finding in found.items():
        assert finding.severity is severity
        assert finding.evidence["target_date"]["value"] == expected[key][0].isoformat()
        assert finding.evidence["target_date"]["source"] == "url_path"
