"""provenance.page.decoding: bytes -> text for HTML pages (decode_html) and for text, Markdown and
PDF-text files (decode_text), under one charset policy: a BOM, then (HTML only) a declared charset,
then strict UTF-8, then detection with windows-1252 preferred when it reads almost as well."""

from __future__ import annotations

import codecs

import pytest

from provenance.page.decoding import decode_html, decode_text

TEXT = "Žluťoučký kůň úpěl ďábelské ódy"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + f"<p>{TEXT}</p>".encode(), TEXT),
        (codecs.BOM_UTF16_LE + f"<p>{TEXT}</p>".encode("utf-16-le"), TEXT),
        (f'<meta charset="windows-1250"><p>{TEXT}</p>'.encode("cp1250"), TEXT),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"><p>{TEXT}</p>'.encode(
                "iso-8859-2"
            ),
            TEXT,
        ),
        (f"<p>{TEXT}</p>".encode(), TEXT),
        (
            '<meta charset="iso-8859-1"><p>caf\u00e9 \u201cquoted\u201d</p>'.encode("cp1252"),
            "caf\u00e9 \u201cquoted\u201d",
        ),
        (b'<meta charset="no-such-charset"><p>plain</p>', "plain"),
        (b"<p>a\x00b</p>", "ab"),
    ],
)
def test_decode_html(data: bytes, expected: str) -> None:
    assert expected in decode_html(data)
    assert "\x00" not in decode_html(data)


RUSSIAN = (
    "Министр иностранных дел России Сергей Лавров заявил, что Москва получит письменный ответ "
    "на свои предложения по безопасности на следующей неделе. Переговоры в Женеве длились полтора часа."
)
FRENCH = "Les négociations à Genève ont duré une heure et demie; le ministre a déclaré être satisfait."


@pytest.mark.parametrize(
    "data, text",
    [
        (RUSSIAN.encode("cp1251"), RUSSIAN),
        (FRENCH.encode("latin-1"), FRENCH),
        (codecs.BOM_UTF8 + "naïve".encode(), "naïve"),
        ("déjà vu".encode("utf-16"), "déjà vu"),
        ("déjà".encode(), "déjà"),
    ],
)
def test_decode_text_detects_encodings(data, text):
    assert decode_text(data) == text


# "Crème brûlée" scores alike in windows-1250 and windows-1252; read as windows-1250 it is "brűlée".
WESTERN_SHORT = "Crème brûlée à la carte, ça va très bien."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(WESTERN_SHORT, "cp1252"), (FRENCH, "cp1252"), (RUSSIAN, "cp1251"), (TEXT, "cp1250")],
)
def test_html_and_text_agree_on_undeclared_legacy_bytes(text: str, encoding: str) -> None:
    """With no BOM and no declaration both decoders fall through to the same detection."""
    data = f"<p>{text}</p>".encode(encoding)
    assert decode_html(data) == decode_text(data) == f"<p>{text}</p>"


def test_a_bom_outranks_a_declared_charset() -> None:
    data = codecs.BOM_UTF8 + f'<meta charset="windows-1250"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_html(data)


def test_only_html_reads_a_declared_charset_and_it_outranks_utf8() -> None:
    """A page declaring windows-1252 is read so even when its bytes are valid UTF-8, as browsers do;
    a text file's markup-looking line declares nothing."""
    data = '<meta charset="windows-1252"><p>déjà</p>'.encode()
    assert "dÃ©jÃ" in decode_html(data)
    assert "<p>déjà</p>" in decode_text(data)


def test_a_declaration_of_a_charset_that_cannot_read_ascii_markup_means_nothing() -> None:
    data = '<meta charset="utf-16"><p>déjà</p>'.encode()
    assert "<p>déjà</p>" in decode_html(data)
