"""A large Word document for measuring harvest speed: PAGES pages as a person writes them.

Usage: python scripts/large_docx.py 2000 /tmp/large/report.docx && python scripts/harvest_speed.py /tmp/large
About five paragraphs a page of mixed-format runs, a hyperlink in each page, a field-code link every
fifth page, a typed URL in each paragraph, a heading and a table every ten pages.  Needs the test
extra (python-docx) and the tests' document builders.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from docx_files import complex_field, hyperlink, new_document

WORDS = (
    "The committee reviewed the evidence submitted by the agencies and found that the figures were "
    "consistent with earlier estimates published by the statistics office in its annual review"
).split()


def main(pages: int, out: Path) -> None:
    document = new_document(title="A large report")
    for page in range(pages):
        if page % 10 == 0:
            document.add_heading(f"Chapter {page // 10 + 1}", level=1)
            for cell in document.add_table(rows=3, cols=3)._cells:
                cell.text = "12.5%"
        for line in range(5):
            paragraph = document.add_paragraph()
            for number in range(6):
                words = WORDS[(number * 3 + page) % 10 :][:10]
                styled = paragraph.add_run(" ".join(words) + " ")
                styled.bold, styled.italic = number == 2, number == 4
            if line == 2:
                hyperlink(paragraph, f"https://example.org/source/{page}", f"source {page}")
            if line == 4 and page % 5 == 0:
                complex_field(paragraph, f' HYPERLINK "https://fields.example.org/{page}" ', "field link")
            paragraph.add_run(f" As typed: https://typed.example.net/p{page}/{line}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
