"""Which files a harvest reads: the targets the user named and the regular files in folders below them.

Inputs stay inside what the user named.  A file or folder named on the command line is read even
through a symbolic link (the user chose it), but inside a folder a link is followed only when it
leads to a regular file inside that same folder: a Git checkout may carry a link to
`/proc/self/environ` or `/etc/passwd`, whose text would otherwise be stored and whose URLs would
be requested.  FIFOs, devices and sockets in a folder are skipped; reading itself is bounded
(reading.py).

Each file is identified by its resolved real path (`InputItem.location`): `a.txt`, `./a.txt` and
`/home/me/a.txt` are one document, read once.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError
from ..reading import file_kind

__all__ = ["InputItem", "Inputs", "Skipped", "expand_targets", "is_url", "source_targets"]

_WILDCARD = re.compile(r"[*?[]")


@dataclass(frozen=True)
class InputItem:
    """One document to harvest: a file (read from its real path `path`, shown as `source`) or a URL.

    `named` is true for a target the user gave rather than a file found in a folder: failing to read
    one is an input error of the command.
    """

    source: str
    path: Path | None = None
    url: str | None = None
    named: bool = False

    @property
    def location(self) -> str:
        """What identifies the document across runs and spellings: its real path, or its URL."""
        return self.url if self.url is not None else _printable(str(self.path))


@dataclass(frozen=True)
class Skipped:
    """An entry of a folder that was not read, and why.  `failed` when the system refused (a folder
    that cannot be listed), not when the harvest chose not to (a link leading elsewhere)."""

    source: str
    reason: str
    failed: bool = False


@dataclass(frozen=True)
class Inputs:
    items: tuple[InputItem, ...]
    skipped: tuple[Skipped, ...] = ()


def is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


def expand_targets(targets: Iterable[str]) -> Inputs:
    """Files, folders (recursively, hidden entries skipped) and URLs -> items, each real file once;
    a missing path is an InputError."""
    items: list[InputItem] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()

    def add(item: InputItem) -> None:
        if item.location not in seen:
            seen.add(item.location)
            items.append(item)

    for target in targets:
        if is_url(target):
            add(InputItem(source=target, url=target, named=True))
            continue
        path = Path(target)
        if path.is_dir():
            found, left = _folder(target)
            for item in found:
                add(item)
            skipped.extend(left)
        elif path.exists():
            add(InputItem(source=_printable(target), path=path.resolve(), named=True))
        else:
            raise InputError(f"no such file, folder or URL: {_printable(target)}")
    return Inputs(tuple(items), tuple(skipped))


def _folder(target: str) -> tuple[list[InputItem], list[Skipped]]:
    """The regular files below the folder TARGET, in path order, and the entries not read."""
    root = Path(target)
    inside = root.resolve()
    found: list[tuple[Path, Path]] = []  # (path below the target, real path)
    skipped: list[Skipped] = []

    def unlistable(error: OSError) -> None:
        name = _printable(str(error.filename or target))
        skipped.append(Skipped(name, f"cannot list: {error.strerror or error}", failed=True))

    for folder, subfolders, files in os.walk(root, onerror=unlistable):  # links to folders are not walked
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in [*files, *subfolders]:
            entry = Path(folder) / name
            if name.startswith(".") or (name in subfolders and not entry.is_symlink()):
                continue
            relative = entry.relative_to(root)
            real, why = _regular_file_inside(entry, inside)
            if real is not None:
                found.append((relative, real))
            elif why:
                skipped.append(Skipped(_printable(str(root / relative)), why))
    found.sort()
    return [InputItem(source=_printable(str(root / relative)), path=real) for relative, real in found], skipped


def _regular_file_inside(entry: Path, inside: Path) -> tuple[Path | None, str]:
    """ENTRY's real path when it is a regular file inside the folder INSIDE; else None and why not
    ('' for a link to a folder inside, which the walk reaches by its own path)."""
    try:
        real = entry.resolve(strict=True)
        mode = real.stat().st_mode
    except (OSError, RuntimeError) as exc:  # a broken link, a loop of links, a file gone since listed
        return None, f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if not real.is_relative_to(inside):
        return None, "a link leading outside the folder: not followed"
    if stat.S_ISDIR(mode) and entry.is_symlink():
        return None, ""
    if not stat.S_ISREG(mode):
        return None, f"not a regular file: {file_kind(mode)}"
    return real, ""


def _printable(name: str) -> str:
    """A file name as text the store can hold: bytes that are not UTF-8 (kept by the OS as surrogates)
    are written as \\xNN, so two such names stay distinct."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def source_targets(base_dir: Path, path: str) -> list[str]:
    """The files and folders a watched `path:` source names now, resolved against BASE_DIR (the
    config file's folder); a glob matching nothing names nothing (the folder may fill later).

    A glob's matches stay inside the folder before its first wildcard, and are regular files: a
    match is read as if the user had named it, so a link there must not lead elsewhere.
    """
    full = path if Path(path).is_absolute() else str(base_dir / path)
    fixed = _WILDCARD.split(full, maxsplit=1)
    if len(fixed) == 1:
        return [full]
    base = Path(fixed[0])
    inside = (base if fixed[0].endswith(os.sep) else base.parent).resolve()
    return sorted(p for p in glob.glob(full, recursive=True) if _regular_file_inside(Path(p), inside)[0] is not None)
