"""Front matter: the YAML (`---`) or TOML (`+++`) block opening a Markdown file, as flat fields.

Read line by line rather than with a YAML or TOML parser: only top-level scalar fields are wanted
(title, dates, language, original address), a nested block or list is skipped, a file whose
front matter is not valid YAML still gives its title and date, and a hostile block cannot make a
parser build a large object.  TOML and YAML datetimes (`date = 2024-04-25T10:00:00Z`) are kept
as written, so a date keeps the calendar day its author wrote, whatever the zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..page.datelines import value_date
from ..records import DateEvidence

__all__ = ["FrontMatter", "LANGUAGE_KEYS", "PUBLISHED_KEYS", "front_matter"]

# Keys that name when a post was published, most specific first, compared without case, "_" or "-"
# (pubDate, publish_date, published-at).  lastmod, updated and modified are not among them, and
# `published: true` (a flag) is passed over because it is not a date.
PUBLISHED_KEYS = ("published", "publishdate", "publishedat", "pubdate", "datepublished", "posted", "date", "created")
LANGUAGE_KEYS = ("lang", "language", "locale")
_BLOCKS = (
    (re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL), re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$")),
    (
        re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL),
        re.compile(r"^([A-Za-z_][\w-]*)[ \t]*=(.*)$"),
    ),
)
_COMMENT = re.compile(r"[ \t]+#.*$")


@dataclass(frozen=True)
class FrontMatter:
    """A file's front-matter fields (lower-case keys, unquoted values) and where its body starts."""

    fields: dict[str, str] = field(default_factory=dict)
    end: int = 0

    def published(self) -> DateEvidence | None:
        """The publication date the fields give (source "front_matter:KEY"), or None."""
        by_name = {re.sub(r"[-_]", "", key): key for key in self.fields}
        language = self.language()
        for name in PUBLISHED_KEYS:
            key = by_name.get(name)
            if key is None:
                continue
            value = value_date(self.fields[key], language)
            if value is not None:
                return DateEvidence(value, f"front_matter:{key}", self.fields[key])
        return None

    def language(self) -> str | None:
        """The language tag the fields declare ("fr", "en-GB"), which says how to read numeric dates."""
        return next((self.fields[key] for key in LANGUAGE_KEYS if self.fields.get(key)), None)


def front_matter(text: str) -> FrontMatter:
    """The front matter opening TEXT, or an empty one."""
    for block, line in _BLOCKS:
        match = block.match(text)
        if match is None:
            continue
        fields: dict[str, str] = {}
        for row in match.group(1).split("\n"):
            found = line.match(row)
            if found is not None:
                fields.setdefault(found.group(1).lower(), _scalar(found.group(2)))
        return FrontMatter(fields, match.end())
    return FrontMatter()


def _scalar(value: str) -> str:
    """A value without its quotes, or without a trailing comment when it has none."""
    value = value.strip()
    if value[:1] in "\"'" and value.endswith(value[0]) and len(value) > 1:
        return value[1:-1]
    return _COMMENT.sub("", value).strip().strip("\"'")
