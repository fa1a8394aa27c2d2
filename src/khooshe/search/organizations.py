"""Organizations in the search index: what the matching app and other callers use.

The organization index is one of the search documents (``khooshe.search.registrations.ORGANIZATION``;
how every index is kept current: ``khooshe.search.documents``). This module keeps the organization
helpers: ``search_organizations`` (hits limited to what a user may see), ``index_organizations``,
``reindex``, ``organization_document`` and ``notice_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils.translation import gettext as _

from khooshe.search import documents
from khooshe.search.index import (
    MAX_QUERY_CHARS,
    NOTICE_BM25_ONLY,
    NOTICE_EMPTY,
    NOTICE_TRUNCATED,
    SearchIndex,
    SearchResults,
)


def _doc():
    return documents.document_for("registry.Organization")


def index_path() -> Path:
    return documents.index_dir(_doc())


def get_index() -> SearchIndex:
    return documents.get_index(_doc())


def organization_document(org) -> tuple[dict, dict]:
    """(texts, filters) of one organization."""
    return _doc().document(org)


def index_organizations(ids: Iterable[int]) -> int:
    """(Re)index the given organizations now (ids no longer in the database are removed); safe with
    several processes (queued, applied by whichever process holds the writer). Returns the count."""
    ids = {int(i) for i in ids}
    if ids:
        documents.queue(_doc(), ids)
    return len(ids)


def reindex(progress: Callable[[int, int], None] | None = None, batch: int = 1000) -> int:
    """Rebuild the organization index from the database; ``progress(done, total)`` after each batch."""
    return documents.rebuild(_doc(), progress=progress, batch=batch)


def connect() -> None:
    """Keep every search index current (idempotent)."""
    documents.connect()


def search_organizations(query: str | None, *, user=None, limit: int = 20, filters: dict | None = None,
                         dense: bool | None = None, match: str = "any") -> SearchResults:
    """Search organizations; with ``user``, keep only those ``Organization.objects.visible_to(user)``.

    ``dense=None`` fuses dense retrieval when a model is installed (good for matching and cross-language
    queries); a list page's search box that must only show keyword matches passes ``dense=False``.
    """
    ix = get_index()
    results = ix.search(query, limit=limit * 3 if user is not None else limit, filters=filters, dense=dense,
                        match=match)
    if user is not None and results.hits:
        from khooshe.registry.models import Organization

        visible = set(Organization.objects.visible_to(user).filter(pk__in=results.ids).values_list("pk", flat=True))
        results.hits = [h for h in results.hits if h.id in visible][:limit]
    return results


def notice_messages(results: SearchResults) -> list[str]:
    """The result's notices as translated sentences for the page."""
    messages = {
        NOTICE_EMPTY: _("Type a word to search: the query has no letters or digits."),
        NOTICE_TRUNCATED: _("The query was too long; only its first %(n)s characters were searched.")
        % {"n": MAX_QUERY_CHARS},
        NOTICE_BM25_ONLY: _("Keyword search only (no language model is installed)."),
    }
    return [messages[n] for n in results.notices if n in messages]
