"""The one text pipeline of search, used identically for indexing and for queries.

``analyze(text)`` returns the list of index terms of a text:

1. ``khooshe.core.text.normalize`` (Arabic letters to Persian, digits to ASCII, diacritics, one ZWNJ).
2. Case folding (English lowercase).
3. Words are runs of letters, digits and ZWNJ; everything else (punctuation, emoji, symbols) separates
   words and is never a term. A word joined by ZWNJ ("می‌خواهم") gives its parts ("می", "خواهم") *and*
   the joined form ("میخواهم"), so the word is found whether the user types it joined, split or with ZWNJ.
4. Optional stop words (a short list of Persian and English function words), dropped on both sides.
5. Optional light stemming (``stem=True``, the default), rule-based and deliberately conservative:

   * Persian: the plural suffixes ``ها``/``های``/``هایی``, the comparative/superlative ``ترین``/``تر``
     and the ``ی`` of adjectives/indefinites, only when at least three letters remain
     ("کارخانه‌ها" → "کارخانه", "صنعتی" → "صنعت");
   * English: an S-stemmer (Harman 1991): "ies" → "y", "es" after s/x/z/ch/sh, final "s" except after
     "s"/"u"/"i" ("factories" → "factory", "clusters" → "cluster").

Terms longer than ``MAX_TERM_CHARS`` are dropped (no one searches them; tantivy limits term size).
The pipeline is a pure function of its arguments, so the same settings must be used on both sides:
``Pipeline`` bundles them and is stored with an index (see ``SearchIndex``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from khooshe.core.text import ZWNJ, normalize

MAX_TERM_CHARS = 40

# A word: letters/digits/marks, possibly joined by ZWNJ. \w matches Unicode letters, digits and "_".
WORD = re.compile(rf"[^\W_](?:[^\W_]|{ZWNJ})*")

STOP_WORDS = frozenset(
    """
    و در به از که این آن را با است برای تا یا هم بر نیز شود شده می ها های
    the a an of and or to in on for with is are be by as at it from this that
    """.split()
)

_FA_SUFFIXES = ("هایی", "های", "ها", "ترین", "تر")
_FA_LETTERS = re.compile("[\u0600-\u06ff]")


def stem_fa(term: str) -> str:
    """Light Persian suffix stripping (see the module docstring).

    >>> stem_fa("کارخانهها"), stem_fa("صنعتی"), stem_fa("بزرگترین"), stem_fa("دختر")
    ('کارخانه', 'صنعت', 'بزرگ', 'دختر')
    """
    for suffix in _FA_SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    if term.endswith("ی") and len(term) >= 5:
        return term[:-1]
    return term


def stem_en(term: str) -> str:
    """English S-stemmer (Harman 1991).

    >>> [stem_en(w) for w in ("factories", "clusters", "boxes", "business", "status", "analysis")]
    ['factory', 'cluster', 'box', 'business', 'status', 'analysis']
    """
    if len(term) <= 3 or not term.isascii():
        return term
    if term.endswith("ies") and not term.endswith(("eies", "aies")):
        return term[:-3] + "y"
    if term.endswith(("sses", "xes", "zes", "ches", "shes")):
        return term[:-2]
    if term.endswith("s") and not term.endswith(("ss", "us", "is")):
        return term[:-1]
    return term


@dataclass(frozen=True)
class Pipeline:
    """Settings of the text pipeline. Index and queries must use the same ones."""

    stem: bool = True
    stop_words: bool = True

    def as_dict(self) -> dict:
        return asdict(self)

    def word_terms(self, word: str) -> tuple[str, ...]:
        """Terms of one already normalized and case-folded word (maybe ZWNJ-joined)."""
        return _word_terms(word, self.stem, self.stop_words)

    def words(self, text: str | None, *, normalized: bool = False) -> list[tuple[int, int, str]]:
        """(start, end, word) spans of the words in ``normalize(text)`` (used for highlighting)."""
        norm = (text or "") if normalized else normalize(text)
        return [(m.start(), m.end(), m.group()) for m in WORD.finditer(norm)]

    def analyze(self, text: str | None, *, normalized: bool = False) -> list[str]:
        """Index terms of ``text``, in order (see the module docstring).

        >>> Pipeline().analyze("كارخانه‌های نوآوری، Startups!")
        ['کارخانه', 'کارخانه', 'نوآور', 'startup']
        """
        folded = ((text or "") if normalized else normalize(text)).casefold()
        terms: list[str] = []
        for m in WORD.finditer(folded):
            terms.extend(self.word_terms(m.group()))
        return terms


@lru_cache(maxsize=262_144)
def _word_terms(word: str, stem: bool, stop_words: bool) -> tuple[str, ...]:
    if ZWNJ in word:
        parts = [p for p in word.split(ZWNJ) if p]
        forms = parts + ["".join(parts)]
    else:
        forms = [word]
    out = []
    for form in forms:
        if stop_words and form in STOP_WORDS:
            continue
        if stem:
            form = stem_fa(form) if _FA_LETTERS.match(form) else stem_en(form)
        if len(form) <= MAX_TERM_CHARS:
            out.append(form)
    return tuple(out)


DEFAULT = Pipeline()


def analyze(text: str | None, pipeline: Pipeline = DEFAULT) -> list[str]:
    """Index terms of ``text`` with the default pipeline."""
    return pipeline.analyze(text)


def raw_terms(text: str | None) -> list[str]:
    """Baseline for the benchmark: whitespace split of the raw text, nothing else."""
    return (text or "").split()
