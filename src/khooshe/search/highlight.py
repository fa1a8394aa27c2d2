"""Highlighted snippets: matching words wrapped in ``<mark>``, everything else HTML-escaped.

Indexed text is never trusted: the snippet is built from escaped pieces only, so a name such as
``<script>`` is shown as text. A word matches when one of its pipeline terms is one of the query's terms
(so "کارخانه‌ها" is marked for the query "کارخانه").
"""

from __future__ import annotations

from html import escape

from khooshe.search.tokenize import DEFAULT, Pipeline


def highlight(text: str | None, query_terms: set[str] | frozenset[str], *, max_chars: int = 200,
              pipeline: Pipeline = DEFAULT, normalized: bool = False) -> str:
    """Return an HTML snippet of ``text`` (at most about ``max_chars`` characters of text) around the
    first matching word, matches in ``<mark>``; "" when ``text`` is empty. ``normalized``: ``text`` is
    already ``normalize``d (the index stores it so).

    >>> highlight("Pistachio <b>processing</b> in Kerman", {"kerman"})
    'Pistachio &lt;b&gt;processing&lt;/b&gt; in <mark>Kerman</mark>'
    """
    from khooshe.core.text import normalize

    norm = (text or "") if normalized else normalize(text)
    if not norm:
        return ""
    spans = [(s, e) for s, e, w in pipeline.words(norm, normalized=True)
             if query_terms and not query_terms.isdisjoint(pipeline.word_terms(w.casefold()))]
    if len(norm) <= max_chars:
        start, end = 0, len(norm)
    else:
        first = spans[0][0] if spans else 0
        start = max(0, first - max_chars // 4)
        # begin at a word boundary
        if start > 0:
            space = norm.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and first - space < max_chars // 2 else start
        end = min(len(norm), start + max_chars)
        if end < len(norm):
            space = norm.rfind(" ", start, end)
            end = space if space > start else end
    out = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(norm[pos:s]))
        out.append("<mark>" + escape(norm[s:e]) + "</mark>")
        pos = e
    out.append(escape(norm[pos:end]))
    if end < len(norm):
        out.append("…")
    return "".join(out)
