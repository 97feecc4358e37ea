"""An Office Open XML package (a Word .docx or .docm), opened as what it is: a zip of XML from anyone.

Only the parts a harvest reads are ever decompressed (never images or embedded files), each through
a stream that stops at `MAX_PART_BYTES` and at what is left of `MAX_TOTAL_BYTES` for the whole
package, so a zip bomb costs a bounded amount of time and memory and the cut is named in the
document's error.  A zip listing more than `MAX_MEMBERS` entries is refused before Python's zipfile
builds an object per entry.  XML is parsed with entity resolution, DTD loading and network access
off (no XXE, no billion laughs): `safe_parser`, which harvest/feeds.py uses too.

Part names are matched without regard to case (OPC part names are case-insensitive), relationship
types by their last path segment, so the transitional and the ISO Strict namespaces read alike.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Final, TypedDict

from lxml import etree

from ..errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: Word 97-2003, or an encrypted OOXML file
WORD_EXTENSIONS = frozenset({".docx", ".docm", ".dotx", ".dotm"})
WORD_MAIN_TYPES = frozenset(  # lower case: media types compare without regard to case
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroenabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    }
)
MAX_MEMBERS = 10_000  # a Word file holds tens of parts; a zip of a million entries is an attack
MAX_PART_BYTES = 64 * 1024 * 1024  # decompressed bytes read from one part
MAX_TOTAL_BYTES = 128 * 1024 * 1024  # decompressed bytes read from one package, all parts together
MAX_SMALL_PART_BYTES = 8 * 1024 * 1024  # content types, relationships, core properties, styles: read whole
_CENTRAL_ENTRY = b"PK\x01\x02"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # an OOXML file saved with a password
_WORD_STREAM = "WordDocument".encode("utf-16-le")  # a Word 97-2003 .doc


@dataclass(frozen=True, slots=True)
class Relationship:
    """One relationship of a part: `kind` is the type's last segment ("hyperlink", "footnotes", ...);
    `target` is a part name in the package, or the address as written when `external`."""

    kind: str
    target: str
    external: bool


class SafeXmlOptions(TypedDict):
    """lxml's options for XML from anyone, for a parser or for iterparse."""

    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


# no entities resolved, no DTD or network loaded (no XXE, no billion laughs), no tree past libxml2's limits
SAFE_XML_OPTIONS: Final[SafeXmlOptions] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def safe_parser(recover: bool = False) -> etree.XMLParser:
    """A parser for XML from anyone (SAFE_XML_OPTIONS); RECOVER reads on past what is not well-formed."""
    return etree.XMLParser(recover=recover, **SAFE_XML_OPTIONS)


def compound_file_kind(data: bytes) -> str:
    """What an OLE compound file is, in words a person can act on (the stream names are in its directory)."""
    if _ENCRYPTED_STREAM in data:
        return "a password-protected (encrypted) Office document: save a copy without a password to harvest it"
    if _WORD_STREAM in data:
        return "a Word 97-2003 document (.doc): save it as .docx to harvest it"
    return "an OLE compound file (an older Office document)"


@dataclass
class Budget:
    """Decompressed bytes the package may still read, and the cuts made so far (for the document's error)."""

    left: int = field(default_factory=lambda: MAX_TOTAL_BYTES)
    cuts: list[str] = field(default_factory=list)


class CappedStream:
    """A part's decompressed bytes up to its cap (its own and the package's): past it, reads return
    nothing and `cut` is set, so a parser sees the part end there."""

    def __init__(self, raw: IO[bytes], name: str, budget: Budget, limit: int) -> None:
        self._raw, self.name, self._budget, self._limit = raw, name, budget, limit
        self.taken = 0
        self.cut = False

    def read(self, size: int = -1) -> bytes:
        room = min(self._limit - self.taken, self._budget.left)
        if size < 0 or size > room:
            size = room
        data = self._raw.read(size) if size > 0 else b""
        self.taken += len(data)
        self._budget.left -= len(data)
        full = self.taken >= self._limit or self._budget.left <= 0
        if full and not self.cut and self._raw.read(1):  # one byte more says the part goes on
            self.cut = True
            self._budget.cuts.append(
                f"decompressing {self.name} stopped after {self.taken:,} bytes (a Word file's parts are read up to "
                f"{self._limit:,} bytes each and {MAX_TOTAL_BYTES:,} in all: a zip bomb?)"
            )
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> CappedStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class WordPackage:
    """An opened .docx: its main document part, and its parts and relationships read within the caps."""

    def __init__(self, data: bytes) -> None:
        self.zip = open_zip(data)
        self._names = {info.filename.lower(): info for info in self.zip.infolist()}
        self.budget = Budget()
        main = word_main_part(self)
        if main is None:
            raise InputError("a zip archive, but not a Word document (no WordprocessingML main part)")
        self.main = main

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def open(self, name: str, limit: int | None = None) -> CappedStream:
        """The part NAME as a stream capped at LIMIT (MAX_PART_BYTES); an InputError when it is missing or
        cannot be decompressed."""
        info = self._names.get(name.lower())
        if info is None:
            raise InputError(f"{name} is missing")
        if info.flag_bits & 0x1:
            raise InputError("the zip is encrypted (password-protected)")
        try:
            return CappedStream(self.zip.open(info), name, self.budget, limit or MAX_PART_BYTES)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, OSError) as exc:
            raise InputError(f"{name} cannot be decompressed: {exc}") from exc

    def read_xml(self, name: str) -> etree._Element | None:
        """A small part (content types, relationships, properties, styles) parsed whole; None when absent."""
        if not self.has(name):
            return None
        with self.open(name, MAX_SMALL_PART_BYTES) as stream:
            try:
                data = stream.read()
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise InputError(f"{name} is corrupt: {exc}") from exc
        if stream.cut:
            raise InputError(f"{name} is larger than {MAX_SMALL_PART_BYTES:,} bytes")
        try:
            return etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{name} is not well-formed XML: {exc}") from exc

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of PART by id, internal targets resolved to part names."""
        folder, base = posixpath.split(part)
        root = self.read_xml(posixpath.join(folder, "_rels", base + ".rels"))
        found: dict[str, Relationship] = {}
        for rel in root if root is not None else ():
            rid, kind, target = rel.get("Id"), rel.get("Type") or "", rel.get("Target")
            if rid is None or target is None:
                continue
            external = (rel.get("TargetMode") or "").lower() == "external"
            if not external:
                target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(target)
            found[rid] = Relationship(kind.rsplit("/", 1)[-1], target, external)
        return found


def open_zip(data: bytes) -> zipfile.ZipFile:
    """DATA as a zip, refused (InputError) when corrupt or listing more than MAX_MEMBERS entries."""
    if data.count(_CENTRAL_ENTRY) > MAX_MEMBERS:
        raise InputError(f"a zip of more than {MAX_MEMBERS:,} entries, far more than a Word document holds")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise InputError(f"not a readable zip file (corrupt or truncated): {exc}") from exc


def word_main_part(package: WordPackage) -> str | None:
    """The main document part [Content_Types].xml declares, or None when the package is not Word's."""
    types = package.read_xml("[Content_Types].xml")
    for override in types if types is not None else ():
        if (override.get("ContentType") or "").strip().lower() in WORD_MAIN_TYPES:
            name = (override.get("PartName") or "").lstrip("/")
            return name if package.has(name) else None
    return None


def word_package(data: bytes) -> WordPackage | None:
    """DATA opened as a Word package, or None when it is not a zip whose [Content_Types].xml declares a
    WordprocessingML main document."""
    try:
        return WordPackage(data)
    except InputError:
        return None
