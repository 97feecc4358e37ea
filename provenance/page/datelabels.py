"""The words written around a dateline, by language: what says "published", "updated", "by".

dateparser knows month and weekday names but not these, so they are listed here, each with its
language (the language also says how to read a numeric date beside it: "Publié le 05/06/2024" is
the 5th of June).  A label that is not listed ("Deadline:", "Accessed:", "Printed:") makes its
date something other than a publication date, so the lists only need the words that do.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["BYLINE", "NAME_JOINERS", "NAME_PARTICLES", "PREPOSITION", "Kind", "label_at_start", "language_in"]

# language -> (published labels, updated labels, byline words, prepositions before a date)
_WORDS: dict[str, tuple[str, str, str, str]] = {
    "en": (
        "first published|originally published|publication date|published date|published|posted|dated|date"
        "|created|written",
        "last updated|last modified|last edited|last reviewed|updated|modified|revised|edited|reviewed",
        "written by|posted by|story by|words by|by|author",
        "on|the",
    ),
    "fr": (
        "date de publication|publiée?|mis en ligne|créée?|date",
        "dernière mise à jour|mise? à jour|modifiée?|actualisée?",
        "par|auteur|autrice",
        "le|du",
    ),
    "de": (
        "veröffentlicht|erschienen|publiziert|gepostet|erstellt|datum",
        "zuletzt aktualisiert|zuletzt geändert|aktualisiert|geändert|bearbeitet|stand",
        "von|autor|autorin",
        "am|vom",
    ),
    "es": (
        "fecha de publicación|publicad[oa]|cread[oa]|fecha",
        "última actualización|actualizad[oa]|modificad[oa]",
        "por|autor|autora",
        "el|del",
    ),
    "pt": (
        "data de publicação|publicad[oa]|postad[oa]|criad[oa]|data",
        "última atualização|atualizad[oa]|modificad[oa]",
        "por|autor|autora",
        "em",
    ),
    "it": (
        "data di pubblicazione|pubblicat[oa]|creat[oa]|data",
        "ultimo aggiornamento|aggiornat[oa]|modificat[oa]",
        "di|da|del|della|autore|autrice",
        "il",
    ),
    "nl": ("gepubliceerd|geplaatst|datum", "laatst bijgewerkt|bijgewerkt|gewijzigd", "door|auteur", "op"),
    "ru": (
        "дата публикации|опубликован[оа]?|создан[оа]?|дата",
        "обновлен[оа]?|обновлён|изменен[оа]?|изменён",
        "автор",
        "от",
    ),
    "pl": (
        "data publikacji|opublikowan[oy]|dodan[oy]|utworzon[oy]|data",
        "zaktualizowan[oy]|zmodyfikowan[oy]|aktualizacja",
        "autor|autorka|przez",
        "z dnia|dnia",
    ),
    "ja": ("公開日|投稿日|掲載日|作成日|公開|投稿|日付", "最終更新日|更新日|最終更新|更新", "著者|作者|筆者|文", ""),
    "zh": (
        "发布于|发布时间|发布日期|發佈於|發表於|发表于|发表时间|创建于|日期",
        "最后更新|更新于|更新於|更新时间|修改于",
        "作者|文|由",
        "",
    ),
    "tr": ("yayınlanma tarihi|yayın tarihi|yayınlandı|tarih", "güncelleme|güncellendi", "yazan|yazar", ""),
    "uk": ("дата публікації|опубліковано|дата", "оновлено|змінено", "автор|від", "від"),
    "cs": ("publikováno|zveřejněno|datum", "aktualizováno|upraveno", "autor|autorka", "dne"),
    "sv": ("publicerad|publicerat|datum", "uppdaterad|uppdaterat", "skriven av|av", "den"),
    "hu": ("közzétéve|megjelent|dátum", "frissítve|módosítva", "írta|szerző", ""),
    "id": ("diterbitkan|dipublikasikan|tanggal", "diperbarui", "oleh|penulis", "pada"),
    "vi": ("đăng ngày|ngày đăng", "cập nhật", "bởi|tác giả", "ngày"),
    "ar": ("تاريخ النشر|نشر في|نشر|التاريخ", "آخر تحديث|تحديث|تم التحديث", "بواسطة|بقلم|كتبه", "في"),
    "fa": ("تاریخ انتشار|منتشر شده|تاریخ", "به‌روزرسانی|بروزرسانی", "توسط|نویسنده", "در"),
    "he": ("פורסם|תאריך פרסום|תאריך", "עודכן|עדכון אחרון", "מאת|נכתב על ידי", ""),
    "ko": ("게시일|작성일|등록일|날짜", "최종 수정|수정일|업데이트|갱신일", "작성자|글쓴이|저자|글", ""),
}


Kind = Literal["published", "updated"]


def _alternatives(index: int) -> str:
    return "|".join(words[index] for words in _WORDS.values() if words[index])


_LABEL = re.compile(
    rf"(?:(?P<published>{_alternatives(0)})|(?P<updated>{_alternatives(1)}))(?![^\W\d_])", re.IGNORECASE
)
BYLINE = re.compile(rf"(?:{_alternatives(2)})(?![^\W\d_])[ \t]*:?", re.IGNORECASE)
PREPOSITION = re.compile(rf"(?:{'|'.join(w[3] for w in _WORDS.values() if w[3])})", re.IGNORECASE)
# what joins names in an author list: "A, B and C", "A、B 与 C"
NAME_JOINERS = re.compile(r"\s*(?:[,、，&;]|\band\b|\bet\b|\bund\b|\by\b|\be\b|\bi\b|\bи\b|\ben\b|\boraz\b|与|和)\s*")
_ANY_WORD = re.compile(
    "(?<![^\\W\\d_])(?:"
    + "|".join(f"(?P<{language}>{'|'.join(w for w in words if w)})" for language, words in _WORDS.items())
    + ")(?![^\\W\\d_])",
    re.IGNORECASE,
)
NAME_PARTICLES = frozenset("van von de da di der den du la le del dos das bin al the of".split())


def label_at_start(text: str) -> tuple[Kind, int] | None:
    """(what the date it introduces is, where the label ends) of a label opening TEXT, or None."""
    match = _LABEL.match(text)
    if match is None:
        return None
    return ("published" if match.group("published") else "updated"), match.end()


def language_in(text: str) -> str | None:
    """The language of the first listed label, byline word or preposition in TEXT, or None."""
    match = _ANY_WORD.search(text)
    return match.lastgroup if match is not None else None
