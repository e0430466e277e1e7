"""Raw bytes of an editor's drop -> clean Unicode text (NFC, LF line endings)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

import charset_normalizer
from charset_normalizer.md import mess_ratio

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
_INVISIBLE = {0xFEFF: None, 0xFFFE: None, 0xFFFF: None}


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
    """The configured code page when it reads the bytes as cleanly as the detector's pick
    (short texts often fit several code pages equally well), else the detector's pick."""
    best = charset_normalizer.from_bytes(data).best()
    try:
        fallback_mess = mess_ratio(data.decode(fallback))
    except UnicodeDecodeError:
        fallback_mess = None
    if best is None or best.encoding in ("utf_8", "ascii"):
        return fallback
    if fallback_mess is not None and fallback_mess <= best.chaos + 0.01:
        return fallback
    return best.encoding


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _clean(text: str, path: str) -> tuple[str, tuple[SourceWarning, ...]]:
    warnings: list[SourceWarning] = []
    for table, what in ((_CONTROL, "control characters"), (_BIDI, "bidirectional override characters")):
        first = next((i for i, ch in enumerate(text) if ord(ch) in table), None)
        if first is not None:
            warnings.append(SourceWarning(SourceLocation(path, _line_of(text, first)), f"removed {what}", "they are invisible and break feeds"))
            text = text.translate(table)
    return text.translate(_INVISIBLE), tuple(warnings)


def decode_bytes(data: bytes, *, path: str, fallback_encoding: str = "cp1252") -> DecodedText:
    """Decode a drop; raises NormalizeError for binary or empty files."""
    location = SourceLocation(path, 1)
    warnings: list[SourceWarning] = []
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
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text, cleaned = _clean(text, path)
    if not text.strip():
        raise NormalizeError(location, "file is empty", hint="an article needs a section line, a headline and a body")
    return DecodedText(text, encoding, (*warnings, *cleaned))
