"""The measurement that chose the PDF library: pypdfium2, pypdf and pdfminer.six on the same PDFs.

Usage: pip install pypdf pdfminer.six; python scripts/pdf_libraries.py [--rounds 3] [REAL_DEV_FOLDER]
(default ../shared/corpus/real-dev; needs pdftotext for the reading-order reference).

Each library, in one process, reads every page's text and every URI link annotation with the text
under its rectangle, the way the harvester needs them.  Printed per library: time (median of the
rounds) and pages/s; the manifest's annotation URIs found; links with text under them; ligature
code points left in the text; word-trigram agreement with pdftotext's text (reading order and
wrapped lines); and how many annotated URLs provenance's own URL finder recovers from the text
(what survives of a URL wrapped at a line end).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import re
import statistics
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from importlib.metadata import metadata
from pathlib import Path

from provenance.harvest.urls import find_urls, normalize_url

Link = tuple[str, str]  # (uri, text under its rectangle)
Reader = Callable[[Path], tuple[list[str], list[Link]]]


def read_pdfium(path: Path) -> tuple[list[str], list[Link]]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    texts, links = [], []
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        # U+FFFE is PDFium's mark for a hyphen at a line end, the lines joined: written back as such
        texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\ufffe", "-\n"))
        pos, link = ctypes.c_int(0), raw.FPDF_LINK()
        while raw.FPDFLink_Enumerate(page, ctypes.byref(pos), ctypes.byref(link)):
            action = raw.FPDFLink_GetAction(link)
            if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
                continue
            size = raw.FPDFAction_GetURIPath(pdf, action, None, 0)
            buffer = ctypes.create_string_buffer(size)
            raw.FPDFAction_GetURIPath(pdf, action, buffer, size)
            rect = raw.FS_RECTF()
            raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect))
            under = textpage.get_text_bounded(rect.left, rect.bottom, rect.right, rect.top)
            links.append((buffer.raw[: size - 1].decode("latin-1"), under))
        textpage.close()
        page.close()
    pdf.close()
    return texts, links


def read_pypdf(path: Path) -> tuple[list[str], list[Link]]:
    import pypdf

    texts, links = [], []
    for page in pypdf.PdfReader(str(path)).pages:
        runs: list[tuple[float, float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: object, runs: list = runs) -> None:
            if text:  # pypdf gives positions per text-showing operation, not per character
                runs.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

        texts.append(page.extract_text(visitor_text=visit))
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if annot.get("/Subtype") != "/Link" or action is None or action.get("/S") != "/URI":
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            (x0, x1), (y0, y1) = sorted((x0, x1)), sorted((y0, y1))
            under = "".join(t for x, y, t in runs if x0 - 1 <= x <= x1 and y0 - 1 <= y <= y1)
            uri = action.get("/URI")
            links.append((uri.decode("latin-1") if isinstance(uri, bytes) else str(uri), under))
    return texts, links


def read_pdfminer(path: Path) -> tuple[list[str], list[Link]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    annots: list[list[tuple[str, list[float]]]] = []
    with path.open("rb") as handle:
        for page in PDFPage.create_pages(PDFDocument(PDFParser(handle))):
            found = []
            for annot in resolve1(page.annots) or []:
                annot = resolve1(annot)
                action = resolve1(annot.get("A")) if isinstance(annot, dict) else None
                if isinstance(action, dict) and getattr(resolve1(action.get("S")), "name", None) == "URI":
                    uri = resolve1(action.get("URI"))
                    found.append(
                        (uri.decode("latin-1") if isinstance(uri, bytes) else str(uri), resolve1(annot["Rect"]))
                    )
            annots.append(found)
    texts, links = [], []
    for number, layout in enumerate(extract_pages(str(path), laparams=LAParams())):
        parts, chars = [], []
        for element in layout:
            if isinstance(element, LTTextContainer):
                parts.append(element.get_text())
                chars += [c for line in element if isinstance(line, LTTextLine) for c in line if isinstance(c, LTChar)]
        texts.append("".join(parts))
        for uri, rect in annots[number]:
            (x0, x1), (y0, y1) = sorted((rect[0], rect[2])), sorted((rect[1], rect[3]))
            inside = [
                c for c in chars if x0 - 1 <= (c.x0 + c.x1) / 2 <= x1 + 1 and y0 - 1 <= (c.y0 + c.y1) / 2 <= y1 + 1
            ]
            links.append((uri, "".join(c.get_text() for c in inside)))
    return texts, links


READERS: dict[str, tuple[str, Reader]] = {
    "pypdfium2": ("pypdfium2", read_pdfium),
    "pypdf": ("pypdf", read_pypdf),
    "pdfminer.six": ("pdfminer.six", read_pdfminer),
}


def _trigrams(text: str) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())
    return Counter(zip(words, words[1:], words[2:], strict=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="../shared/corpus/real-dev")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.folder)
    entries = [e for e in json.loads((root / "manifest.json").read_text())["files"] if e["path"].startswith("A/pdf/")]
    truth = {e["path"]: {a["uri"] for a in e["truth"]["annotation_uris"]} for e in entries}
    reference = {
        e["path"]: _trigrams(
            subprocess.run(["pdftotext", str(root / e["path"]), "-"], capture_output=True, text=True).stdout
        )
        for e in entries
    }
    print(f"{len(entries)} PDFs; median of {args.rounds} rounds")
    for name, (package, read) in READERS.items():
        spent, results = [], {}
        for _ in range(args.rounds):
            started = time.perf_counter()
            results = {e["path"]: read(root / e["path"]) for e in entries}
            spent.append(time.perf_counter() - started)
        pages = sum(len(texts) for texts, _ in results.values())
        found = sum(len(truth[p] & {uri for uri, _ in links}) for p, (_, links) in results.items())
        links = [link for _, found_links in results.values() for link in found_links]
        with_text = sum(bool(under.strip()) for _, under in links)
        ligatures = sum(len(re.findall("[\ufb00-\ufb06]", "".join(texts))) for texts, _ in results.values())
        agree = sum(sum((_trigrams("\n".join(t)) & reference[p]).values()) for p, (t, _) in results.items())
        recovered = sum(
            len({normalize_url(u) for u in truth[p]} & {f.url for f in find_urls("\n".join(texts))})
            for p, (texts, _) in results.items()
        )
        seconds = statistics.median(spent)
        licence = metadata(package).get("License-Expression") or metadata(package).get("License")
        print(
            f"  {name:12} {seconds:6.2f} s {pages / seconds:6.0f} pages/s | annotation URIs "
            f"{found}/{sum(map(len, truth.values()))} | text under link {with_text}/{len(links)}"
            f" | ligatures {ligatures}"
            f" | trigrams as pdftotext {agree / sum(sum(r.values()) for r in reference.values()):.3f}"
            f" | annotated URLs in text {recovered} | licence {licence}"
        )


if __name__ == "__main__":
    main()
