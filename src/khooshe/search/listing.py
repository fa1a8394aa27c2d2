"""The search box of list pages and the API's ``?q=`` (called by ``core.filters.SearchFilterSet``).

With a search document for the model and a built index, ``q`` keeps the records in which every query
word occurs (any field; the Persian/English pipeline: spellings, ZWNJ, light stemming), ranked by BM25
(name > capabilities > description) unless the user picked a sort. The FilterSet's other filters and the
user's permissions (the queryset it is given) still apply. Otherwise (a model without a search document,
or an index not built yet) the old rule applies: every folded query term occurs in ``search_text``
(substring), and the page says so. When no record has the query's whole words, the substring rule is
tried too, so a partial word ("کرم" for "کرمان") still finds something.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import CharField, F, Func, IntegerField, Value
from django.utils.translation import gettext as _

from khooshe.core.text import query_terms
from khooshe.search import documents
from khooshe.search.index import MAX_LIMIT, MAX_QUERY_CHARS, NOTICE_TRUNCATED

log = logging.getLogger(__name__)

LIST_LIMIT = MAX_LIMIT  # the best this many hits are listed


@dataclass
class ListSearch:
    """What the search box did, for the list page (snippets, notices)."""

    query: str
    mode: str  # "index", "substring" (fallback) or "none" (nothing searchable in the query)
    document: documents.SearchDocument | None = None
    terms: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    ranked: bool = False

    def snippets(self, ids) -> dict[int, str]:
        """{id: HTML} for the given rows: the marked fields' snippets (escaped text, <mark> around the
        matching words); empty unless the index answered."""
        if self.mode != "index" or not ids:
            return {}
        try:
            found = documents.get_index(self.document).snippets_for(ids, self.terms)
        except Exception:
            log.exception("search snippets failed")
            return {}
        out = {}
        for pk, fields in found.items():
            marked = [html for name in documents.SNIPPET_FIELDS if "<mark>" in (html := fields.get(name, ""))]
            if marked:
                out[pk] = " · ".join(marked[:2])
        return out


def _number(n: int) -> str:
    from khooshe.core.jalali import is_persian
    from khooshe.core.text import persian_digits

    return persian_digits(f"{n:,}".replace(",", "٬")) if is_persian() else f"{n:,}"


def substring_filter(queryset, value: str):
    for term in query_terms(value):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def search_queryset(queryset, value: str, *, rank: bool = True):
    """(queryset filtered by the query, ListSearch). ``rank``: order by relevance (no sort chosen)."""
    doc = documents.document_for(queryset.model)
    if doc is None:
        return substring_filter(queryset, value), ListSearch(value, "substring")
    if not documents.is_ready(doc):
        try:
            documents.request_rebuild(doc)
        except Exception:
            log.exception("search index %s: could not start the build", doc.slug)
        if not documents.is_ready(doc):
            info = ListSearch(value, "substring", doc, notices=[_(
                "The search index is being built: until it is ready, this list shows the records that "
                "contain every word typed, without ranking.")])
            return substring_filter(queryset, value), info
    try:
        documents.drain_if_stale(doc)
        results = documents.get_index(doc).search(value, limit=LIST_LIMIT, dense=False, snippets=False,
                                                  match="all")
    except Exception:
        log.exception("search index %s failed; using substring search", doc.slug)
        info = ListSearch(value, "substring", doc, notices=[_(
            "The search index could not be read: this list shows the records that contain every word "
            "typed, without ranking.")])
        return substring_filter(queryset, value), info
    info = ListSearch(value, "index", doc, terms=results.terms)
    if NOTICE_TRUNCATED in results.notices:
        info.notices.append(_("The query has too many words; only the first ones were searched."))
    if not results.terms:
        if documents.get_index(doc).pipeline.words(value[:MAX_QUERY_CHARS]):  # only stop words ("و", "the")
            info.mode = "substring"
            return substring_filter(queryset, value), info
        info.mode = "none"
        info.notices.append(_("Type a word to search: the query has no letters or digits."))
        return queryset.none(), info
    if not results.hits:
        fallback = substring_filter(queryset, value)
        if fallback.exists():
            info.mode = "substring"
            info.notices.append(_("No record has these whole words; showing the records that contain "
                                  "the text typed."))
            return fallback, info
        return queryset.none(), info
    ids = results.ids
    if results.total > len(ids):
        info.notices.append(_("More than %(count)s records match; the best %(count)s are listed. Add words "
                              "or filters to narrow the list.") % {"count": _number(len(ids))})
    queryset = queryset.filter(pk__in=ids)
    if rank:
        queryset = queryset.alias(search_rank=RankOf(ids)).order_by("search_rank", "pk")
        info.ranked = True
    return queryset, info


class RankOf(Func):
    """The position of the row's id in a ranked id list, as one SQL expression with one parameter:
    ``instr(',7,3,9,', ',' || id || ',')`` (``strpos`` on PostgreSQL). A ``CASE WHEN id = 7 THEN 0 ...``
    with a thousand branches cost more than a second of Python per page to build."""

    output_field = IntegerField()

    def __init__(self, ids):
        super().__init__(Value("," + ",".join(str(int(i)) for i in ids) + ",", output_field=CharField()), F("pk"))

    def as_sql(self, compiler, connection, **extra):
        (text_sql, text_params), (pk_sql, pk_params) = (compiler.compile(e) for e in self.get_source_expressions())
        function = "strpos" if connection.vendor == "postgresql" else "instr"
        return (f"{function}(CAST({text_sql} AS TEXT), ',' || CAST({pk_sql} AS TEXT) || ',')",
                [*text_params, *pk_params])
