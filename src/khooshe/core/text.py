"""The one Persian/English text normalizer, shared by search and by every uniqueness check on names.

Three levels, each built on the previous one:

``normalize(text)``
    Canonical spelling for storage and display: Unicode NFKC (Arabic presentation forms to letters),
    Arabic letters to their Persian forms (ك→ک, ي/ى→ی, ة/ۀ→ه, أ/إ/ٱ→ا, ؤ→و), diacritics (harakat,
    superscript alef) and tatweel removed, Persian and Arabic-Indic digits to ASCII, every zero-width
    joiner/space variant to one ZWNJ (U+200C) with none next to a space, white space collapsed.
``fold(text)``
    Comparison key: ``normalize`` + case folding + ZWNJ to a space, so "می‌خواهم" and "می خواهم" compare
    equal. Used for uniqueness of names and for search queries.
``search_text(*parts)``
    What is stored in a record's ``search_text`` column: the folded parts, plus each ZWNJ-compound word
    written joined ("میخواهم"), so that a query matches the compound joined, split or with ZWNJ.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

_LETTER_MAP = str.maketrans(
    {
        "\u0643": "\u06a9",  # ك -> ک
        "\u064a": "\u06cc",  # ي -> ی
        "\u0649": "\u06cc",  # ى -> ی
        "\u06d2": "\u06cc",  # ے -> ی
        "\u0629": "\u0647",  # ة -> ه
        "\u06c0": "\u0647",  # ۀ -> ه
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0624": "\u0648",  # ؤ -> و
        # digits: Persian (U+06F0..) and Arabic-Indic (U+0660..) to ASCII
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(0x0660 + i): str(i) for i in range(10)},
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        # zero-width variants to ZWNJ
        "\u200b": ZWNJ,
        "\u200d": ZWNJ,
        "\u00ad": ZWNJ,
        "\ufeff": None,
        "\u0640": None,  # tatweel
    }
)
# Arabic diacritics (fathatan..sukun, and the rest of the block), superscript alef, Quranic marks.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed]")
_ZWNJ_RUNS = re.compile(ZWNJ + "{2,}")
_ZWNJ_AT_SPACE = re.compile(rf"\s*{ZWNJ}\s+|\s+{ZWNJ}\s*")
_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """Return the canonical spelling of ``text`` (see the module docstring).

    >>> normalize("كارخانه  نوآوري ١٢٣")
    'کارخانه نوآوری 123'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = text.translate(_LETTER_MAP)
    text = _DIACRITICS.sub("", text)
    text = _ZWNJ_RUNS.sub(ZWNJ, text)
    text = _ZWNJ_AT_SPACE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip().strip(ZWNJ)
    return text


def fold(text: str | None) -> str:
    """Comparison key: normalized, case-folded, ZWNJ treated as a space.

    >>> fold("Kerman  می‌خواهم") == fold("kerman می خواهم")
    True
    """
    return _SPACES.sub(" ", normalize(text).casefold().replace(ZWNJ, " ")).strip()


def search_text(*parts: str | None) -> str:
    """Text to store for substring search: folded parts plus ZWNJ compounds written joined.

    >>> search_text("کارخانه‌ی نوآوری", "Azadi")
    'کارخانه ی نوآوری azadi کارخانهی'
    """
    folded: list[str] = []
    joined: list[str] = []
    for part in parts:
        norm = normalize(part)
        if not norm:
            continue
        folded.append(fold(norm))
        joined.extend(word.replace(ZWNJ, "") for word in norm.casefold().split() if ZWNJ in word)
    return " ".join(folded + joined)


def query_terms(query: str | None) -> list[str]:
    """Split a search box query into folded terms; every term must occur in ``search_text``.

    >>> query_terms("  كرمان  Pistachio ")
    ['کرمان', 'pistachio']
    """
    return [term for term in fold(query).split(" ") if term]


_TO_PERSIAN_DIGITS = str.maketrans({str(i): chr(0x06F0 + i) for i in range(10)})


def persian_digits(text: object) -> str:
    """Show ASCII digits as Persian digits (display only; storage keeps ASCII).

    >>> persian_digits("1403/05/12")
    '۱۴۰۳/۰۵/۱۲'
    """
    return str(text).translate(_TO_PERSIAN_DIGITS)
