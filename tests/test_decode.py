"""Raw bytes -> clean text: BOMs, UTF-16, legacy code pages, mojibake, binary files, invisible characters."""

from __future__ import annotations

import codecs

import pytest

from flashnews.ingest.decode import decode_bytes
from flashnews.errors import NormalizeError

STORY = "Bota\nQeveria miraton ligjin e ri për çështjet e sigurisë\nKryeministri tha se është një ditë e madhe për të gjithë.\n"
ALBANIAN_SAMPLES = (
    STORY,
    "Ekonomi\nÇmimet e naftës u rritën përsëri këtë muaj, tha ministri.\n",
    "Shqipëri\nKëtë javë në Shkodër ra shi i dendur.\n",
    "Sport\nKombëtarja fitoi ndeshjen e djeshme në Elbasan.\n",
)


def decode(data: bytes, **options: str) -> tuple[str, str, list[str]]:
    decoded = decode_bytes(data, path="content/drop.txt", **options)
    return decoded.text, decoded.encoding, [str(w) for w in decoded.warnings]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + STORY.encode("utf-8"),
        codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + STORY.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + STORY.encode("utf-32-le"),
        STORY.encode("utf-16-le"),
        STORY.encode("utf-16-be"),
        STORY.replace("\n", "\r\n").encode("utf-8"),
        STORY.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf32-bom", "utf16le-no-bom", "utf16be-no-bom", "crlf", "cr"],
)
def test_every_unicode_encoding_and_line_ending_gives_the_same_text(data):
    text, _, warnings = decode(data)
    assert text == STORY
    assert warnings == []


@pytest.mark.parametrize("sample", ALBANIAN_SAMPLES)
def test_albanian_windows_1252_is_read_as_the_configured_fallback_not_a_lookalike_code_page(sample):
    text, encoding, warnings = decode(sample.encode("cp1252"), fallback_encoding="cp1252")
    assert (text, encoding) == (sample, "cp1252")
    assert warnings == ["content/drop.txt:1: warning: file is not UTF-8; read it as cp1252; save it as UTF-8 to be sure"]


def test_a_code_page_the_fallback_cannot_read_is_left_to_the_detector():
    russian = "Мир\nСъешь же ещё этих мягких французских булок, да выпей чаю.\n"
    text, encoding, _ = decode(russian.encode("cp1251"), fallback_encoding="cp1252")
    assert text == russian
    assert encoding == "cp1251"


def test_utf8_that_was_read_as_windows_1252_once_is_repaired_with_a_located_warning():
    garbled = STORY.encode("utf-8").decode("cp1252").encode("utf-8")  # "ë" saved as "Ã«"
    text, _, warnings = decode(garbled)
    assert text == STORY
    assert len(warnings) == 1
    assert warnings[0].startswith("content/drop.txt:2:")
    assert "'Ã«'" in warnings[0]


def test_mojibake_that_cannot_be_undone_is_kept_and_pointed_at():
    text, _, warnings = decode("Bota\nNjë titull me Ã« dhe ☃ bashkë\nTrupi.\n".encode("utf-8"))
    assert "Ã«" in text
    assert len(warnings) == 1
    assert warnings[0].startswith("content/drop.txt:2:15: warning:")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "zip archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"{\\rtf1\\ansi Bota\\par Headline}", "RTF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "Word .doc"),
    ],
)
def test_binary_files_saved_as_txt_are_refused_by_name_at_line_one(data, kind):
    with pytest.raises(NormalizeError) as caught:
        decode(data)
    assert str(caught.value).startswith("content/drop.txt:1: file is binary")
    assert kind in caught.value.message


def test_nul_bytes_in_an_otherwise_text_file_are_refused():
    with pytest.raises(NormalizeError, match="NUL"):
        decode(b"Bota\nHeadline of the story\x00 here\nBody\n")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n\r\n", "\u00a0\n\ufeff\n".encode("utf-8"), codecs.BOM_UTF8])
def test_empty_and_whitespace_only_files_are_refused(data):
    with pytest.raises(NormalizeError, match="empty") as caught:
        decode(data)
    assert caught.value.location.line == 1


def test_control_characters_that_break_xml_are_removed_with_a_warning_at_their_line():
    text, _, warnings = decode(b"Bota\nHeadline\x0b of the \x1bstory\nBody \x7f\xc2\x85text\n")
    assert text == "Bota\nHeadline of the story\nBody text\n"
    assert warnings == ["content/drop.txt:2: warning: removed control characters; they are invisible and break feeds"]


def test_bidi_overrides_and_zero_width_spaces_are_removed_but_joiners_stay():
    data = "Bota\nHead\u202eline\u202c of the story\nBo\u200bdy 👩\u200d💻 می\u200cخواهم\n".encode("utf-8")
    text, _, warnings = decode(data)
    assert text == "Bota\nHeadline of the story\nBody 👩\u200d💻 می\u200cخواهم\n"
    assert [w.split(": warning: ")[0] for w in warnings] == ["content/drop.txt:2", "content/drop.txt:3"]
    assert "bidirectional" in warnings[0] and "zero-width" in warnings[1]


def test_text_is_composed_to_nfc():
    text, _, _ = decode("Bota\nSho\u0308qe\u0308ri\n".encode("utf-8"))
    assert "Shöqëri" in text


def test_a_very_long_line_decodes_in_full():
    line = "fjalë " * 200_000
    text, _, _ = decode(f"Bota\nHeadline of the story\n{line}\n".encode("utf-8"))
    assert text.count("fjalë") == 200_000


@pytest.mark.parametrize("first_line", ["MZHD njofton", "RIFF raff", "PK Tirana", "GIF animations"])
def test_text_that_merely_starts_like_a_file_signature_is_still_text(first_line):
    text, _, _ = decode(f"{first_line}\nHeadline of the story\nBody.\n".encode("utf-8"))
    assert text.startswith(first_line)
