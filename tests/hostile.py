"""Hostile documents, written to a folder: harvested one by one in test_hostile_documents.py and
audited all at once in test_hostile_audit.py."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

LINE = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\n"
FRENCH = "Les négociations à Genève ont duré une heure et demie; le ministre a déclaré être satisfait."
RUSSIAN = "Министр заявил, что Москва получит письменный ответ на свои предложения на следующей неделе."


def write_hostile_documents(
    folder: Path, site: str = "https://ok.example.org", huge_bytes: int = 50 * 1024 * 1024
) -> dict[str, Path]:
    """Every kind of hostile document in FOLDER; harvestable ones link to SITE/<name>."""
    folder.mkdir(parents=True, exist_ok=True)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("index.html", f"<a href='{site}/zipped'>inside a zip</a>")
    files: dict[str, bytes] = {
        "binary.bin": bytes(range(256)) * 64,
        "empty.txt": b"",
        "cp1251.txt": f"{RUSSIAN}\nИсточник: {site}/ru/статья\n".encode("cp1251"),
        "latin1.txt": (f"{FRENCH}\nVoilà: {site}/fr/café\n").encode("latin-1"),
        "utf16.txt": codecs.BOM_UTF16_LE + f"UTF-16 text citing {site}/utf16 here.\n".encode("utf-16-le"),
        "malformed.html": (
            f"<html><body><p>unclosed <b><a href='{site}/malformed'>link<div><table><tr><td>"
            '</p></span></i><a href="http://[broken">broken</a><p <p <<a href=>'
        ).encode(),
        "deep.html": (
            b"<html><body>"
            + b"<div>" * 10_000
            + f"<a href='{site}/deep'>deep</a>".encode()
            + b"</div>" * 10_000
            + b"</body></html>"
        ),
        "long-url.html": f"<html><body><p><a href='{site}/{'a' * 100_000}'>long</a></p></body></html>".encode(),
        "long-url.txt": f"A link of 100,000 characters: {site}/{'b' * 100_000} ends here.\n".encode(),
        "nul.txt": f"Text with a \x00 NUL byte citing {site}/nul\x00 and more.\n".encode(),
        "zip.html": zipped.getvalue(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    paths["huge.txt"] = folder / "huge.txt"
    with paths["huge.txt"].open("wb") as out:  # 50 MB of prose, a link at each end
        out.write(f"Huge text\n\nIt starts by citing {site}/huge-start today.\n\n".encode())
        for _ in range(huge_bytes // len(LINE) + 1):
            out.write(LINE)
        out.write(f"and ends citing {site}/huge-end.\n".encode())
    return paths
