"""Raw bytes of an editor's drop -> clean Unicode text (NFC, LF line endings)."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from flashnews.errors import NormalizeError, SourceLocation, SourceWarning

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Characters that are invalid in XML 1.0 (feeds, sitemaps) and invisible on a page.
_CONTROL = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0x7F: None}
# Bidi overrides and isolates can make a headline read differently from what it says.
_BIDI = {c: None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# C1 controls: never typed on purpose, usually the trace of a wrong code page.
_CONTROL |= {c: None for c in range(0x80, 0xA0)}
# Zero-width space and word joiner hide inside words (a "Bo\u200bta" section line never matches);
# ZWJ and ZWNJ stay, since emoji and several scripts need them.
_ZERO_WIDTH = {0x200B: None, 0x2060: None, 0x180E: None}
_INVISIBLE = {0xFEFF: None, 0xFFFE: None, 0xFFFF: None}


def _finder(table: dict[int, None]) -> re.Pattern[str]:
    """A pattern matching any character of a removal table (a regex scan is far faster than a loop)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


# A tolerance on charset_normalizer's mess ratio: short texts read a little "messy" in any code page.
_MESS_TOLERANCE = 0.1
# Signatures of files that are not text, whatever their name says.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or a .docx/.odt document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Word .doc or other Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 or HEIC file"),
    (b"\x00\x00\x00\x1cftyp", "an MP4 or HEIC file"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 or HEIC file"),
    (b"\x7fELF", "a program"),
)
# UTF-8 read as Windows-1252 turns "ë" into "Ã«" and "’" into "â€™".
_MOJIBAKE = re.compile(
    "[ÃÂÅÄâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text of a drop and the encoding it was read with."""

    text: str
    encoding: str
    warnings: tuple[SourceWarning, ...] = ()


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other position."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, fallback: str) -> str:
    """The configured code page when it gives the same text as the detector's pick, or reads
    the bytes about as cleanly (short texts fit several code pages: an Albanian cp1252 file is
    also valid cp1250 or cp1257), else the detector's pick."""
    # Imported here: only a drop that is not UTF-8 needs the detector (a build of Markdown never does).
    import charset_normalizer
    from charset_normalizer.md import mess_ratio

    best = charset_normalizer.from_bytes(data).best()
    try:
        fallback_text: str | None = data.decode(fallback)
    except (UnicodeDecodeError, LookupError):
        fallback_text = None
    if best is None or best.encoding in ("utf_8", "ascii"):
        return fallback
    if fallback_text is None:
        return best.encoding
    if str(best) == fallback_text or mess_ratio(fallback_text) <= best.chaos + _MESS_TOLERANCE:
        return fallback
    return best.encoding


def describe_binary(data: bytes) -> str | None:
    """What kind of non-text file the bytes are, by their signature; None for text."""
    return next((what for signature, what in _SIGNATURES if data.startswith(signature)), None)


def _to_cp1252_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


def _repair_mojibake(text: str, path: str) -> tuple[str, tuple[SourceWarning, ...]]:
    """Undo UTF-8 that was read as Windows-1252 and saved again, when the whole text round-trips."""
    match = _MOJIBAKE.search(text)
    if match is None:
        return text, ()
    location = SourceLocation(path, _line_of(text, match.start()), match.start() - text.rfind("\n", 0, match.start()))
    raw = _to_cp1252_bytes(text)
    try:
        repaired = raw.decode("utf-8") if raw is not None else None
    except UnicodeDecodeError:
        repaired = None
    from charset_normalizer.md import mess_ratio

    if repaired is not None and mess_ratio(repaired) < mess_ratio(text):
        message = f"repaired garbled characters such as {match.group()!r} (UTF-8 that was once read as Windows-1252)"
        return repaired, (SourceWarning(location, message, "check the accented letters of the article"),)
    return text, (SourceWarning(location, f"{match.group()!r} looks like garbled UTF-8 (mojibake)", "retype the accented letters or save the file as UTF-8 from the original"),)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


_CONTROL_FINDER = _finder(_CONTROL)
_BIDI_FINDER = _finder(_BIDI)
_ZERO_WIDTH_FINDER = _finder(_ZERO_WIDTH)
_INVISIBLE_FINDER = _finder(_INVISIBLE)
_ANY_FINDER = _finder(_CONTROL | _BIDI | _ZERO_WIDTH | _INVISIBLE)


def clean_text(text: str, path: str) -> tuple[str, tuple[SourceWarning, ...]]:
    """Remove control, bidi-override and zero-width characters, with a warning at the first of each kind."""
    if _ANY_FINDER.search(text) is None:
        return text, ()  # the usual case, in one scan
    warnings: list[SourceWarning] = []
    tables = (
        (_CONTROL, _CONTROL_FINDER, "control characters", "they are invisible and break feeds"),
        (_BIDI, _BIDI_FINDER, "bidirectional override characters", "they can make text read differently from what it says"),
        (_ZERO_WIDTH, _ZERO_WIDTH_FINDER, "zero-width spaces", "they hide inside words and break search and section names"),
    )
    for table, finder, what, hint in tables:
        first = finder.search(text)
        if first is not None:
            warnings.append(SourceWarning(SourceLocation(path, _line_of(text, first.start())), f"removed {what}", hint))
            text = text.translate(table)
    return (text.translate(_INVISIBLE) if _INVISIBLE_FINDER.search(text) else text), tuple(warnings)


def decode_bytes(data: bytes, *, path: str, fallback_encoding: str = "cp1252") -> DecodedText:
    """Decode a drop; raises NormalizeError for binary or empty files."""
    location = SourceLocation(path, 1)
    warnings: list[SourceWarning] = []
    binary = describe_binary(data)
    if binary is not None:
        raise NormalizeError(location, f"file is binary ({binary}), not text", hint="paste the article into a plain-text file and save it as .txt")
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        encoding = _guess_utf16(data)
    if encoding is None and b"\x00" in data:
        raise NormalizeError(location, "file holds NUL bytes and looks binary", hint="save the article as plain text")
    if encoding is None:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = _decode_legacy(data, fallback_encoding)
            warnings.append(SourceWarning(location, f"file is not UTF-8; read it as {encoding}", "save it as UTF-8 to be sure"))
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise NormalizeError(location, f"cannot decode the file as {encoding}", hint="save it as UTF-8") from exc
    if "\x00" in text:
        raise NormalizeError(location, "file holds NUL characters and looks binary", hint="save the article as plain text")
    text, repaired = _repair_mojibake(text, path)
    warnings.extend(repaired)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text, cleaned = clean_text(text, path)
    if not text.strip():
        raise NormalizeError(location, "file is empty", hint="an article needs a section line, a headline and a body")
    return DecodedText(text, encoding, (*warnings, *cleaned))


def decode_markdown_bytes(data: bytes) -> str:
    """The text of a .md source: UTF-8, or UTF-16/32 when a BOM says so (Notepad's "Unicode");
    raises UnicodeDecodeError for anything else, since a .md file is written on purpose."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    return data.decode(encoding)
