"""Report record -> one self-contained HTML page: inline CSS, inline SVG charts, no script, no fetches.

Why no JavaScript and no external assets: the file is mailed, archived and opened offline, and
must look the same in ten years; charts are drawn here as SVG rectangles and text, which every
browser renders without running anything.  Each count shown carries `data-count="NAME"` and each
chart `data-chart="NAME"`, so tests (and scrapers) find them without parsing prose.

"Link health over time" has one bar per day a check ran when the report carries its history
(`build.with_history`, as a stored report does), else one bar, today's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from typing import TextIO

from ..domains import is_web_url, registrable_domain
from ..records import Finding, LinkStatus, Severity, Snapshot
from .as_text import cell_text
from .build import SEVERITY_LABEL, SEVERITY_ORDER, HealthSeries, Report, ReportDocument, ReportLink
from .table import Table

STATUS_COLOURS = {
    "alive": "#2e7d32",
    "redirected": "#1565c0",
    "dead": "#c62828",
    "soft_404": "#ef6c00",
    "unreachable": "#8e24aa",
    "blocked": "#6d4c41",
    "invalid": "#757575",
    "unchecked": "#bdbdbd",
}
SEVERITY_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
ROTTEN = ("dead", "soft_404")
MAX_DOMAINS = 15

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1c1c1c;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:17px;margin:24px 0 4px}.meta{color:#555;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:90px}
.card b{display:block;font-size:24px}.card span{color:#555;font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:16px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
figcaption{font-weight:600;margin-bottom:6px}svg text{font-size:11px;fill:#333}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px;margin:6px 0}
th,td{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f0f0}
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 5px;font-size:12px;white-space:nowrap}
.doc{background:#fff;border:1px solid #ddd;border-radius:6px;padding:4px 14px 12px;margin:14px 0}
"""


def write_report(report: Report, out: TextIO) -> None:
    """The whole report as one HTML page."""
    series = report.history or [
        (report.generated_at.date(), Counter(link.status.value for link in report.links if link.url))
    ]
    counts = report.counts()
    statuses = Counter(link.status.value for link in report.links)
    parts = [
        _head("Provenance report"),
        "<main>",
        "<h1>Provenance report</h1>",
        f'<p class="meta">generated {escape(report.generated_at.strftime("%Y-%m-%d %H:%M UTC"))}</p>',
        '<h2>Summary</h2><div class="cards">',
    ]
    for name in ("documents", "links", "findings", "error", "warning", "info"):
        parts.append(_card(name, counts[name]))
    for status in LinkStatus:
        if statuses.get(status.value):
            parts.append(_card(status.value, statuses[status.value]))
    parts.append('</div><h2>Charts</h2><div class="charts">')
    parts.append(_figure("health", "Link health over time", health_chart(series)))
    parts.append(_figure("domains", "Rot by domain", domain_chart(report)))
    parts.append(_figure("kinds", "Findings by kind", kind_chart(report)))
    parts.append("</div><h2>Documents</h2>")
    out.write("\n".join(parts))
    for section in report.sections():  # written as they come: a stored report reads a document at a time
        out.write("\n" + _document_section(*section))
    out.write("\n</main></body></html>\n")


def write_table(data: Table, out: TextIO) -> None:
    """A named report or --sql result as a page with one table."""
    title, columns = data.title, data.columns
    parts = [_head(f"provenance report {title}"), "<main>", f"<h1>{escape(title)}</h1>", "<table><thead><tr>"]
    parts += [f"<th>{escape(c)}</th>" for c in columns]
    parts.append("</tr></thead><tbody>")
    out.write("\n".join(parts) + "\n")
    count = 0
    for row in data.rows:  # written as they come; the count follows the table
        out.write("<tr>" + "".join(f"<td>{escape(cell_text(value))}</td>" for value in row) + "</tr>\n")
        count += 1
    out.write(f'</tbody></table>\n<p class="meta"><span data-count="rows">{count}</span> rows</p>\n')
    out.write("</main></body></html>\n")


# --- charts: plain SVG ------------------------------------------------------------------------


def health_chart(series: HealthSeries, width: int = 340, height: int = 200) -> str:
    """Stacked bars, one per day, coloured by status, with a legend."""
    total_max = max((sum(c.values()) for _day, c in series), default=0) or 1
    left, top, plot_h = 30, 10, height - 70
    slot = (width - left - 10) / max(1, len(series))  # a year of daily bars still fits the frame
    gap = 4.0 if slot > 8 else (1.0 if slot > 2 else 0.0)
    bar_w = min(40.0, slot - gap)
    shapes = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="2" y="{top + 8}">{total_max}</text>',
    ]
    for i, (day, counts) in enumerate(series):
        x, y = left + gap + i * slot, float(top + plot_h)
        for status, colour in STATUS_COLOURS.items():
            n = counts.get(status, 0)
            if n:
                h = max(1.0, plot_h * n / total_max)
                y -= h
                shapes.append(
                    f'<rect x="{x:.2f}" y="{y:.1f}" width="{bar_w:.2f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{day}: {n} {status}</title></rect>"
                )
        if i == 0 or i == len(series) - 1:
            anchor = "end" if i == len(series) - 1 and i else "start"
            shapes.append(
                f'<text x="{x + (bar_w if anchor == "end" else 0):.1f}" y="{top + plot_h + 14}" '
                f'text-anchor="{anchor}">{day.isoformat()}</text>'
            )
    used = [s for s in STATUS_COLOURS if any(c.get(s) for _d, c in series)]
    shapes += _legend(used, STATUS_COLOURS, top + plot_h + 24, width)
    return _svg(width, height, shapes, "Link health over time")


def domain_chart(report: Report, width: int = 340) -> str:
    """One bar per domain (most rot first): rotten share red, with rotten/checked distinct URLs (as domain_health)."""
    status_of = {link.url: link.status.value for link in report.links if link.url and link.status.value != "unchecked"}
    per: dict[str, Counter[str]] = {}
    for url, status in status_of.items():
        per.setdefault(registrable_domain(url) or "(none)", Counter())[status] += 1
    ranked = sorted(per.items(), key=lambda kv: (-sum(kv[1][s] for s in ROTTEN), -sum(kv[1].values()), kv[0]))
    ranked = ranked[:MAX_DOMAINS]
    label_w, row_h = 130, 20
    height = max(40, 14 + row_h * len(ranked))
    shapes = [] if ranked else ['<text x="4" y="20">no checked links</text>']
    for i, (domain, counts) in enumerate(ranked):
        y, total = 6 + i * row_h, sum(counts.values())
        rotten = sum(counts[s] for s in ROTTEN)
        bar = width - label_w - 60
        shapes.append(f'<text x="2" y="{y + 12}">{escape(_short(domain, 20))}</text>')
        shapes.append(
            f'<rect x="{label_w}" y="{y}" width="{bar}" height="14" fill="#c8e6c9">'
            f"<title>{escape(domain)}: {total} checked</title></rect>"
        )
        if rotten:
            shapes.append(
                f'<rect x="{label_w}" y="{y}" width="{bar * rotten / total:.1f}" height="14" '
                f'fill="{STATUS_COLOURS["dead"]}"><title>{escape(domain)}: {rotten} rotten</title></rect>'
            )
        shapes.append(f'<text x="{label_w + bar + 4}" y="{y + 12}">{rotten}/{total}</text>')
    return _svg(width, height, shapes, "Rot by domain")


def kind_chart(report: Report, width: int = 340) -> str:
    """One bar per finding kind, longest first, coloured by the kind's most severe finding."""
    counts = Counter(f.kind.value for f in report.findings)
    worst: dict[str, Severity] = {}
    for f in report.findings:
        if f.kind.value not in worst or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[worst[f.kind.value]]:
            worst[f.kind.value] = f.severity
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    label_w, row_h, most = 130, 20, max(counts.values(), default=1)
    height = max(40, 14 + row_h * len(ranked))
    shapes = [] if ranked else ['<text x="4" y="20">no findings</text>']
    for i, (kind, n) in enumerate(ranked):
        y, bar = 6 + i * row_h, max(2.0, (width - label_w - 40) * n / most)
        colour = SEVERITY_COLOURS[worst[kind].value]
        shapes.append(f'<text x="2" y="{y + 12}">{escape(kind)}</text>')
        shapes.append(
            f'<rect x="{label_w}" y="{y}" width="{bar:.1f}" height="14" fill="{colour}">'
            f"<title>{escape(kind)}: {n}</title></rect>"
        )
        shapes.append(f'<text x="{label_w + bar + 4:.1f}" y="{y + 12}">{n}</text>')
    return _svg(width, height, shapes, "Findings by kind")


def _legend(names: Sequence[str], colours: Mapping[str, str], y: int, width: int) -> list[str]:
    shapes, x = [], 4
    for name in names:
        if x + 80 > width:
            x, y = 4, y + 14
        shapes.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colours[name]}"/>')
        shapes.append(f'<text x="{x + 13}" y="{y}">{escape(name)}</text>')
        x += 20 + 7 * len(name)
    return shapes


def _svg(width: int, height: int, shapes: Sequence[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">' + "".join(shapes) + "</svg>"
    )


# --- page pieces ------------------------------------------------------------------------------


def _head(title: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        # No fetches at all, even for the favicon the browser would ask for by itself.
        '<link rel="icon" href="data:,">'
        f"<style>{CSS}</style></head><body>"
    )


def _card(name: str, value: int) -> str:
    return f'<div class="card"><b data-count="{escape(name)}">{value}</b><span>{escape(name)}</span></div>'


def _figure(name: str, caption: str, svg: str) -> str:
    return f'<figure data-chart="{name}"><figcaption>{escape(caption)}</figcaption>{svg}</figure>'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _badge(value: str, colour: str) -> str:
    return f'<span class="badge" style="background:{colour}">{escape(value)}</span>'


def _document_section(doc: ReportDocument, findings: Sequence[Finding], links: Sequence[ReportLink]) -> str:
    meta = [f"published {doc.published.isoformat() if doc.published else 'unknown'}"]
    if doc.captured:
        meta.append(f"captured {doc.captured.isoformat()}")
    if doc.copy_of:
        meta.append(f"copy of {doc.copy_of}")
    if doc.original_url:
        meta.append(f"original {escape(doc.original_url)}")
    parts = [
        f'<section class="doc" id="{escape(doc.id)}" data-document="{escape(doc.id)}">',
        f"<h3>{escape(doc.id)} · {escape(doc.title or doc.source)}</h3>",
        f'<p class="meta">{escape(doc.source)} · {" · ".join(meta)}</p>',
    ]
    if doc.error:
        parts.append(f'<p class="meta">error: {escape(doc.error)}</p>')
    parts.append(f'<h4>Findings (<span data-count="findings">{len(findings)}</span>)</h4>')
    if findings:
        parts.append("<table><thead><tr><th>severity</th><th>kind</th><th>URL</th><th>message</th></tr></thead><tbody>")
        for f in findings:
            badge = _badge(SEVERITY_LABEL[f.severity], SEVERITY_COLOURS[f.severity.value])
            parts.append(
                f"<tr><td>{badge}</td><td>{escape(f.kind.value)}</td><td>{escape(f.url or '')}</td>"
                f"<td>{escape(f.message)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append(f'<h4>Citations (<span data-count="links">{len(links)}</span>)</h4>')
    if links:
        parts.append(
            "<table><thead><tr><th>role</th><th>status</th><th>HTTP</th><th>URL</th><th>anchor</th>"
            "<th>snapshot</th></tr></thead><tbody>"
        )
        for link in links:
            status = link.status.value
            snap = _snapshot_cell(link.snapshot) if link.snapshot else ""
            url = escape(link.url) if link.url else "(no address)"
            parts.append(
                f"<tr><td>{escape(link.role.value)}</td><td>{_badge(status, STATUS_COLOURS[status])}</td>"
                f"<td>{link.http_status or ''}</td><td>{url}</td><td>{escape(link.anchor_text or '')}</td>"
                f"<td>{snap}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def _snapshot_cell(snapshot: Snapshot) -> str:
    """The snapshot's date, linked only when its address is a web address: a stored `javascript:` or
    `data:` URL (from a hostile archive or an edited database) is shown as text, never followed."""
    day = snapshot.datetime.date().isoformat()
    if not is_web_url(snapshot.url):
        return f"{day} {escape(snapshot.url)}"
    return f'<a href="{escape(snapshot.url)}" rel="noopener noreferrer">{day}</a>'
